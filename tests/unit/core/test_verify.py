"""The four verification steps against an in-memory chain."""

from __future__ import annotations

import dataclasses

import pytest
from eth_utils.crypto import keccak

from govchain_core.digest import digest_bytes
from govchain_core.errors import ChainError
from govchain_core.memory_chain import MemoryChainReader
from govchain_core.receipt import Receipt
from govchain_core.receipt_codec import decode_receipt, receipt_from_object
from govchain_core.verify import (
    ANCHORED_TOPIC,
    AnchorTransaction,
    ChainLog,
    DocumentState,
    DocumentStatus,
    StepStatus,
    Verdict,
    malformed_report,
    report_to_object,
    verify_receipt,
)
from tests.conftest import load_vectors
from tests.support.receipt_chain import chain_for

VECTORS = load_vectors("receipts.json")
NOW = 1_800_000_000.0


def receipt() -> Receipt:
    return receipt_from_object(VECTORS["valid"][0]["receipt"])


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


@pytest.mark.parametrize("missing", ["checkpoint", "block", "transaction"])
def test_a_node_behind_the_receipts_block_could_not_check(missing: str) -> None:
    """Security review #13: a lagging node lacks what the receipt names; that is no proof
    the receipt is false.  Below the receipt's block: could_not_check; at it: not_valid."""
    r = receipt()
    n = r.anchor.block_number
    chain = chain_for(r)
    if missing == "checkpoint":
        del chain.checkpoints[(r.issuer, r.proof.tree_size)]
    if missing in ("checkpoint", "block"):
        del chain.block_hashes[n]
    del chain.transactions[r.anchor.tx_hash]
    chain.head = n - 1
    report = verify_receipt(r, chain, now=lambda: NOW)
    assert statuses(report.steps) == ["passed", "passed", "error", "skipped"]
    assert report.verdict is Verdict.COULD_NOT_CHECK
    assert report.steps[2].message == f"the node is not synced to block {n} (its head is {n - 1})"
    chain.head = n
    report = verify_receipt(r, chain, now=lambda: NOW)
    assert statuses(report.steps) == ["passed", "passed", "failed", "skipped"]
    assert report.verdict is Verdict.NOT_VALID


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
    class Down(MemoryChainReader):
        def chain_id(self) -> int:
            error = ChainError("connection refused")
            error.url = "http://127.0.0.1:9"
            raise error

    r = receipt()
    report = verify_receipt(r, Down(), now=lambda: NOW)
    assert report.steps[2].status is StepStatus.ERROR
    assert report.steps[2].details == {"error": "connection refused", "url": "http://127.0.0.1:9"}
    assert report.verdict is Verdict.COULD_NOT_CHECK
    assert not report.ok


@pytest.mark.parametrize("case", VECTORS["tampered"], ids=lambda c: c["name"])
def test_shared_tampered_receipts_fail_at_the_named_step(case: dict[str, str]) -> None:
    good = receipt()
    report = verify_receipt(decode_receipt(case["text"]), chain_for(good), now=lambda: NOW)
    assert report.failed_step is not None
    assert report.failed_step.name == case["failing_step"]


def fields(report_steps: object) -> list[object]:
    return [step.details.get("field") for step in report_steps]  # type: ignore[attr-defined]


def test_the_anchored_topic_is_the_keccak_of_the_event_signature() -> None:
    assert keccak(text="Anchored(address,uint64,bytes32,uint64)") == ANCHORED_TOPIC


def test_a_good_receipt_is_valid_and_its_json_form_says_so() -> None:
    r = receipt()
    report = verify_receipt(r, chain_for(r), now=lambda: NOW)
    assert report.verdict is Verdict.VALID
    obj = report_to_object(report)
    assert obj["verdict"] == "valid"
    assert [s["status"] for s in obj["steps"]] == ["passed"] * 4


def test_a_timestamp_off_by_one_names_the_timestamp_field_not_another_block() -> None:
    r = receipt()
    bad = dataclasses.replace(
        r, anchor=dataclasses.replace(r.anchor, timestamp=r.anchor.timestamp + 1)
    )
    report = verify_receipt(bad, chain_for(r), now=lambda: NOW)
    anchor = report.steps[2]
    assert anchor.status is StepStatus.FAILED
    assert "another block" not in anchor.message
    assert anchor.details == {
        "field": "/anchor/timestamp",
        "chain": r.anchor.timestamp,
        "receipt": r.anchor.timestamp + 1,
    }
    assert report.verdict is Verdict.NOT_VALID


