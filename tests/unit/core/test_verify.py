"""The four verification steps against an in-memory chain."""

from __future__ import annotations

import dataclasses

import pytest

from govchain_core.digest import digest_bytes
from govchain_core.errors import ChainError
from govchain_core.memory_chain import MemoryChain
from govchain_core.receipt import Receipt
from govchain_core.receipt_codec import decode_receipt, receipt_from_object
from govchain_core.verify import (
    AnchoredCheckpoint,
    DocumentState,
    DocumentStatus,
    IssuerInfo,
    StepStatus,
    verify_receipt,
)
from tests.conftest import load_vectors

VECTORS = load_vectors("receipts.json")
NOW = 1_800_000_000.0


def receipt() -> Receipt:
    return receipt_from_object(VECTORS["valid"][0]["receipt"])


def chain_for(r: Receipt) -> MemoryChain:
    chain = MemoryChain(id=r.anchor.chain_id, registry=r.anchor.registry)
    chain.checkpoints[(r.issuer, r.proof.tree_size)] = AnchoredCheckpoint(
        r.proof.root, r.anchor.block_number, r.anchor.timestamp
    )
    chain.block_hashes[r.anchor.block_number] = r.anchor.block_hash
    chain.issuers[r.issuer] = IssuerInfo(
        r.issuer, "Bürgeramt Musterstadt", "05315000", roles=1, valid_from=0, valid_until=0
    )
    return chain


def statuses(report_steps: object) -> list[str]:
    return [step.status.value for step in report_steps]  # type: ignore[attr-defined]


def test_a_good_receipt_passes_all_four_steps() -> None:
    r = receipt()
    document = VECTORS["document"].encode()
    report = verify_receipt(r, chain_for(r), digest_bytes(document), now=lambda: NOW)
    assert report.ok, report
    assert [s.name for s in report.steps] == ["format", "inclusion", "anchor", "issuer"]
    assert report.issuer is not None
    assert report.issuer.ags == "05315000"


def test_another_document_fails_the_format_step_and_skips_the_rest() -> None:
    r = receipt()
    report = verify_receipt(r, chain_for(r), digest_bytes(b"tampered"), now=lambda: NOW)
    assert statuses(report.steps) == ["failed", "skipped", "skipped", "skipped"]
    assert report.failed_step is not None
    assert report.failed_step.name == "format"


def test_a_tampered_path_fails_inclusion() -> None:
    r = receipt()
    bad = dataclasses.replace(
        r, proof=dataclasses.replace(r.proof, path=(b"\x00" * 32, *r.proof.path[1:]))
    )
    report = verify_receipt(bad, chain_for(r), now=lambda: NOW)
    assert statuses(report.steps) == ["passed", "failed", "skipped", "skipped"]


@pytest.mark.parametrize(
    "fault", ["no checkpoint", "other root", "other block", "other hash", "other chain"]
)
def test_anchor_faults_fail_the_anchor_step(fault: str) -> None:
    r = receipt()
    chain = chain_for(r)
    key = (r.issuer, r.proof.tree_size)
    if fault == "no checkpoint":
        del chain.checkpoints[key]
    elif fault == "other root":
        chain.checkpoints[key] = dataclasses.replace(chain.checkpoints[key], root=b"\x01" * 32)
    elif fault == "other block":
        chain.checkpoints[key] = dataclasses.replace(chain.checkpoints[key], block_number=43)
    elif fault == "other hash":
        chain.block_hashes[r.anchor.block_number] = b"\x02" * 32
    else:
        chain.id = 1
    report = verify_receipt(r, chain, now=lambda: NOW)
    assert statuses(report.steps) == ["passed", "passed", "failed", "skipped"]


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (DocumentState.SUSPENDED, "suspended"),
        (DocumentState.REVOKED, "revoked"),
        (DocumentState.SUPERSEDED, "superseded"),
    ],
)
def test_document_status_is_reported(state: DocumentState, message: str) -> None:
    r = receipt()
    chain = chain_for(r)
    chain.statuses[(r.issuer, r.leaf_hash)] = DocumentStatus(state, since=1_795_000_000, reason=4)
    report = verify_receipt(r, chain, now=lambda: NOW)
    assert statuses(report.steps)[-1] == "failed"
    assert message in report.steps[-1].message
    assert report.steps[-1].details["since"] == 1_795_000_000
    assert report.document_status is not None
    assert report.document_status.state is state


@pytest.mark.parametrize(
    "fault", ["unknown issuer", "not yet valid", "expired", "no role", "removed"]
)
def test_issuer_faults_fail_the_last_step(fault: str) -> None:
    r = receipt()
    chain = chain_for(r)
    info = chain.issuers[r.issuer]
    changes = {
        "not yet valid": {"valid_from": r.anchor.timestamp + 1},
        "expired": {"valid_until": r.anchor.timestamp - 1},
        "no role": {"roles": 4},
        "removed": {"registered": False},
    }
    if fault == "unknown issuer":
        del chain.issuers[r.issuer]
    else:
        chain.issuers[r.issuer] = dataclasses.replace(info, **changes[fault])  # type: ignore[arg-type]
    report = verify_receipt(r, chain, now=lambda: NOW)
    assert statuses(report.steps) == ["passed", "passed", "passed", "failed"]


def test_an_unreachable_node_is_an_error_not_a_failure() -> None:
    class Down(MemoryChain):
        def chain_id(self) -> int:
            raise ChainError("connection refused")

    r = receipt()
    report = verify_receipt(r, Down(), now=lambda: NOW)
    assert report.steps[2].status is StepStatus.ERROR
    assert not report.ok


@pytest.mark.parametrize("case", VECTORS["tampered"], ids=lambda c: c["name"])
def test_shared_tampered_receipts_fail_at_the_named_step(case: dict[str, str]) -> None:
    good = receipt()
    report = verify_receipt(decode_receipt(case["text"]), chain_for(good), now=lambda: NOW)
    assert report.failed_step is not None
    assert report.failed_step.name == case["failing_step"]
