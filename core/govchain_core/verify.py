"""Receipt verification in four steps, each reported on its own (as Blockcerts does).

1. ``format``     the receipt is well-formed and, when a document is given, names its digest;
2. ``inclusion``  the leaf's inclusion proof leads to the checkpoint root;
3. ``anchor``     that checkpoint ``(issuer, size, root)`` is anchored on the consortium
                  chain, in the block and by the transaction the receipt names;
4. ``issuer``     the issuer is trusted for this kind of document, and the document's
                  status now is valid (not suspended, revoked or superseded).

Steps 3 and 4 read the chain through ``ChainReader``, an interface the SDK implements
over any node's JSON-RPC, so no trust in the notary is needed.  A step after a failed
one is reported as skipped; an unreachable node is an ``error``, not a ``failed``.

The report's ``verdict`` is one of three (``Verdict``): ``not_valid`` when any step
failed, ``could_not_check`` when none failed but one could not read the chain (its
details name the URL and the error), ``valid`` only when every step passed.  A failed
step names the receipt field that disagrees as a JSON pointer in ``details["field"]``,
with the chain's and the receipt's values (``chain``, ``receipt``) where there are two.

Every field of a receipt v1 is checked, or explicitly outside the verdict:

=========================  ==================================================================
field                      checked by
=========================  ==================================================================
/type, /version            decoder: exact type; unknown major refused (``ReceiptVersionError``)
/proof/algorithm           decoder: must be ``rfc9162-sha256``
/leaf (every member)       inclusion: the leaf hash is RFC 8785 bytes of the whole leaf, so
                           any change of ``v``, ``salt``, ``meta``, ``device``, ``seq`` or
                           ``supersedes`` breaks the path to the anchored root
/leaf/digest               format: equals the document's digest (when a document is given)
/leaf/issuer               anchor: the checkpoint and the ``Anchored`` event are the issuer's;
                           issuer: registered and trusted at the anchor time
/leaf/kind                 issuer: the issuer holds the role for this kind
/proof/index, /proof/path  inclusion: the path from the leaf at ``index`` leads to ``root``
/proof/tree_size           inclusion; anchor: the checkpoint of this size exists and the
                           ``Anchored`` event's ``size`` topic equals it
/proof/root                inclusion; anchor: equals the anchored root and the event's root
/anchor/chain_id           anchor: equals the node's ``eth_chainId``
/anchor/registry           anchor: equals the trusted deployment's AnchorRegistry, and the
                           anchoring transaction was sent to it
/anchor/tx_hash            anchor: the transaction exists, succeeded (status 1) and emitted
                           ``Anchored(issuer, tree_size, root, …)`` from the registry
/anchor/block_number       anchor: equals the checkpoint's block and the transaction's block
/anchor/block_hash         anchor: equals the chain's hash of that block and the
                           transaction's ``blockHash``
/anchor/timestamp          anchor: equals the checkpoint's (the block's) timestamp
=========================  ==================================================================

Outside the verdict: members a newer minor version adds (a 1.x receipt's unknown fields
are ignored by the decoder, a 1.0 receipt with unknown fields is refused), and the
event's ``prevSize`` (it says which earlier checkpoint this one extends; the contract
checked the consistency proof when it accepted the transaction).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from govchain_core.digest import Digest
from govchain_core.errors import ChainError, CoreError, ProofError
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


#: keccak256("Anchored(address,uint64,bytes32,uint64)"): topic0 of the AnchorRegistry's
#: event (contracts/src/AnchorRegistry.sol).  The core has no keccak (hashlib lacks it), so
#: it is a constant; ``tests/unit/core/test_verify.py`` recomputes it with a real keccak.
ANCHORED_TOPIC = bytes.fromhex("87a00ae7fdf1309aedd9873e03a7384890151190a066e51eff1bdfc114703a99")
WORD = 32


@dataclass(frozen=True, slots=True)
class ChainLog:
    """One log of a transaction receipt: emitting contract, topics and data."""

    address: str  # lower-case 0x-hex
    topics: tuple[bytes, ...]
    data: bytes


@dataclass(frozen=True, slots=True)
class AnchorTransaction:
    """What ``eth_getTransactionReceipt`` says about the transaction a receipt names."""

    status: int
    block_number: int
    block_hash: bytes
    to: str | None  # lower-case 0x-hex; None for a contract creation
    logs: tuple[ChainLog, ...]


def anchored_log(registry: str, issuer: str, size: int, root: bytes, prev_size: int) -> ChainLog:
    """The ``Anchored`` log the AnchorRegistry at ``registry`` emits (for in-memory chains)."""
    return ChainLog(
        registry.lower(),
        (ANCHORED_TOPIC, _address_word(issuer), size.to_bytes(WORD, "big")),
        root + prev_size.to_bytes(WORD, "big"),
    )


def _address_word(address: str) -> bytes:
    return bytes.fromhex(address.removeprefix("0x")).rjust(WORD, b"\x00")


class ChainReader(Protocol):
    """What verification needs from a consortium node.

    Implementations convert their transport's errors into ``ChainError`` (with ``url``
    set when they know it): that is what makes a step ``error`` rather than ``failed``.
    """

    def chain_id(self) -> int: ...

    def trusted_registry(self) -> str:
        """The consortium's AnchorRegistry (lower-case), from the trusted deployment."""
        ...

    def checkpoint(self, registry: str, issuer: str, size: int) -> AnchoredCheckpoint | None: ...

    def block_hash(self, number: int) -> bytes | None: ...

    def head_block_number(self) -> int:
        """The number of the newest block the node has (asked only when something the
        receipt names is missing, to tell a node that is behind from a false receipt)."""
        ...

    def anchor_transaction(self, tx_hash: bytes) -> AnchorTransaction | None:
        """The receipt of transaction ``tx_hash``; None if the chain has no such one."""
        ...

    def issuer(self, address: str) -> IssuerInfo | None: ...

    def status(self, issuer: str, leaf_hash: bytes) -> DocumentStatus: ...


