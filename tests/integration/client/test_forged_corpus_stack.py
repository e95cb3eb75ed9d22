"""The forged-input corpus through every Python surface against a real ``govchain up`` stack.

Genuine receipts are notarised on the stack's dev node (one of them then revoked, one
superseded); ``tests/support/forged_receipts.py`` forges from them, and each case must
get its expected verdict (never ``valid``) from:

- the core: ``decode_receipt`` + ``verify_receipt`` over the SDK's JSON-RPC reader (its
  answers memoised per call, so the full set of bit flips runs in seconds);
- the SDK: ``verify_with_node``, no memo, every case;
- ``POST /v1/verify`` of the notary, every case (a receipt the API refuses to decode,
  400/422, counts as ``not_valid``; bytes that are not JSON cannot be posted as a receipt
  and are left to the decoder's surfaces);
- the CLI ``govchain verify --json`` in a subprocess: a bounded sample (~1.5 s per process,
  so not the 7,000 bit flips): up to 3 cases of each category and 6 spread bit flips.

The genuine receipt must be ``valid`` on each surface, so the test can fail; a closed
port gives ``could_not_check`` on the core, the SDK and the CLI.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from govchain_client.chain_reader import RpcChainReader, verify_with_node
from govchain_client.notary import NotaryClient
from govchain_client.rpc import JsonRpcClient
from govchain_core.deployment import Deployment
from govchain_core.digest import digest_bytes
from govchain_core.errors import ReceiptError
from govchain_core.receipt_codec import decode_receipt, encode_receipt, receipt_from_object
from tests.support.client_stack import Stack, govchain, stack
from tests.support.forged_receipts import (
    COULD_NOT_CHECK,
    NOT_VALID,
    Case,
    Genuine,
    Inputs,
    core_verdict,
    forge,
    sample,
)
from tests.support.ports import free_port

__all__ = ["stack"]  # the module-scoped ``govchain up`` fixture

VALID = "valid"


@dataclass(frozen=True)
class Corpus:
    stack: Stack
    deployment: Deployment
    genuine: Genuine
    cases: list[Case]


def _notarise(client: NotaryClient, document: bytes) -> tuple[str, bytes]:
    submission = client.submit("certificate", [digest_bytes(document)], wait=60)
    state = client.receipt(submission.receipt_ids[0])
    assert state.status == "anchored", state.raw
    receipt = encode_receipt(receipt_from_object(state.raw["receipt"]))
    return submission.receipt_ids[0], receipt


@pytest.fixture(scope="module")
def corpus(stack: Stack) -> Corpus:
    documents = [f"Urkunde {name}".encode() for name in ("echt", "widerrufen", "alt", "neu")]
    with NotaryClient(stack.notary, stack.api_key) as client:
        made = [_notarise(client, document) for document in documents]
        revoke = client.change_status(made[1][0], "revoke")
        supersede = client.change_status(made[2][0], "supersede", made[3][0])
    pairs = [
        Genuine(receipt, document) for (_, receipt), document in zip(made, documents, strict=True)
    ]
    other_txs = [str(revoke["tx_hash"]), str(supersede["tx_hash"])]
    other_txs += [json.loads(p.receipt)["anchor"]["tx_hash"] for p in pairs[1:]]
    inputs = Inputs(pairs[0], revoked=pairs[1], superseded=pairs[2], other_tx_hashes=other_txs)
    return Corpus(stack, Deployment.load(stack.deployment), pairs[0], forge(inputs))


# ------------------------------------------------------------------ surfaces


class MemoReader:
    """The SDK's reader with each distinct call answered once (the chain does not change
    during the run): the core then sees real node answers for all the bit flips."""

    def __init__(self, reader: RpcChainReader) -> None:
        self.reader = reader
        self.memo: dict[tuple[Any, ...], Any] = {}

    def _ask(self, name: str, *args: Any) -> Any:
        key = (name, *args)
        if key not in self.memo:
            self.memo[key] = getattr(self.reader, name)(*args)
        return self.memo[key]

    def __getattr__(self, name: str) -> Callable[..., Any]:
        return lambda *args: self._ask(name, *args)


def sdk_verdict(case: Case, rpc: str, deployment: Deployment) -> str:
    try:
        receipt = decode_receipt(case.receipt)
    except ReceiptError:
        return NOT_VALID
    report = verify_with_node(receipt, rpc, deployment, digest_bytes(case.document))
    return str(report.verdict)


def api_verdict(case: Case, http: httpx.Client) -> str | None:
    obj = case.receipt_object()
    if not isinstance(obj, dict):
        return None
    body = {"receipt": obj, "document_digest": str(digest_bytes(case.document))}
    response = http.post("/v1/verify", json=body)
    while response.status_code == 429:  # the public rate limit: back off as told, then retry
        time.sleep(float(response.headers.get("Retry-After", "1")))
        response = http.post("/v1/verify", json=body)
    if response.status_code in (400, 422):
        return NOT_VALID
    assert response.status_code == 200, (case.name, response.status_code, response.text)
    verdict = response.json()["verdict"]
    assert isinstance(verdict, str)
    return verdict


def cli_verdict(case: Case, folder: Path, rpc: str, deployment: Path) -> tuple[str, int]:
    document, _ = case.write(folder)
    result = govchain(
        "verify", str(document), "--rpc", rpc, "--deployment", str(deployment), "--json", cwd=folder
    )
    assert result.stderr == "", (case.name, result.stderr)
    return json.loads(result.stdout)["verdict"], result.returncode


EXIT = {VALID: 0, NOT_VALID: 1, COULD_NOT_CHECK: 3}


def _genuine_case(corpus: Corpus) -> Case:
    return Case("genuine", "genuine", corpus.genuine.receipt, corpus.genuine.document, VALID)


def _mismatches(cases: list[Case], verdict: Callable[[Case], str | None]) -> Iterator[str]:
    for case in cases:
        got = verdict(case)
        if got is not None and got != case.expected:
            yield f"{case.name}: {got} (expected {case.expected})"


# ------------------------------------------------------------------ tests


def test_the_genuine_receipt_is_valid_on_every_surface(corpus: Corpus, tmp_path: Path) -> None:
    good, stack_ = _genuine_case(corpus), corpus.stack
    with JsonRpcClient(stack_.rpc) as rpc, httpx.Client(base_url=stack_.notary) as http:
        assert core_verdict(good, RpcChainReader(rpc, corpus.deployment)) == VALID
        assert api_verdict(good, http) == VALID
    assert sdk_verdict(good, stack_.rpc, corpus.deployment) == VALID
    assert cli_verdict(good, tmp_path, stack_.rpc, stack_.deployment) == (VALID, 0)


def test_the_core_accepts_no_forgery(corpus: Corpus) -> None:
    with JsonRpcClient(corpus.stack.rpc) as rpc:
        reader = MemoReader(RpcChainReader(rpc, corpus.deployment))
        wrong = list(_mismatches(corpus.cases, lambda c: core_verdict(c, reader)))
    assert not wrong, wrong[:20]
    flips = sum(c.category == "bit" for c in corpus.cases)
    assert flips >= 8 * len(corpus.genuine.receipt) - 8  # all but the no-op version flips


def test_the_sdk_accepts_no_forgery(corpus: Corpus) -> None:
    cases = corpus.cases
    rpc, deployment = corpus.stack.rpc, corpus.deployment
    wrong = list(_mismatches(cases, lambda c: sdk_verdict(c, rpc, deployment)))
    assert not wrong, wrong[:20]


def test_the_notary_api_accepts_no_forgery(corpus: Corpus) -> None:
    cases = corpus.cases
    with httpx.Client(base_url=corpus.stack.notary, timeout=30) as http:
        wrong = list(_mismatches(cases, lambda c: api_verdict(c, http)))
    assert not wrong, wrong[:20]


def test_the_cli_accepts_no_forgery(corpus: Corpus, tmp_path: Path) -> None:
    stack_ = corpus.stack
    wrong = []
    for case in sample(corpus.cases, per_category=3, bits=6):
        verdict, code = cli_verdict(case, tmp_path, stack_.rpc, stack_.deployment)
        if (verdict, code) != (case.expected, EXIT[case.expected]):
            wrong.append(f"{case.name}: {verdict} exit {code}")
    assert not wrong, wrong


def test_a_closed_port_could_not_be_checked_on_every_node_surface(
    corpus: Corpus, tmp_path: Path
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    good = _genuine_case(corpus)
    with JsonRpcClient(closed) as rpc:
        assert core_verdict(good, RpcChainReader(rpc, corpus.deployment)) == COULD_NOT_CHECK
    report = verify_with_node(
        receipt_from_object(json.loads(good.receipt)), closed, corpus.deployment
    )
    assert str(report.verdict) == COULD_NOT_CHECK
    assert report.failed_step is not None
    assert report.failed_step.details["url"] == closed
    document, _ = good.write(tmp_path)
    result = govchain(
        "verify",
        str(document),
        "--rpc",
        closed,
        "--deployment",
        str(corpus.stack.deployment),
        cwd=tmp_path,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("COULD NOT CHECK")
    assert closed in last
    assert "Traceback" not in result.stdout + result.stderr
