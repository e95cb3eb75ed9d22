"""The chain adapter over JSON-RPC with web3.py: any EVM node with the three registries.

Works against the project's own node, a Besu QBFT network or any EVM chain.  Every
web3/requests failure is converted here into a ``ChainAccessError`` by its most specific
match (``ChainUnavailableError`` for timeouts and refused connections,
``TransactionRevertedError`` with the decoded reason for reverts), so the anchoring
worker's retry-and-reconcile loop is the only error policy.  Nonces are kept per
issuer account and re-read from the node (``pending``) after any failure; a
transaction is final once its receipt exists (QBFT finality is one block).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import requests
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from eth_utils.abi import event_abi_to_log_topic
from web3 import HTTPProvider, Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError, TimeExhausted, TransactionNotFound
from web3.middleware import ExtraDataToPOAMiddleware
from web3.types import RPCEndpoint

from govchain_contracts import decode_error, load
from govchain_core.receipt import AnchorRef
from govchain_core.verify import (
    AnchoredCheckpoint,
    AnchorTransaction,
    ChainLog,
    DocumentState,
    DocumentStatus,
    IssuerInfo,
)
from govchain_notary.anchorers.base import ChainCheckpoint, StatusChange
from govchain_notary.errors import (
    ChainAccessError,
    ChainUnavailableError,
    ConfigurationError,
    NotaryError,
    TransactionRevertedError,
)
from govchain_notary.settings import Settings

P = ParamSpec("P")
R = TypeVar("R")
ZERO32 = b"\0" * 32
ISSUER_EVENTS = ("IssuerRegistered", "IssuerUpdated", "IssuerRemoved", "RolesChanged")
STATUS_CALLS = {
    DocumentState.SUSPENDED: "suspend",
    DocumentState.VALID: "reinstate",
    DocumentState.REVOKED: "revoke",
    DocumentState.SUPERSEDED: "supersede",
}


UNAVAILABLE = (
    TimeExhausted,
    TimeoutError,
    ConnectionError,
    requests.Timeout,
    requests.ConnectionError,
)
"""Failures that say the node cannot be reached now (``chain_error`` maps them first)."""


def chain_error(where: str, exc: Exception) -> ChainAccessError:
    """The notary's error for a failure of the node or of web3.py, by most specific match."""
    message = f"{where}: {type(exc).__name__}: {exc}"
    if isinstance(exc, UNAVAILABLE):
        return ChainUnavailableError(message)
    if isinstance(exc, ContractLogicError):
        return TransactionRevertedError(message, revert_reason(exc))
    return ChainAccessError(message)


def revert_reason(exc: Exception) -> str:
    """The govchain contract error in a revert's data (name and arguments), else the
    node's message."""
    data = getattr(exc, "data", None)
    if isinstance(data, str):
        data = bytes.fromhex(data.removeprefix("0x")) if data.startswith("0x") else None
    decoded = decode_error(data) if isinstance(data, bytes) else None
    return str(decoded or getattr(exc, "message", None) or exc)