class Verdict(enum.StrEnum):
    """The one answer of a verification (the same values on every surface)."""

    VALID = "valid"
    NOT_VALID = "not_valid"
    COULD_NOT_CHECK = "could_not_check"


Details = dict[str, str | int]
#: what a step that passed says: a message, and optionally details (e.g. the anchor time)
Passed = str | tuple[str, Details]


@dataclass(frozen=True, slots=True)
class StepResult:
    name: str
    status: StepStatus
    message: str
    details: Details = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class VerificationReport:
    steps: tuple[StepResult, ...]
    issuer: IssuerInfo | None = None
    document_status: DocumentStatus | None = None

    @property
    def verdict(self) -> Verdict:
        states = {step.status for step in self.steps}
        if StepStatus.FAILED in states:
            return Verdict.NOT_VALID
        if states == {StepStatus.PASSED}:
            return Verdict.VALID
        return Verdict.COULD_NOT_CHECK

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.VALID

    @property
    def failed_step(self) -> StepResult | None:
        """The step that decided a verdict other than valid (failed or error)."""
        return next((s for s in self.steps if s.status is not StepStatus.PASSED), None)


STEP_NAMES = ("format", "inclusion", "anchor", "issuer")


def report_to_object(report: VerificationReport) -> dict[str, Any]:
    """The stable JSON form (``--json`` of the CLI, ``POST /v1/verify``): verdict and steps."""
    return {
        "verdict": str(report.verdict),
        "ok": report.ok,
        "steps": [
            {
                "name": s.name,
                "status": str(s.status),
                "message": s.message,
                "details": dict(s.details),
            }
            for s in report.steps
        ],
    }


def malformed_report(message: str, pointer: str | None = None) -> VerificationReport:
    """The report for a receipt the decoder refused: ``format`` failed, the rest skipped.

    For front ends that decode the file themselves (the CLI), so a malformed receipt
    gets the same verdict and the same report shape as any other failure.
    """
    details: Details = {"field": pointer} if pointer else {}
    first = StepResult("format", StepStatus.FAILED, message, details)
    rest = (
        StepResult(n, StepStatus.SKIPPED, "an earlier step did not pass") for n in STEP_NAMES[1:]
    )
    return VerificationReport((first, *rest))


class _StepFailedError(CoreError):
    def __init__(self, message: str, details: Details | None = None) -> None:
        super().__init__(message)
        self.details = details or {}


