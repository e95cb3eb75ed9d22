"""The forged-input corpus through the proof core, against an in-memory chain.

The same corpus runs through every surface against a real stack in
``tests/integration/client/test_forged_corpus_stack.py``; this is its fast, exhaustive
core half (every bit flip), and the check that the corpus itself is sound.
"""

from __future__ import annotations

from collections import Counter

import pytest

from govchain_core.digest import digest_bytes
from govchain_core.errors import ReceiptError
from govchain_core.memory_chain import MemoryChain
from govchain_core.receipt_codec import decode_receipt, encode_receipt, receipt_from_object
from govchain_core.verify import DocumentState, DocumentStatus, Verdict, verify_receipt
from tests.conftest import load_vectors
from tests.support.forged_receipts import NOT_VALID, Case, Genuine, Inputs, forge
from tests.unit.core.test_verify import chain_for

VECTORS = load_vectors("receipts.json")
NOW = 1_800_000_000.0


def genuine() -> Genuine:
    receipt = receipt_from_object(VECTORS["valid"][0]["receipt"])
    return Genuine(encode_receipt(receipt), VECTORS["document"].encode())


def core_verdict(case: Case, chain: MemoryChain) -> str:
    try:
        receipt = decode_receipt(case.receipt)
    except ReceiptError:
        return NOT_VALID
    report = verify_receipt(receipt, chain, digest_bytes(case.document), now=lambda: NOW)
    return str(report.verdict)


def test_the_genuine_receipt_is_valid_so_the_corpus_can_fail() -> None:
    good = genuine()
    chain = chain_for(decode_receipt(good.receipt))
    assert core_verdict(Case("genuine", "genuine", good.receipt, good.document), chain) == "valid"


def test_no_forgery_is_accepted_by_the_core() -> None:
    good = genuine()
    receipt = decode_receipt(good.receipt)
    chain = chain_for(receipt)
    cases = forge(Inputs(good, other_tx_hashes=["0x" + "cd" * 32]))
    verdicts: Counter[str] = Counter()
    wrong = []
    for case in cases:
        verdict = core_verdict(case, chain)
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
    assert {core_verdict(c, chain) for c in cases} == {str(Verdict.NOT_VALID)}
