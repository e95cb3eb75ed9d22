"""``Annotated`` dependencies: the service, the authenticated client, the read limiter."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from govchain_notary.auth import authenticate
from govchain_notary.ratelimit import RateLimiter
from govchain_notary.service import NotaryService
from govchain_notary.storage.repos import ClientRecord

bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer gck_…`")


# The dependencies are ``async def`` although they do not await: FastAPI runs a plain
# ``def`` dependency on its thread pool, and two extra thread hops per request cost
# more than the handler's own work on a cache miss (and queue behind the GIL).
async def get_service(request: Request) -> NotaryService:
    service: NotaryService = request.app.state.service
    return service


async def get_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.limiter
    return limiter


Service = Annotated[NotaryService, Depends(get_service)]
Limiter = Annotated[RateLimiter, Depends(get_limiter)]


async def api_client(
    service: Service,
    limiter: Limiter,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> ClientRecord:
    key = credentials.credentials if credentials else None
    client = await anyio.to_thread.run_sync(authenticate, service.store, key)
    limiter.take(f"client:{client.id}", client.rate_limit, max(client.rate_limit, 1.0) * 2)
    return client


async def public_read(request: Request, service: Service, limiter: Limiter) -> None:
    address = request.client.host if request.client else "unknown"
    settings = service.settings
    limiter.take(f"ip:{address}", settings.public_read_rate, settings.public_read_burst)


ApiClient = Annotated[ClientRecord, Depends(api_client)]
PublicRead = Depends(public_read)
