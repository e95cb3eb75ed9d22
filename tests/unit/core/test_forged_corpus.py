"""The forged-input corpus through the proof core, against an in-memory chain.

The same corpus runs through every surface against a real stack in
``tests/integration/client/test_forged_corpus_stack.py``; this is its fast, exhaustive
core half (every bit flip), and the check that the corpus itself is sound.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from govchain_core.receipt_codec import decode_receipt, encode_receipt, receipt_from_object
from govchain_core.verify import DocumentState, DocumentStatus, Verdict
from tests.conftest import load_vectors
from tests.support.forged_receipts import (
    NOT_VALID,
    Case,
    Genuine,
    Inputs,
    byte_fields,
    core_verdict,
    forge,
    stratified_bits,
)
from tests.support.receipt_chain import chain_for

VECTORS = load_vectors("receipts.json")
NOW = 1_800_000_000.0


def fixed_clock() -> float:
    return NOW


def genuine() -> Genuine:
    receipt = receipt_from_object(VECTORS["valid"][0]["receipt"])
    return Genuine(encode_receipt(receipt), VECTORS["document"].encode())


def test_the_genuine_receipt_is_valid_so_the_corpus_can_fail() -> None:
    good = genuine()
    chain = chain_for(decode_receipt(good.receipt))
    assert (
        core_verdict(Case("genuine", "genuine", good.receipt, good.document), chain, fixed_clock)
        == "valid"
    )


def test_no_forgery_is_accepted_by_the_core() -> None:
    good = genuine()
    receipt = decode_receipt(good.receipt)
    chain = chain_for(receipt)
    cases = forge(Inputs(good, other_tx_hashes=["0x" + "cd" * 32]))
    verdicts: Counter[str] = Counter()
    wrong = []
    for case in cases:
        verdict = core_verdict(case, chain, fixed_clock)
        verdicts[verdict] += 1
        if verdict != case.expected:
            wrong.append((case.name, verdict))
    assert not wrong, wrong[:20]
    assert verdicts[NOT_VALID] == len(cases)
    categories = Counter(c.category for c in cases)
    assert set(categories) >= {
        "field",
        "bit",
        "document",
        "issuer",
        "chain",
        "unknown",
        "tx",
        "version",
    }
    assert categories["bit"] > 7 * len(good.receipt)  # nearly every bit: few flips are no-ops


@pytest.mark.parametrize("state", [DocumentState.REVOKED, DocumentState.SUPERSEDED])
def test_status_cases_are_not_valid(state: DocumentState) -> None:
    good = genuine()
    receipt = decode_receipt(good.receipt)
    chain = chain_for(receipt)
    chain.statuses[(receipt.issuer, receipt.leaf_hash)] = DocumentStatus(state, 1, b"\x01" * 32)
    cases = [
        c for c in forge(Inputs(good, revoked=good, superseded=good)) if c.category == "status"
    ]
    assert len(cases) == 2
    assert {core_verdict(c, chain, fixed_clock) for c in cases} == {str(Verdict.NOT_VALID)}


def test_each_byte_of_the_receipt_belongs_to_the_member_it_spells() -> None:
    data = genuine().receipt
    owners = byte_fields(data)
    assert len(owners) == len(data)
    for pointer in ("/anchor/tx_hash", "/leaf/digest", "/proof/path/0", "/version"):
        spelled = bytes(b for b, owner in zip(data, owners, strict=True) if owner == pointer)
        key = pointer.rsplit("/", 1)[1]
        value = json.loads(data)
        for part in pointer.split("/")[1:]:
            value = value[int(part)] if isinstance(value, list) else value[part]
        member = json.dumps(value).encode()
        assert spelled == (member if key.isdigit() else f'"{key}":'.encode() + member)
    assert owners[0] == owners[-1] == ""  # the outer braces


def test_the_bit_sample_is_seeded_and_covers_every_member() -> None:
    good = genuine()
    cases = forge(Inputs(good))
    sample = stratified_bits(cases, 150, seed=7)
    assert len(sample) == 150
    assert [c.name for c in sample] == [c.name for c in stratified_bits(cases, 150, seed=7)]
    assert [c.name for c in sample] != [c.name for c in stratified_bits(cases, 150, seed=8)]
    assert {c.field for c in sample} == set(byte_fields(good.receipt))
    assert {c.category for c in sample} == {"bit"}
