"""A dev chain in memory, optionally persisted to a JSON file.

It behaves as the three registries do: ``anchor`` checks the consistency proof
from the previous checkpoint (as the contract does, so a wrong proof fails here
too), each transaction is a block that is final at once, status changes follow
the StatusRegistry's rules (revoke is final).  With a file, every transaction is
written atomically (write, fsync, rename) before it returns: the chain survives a
``kill -9`` of the notary, which the crash tests rely on.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from govchain_core.errors import ProofError
from govchain_core.merkle import verify_consistency
from govchain_core.verify import (
    ROLE_BITS,
    AnchoredCheckpoint,
    DocumentState,
    DocumentStatus,
    IssuerInfo,
)
from govchain_notary.anchorers.base import ChainCheckpoint
from govchain_notary.errors import ChainError
from govchain_notary.storage.repos import AnchorFacts

ALL_ROLES = sum(ROLE_BITS.values())


class MemoryChain:
    """An ``Anchorer`` over dictionaries; ``path`` makes it durable."""

    def __init__(
        self,
        chain_id: int = 1337,
        registry: str = "0x" + "a5" * 20,
        path: Path | None = None,
        issuers: Sequence[str] = (),
    ) -> None:
        self._chain_id = chain_id
        self._registry = registry
        self.path = path
        self._lock = threading.Lock()
        self.blocks: list[bytes] = [hashlib.sha256(b"genesis").digest()]
        self.timestamps: list[int] = [int(time.time())]
        self.anchors: dict[str, list[dict[str, Any]]] = {}
        self.statuses: dict[str, dict[str, Any]] = {}
        self.issuers: dict[str, IssuerInfo] = {}
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
    ) -> AnchorFacts:
        with self._lock:
            self._maybe_fail()
            history = self.anchors.setdefault(issuer, [])
            latest = history[-1] if history else None
            self._check_anchor(latest, size, root, prev_size, proof)
            number = self._mine()
            tx_hash = hashlib.sha256(b"tx" + issuer.encode() + size.to_bytes(8, "big")).digest()
            history.append({"size": size, "root": root.hex(), "block": number, "tx": tx_hash.hex()})
            self._save()
            return self._facts(tx_hash, number)

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
            raise ChainError(f"anchor reverted: prevSize {prev_size} != latest {known}")
        if latest is None:
            return
        try:
            verify_consistency(known, size, bytes.fromhex(latest["root"]), root, list(proof))
        except ProofError as exc:
            raise ChainError(f"anchor reverted: inconsistent checkpoint: {exc}") from exc

    def latest(self, issuer: str) -> ChainCheckpoint | None:
        with self._lock:
            history = self.anchors.get(issuer)
            if not history:
                return None
            entry = history[-1]
            facts = self._facts(bytes.fromhex(entry["tx"]), entry["block"])
            return ChainCheckpoint(entry["size"], bytes.fromhex(entry["root"]), facts)

    def set_status(
        self, issuer: str, leaf_hash: bytes, state: DocumentState, superseded_by: bytes | None
    ) -> AnchorFacts:
        with self._lock:
            self._maybe_fail()
            key = f"{issuer}:{leaf_hash.hex()}"
            current = self.statuses.get(key, {}).get("state", DocumentState.VALID)
            if current in (DocumentState.REVOKED, DocumentState.SUPERSEDED):
                raise ChainError("status change reverted: the document is already final")
            number = self._mine()
            self.statuses[key] = {
                "state": int(state),
                "since": self.timestamps[number],
                "by": superseded_by.hex() if superseded_by else None,
            }
            self._save()
            tx_hash = hashlib.sha256(b"status" + key.encode() + bytes([state])).digest()
            return self._facts(tx_hash, number)

    def list_issuers(self) -> list[IssuerInfo]:
        with self._lock:
            return list(self.issuers.values())

    def chain_id(self) -> int:
        return self._chain_id

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

    def issuer(self, address: str) -> IssuerInfo | None:
        with self._lock:
            return self.issuers.get(address)

    def status(self, issuer: str, leaf_hash: bytes) -> DocumentStatus:
        with self._lock:
            entry = self.statuses.get(f"{issuer}:{leaf_hash.hex()}")
        if entry is None:
            return DocumentStatus(DocumentState.VALID)
        by = bytes.fromhex(entry["by"]) if entry["by"] else None
        return DocumentStatus(DocumentState(entry["state"]), entry["since"], by)

    def _maybe_fail(self) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ChainError("node unreachable (injected failure)")

    def _mine(self) -> int:
        number = len(self.blocks)
        self.blocks.append(hashlib.sha256(self.blocks[-1] + number.to_bytes(8, "big")).digest())
        self.timestamps.append(max(int(time.time()), self.timestamps[-1]))
        return number

    def _facts(self, tx_hash: bytes, number: int) -> AnchorFacts:
        return AnchorFacts(
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
