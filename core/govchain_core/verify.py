"""Receipt verification in four steps, each reported on its own (as Blockcerts does).

1. ``format``     the receipt is well-formed and, when a document is given, names its digest;
2. ``inclusion``  the leaf's inclusion proof leads to the checkpoint root;
3. ``anchor``     that checkpoint ``(issuer, size, root)`` is anchored on the consortium
                  chain, in the block the receipt names;
4. ``issuer``     the issuer is trusted for this kind of document, and the document's
                  status now is valid (not suspended, revoked or superseded).

Steps 3 and 4 read the chain through ``ChainReader``, an interface the SDK implements
over any node's JSON-RPC, so no trust in the notary is needed.  A step after a failed
one is reported as skipped; an unreachable node is an ``error``, not a ``failed``.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from govchain_core.digest import Digest
from govchain_core.errors import ChainError, ProofError
from govchain_core.merkle import verify_inclusion
from govchain_core.receipt import Receipt

ROLE_BITS = {"certificate": 1, "register": 2, "iot": 4, "dataset": 8}


class StepStatus(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


class DocumentState(enum.IntEnum):
    """Status codes as the StatusRegistry stores them."""

    VALID = 0
    SUSPENDED = 1
    REVOKED = 2
    SUPERSEDED = 3


@dataclass(frozen=True, slots=True)
class AnchoredCheckpoint:
    root: bytes
    block_number: int
    timestamp: int


@dataclass(frozen=True, slots=True)
class IssuerInfo:
    address: str
    name: str
    ags: str
    roles: int
    valid_from: int
    valid_until: int  # 0: open-ended
    registered: bool = True

    def valid_at(self, timestamp: int) -> bool:
        return (
            self.registered
            and self.valid_from <= timestamp
            and (self.valid_until == 0 or timestamp <= self.valid_until)
        )


@dataclass(frozen=True, slots=True)
class DocumentStatus:
    state: DocumentState
    since: int = 0
    superseded_by: bytes | None = None
    reason: int = 0


class ChainReader(Protocol):
    """What verification needs from a consortium node."""

    def chain_id(self) -> int: ...

    def checkpoint(self, registry: str, issuer: str, size: int) -> AnchoredCheckpoint | None: ...

    def block_hash(self, number: int) -> bytes | None: ...

    def issuer(self, address: str) -> IssuerInfo | None: ...

    def status(self, issuer: str, leaf_hash: bytes) -> DocumentStatus: ...


@dataclass(frozen=True, slots=True)
class StepResult:
    name: str
    status: StepStatus
    message: str
    details: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class VerificationReport:
    steps: tuple[StepResult, ...]
    issuer: IssuerInfo | None = None
    document_status: DocumentStatus | None = None

    @property
    def ok(self) -> bool:
        return all(step.status is StepStatus.PASSED for step in self.steps)

    @property
    def failed_step(self) -> StepResult | None:
        return next((s for s in self.steps if s.status is not StepStatus.PASSED), None)


STEP_NAMES = ("format", "inclusion", "anchor", "issuer")


class _StepFailedError(Exception):
    def __init__(self, message: str, details: dict[str, str | int] | None = None) -> None:
        super().__init__(message)
        self.details = details or {}


def verify_receipt(
    receipt: Receipt,
    chain: ChainReader,
    document: Digest | None = None,
    now: Callable[[], float] = time.time,
) -> VerificationReport:
    """Run the four steps; never raises for a bad receipt, only reports."""
    state = _State(receipt, chain, document, int(now()))
    checks: list[tuple[str, Callable[[], str]]] = [
        ("format", state.check_format),
        ("inclusion", state.check_inclusion),
        ("anchor", state.check_anchor),
        ("issuer", state.check_issuer_and_status),
    ]
    results: list[StepResult] = []
    for name, check in checks:
        if results and results[-1].status is not StepStatus.PASSED:
            results.append(StepResult(name, StepStatus.SKIPPED, "an earlier step did not pass"))
            continue
        results.append(_run(name, check))
    return VerificationReport(tuple(results), state.issuer_info, state.document_status)


def _run(name: str, check: Callable[[], str]) -> StepResult:
    try:
        return StepResult(name, StepStatus.PASSED, check())
    except _StepFailedError as fail:
        return StepResult(name, StepStatus.FAILED, str(fail), fail.details)
    except ChainError as exc:
        return StepResult(name, StepStatus.ERROR, f"could not read the chain: {exc}")


class _State:
    def __init__(
        self, receipt: Receipt, chain: ChainReader, document: Digest | None, now: int
    ) -> None:
        self.receipt = receipt
        self.chain = chain
        self.document = document
        self.now = now
        self.issuer_info: IssuerInfo | None = None
        self.document_status: DocumentStatus | None = None

    def check_format(self) -> str:
        leaf = self.receipt.leaf
        if self.document is not None and self.document != leaf.digest:
            raise _StepFailedError(
                "the document does not match the receipt",
                {"document": str(self.document), "receipt": str(leaf.digest)},
            )
        return f"receipt v1 for {leaf.digest}"

    def check_inclusion(self) -> str:
        proof = self.receipt.proof
        try:
            verify_inclusion(
                proof.index, proof.tree_size, self.receipt.leaf_hash, proof.path, proof.root
            )
        except ProofError as exc:
            raise _StepFailedError(f"inclusion proof rejected: {exc}") from None
        return f"leaf {proof.index} is in the log of size {proof.tree_size}"

    def check_anchor(self) -> str:
        anchor, proof = self.receipt.anchor, self.receipt.proof
        chain_id = self.chain.chain_id()
        if chain_id != anchor.chain_id:
            raise _StepFailedError(
                "the node serves a different chain",
                {"node_chain_id": chain_id, "receipt_chain_id": anchor.chain_id},
            )
        found = self.chain.checkpoint(anchor.registry, self.receipt.issuer, proof.tree_size)
        if found is None:
            raise _StepFailedError(
                "no such checkpoint is anchored on chain", {"size": proof.tree_size}
            )
        if found.root != proof.root:
            raise _StepFailedError(
                "the anchored root differs from the receipt's root",
                {"chain_root": found.root.hex(), "receipt_root": proof.root.hex()},
            )
        if found.block_number != anchor.block_number or found.timestamp != anchor.timestamp:
            raise _StepFailedError(
                "the checkpoint was anchored in another block than the receipt says",
                {"chain_block": found.block_number, "receipt_block": anchor.block_number},
            )
        block_hash = self.chain.block_hash(anchor.block_number)
        if block_hash != anchor.block_hash:
            raise _StepFailedError(
                "the block hash on chain differs from the receipt's", {"block": anchor.block_number}
            )
        return f"anchored in block {anchor.block_number} at {anchor.timestamp}"

    def check_issuer_and_status(self) -> str:
        receipt = self.receipt
        info = self.chain.issuer(receipt.issuer)
        self.issuer_info = info
        if info is None or not info.registered:
            raise _StepFailedError("the issuer is not registered in the consortium", {})
        if not info.valid_at(receipt.anchor.timestamp):
            raise _StepFailedError(
                "the issuer was not trusted when the checkpoint was anchored",
                {"anchored": receipt.anchor.timestamp},
            )
        role = ROLE_BITS[receipt.leaf.kind]
        if not info.roles & role:
            raise _StepFailedError(
                f"the issuer may not issue documents of kind {receipt.leaf.kind}", {}
            )
        status = self.chain.status(receipt.issuer, receipt.leaf_hash)
        self.document_status = status
        if status.state is not DocumentState.VALID:
            details: dict[str, str | int] = {
                "state": status.state.name.lower(),
                "since": status.since,
                "reason": status.reason,
            }
            if status.superseded_by is not None:
                details["superseded_by"] = status.superseded_by.hex()
            raise _StepFailedError(f"the document is {status.state.name.lower()}", details)
        return f"issued by {info.name} ({info.ags}); status valid"
