"""``ChainReader`` over any consortium node's JSON-RPC: the verifier's independent view.

Reads the three registries with ``eth_call``, block hashes with
``eth_getBlockByNumber`` and the anchoring transaction with
``eth_getTransactionReceipt``; it needs nothing from the notary.  Only the registries
of the configured ``Deployment`` are trusted: a receipt naming another
AnchorRegistry gets no checkpoint.  Every failure to read (transport, JSON-RPC error,
an answer of the wrong shape) is a ``RpcError``, a ``ChainError`` naming the node's URL.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from govchain_client import abi
from govchain_client.errors import RpcError
from govchain_client.rpc import JsonRpcClient
from govchain_core.deployment import Deployment
from govchain_core.digest import Digest
from govchain_core.receipt import Receipt
from govchain_core.verify import (
    AnchoredCheckpoint,
    AnchorTransaction,
    ChainLog,
    DocumentState,
    DocumentStatus,
    IssuerInfo,
    VerificationReport,
    verify_receipt,
)

P = ParamSpec("P")
R = TypeVar("R")


def _at_node(
    method: Callable[Concatenate[RpcChainReader, P], R],
) -> Callable[Concatenate[RpcChainReader, P], R]:
    """Answers of the wrong shape become ``RpcError`` too, and every ``RpcError`` names the
    node's URL: the verifier then reports ``could_not_check``, never an exception."""

    @functools.wraps(method)
    def wrapper(self: RpcChainReader, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except RpcError as exc:
            exc.url = exc.url or self.rpc.url
            raise
        except ValueError as exc:  # AbiDecodeError, hex or enum of a malformed answer
            error = RpcError(f"{method.__name__}: unexpected answer from the node: {exc}")
            error.url = self.rpc.url
            raise error from exc

    return wrapper


ISSUER_FIELDS = ("string", "string", "uint", "uint", "uint", "bool", "uint", "uint")


class RpcChainReader:
    """A ``govchain_core.verify.ChainReader`` backed by JSON-RPC ``eth_call``."""

    def __init__(self, rpc: JsonRpcClient, deployment: Deployment) -> None:
        self.rpc = rpc
        self.deployment = deployment

    @_at_node
    def chain_id(self) -> int:
        return _quantity(self.rpc.call("eth_chainId"), "eth_chainId")

    def trusted_registry(self) -> str:
        return self.deployment.anchor_registry

    @_at_node
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

    @_at_node
    def block_hash(self, number: int) -> bytes | None:
        block = self.rpc.call("eth_getBlockByNumber", hex(number), False)
        if block is None:
            return None
        if not isinstance(block, dict) or not isinstance(block.get("hash"), str):
            raise RpcError("eth_getBlockByNumber: malformed block")
        return bytes.fromhex(block["hash"].removeprefix("0x"))

    @_at_node
    def head_block_number(self) -> int:
        return _quantity(self.rpc.call("eth_blockNumber"), "eth_blockNumber")

    @_at_node
    def anchor_transaction(self, tx_hash: bytes) -> AnchorTransaction | None:
        method = "eth_getTransactionReceipt"
        receipt = self.rpc.call(method, "0x" + tx_hash.hex())
        if receipt is None:
            return None
        if not isinstance(receipt, dict) or not isinstance(receipt.get("logs"), list):
            raise RpcError(f"{method}: not a transaction receipt")
        to = receipt.get("to")
        if to is not None and not isinstance(to, str):
            raise RpcError(f"{method}: to is not an address")
        return AnchorTransaction(
            status=_quantity(receipt.get("status"), method),
            block_number=_quantity(receipt.get("blockNumber"), method),
            block_hash=_data(receipt.get("blockHash"), method),
            to=to.lower() if to is not None else None,
            logs=tuple(_log(entry, method) for entry in receipt["logs"]),
        )

    @_at_node
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

    @_at_node
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


def _data(value: Any, method: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise RpcError(f"{method}: expected 0x-hex data")
    try:
        return bytes.fromhex(value[2:])
    except ValueError as exc:
        raise RpcError(f"{method}: expected 0x-hex data") from exc


def _log(entry: Any, method: str) -> ChainLog:
    if not isinstance(entry, dict):
        raise RpcError(f"{method}: a log is not an object")
    address, topics = entry.get("address"), entry.get("topics")
    if not isinstance(address, str) or not isinstance(topics, list):
        raise RpcError(f"{method}: a log lacks its address or topics")
    return ChainLog(
        address.lower(),
        tuple(_data(topic, method) for topic in topics),
        _data(entry.get("data", "0x"), method),
    )


def verify_with_node(
    receipt: Receipt,
    rpc_url: str,
    deployment: Deployment,
    document: Digest | None = None,
    *,
    timeout: float = 10.0,
) -> VerificationReport:
    """Verify ``receipt`` against the node at ``rpc_url``, trusting only ``deployment``.

    The SDK's independent check: nothing is asked of a notary.  ``report.verdict`` is
    ``valid``, ``not_valid`` or ``could_not_check`` (the node could not be read; the
    failing step's details name the URL and the error).
    """
    with JsonRpcClient(rpc_url, timeout=timeout) as client:
        return verify_receipt(receipt, RpcChainReader(client, deployment), document)
