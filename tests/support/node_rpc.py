"""A small JSON-RPC client for node tests: raw requests, error objects kept intact."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import httpx
from eth_account import Account
from eth_account.signers.local import LocalAccount


class RpcFailureError(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.error = error
        self.code = error.get("code")
        self.message = str(error.get("message", ""))
        self.data = error.get("data")


class RpcClient:
    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url
        self._http = httpx.Client(timeout=timeout)
        self._ids = itertools.count(1)

    def close(self) -> None:
        self._http.close()

    def post(self, body: bytes | str | Any) -> httpx.Response:
        if isinstance(body, bytes | str):
            content = body.encode() if isinstance(body, str) else body
        else:
            content = json.dumps(body).encode()
        return self._http.post(
            self.url, content=content, headers={"Content-Type": "application/json"}
        )

    def raw(self, method: str, *params: Any) -> dict[str, Any]:
        payload = {
            "jsonrpc": "2.0",
            "id": next(self._ids),
            "method": method,
            "params": list(params),
        }
        response: dict[str, Any] = self.post(payload).json()
        return response

    def call(self, method: str, *params: Any) -> Any:
        response = self.raw(method, *params)
        if "error" in response:
            raise RpcFailureError(response["error"])
        return response["result"]

    def wait_receipt(self, tx_hash: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            receipt = self.call("eth_getTransactionReceipt", tx_hash)
            if receipt is not None:
                return dict(receipt)
            time.sleep(0.02)
        raise TimeoutError(f"no receipt for {tx_hash}")

    def sign(
        self,
        account: LocalAccount,
        chain_id: int,
        *,
        to: str | None,
        data: bytes = b"",
        nonce: int | None = None,
        gas: int = 300_000,
        value: int = 0,
        fee: int | None = None,
    ) -> bytes:
        """A signed EIP-1559 transaction; ``fee`` defaults to this node's gas price."""
        if nonce is None:
            nonce = int(self.call("eth_getTransactionCount", account.address, "pending"), 16)
        if fee is None:
            fee = int(self.call("eth_gasPrice"), 16) * 2
        tx: dict[str, Any] = {
            "chainId": chain_id,
            "nonce": nonce,
            "gas": gas,
            "value": value,
            "data": data,
            "maxFeePerGas": fee,
            "maxPriorityFeePerGas": 0 if fee == 0 else 1,
            "type": 2,
        }
        if to is not None:
            tx["to"] = to
        return bytes(account.sign_transaction(tx).raw_transaction)

    def send(self, raw: bytes) -> str:
        return str(self.call("eth_sendRawTransaction", "0x" + raw.hex()))


def local_account(private_key: bytes | str) -> LocalAccount:
    account: LocalAccount = Account.from_key(private_key)
    return account