class _StepCouldNotCheckError(_StepFailedError):
    """The step could not decide (an ``error``, so ``could_not_check``), e.g. a node
    that has not yet seen the block the receipt names."""


def _differs(message: str, pointer: str, chain: str | int, receipt: str | int) -> _StepFailedError:
    return _StepFailedError(message, {"field": pointer, "chain": chain, "receipt": receipt})


def verify_receipt(
    receipt: Receipt,
    chain: ChainReader,
    document: Digest | None = None,
    now: Callable[[], float] = time.time,
) -> VerificationReport:
    """Run the four steps; never raises for a bad receipt, only reports."""
    state = _State(receipt, chain, document, int(now()))
    checks: list[tuple[str, Callable[[], Passed]]] = [
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


def _run(name: str, check: Callable[[], Passed]) -> StepResult:
    try:
        passed = check()
        if isinstance(passed, str):
            return StepResult(name, StepStatus.PASSED, passed)
        return StepResult(name, StepStatus.PASSED, *passed)
    except _StepCouldNotCheckError as unsure:
        return StepResult(name, StepStatus.ERROR, str(unsure), unsure.details)
    except _StepFailedError as fail:
        return StepResult(name, StepStatus.FAILED, str(fail), fail.details)
    except ChainError as exc:
        details: Details = {"error": str(exc)}
        if exc.url is not None:
            details["url"] = exc.url
        where = f" at {exc.url}" if exc.url else ""
        return StepResult(
            name, StepStatus.ERROR, f"could not read the chain{where}: {exc}", details
        )


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
                {
                    "field": "/leaf/digest",
                    "document": str(self.document),
                    "receipt": str(leaf.digest),
                },
            )
        return f"receipt v1 for {leaf.digest}"

    def check_inclusion(self) -> str:
        proof = self.receipt.proof
        try:
            verify_inclusion(
                proof.index, proof.tree_size, self.receipt.leaf_hash, proof.path, proof.root
            )
        except ProofError as exc:
            raise _StepFailedError(
                f"inclusion proof rejected: {exc}", {"field": "/proof"}
            ) from None
        return f"leaf {proof.index} is in the log of size {proof.tree_size}"

    def check_anchor(self) -> Passed:
        anchor = self.receipt.anchor
        chain_id = self.chain.chain_id()
        if chain_id != anchor.chain_id:
            raise _differs(
                "the node serves a different chain", "/anchor/chain_id", chain_id, anchor.chain_id
            )
        trusted = self.chain.trusted_registry()
        if anchor.registry != trusted:
            raise _differs(
                "the receipt names another AnchorRegistry than the consortium's",
                "/anchor/registry",
                trusted,
                anchor.registry,
            )
        self._check_checkpoint()
        block_hash = self.chain.block_hash(anchor.block_number)
        if block_hash is None:
            self._unless_behind()
        if block_hash != anchor.block_hash:
            raise _differs(
                f"the hash of block {anchor.block_number} on chain differs from the receipt's",
                "/anchor/block_hash",
                _hex(block_hash),
                _hex(anchor.block_hash),
            )
        self._check_transaction(trusted)
        return f"anchored in block {anchor.block_number} by transaction {_hex(anchor.tx_hash)}", {
            "block_number": anchor.block_number,
            "timestamp": anchor.timestamp,
            "tx_hash": _hex(anchor.tx_hash),
        }

    def _check_checkpoint(self) -> None:
        anchor, proof = self.receipt.anchor, self.receipt.proof
        found = self.chain.checkpoint(anchor.registry, self.receipt.issuer, proof.tree_size)
        if found is None:
            self._unless_behind()
            raise _StepFailedError(
                f"the issuer anchored no checkpoint of size {proof.tree_size}",
                {"field": "/proof/tree_size", "receipt": proof.tree_size},
            )
        if found.root != proof.root:
            raise _differs(
                "the anchored root differs from the receipt's root",
                "/proof/root",
                found.root.hex(),
                proof.root.hex(),
            )
        if found.block_number != anchor.block_number:
            raise _differs(
                "the checkpoint was anchored in another block than the receipt says",
                "/anchor/block_number",
                found.block_number,
                anchor.block_number,
            )
        if found.timestamp != anchor.timestamp:
            raise _differs(
                "the anchoring block's timestamp differs from the receipt's",
                "/anchor/timestamp",
                found.timestamp,
                anchor.timestamp,
            )

    def _unless_behind(self) -> None:
        """Something the receipt names is missing: that decides ``not_valid`` only if the
        node has reached the receipt's block; a node that is behind cannot tell."""
        wanted = self.receipt.anchor.block_number
        head = self.chain.head_block_number()
        if head < wanted:
            raise _StepCouldNotCheckError(
                f"the node is not synced to block {wanted} (its head is {head})",
                {"field": "/anchor/block_number", "head": head, "receipt": wanted},
            )

    def _check_transaction(self, trusted: str) -> None:
        anchor = self.receipt.anchor
        tx = self.chain.anchor_transaction(anchor.tx_hash)
        if tx is None:
            self._unless_behind()
            raise _StepFailedError(
                "no such transaction", {"field": "/anchor/tx_hash", "receipt": _hex(anchor.tx_hash)}
            )
        if tx.status != 1:
            raise _StepFailedError(
                "the anchoring transaction failed",
                {"field": "/anchor/tx_hash", "receipt": _hex(anchor.tx_hash), "status": tx.status},
            )
        if tx.block_number != anchor.block_number:
            raise _differs(
                "the anchoring transaction is in another block than the receipt says",
                "/anchor/block_number",
                tx.block_number,
                anchor.block_number,
            )
        if tx.block_hash != anchor.block_hash:
            raise _differs(
                "the anchoring transaction's block hash differs from the receipt's",
                "/anchor/block_hash",
                _hex(tx.block_hash),
                _hex(anchor.block_hash),
            )
        if tx.to != trusted:
            raise _differs(
                "the transaction was not sent to the consortium's AnchorRegistry",
                "/anchor/registry",
                tx.to or "(contract creation)",
                anchor.registry,
            )
        if not any(self._is_anchored_event(log, trusted) for log in tx.logs):
            raise _StepFailedError(
                "the transaction did not anchor this checkpoint (no matching Anchored event)",
                {"field": "/anchor/tx_hash", "receipt": _hex(anchor.tx_hash)},
            )

    def _is_anchored_event(self, log: ChainLog, registry: str) -> bool:
        proof = self.receipt.proof
        return (
            log.address == registry
            and len(log.topics) == 3
            and log.topics[0] == ANCHORED_TOPIC
            and log.topics[1] == _address_word(self.receipt.issuer)
            and log.topics[2] == proof.tree_size.to_bytes(WORD, "big")
            and log.data[:WORD] == proof.root
        )

    def check_issuer_and_status(self) -> str:
        receipt = self.receipt
        info = self.chain.issuer(receipt.issuer)
        self.issuer_info = info
        if info is None or not info.registered:
            raise _StepFailedError(
                "the issuer is not registered in the consortium",
                {"field": "/leaf/issuer", "receipt": receipt.issuer},
            )
        if not info.valid_at(receipt.anchor.timestamp):
            raise _StepFailedError(
                "the issuer was not trusted when the checkpoint was anchored",
                {
                    "field": "/leaf/issuer",
                    "anchored": receipt.anchor.timestamp,
                    "valid_from": info.valid_from,
                    "valid_until": info.valid_until,
                },
            )
        role = ROLE_BITS[receipt.leaf.kind]
        if not info.roles & role:
            raise _StepFailedError(
                f"the issuer may not issue documents of kind {receipt.leaf.kind}",
                {"field": "/leaf/kind", "receipt": receipt.leaf.kind, "chain_roles": info.roles},
            )
        status = self.chain.status(receipt.issuer, receipt.leaf_hash)
        self.document_status = status
        if status.state is not DocumentState.VALID:
            details: Details = {
                "field": "/leaf",
                "state": status.state.name.lower(),
                "since": status.since,
                "reason": status.reason,
            }
            if status.superseded_by is not None:
                details["superseded_by"] = status.superseded_by.hex()
            raise _StepFailedError(f"the document is {status.state.name.lower()}", details)
        return f"issued by {info.name} ({info.ags}); status valid"


def _hex(value: bytes | None) -> str:
    return "(none)" if value is None else "0x" + value.hex()