def chain_errors(method: Callable[P, R]) -> Callable[P, R]:
    """Convert any failure of the node or of web3.py into a ``ChainAccessError``
    (``chain_error``)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except NotaryError:
            raise
        except Exception as exc:
            raise chain_error(method.__name__, exc) from exc

    return wrapper


class Web3Chain:
    """``Anchorer`` over JSON-RPC: AnchorRegistry, StatusRegistry, IssuerRegistry."""

    def __init__(
        self,
        rpc_url: str,
        anchor_registry: str,
        status_registry: str,
        issuer_registry: str,
        accounts: Sequence[LocalAccount],
        gas: int = 3_000_000,
        timeout: float = 60.0,
    ) -> None:
        # web3's validation asks eth_chainId before every eth_call (each status
        # read): a chain's id never changes, so that answer alone is cached
        provider = HTTPProvider(
            rpc_url,
            request_kwargs={"timeout": timeout},
            cache_allowed_requests=True,
            cacheable_requests={RPCEndpoint("eth_chainId")},
        )
        self.web3 = Web3(provider)
        # QBFT headers carry validators and seals in extraData (more than 32 bytes)
        self.web3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
        self.anchors = self._contract("AnchorRegistry", anchor_registry)
        self.statuses = self._contract("StatusRegistry", status_registry)
        self.issuers = self._contract("IssuerRegistry", issuer_registry)
        self.accounts = {account.address.lower(): account for account in accounts}
        self.gas = gas
        self.timeout = timeout
        self._nonces: dict[str, int] = {}
        self._lock = threading.Lock()
        self._chain_id: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Web3Chain:
        if not (settings.status_registry and settings.issuer_registry):
            raise ConfigurationError("chain 'web3' needs anchor, status and issuer registries")
        password = settings.keystore_password.get_secret_value()
        accounts = [
            _decrypt(issuer.keystore, password)
            for issuer in settings.issuers
            if issuer.keystore is not None
        ]
        return cls(
            settings.rpc_url,
            settings.anchor_registry,
            settings.status_registry,
            settings.issuer_registry,
            accounts,
            timeout=settings.chain_timeout,
        )

    def _contract(self, name: str, address: str) -> Contract:
        return self.web3.eth.contract(
            address=Web3.to_checksum_address(address), abi=list(load(name).abi)
        )

    @property
    def registry(self) -> str:
        return str(self.anchors.address).lower()

    # writes ----------------------------------------------------------------------

    @chain_errors
    def anchor(
        self, issuer: str, size: int, root: bytes, prev_size: int, proof: Sequence[bytes]
    ) -> AnchorRef:
        call = self.anchors.functions.anchor(size, root, prev_size, list(proof))
        return self._transact(issuer, call)

    @chain_errors
    def set_status(
        self, issuer: str, leaf_hash: bytes, state: DocumentState, superseded_by: bytes | None
    ) -> AnchorRef:
        function = getattr(self.statuses.functions, STATUS_CALLS[state])
        if state is DocumentState.SUPERSEDED:
            return self._transact(issuer, function(leaf_hash, superseded_by or ZERO32, 0))
        return self._transact(issuer, function(leaf_hash, 0))

    def _transact(self, issuer: str, call: Any) -> AnchorRef:
        account = self.accounts.get(issuer)
        if account is None:
            raise ChainAccessError(f"no signing key for issuer {issuer}")
        with self._lock:
            nonce = self._nonces.get(issuer)
            if nonce is None:
                nonce = self.web3.eth.get_transaction_count(account.address, "pending")
            tx = call.build_transaction(
                {
                    "from": account.address,
                    "nonce": nonce,
                    "gasPrice": 0,
                    "gas": self.gas,
                    "chainId": self.chain_id(),
                }
            )
            signed = account.sign_transaction(tx)
            try:
                tx_hash = self.web3.eth.send_raw_transaction(signed.raw_transaction)
            except Exception:
                self._nonces.pop(issuer, None)
                raise
            self._nonces[issuer] = nonce + 1
        try:
            receipt = self.web3.eth.wait_for_transaction_receipt(tx_hash, timeout=self.timeout)
        except Exception:
            self._nonces.pop(issuer, None)
            raise
        if receipt["status"] != 1:
            why = self._why(call, account.address, int(receipt["blockNumber"]))
            raise TransactionRevertedError(
                f"transaction 0x{bytes(tx_hash).hex()} reverted{': ' + why if why else ''}", why
            )
        return self._anchor_ref(bytes(tx_hash), int(receipt["blockNumber"]))

    def _why(self, call: Any, sender: str, block_number: int) -> str | None:
        """Replay a reverted call to name the contract error: as its sender (the
        registries decide by ``msg.sender``; without ``from`` the replay reverts for
        another reason) on the state of the block it reverted in."""
        try:
            call.call({"from": sender}, block_identifier=block_number)
        except Exception as exc:
            return revert_reason(exc)
        return None

    def _anchor_ref(self, tx_hash: bytes, block_number: int) -> AnchorRef:
        block = self.web3.eth.get_block(block_number)
        return AnchorRef(
            self.chain_id(),
            self.registry,
            tx_hash,
            block_number,
            bytes(block["hash"]),
            int(block["timestamp"]),
        )

    # reads -----------------------------------------------------------------------

    @chain_errors
    def latest(self, issuer: str) -> ChainCheckpoint | None:
        size, root, block_number, _ = self.anchors.functions.latest(
            Web3.to_checksum_address(issuer)
        ).call()
        if size == 0:
            return None
        return ChainCheckpoint(
            int(size), bytes(root), self._anchored_ref(issuer, size, int(block_number))
        )

    def _anchored_ref(self, issuer: str, size: int, block_number: int) -> AnchorRef:
        """Find the transaction that anchored ``(issuer, size)`` through its event."""
        logs = self.anchors.events.Anchored().get_logs(
            from_block=block_number,
            to_block=block_number,
            argument_filters={"issuer": Web3.to_checksum_address(issuer), "size": size},
        )
        if not logs:
            raise ChainAccessError(f"no Anchored event for {issuer} size {size} in {block_number}")
        return self._anchor_ref(bytes(logs[0]["transactionHash"]), block_number)

    @chain_errors
    def list_issuers(self) -> list[IssuerInfo]:
        addresses = self.issuers.functions.issuers().call()
        infos = [self.issuer(str(address).lower()) for address in addresses]
        return [info for info in infos if info is not None]

    @chain_errors
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self.web3.eth.chain_id)
        return self._chain_id

    def trusted_registry(self) -> str:
        return self.registry

    @chain_errors
    def checkpoint(self, registry: str, issuer: str, size: int) -> AnchoredCheckpoint | None:
        if registry.lower() != self.registry:
            return None
        root, block_number, timestamp = self.anchors.functions.checkpoint(
            Web3.to_checksum_address(issuer), size
        ).call()
        if bytes(root) == ZERO32:
            return None
        return AnchoredCheckpoint(bytes(root), int(block_number), int(timestamp))

    @chain_errors
    def block_hash(self, number: int) -> bytes | None:
        try:
            block = self.web3.eth.get_block(number)
        except Exception:
            return None
        return bytes(block["hash"])

    @chain_errors
    def anchor_transaction(self, tx_hash: bytes) -> AnchorTransaction | None:
        try:
            receipt = self.web3.eth.get_transaction_receipt(HexStr("0x" + tx_hash.hex()))
        except TransactionNotFound:
            return None
        to = receipt.get("to")
        return AnchorTransaction(
            int(receipt["status"]),
            int(receipt["blockNumber"]),
            bytes(receipt["blockHash"]),
            str(to).lower() if to else None,
            tuple(
                ChainLog(
                    str(log["address"]).lower(),
                    tuple(bytes(topic) for topic in log["topics"]),
                    bytes(log["data"]),
                )
                for log in receipt["logs"]
            ),
        )

    @chain_errors
    def issuer(self, address: str) -> IssuerInfo | None:
        info = self.issuers.functions.getIssuer(Web3.to_checksum_address(address)).call()
        name, ags, roles, valid_from, valid_until, active, registered_at, _removed = info
        if registered_at == 0:
            return None
        return IssuerInfo(
            address.lower(), name, ags, int(roles), int(valid_from), int(valid_until), bool(active)
        )

    # the status index ------------------------------------------------------------

    @property
    def status_registry(self) -> str:
        return str(self.statuses.address).lower()

    @chain_errors
    def head_block_number(self) -> int:
        """The core ``ChainReader``'s name for :meth:`head`."""
        return self.head()

    def head(self) -> int:
        return int(self.web3.eth.block_number)

    @chain_errors
    def status_changes(self, issuers: Sequence[str], first: int, last: int) -> list[StatusChange]:
        """One ``eth_getLogs`` filtered by the issuers' topic, then one block header per
        block that holds a change, for its timestamp (the status's ``since``)."""
        if not issuers:
            return []
        logs = [
            log
            for log in self.statuses.events.StatusChanged().get_logs(
                argument_filters={"issuer": [Web3.to_checksum_address(i) for i in issuers]},
                from_block=first,
                to_block=last,
            )
            if not log.get("removed", False)
        ]
        times = {n: int(self.web3.eth.get_block(n)["timestamp"]) for n in _blocks_of(logs)}
        return [_status_change(log, times[int(log["blockNumber"])]) for log in logs]

    @chain_errors
    def issuer_changes(self, issuers: Sequence[str], first: int, last: int) -> set[str]:
        """One ``eth_getLogs``: the registry's issuer events, filtered by the issuers'
        topic (every one of these events has the issuer as its first indexed topic)."""
        if not issuers:
            return set()
        events = [
            e for e in self.issuers.abi if e["type"] == "event" and e["name"] in ISSUER_EVENTS
        ]
        wanted = ["0x" + event_abi_to_log_topic(e).hex() for e in events]
        logs = self.web3.eth.get_logs(
            {
                "address": self.issuers.address,
                "fromBlock": first,
                "toBlock": last,
                "topics": [wanted, ["0x" + "00" * 12 + i.removeprefix("0x") for i in issuers]],
            }
        )
        return {
            "0x" + bytes(log["topics"][1])[-20:].hex()
            for log in logs
            if not log.get("removed", False)
        }

    @chain_errors
    def status(self, issuer: str, leaf_hash: bytes) -> DocumentStatus:
        state, since, superseded_by, reason = self.statuses.functions.status(
            Web3.to_checksum_address(issuer), leaf_hash
        ).call()
        by = bytes(superseded_by)
        return DocumentStatus(
            DocumentState(int(state)), int(since), by if by != ZERO32 else None, int(reason)
        )


def _blocks_of(logs: Sequence[Any]) -> set[int]:
    return {int(log["blockNumber"]) for log in logs}


def _status_change(log: Any, timestamp: int) -> StatusChange:
    """A decoded ``StatusChanged`` log as the status index stores it."""
    args = log["args"]
    by = bytes(args["supersededBy"])
    status = DocumentStatus(
        DocumentState(int(args["state"])),
        timestamp,
        by if by != ZERO32 else None,
        int(args["reason"]),
    )
    return StatusChange(
        str(args["issuer"]).lower(),
        bytes(args["leafHash"]),
        status,
        int(log["blockNumber"]),
        int(log["logIndex"]),
    )


def _decrypt(path: Path, password: str) -> LocalAccount:
    try:
        key = Account.decrypt(path.read_text(), password)
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot open keystore {path}: {exc}") from exc
    account: LocalAccount = Account.from_key(key)
    return account
