"""Issue 13: the forged-input corpus through the web verifier page in real Chromium.

``tests/support/forged_receipts.py`` forges from a genuine receipt anchored on the
package's dev chain (with a revoked and a superseded document, and the hashes of other
real transactions). Each case's receipt and document are chosen in the page's two file
inputs, and ``#verdict[data-verdict]`` must end in the case's expected verdict (never
``valid``), for the run of those very inputs (``data-run`` later than the one before
they were chosen) and for that document (``data-for`` is its digest), so a verdict left
over from the case before cannot pass for the new one. The genuine pair must end
``valid`` on the same page, so the test can fail; the genuine receipt alone and a deep
link alone end ``record_only``.

One page serves all cases (each case replaces both inputs). Every non-bit case runs;
of the ~5,600 bit flips CI runs a seeded sample of ``BIT_SAMPLE`` with at least one flip
in the bytes of every receipt member; ``GOVCHAIN_LONG=1`` runs every flip (~12 min).
Counts, seconds per case and the verdicts' reasons go to
``test-artifacts/web/forged-corpus-*.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page

from govchain_core.digest import digest_bytes
from govchain_core.receipt_codec import encode_receipt
from tests.integration.web.chain import DevChain
from tests.integration.web.conftest import Documents, PageProbe, artifacts_dir
from tests.integration.web.pages import check_files, final_verdict, open_page, runs
from tests.integration.web.servers import StaticSite
from tests.support.forged_receipts import (
    Case,
    Genuine,
    Inputs,
    byte_fields,
    forge,
    stratified_bits,
)

pytestmark = pytest.mark.browser

LONG = bool(os.environ.get("GOVCHAIN_LONG"))
BIT_SAMPLE = 200
SEED = 13
VALID = "valid"


@dataclass(frozen=True)
class Corpus:
    genuine: Genuine
    cases: list[Case]


@pytest.fixture(scope="module")
def corpus(chain: DevChain, documents: Documents) -> Corpus:
    """Forgeries of the valid document's receipt; a superseded pair made here."""
    old, new = b"Urkunde (ersetzt)\n" + os.urandom(16), b"Urkunde (neu)\n" + os.urandom(16)
    replaced, successor = chain.notarise([old, new])
    supersede_tx = chain.supersede(replaced.leaf_hash, successor.leaf_hash)
    receipts = documents.receipts
    genuine = Genuine(encode_receipt(receipts[documents.valid]), documents.valid)
    others = [supersede_tx] + [
        "0x" + receipts[doc].anchor.tx_hash.hex() for doc in (documents.later, documents.described)
    ]
    inputs = Inputs(
        genuine,
        revoked=Genuine(encode_receipt(receipts[documents.revoked]), documents.revoked),
        superseded=Genuine(encode_receipt(replaced), old),
        other_tx_hashes=others,
    )
    return Corpus(genuine, forge(inputs))


@dataclass
class Outcome:
    """What the page said for a run of cases."""

    wrong: list[str]  # one line per case whose verdict is wrong
    reasons: Counter[str]  # the verdict's reason code over all cases
    seconds_per_case: float


def _check(page: Page, cases: Iterable[Case]) -> Outcome:
    """Each case on the one page, the receipt chosen first, then the document."""
    outcome = Outcome([], Counter(), 0.0)
    started, count = time.monotonic(), 0
    for case in cases:
        found = check_files(page, receipt=case.receipt, document=case.document)
        outcome.reasons[found["reason"]] += 1
        count += 1
        got = (found["verdict"], found["for"])
        if got != (case.expected, str(digest_bytes(case.document))):
            outcome.wrong.append(f"{case.name}: {got} (expected {case.expected}, {found})")
    outcome.seconds_per_case = (time.monotonic() - started) / max(1, count)
    return outcome


def _run(probe: PageProbe, site: StaticSite, corpus: Corpus, cases: list[Case]) -> Outcome:
    """``cases`` on one page; the genuine pair must be valid before and after them."""
    page = open_page(probe, site)
    genuine = Case("genuine", "genuine", corpus.genuine.receipt, corpus.genuine.document, VALID)
    assert _check(page, [genuine]).wrong == []
    outcome = _check(page, cases)
    assert outcome.wrong == [], outcome.wrong[:20]
    assert _check(page, [genuine]).wrong == []
    return outcome


def _report(name: str, cases: list[Case], outcome: Outcome) -> None:
    """The counts and the time, kept beside the screenshots (``artifacts_dir``)."""
    numbers = {
        "cases": len(cases),
        "seconds_per_case": round(outcome.seconds_per_case, 3),
        "reasons": dict(outcome.reasons.most_common()),
    }
    (artifacts_dir() / f"forged-corpus-{name}.json").write_text(json.dumps(numbers, indent=1))


def test_every_forgery_but_the_bit_flips_is_refused_on_the_page(
    probe: PageProbe, site: StaticSite, corpus: Corpus
) -> None:
    cases = [c for c in corpus.cases if c.category != "bit"]
    categories = {c.category for c in cases}
    assert categories >= {"field", "document", "issuer", "chain", "status", "unknown", "tx"}
    assert "version" in categories
    assert sum(c.category == "status" for c in cases) == 2  # revoked and superseded
    _report("non-bit", cases, _run(probe, site, corpus, cases))


def test_a_sample_of_bit_flips_in_every_receipt_member_is_refused_on_the_page(
    probe: PageProbe, site: StaticSite, corpus: Corpus
) -> None:
    flips = stratified_bits(corpus.cases, BIT_SAMPLE, SEED)
    members = set(byte_fields(corpus.genuine.receipt))
    assert {c.field for c in flips} == members  # at least one flip in every member's bytes
    assert len(flips) == BIT_SAMPLE
    _report("bit-sample", flips, _run(probe, site, corpus, flips))


@pytest.mark.slow
@pytest.mark.timeout(4 * 3600)
@pytest.mark.skipif(not LONG, reason="GOVCHAIN_LONG=1 runs every bit flip")
def test_every_bit_flip_is_refused_on_the_page(
    probe: PageProbe, site: StaticSite, corpus: Corpus
) -> None:
    flips = [c for c in corpus.cases if c.category == "bit"]
    assert len(flips) >= 8 * len(corpus.genuine.receipt) - 8
    _report("bit-all", flips, _run(probe, site, corpus, flips))


def test_the_genuine_receipt_alone_is_a_record_not_a_valid_document(
    probe: PageProbe, site: StaticSite, corpus: Corpus
) -> None:
    page = open_page(probe, site)
    found = check_files(page, receipt=corpus.genuine.receipt)
    assert (found["verdict"], found["for"], found["reason"]) == ("record_only", "", "no_document")


def test_a_deep_link_alone_is_a_record_not_a_valid_document(
    probe: PageProbe, site: StaticSite, corpus: Corpus
) -> None:
    link = "#sha256=" + hashlib.sha256(corpus.genuine.document).hexdigest()
    page = open_page(probe, site, link)
    found = final_verdict(page, runs(page) - 1)
    assert (found["verdict"], found["for"], found["reason"]) == ("record_only", "", "no_document")
