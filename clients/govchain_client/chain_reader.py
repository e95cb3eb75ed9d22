"""``ChainReader`` over any consortium node's JSON-RPC: the verifier's independent view.

Reads the three registries with ``eth_call`` and block hashes with
``eth_getBlockByNumber``; it needs nothing from the notary.  Only the registries
of the configured ``Deployment`` are trusted: a receipt naming another
AnchorRegistry gets no checkpoint.
"""

from __future__ import annotations

from typing import Any

from govchain_client import abi
from govchain_client.errors import RpcError
from govchain_client.rpc import JsonRpcClient
from govchain_core.deployment import Deployment
from govchain_core.verify import AnchoredCheckpoint, DocumentState, DocumentStatus, IssuerInfo

ISSUER_FIELDS = ("string", "string", "uint", "uint", "uint", "bool", "uint", "uint")


class RpcChainReader:
    """A ``govchain_core.verify.ChainReader`` backed by JSON-RPC ``eth_call``."""

    def __init__(self, rpc: JsonRpcClient, deployment: Deployment) -> None:
        self.rpc = rpc
        self.deployment = deployment

    def chain_id(self) -> int:
        return _quantity(self.rpc.call("eth_chainId"), "eth_chainId")

    def checkpoint(self, registry: str, issuer: str, size: int) -> AnchoredCheckpoint | None:
        if registry.lower() != self.deployment.anchor_registry:
            return None
        data = self._call(
            self.deployment.anchor_registry,
            abi.call_data(
                "AnchorRegistry.checkpoint(address,uint64)",
                abi.encode_address(issuer),
                abi.encode_uint(size),
            ),
        )
        root, block, timestamp = abi.words(data, 3)
        if not any(root):
            return None
        return AnchoredCheckpoint(root, abi.decode_uint(block), abi.decode_uint(timestamp))

    def block_hash(self, number: int) -> bytes | None:
        block = self.rpc.call("eth_getBlockByNumber", hex(number), False)
        if block is None:
            return None
        if not isinstance(block, dict) or not isinstance(block.get("hash"), str):
            raise RpcError("eth_getBlockByNumber: malformed block")
        return bytes.fromhex(block["hash"].removeprefix("0x"))

    def issuer(self, address: str) -> IssuerInfo | None:
        data = self._call(
            self.deployment.issuer_registry,
            abi.call_data("IssuerRegistry.getIssuer(address)", abi.encode_address(address)),
        )
        try:
            name, ags, roles, valid_from, valid_until, _active, registered_at, removed_at = (
                abi.decode_tuple_head(data, ISSUER_FIELDS)
            )
        except abi.AbiDecodeError as exc:
            raise RpcError(f"getIssuer: unexpected return data: {exc}") from exc
        if registered_at == 0:
            return None
        return IssuerInfo(
            address=address.lower(),
            name=str(name),
            ags=str(ags),
            roles=int(str(roles)),
            valid_from=int(str(valid_from)),
            valid_until=int(str(valid_until)),
            registered=removed_at == 0,
        )

    def status(self, issuer: str, leaf_hash: bytes) -> DocumentStatus:
        data = self._call(
            self.deployment.status_registry,
            abi.call_data(
                "StatusRegistry.status(address,bytes32)",
                abi.encode_address(issuer),
                abi.encode_bytes32(leaf_hash),
            ),
        )
        state, since, superseded_by, reason = abi.words(data, 4)
        try:
            document_state = DocumentState(abi.decode_uint(state))
        except ValueError as exc:
            raise RpcError(f"status: unknown document state {abi.decode_uint(state)}") from exc
        return DocumentStatus(
            state=document_state,
            since=abi.decode_uint(since),
            superseded_by=superseded_by if any(superseded_by) else None,
            reason=abi.decode_uint(reason),
        )

    def _call(self, to: str, data: str) -> bytes:
        result = self.rpc.call("eth_call", {"to": to, "data": data}, "latest")
        if not isinstance(result, str) or not result.startswith("0x"):
            raise RpcError("eth_call: result is not 0x-hex data")
        try:
            return bytes.fromhex(result[2:])
        except ValueError as exc:
            raise RpcError("eth_call: result is not hex") from exc


def _quantity(value: Any, method: str) -> int:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise RpcError(f"{method}: expected a hex quantity")
    try:
        return int(value, 16)
    except ValueError as exc:
        raise RpcError(f"{method}: expected a hex quantity") from exc
