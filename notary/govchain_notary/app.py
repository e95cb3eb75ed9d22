"""``create_app(settings)``: the FastAPI application, built fresh for every caller.

No module-level app: tests build one per database, ``govchain notary run`` and
``govchain up`` build theirs from settings, and uvicorn uses the ``asgi`` factory.
The app's lifespan migrates the database, takes the issuers' writer lock and
starts the writer and anchoring threads; shutdown drains and stops them.  In the
reader role (a read replica on the writer's database) it does none of that: see
``middleware.ReadReplica`` and ``status_watcher``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from importlib.resources import files
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from govchain_core import __version__
from govchain_notary import problems
from govchain_notary.anchorers.base import Anchorer
from govchain_notary.api import (
    deployment,
    digests,
    docs,
    health,
    issuers,
    receipts,
    status,
    verify,
)
from govchain_notary.chains import make_anchorer
from govchain_notary.clock import SYSTEM_CLOCK, Clock
from govchain_notary.fast_lookup import LookupFastPath
from govchain_notary.metrics import Metrics
from govchain_notary.middleware import AllowedMethods, BodyLimit, ReadReplica, RequestMetrics
from govchain_notary.ratelimit import RateLimiter
from govchain_notary.service import NotaryService
from govchain_notary.settings import Settings
from govchain_notary.storage.engine import make_engine, migrate
from govchain_notary.storage.repos import Store
from govchain_notary.storage.sql import SqlStore
from govchain_notary.storage.statuses import MemoryStatusIndex, StatusIndexStore
from govchain_notary.storage.statuses_sql import SqlStatusIndex
from govchain_notary.storage.writer_lock import IssuerLock

logger = logging.getLogger(__name__)

DESCRIPTION = """\
Notarise document digests on the municipal consortium chain and get receipts that
anyone can verify against any consortium node.  Writes need an API key
(`Authorization: Bearer gck_…`) scoped by action and document kind; reads are
public and rate-limited.  Errors are RFC 9457 problem details.
"""


def create_app(
    settings: Settings,
    *,
    store: Store | None = None,
    anchorer: Anchorer | None = None,
    statuses: StatusIndexStore | None = None,
    clock: Clock = SYSTEM_CLOCK,
    fast_lookups: bool = True,
) -> FastAPI:
    """A notary app; ``store`` and ``anchorer`` default to the ones ``settings`` name,
    ``statuses`` to the status index in the same database (in memory with a given store).
    ``clock`` is the time of the notary's threads and of an in-memory chain;
    ``fast_lookups=False`` serves lookups through FastAPI only (tests compare both)."""
    metrics = Metrics()
    lock: IssuerLock | None = None
    reader = settings.role == "reader"
    if store is None:
        engine = make_engine(settings.effective_database_url, settings.sqlite_synchronous)
        if not reader:  # the writer owns the schema; a replica reads what it made
            migrate(engine)
            lock = IssuerLock(engine, settings.issuer_addresses)
        store = SqlStore(engine)
        statuses = statuses or SqlStatusIndex(engine)
    service = NotaryService(
        settings,
        store,
        anchorer or make_anchorer(settings, clock),
        metrics,
        lock,
        statuses=statuses or MemoryStatusIndex(),
        clock=clock,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(service.open)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(service.close)

    app = FastAPI(
        title="govchain notary",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # api.docs serves both pages without a CDN
        redoc_url=None,
        openapi_tags=[
            {"name": "digests", "description": "Notarise digests and look them up."},
            {"name": "receipts", "description": "Receipts v1."},
            {"name": "verify", "description": "Four-step receipt verification."},
            {"name": "status", "description": "Suspend, reinstate, revoke, supersede."},
            {"name": "issuers", "description": "Issuers, checkpoints, consistency proofs."},
        ],
    )
    app.state.service = service
    app.state.metrics = metrics
    limiter = RateLimiter()
    app.state.limiter = limiter
    app.state.settings = settings
    problems.install(app)
    for module in (digests, receipts, verify, status, issuers, deployment, health):
        app.include_router(module.router)
    docs.install(app)
    app.mount("/", StaticFiles(directory=_static_dir(settings), html=True), name="verifier")
    app.add_middleware(AllowedMethods, api=app)
    if reader:  # inside CORS: browsers see the refusal
        app.add_middleware(ReadReplica)
    cors = cors_options(settings)
    app.add_middleware(CORSMiddleware, **cors)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestMetrics, metrics=metrics)
    if fast_lookups:  # outermost: lookups skip everything above
        app.add_middleware(
            LookupFastPath, service=service, limiter=limiter, metrics=metrics, cors=cors
        )
    return app


def cors_options(settings: Settings) -> dict[str, Any]:
    """The CORS middleware's options, shared by the application and its lookup path."""
    return {
        "allow_origins": settings.cors_origins,
        "allow_methods": ["GET", "POST"],
        "allow_headers": ["Authorization", "Content-Type", "Idempotency-Key"],
        "expose_headers": ["Retry-After"],
    }


def _static_dir(settings: Settings) -> Path:
    """The configured web verifier, else the one installed with the client package,
    else the placeholder page shipped in this package."""
    candidates = [settings.static_dir] if settings.static_dir is not None else []
    with suppress(ModuleNotFoundError):
        candidates.append(Path(str(files("govchain_client") / "web")))
    for candidate in candidates:
        if candidate is not None and (candidate / "index.html").exists():
            return candidate
    return Path(str(files("govchain_notary") / "static"))