def _tx(chain: MemoryChainReader, r: Receipt) -> AnchorTransaction:
    return chain.transactions[r.anchor.tx_hash]


def _log(chain: MemoryChainReader, r: Receipt) -> ChainLog:
    return _tx(chain, r).logs[0]


TX_FAULTS = {
    "missing": "/anchor/tx_hash",
    "reverted": "/anchor/tx_hash",
    "other block": "/anchor/block_number",
    "other block hash": "/anchor/block_hash",
    "to another contract": "/anchor/registry",
    "no logs": "/anchor/tx_hash",
    "log from another contract": "/anchor/tx_hash",
    "other event": "/anchor/tx_hash",
    "other issuer": "/anchor/tx_hash",
    "other size": "/anchor/tx_hash",
    "other root": "/anchor/tx_hash",
}


def _break_transaction(chain: MemoryChainReader, r: Receipt, fault: str) -> None:
    tx, log = _tx(chain, r), _log(chain, r)
    topics = list(log.topics)
    changes: dict[str, AnchorTransaction] = {
        "reverted": dataclasses.replace(tx, status=0),
        "other block": dataclasses.replace(tx, block_number=tx.block_number + 1),
        "other block hash": dataclasses.replace(tx, block_hash=b"\x07" * 32),
        "to another contract": dataclasses.replace(tx, to="0x" + "07" * 20),
        "no logs": dataclasses.replace(tx, logs=()),
        "log from another contract": dataclasses.replace(
            tx, logs=(dataclasses.replace(log, address="0x" + "07" * 20),)
        ),
        "other event": dataclasses.replace(
            tx, logs=(dataclasses.replace(log, topics=(b"\x01" * 32, *topics[1:])),)
        ),
        "other issuer": dataclasses.replace(
            tx, logs=(dataclasses.replace(log, topics=(topics[0], b"\x02" * 32, topics[2])),)
        ),
        "other size": dataclasses.replace(
            tx,
            logs=(dataclasses.replace(log, topics=(*topics[:2], (99).to_bytes(32, "big"))),),
        ),
        "other root": dataclasses.replace(
            tx, logs=(dataclasses.replace(log, data=b"\x03" * 32 + log.data[32:]),)
        ),
    }
    if fault == "missing":
        del chain.transactions[r.anchor.tx_hash]
    else:
        chain.transactions[r.anchor.tx_hash] = changes[fault]


@pytest.mark.parametrize("fault", sorted(TX_FAULTS))
def test_the_anchoring_transaction_is_checked(fault: str) -> None:
    r = receipt()
    chain = chain_for(r)
    _break_transaction(chain, r, fault)
    report = verify_receipt(r, chain, now=lambda: NOW)
    assert statuses(report.steps) == ["passed", "passed", "failed", "skipped"]
    assert report.steps[2].details["field"] == TX_FAULTS[fault]
    assert report.verdict is Verdict.NOT_VALID


def test_a_receipt_naming_another_transaction_is_not_valid() -> None:
    r = receipt()
    chain = chain_for(r)
    other = dataclasses.replace(r.anchor, tx_hash=b"\x09" * 32)
    chain.transactions[other.tx_hash] = AnchorTransaction(
        1, r.anchor.block_number, r.anchor.block_hash, chain.registry, ()
    )
    report = verify_receipt(dataclasses.replace(r, anchor=other), chain, now=lambda: NOW)
    assert report.steps[2].details["field"] == "/anchor/tx_hash"
    assert "Anchored" in report.steps[2].message


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"chain_id": 1}, "/anchor/chain_id"),
        ({"registry": "0x" + "07" * 20}, "/anchor/registry"),
        ({"block_number": 43}, "/anchor/block_number"),
        ({"block_hash": b"\x05" * 32}, "/anchor/block_hash"),
        ({"tx_hash": b"\x06" * 32}, "/anchor/tx_hash"),
    ],
)
def test_each_anchor_field_changed_is_named(change: dict[str, object], pointer: str) -> None:
    r = receipt()
    bad = dataclasses.replace(r, anchor=dataclasses.replace(r.anchor, **change))  # type: ignore[arg-type]
    report = verify_receipt(bad, chain_for(r), now=lambda: NOW)
    assert fields(report.steps)[2] == pointer
    assert report.verdict is Verdict.NOT_VALID


def test_a_failure_wins_over_an_error_in_the_verdict() -> None:
    r = receipt()
    report = verify_receipt(r, chain_for(r), digest_bytes(b"other"), now=lambda: NOW)
    assert report.verdict is Verdict.NOT_VALID
    assert malformed_report("bad", "/proof/root").verdict is Verdict.NOT_VALID
