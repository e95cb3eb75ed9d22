"""A minimal JSON-RPC 2.0 client over httpx, for reading any consortium node.

Transport failures and answers that are not JSON leave as
``govchain_client.errors.TransportError`` subclasses naming the node's URL; JSON that
is not a JSON-RPC result, or an error object, as ``RpcError``.  Both are the core's
``ChainError``, which the verifier reports as "could not check".
"""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from govchain_client._transport import answer_json, mapped_errors
from govchain_client.errors import RpcError

DEFAULT_TIMEOUT = 10.0


class JsonRpcClient:
    """Blocking JSON-RPC calls.

    Transport failures become the SDK's ``TransportError`` subclasses and error objects
    ``RpcError``; both are ``ChainError``s carrying the node's ``url``, which the
    verifier reports with a ``could_not_check``."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url
        self._ids = itertools.count(1)
        with mapped_errors(url):
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
        with mapped_errors(self.url):
            response = self._http.post(self.url, json=body)
        if response.status_code != 200:
            raise RpcError(f"{method}: HTTP {response.status_code} from {self.url}")
        answer = answer_json(response, self.url)
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
