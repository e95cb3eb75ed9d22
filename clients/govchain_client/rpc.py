"""A minimal JSON-RPC 2.0 client over httpx, for reading any consortium node."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from govchain_client.errors import RpcError

DEFAULT_TIMEOUT = 10.0


class JsonRpcClient:
    """Blocking JSON-RPC calls; transport failures and error objects become ``RpcError``,
    each carrying the node's ``url`` (the verifier reports it with a ``could_not_check``)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url
        self._ids = itertools.count(1)
        self._http = httpx.Client(timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> JsonRpcClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def call(self, method: str, *params: Any) -> Any:
        try:
            return self._call(method, params)
        except RpcError as exc:
            exc.url = self.url
            raise

    def _call(self, method: str, params: tuple[Any, ...]) -> Any:
        request_id = next(self._ids)
        body = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": list(params)}
        try:
            response = self._http.post(self.url, json=body)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            reason = str(exc) or type(exc).__name__
            raise RpcError(f"{method}: cannot reach {self.url}: {reason}") from exc
        if response.status_code != 200:
            raise RpcError(f"{method}: HTTP {response.status_code} from {self.url}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise RpcError(f"{method}: the node did not answer with JSON") from exc
        if not isinstance(answer, dict) or answer.get("id") != request_id:
            raise RpcError(f"{method}: malformed JSON-RPC response")
        error = answer.get("error")
        if error is not None:
            if not isinstance(error, dict):
                raise RpcError(f"{method}: malformed JSON-RPC error")
            raise RpcError(
                f"{method}: {error.get('message', 'error')}", error.get("code"), error.get("data")
            )
        if "result" not in answer:
            raise RpcError(f"{method}: JSON-RPC response without result")
        return answer["result"]
