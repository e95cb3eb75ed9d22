"""A dev chain in memory, optionally persisted to a JSON file.

It behaves as the three registries do: ``anchor`` checks the consistency proof
from the previous checkpoint (as the contract does, so a wrong proof fails here
too), each transaction is a block that is final at once, status changes follow
the StatusRegistry's rules (revoke is final) and are kept as its ``StatusChanged``
events, for the status follower.  With a file, every transaction is
written atomically (write, fsync, rename) before it returns: the chain survives a
``kill -9`` of the notary, which the crash tests rely on.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from govchain_core.errors import ProofError
from govchain_core.merkle import verify_consistency
from govchain_core.receipt import AnchorRef
from govchain_core.verify import (
    ROLE_BITS,
    AnchoredCheckpoint,
    AnchorTransaction,
    DocumentState,
    DocumentStatus,
    IssuerInfo,
    anchored_log,
)
from govchain_notary.anchorers.base import ChainCheckpoint, StatusChange
from govchain_notary.clock import SYSTEM_CLOCK, Clock
from govchain_notary.errors import ChainAccessError
from govchain_notary.transitions import refusal, successor_refusal

ALL_ROLES = sum(ROLE_BITS.values())


class MemoryAnchorer:
    """An ``Anchorer`` over dictionaries; ``path`` makes it durable."""

    def __init__(
        self,
        chain_id: int = 1337,
        registry: str = "0x" + "a5" * 20,
        path: Path | None = None,
        issuers: Sequence[str] = (),
        status_registry: str = "0x" + "5a" * 20,
        *,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.clock = clock  # stamps the blocks
        self._chain_id = chain_id
        self._registry = registry
        self._status_registry = status_registry
        self.path = path
        self._lock = threading.Lock()
        self.blocks: list[bytes] = [hashlib.sha256(b"genesis").digest()]
        self.timestamps: list[int] = [int(clock.now())]
        self.anchors: dict[str, list[dict[str, Any]]] = {}
        self.statuses: dict[str, dict[str, Any]] = {}
        self.status_events: list[dict[str, Any]] = []  # StatusChanged, in block order
        self.issuers: dict[str, IssuerInfo] = {}
        self.issuer_events: list[tuple[int, str]] = []  # (block, issuer), in block order
        self.fail_next = 0
        if path is not None and path.exists():
            self._load(path)
        for address in issuers:
            self.issuers.setdefault(
                address, IssuerInfo(address, "Dev issuer", "05315000", ALL_ROLES, 0, 0)
            )

    @property
    def registry(self) -> str:
        return self._registry

    def anchor(
        self, issuer: str, size: int, root: bytes, prev_size: int, proof: Sequence[bytes]
    ) -> AnchorRef:
        with self._lock:
            self._maybe_fail()
            history = self.anchors.setdefault(issuer, [])
            latest = history[-1] if history else None
            self._check_anchor(latest, size, root, prev_size, proof)
            number = self._mine()
            tx_hash = hashlib.sha256(b"tx" + issuer.encode() + size.to_bytes(8, "big")).digest()
            history.append({"size": size, "root": root.hex(), "block": number, "tx": tx_hash.hex()})
            self._save()
            return self._anchor_ref(tx_hash, number)

    @staticmethod
    def _check_anchor(
        latest: dict[str, Any] | None,
        size: int,
        root: bytes,
        prev_size: int,
        proof: Sequence[bytes],
    ) -> None:
        known = latest["size"] if latest else 0
        if prev_size != known or size <= known:
            raise ChainAccessError(f"anchor reverted: prevSize {prev_size} != latest {known}")
        if latest is None:
            return
        try:
            verify_consistency(known, size, bytes.fromhex(latest["root"]), root, list(proof))
        except ProofError as exc:
            raise ChainAccessError(f"anchor reverted: inconsistent checkpoint: {exc}") from exc

    def latest(self, issuer: str) -> ChainCheckpoint | None:
        with self._lock:
            history = self.anchors.get(issuer)
            if not history:
                return None
            entry = history[-1]
            anchor = self._anchor_ref(bytes.fromhex(entry["tx"]), entry["block"])
            return ChainCheckpoint(entry["size"], bytes.fromhex(entry["root"]), anchor)

    def set_status(
        self, issuer: str, leaf_hash: bytes, state: DocumentState, superseded_by: bytes | None
    ) -> AnchorRef:
        with self._lock:
            self._maybe_fail()
            key = f"{issuer}:{leaf_hash.hex()}"
            reason = refusal(self._state(key), state)
            if reason is None and state is DocumentState.SUPERSEDED:
                later = self._state(f"{issuer}:{(superseded_by or b'').hex()}")
                reason = successor_refusal(leaf_hash, superseded_by, later)
            if reason is not None:
                raise ChainAccessError(f"status change reverted: {reason}")
            number = self._mine()
            self.statuses[key] = {
                "state": int(state),
                "since": self.timestamps[number],
                "by": superseded_by.hex() if superseded_by else None,
            }
            self.status_events.append({"key": key, "block": number, **self.statuses[key]})
            self._save()
            tx_hash = hashlib.sha256(b"status" + key.encode() + bytes([state])).digest()
            return self._anchor_ref(tx_hash, number)

    def _state(self, key: str) -> DocumentState:
        return DocumentState(self.statuses.get(key, {}).get("state", DocumentState.VALID))

    def set_issuer(self, info: IssuerInfo) -> int:
        """Register or change an issuer, as the IssuerRegistry's vote would; its block."""
        with self._lock:
            number = self._mine()
            self.issuers[info.address] = info
            self.issuer_events.append((number, info.address))
            return number

    def issuer_changes(self, issuers: Sequence[str], first: int, last: int) -> set[str]:
        wanted = set(issuers)
        with self._lock:
            return {i for block, i in self.issuer_events if first <= block <= last and i in wanted}

    def list_issuers(self) -> list[IssuerInfo]:
        with self._lock:
            return list(self.issuers.values())

    @property
    def status_registry(self) -> str:
        return self._status_registry

    def head_block_number(self) -> int:
        """The core ``ChainReader``'s name for :meth:`head`."""
        return self.head()

    def head(self) -> int:
        with self._lock:
            self._maybe_fail()
            return len(self.blocks) - 1

    def status_changes(self, issuers: Sequence[str], first: int, last: int) -> list[StatusChange]:
        wanted = set(issuers)
        with self._lock:
            events = [e for e in self.status_events if first <= e["block"] <= last]
        changes = []
        for event in events:
            issuer, leaf_hash = event["key"].split(":")
            if issuer in wanted:
                status = _document_status(event)
                changes.append(
                    StatusChange(issuer, bytes.fromhex(leaf_hash), status, event["block"], 0)
                )
        return changes

    def chain_id(self) -> int:
        return self._chain_id

    def trusted_registry(self) -> str:
        return self._registry.lower()

    def checkpoint(self, registry: str, issuer: str, size: int) -> AnchoredCheckpoint | None:
        if registry != self._registry:
            return None
        with self._lock:
            for entry in self.anchors.get(issuer, []):
                if entry["size"] == size:
                    block = entry["block"]
                    return AnchoredCheckpoint(
                        bytes.fromhex(entry["root"]), block, self.timestamps[block]
                    )
        return None

    def block_hash(self, number: int) -> bytes | None:
        with self._lock:
            return self.blocks[number] if 0 <= number < len(self.blocks) else None

    def anchor_transaction(self, tx_hash: bytes) -> AnchorTransaction | None:
        """The receipt of an ``anchor`` transaction, with the ``Anchored`` log the
        contract emits; None for any other hash (as a node answers ``null``)."""
        wanted = tx_hash.hex()
        with self._lock:
            for issuer, history in self.anchors.items():
                for position, entry in enumerate(history):
                    if entry["tx"] == wanted:
                        prev_size = history[position - 1]["size"] if position else 0
                        root = bytes.fromhex(entry["root"])
                        log = anchored_log(self._registry, issuer, entry["size"], root, prev_size)
                        block = entry["block"]
                        return AnchorTransaction(
                            1, block, self.blocks[block], self._registry, (log,)
                        )
        return None

    def issuer(self, address: str) -> IssuerInfo | None:
        with self._lock:
            return self.issuers.get(address)

    def status(self, issuer: str, leaf_hash: bytes) -> DocumentStatus:
        with self._lock:
            entry = self.statuses.get(f"{issuer}:{leaf_hash.hex()}")
        if entry is None:
            return DocumentStatus(DocumentState.VALID)
        return _document_status(entry)

    def _maybe_fail(self) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ChainAccessError("node unreachable (injected failure)")

    def _mine(self) -> int:
        number = len(self.blocks)
        self.blocks.append(hashlib.sha256(self.blocks[-1] + number.to_bytes(8, "big")).digest())
        self.timestamps.append(max(int(self.clock.now()), self.timestamps[-1]))
        return number

    def _anchor_ref(self, tx_hash: bytes, number: int) -> AnchorRef:
        return AnchorRef(
            self._chain_id,
            self._registry,
            tx_hash,
            number,
            self.blocks[number],
            self.timestamps[number],
        )

    def _save(self) -> None:
        if self.path is None:
            return
        state = {
            "blocks": [b.hex() for b in self.blocks],
            "timestamps": self.timestamps,
            "anchors": self.anchors,
            "statuses": self.statuses,
            "status_events": self.status_events,
        }
        temporary = self.path.with_suffix(".tmp")
        with open(temporary, "w") as handle:
            json.dump(state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    def _load(self, path: Path) -> None:
        state = json.loads(path.read_text())
        self.blocks = [bytes.fromhex(b) for b in state["blocks"]]
        self.timestamps = state["timestamps"]
        self.anchors = state["anchors"]
        self.statuses = state["statuses"]
        # a file written before the events were kept: its statuses, as of its last block
        last = len(self.blocks) - 1
        self.status_events = state.get(
            "status_events",
            [{"key": key, "block": last, **entry} for key, entry in self.statuses.items()],
        )


def _document_status(entry: dict[str, Any]) -> DocumentStatus:
    by = bytes.fromhex(entry["by"]) if entry["by"] else None
    return DocumentStatus(DocumentState(entry["state"]), entry["since"], by)
