"""AnchorRegistry: checkpoints, the on-chain RFC 9162 consistency check, every revert."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govchain_contracts import load
from govchain_core.errors import ProofError
from govchain_core.log import MerkleLog
from govchain_core.merkle import EMPTY_ROOT, leaf_hash, verify_consistency
from tests.integration.contracts.deploy import Deployment, deploy
from tests.integration.contracts.evm import Account, Chain, Contract, reverts
from tests.integration.contracts.synthetic import UniformLog

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "consistency.json"

# Every example runs the EVM: a quarter of the profile's examples (CI: 50; GOVCHAIN_LONG: 1250)
# for calls, a sixteenth for whole anchoring sequences.
evm_examples = settings(max_examples=max(10, settings().max_examples // 4))
chain_examples = settings(max_examples=max(5, settings().max_examples // 16))


def make_log(size: int, salt: bytes = b"") -> MerkleLog:
    log = MerkleLog()
    log.append_many(leaf_hash(salt + i.to_bytes(8, "big")) for i in range(size))
    return log


def anchor(anchors: Contract, issuer: Account, log: MerkleLog, size: int, prev: int) -> Any:
    proof = log.consistency_proof(prev, size) if prev else []
    return anchors.transact("anchor", size, log.root(size), prev, proof, sender=issuer)


def core_accepts(old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    """The proof core's verdict, the reference for the contract."""
    try:
        verify_consistency(old, new, old_root, new_root, proof)
    except ProofError:
        return False
    return True


def contract_accepts(
    anchors: Contract, old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> bool:
    return bool(anchors.call("verifyConsistency", old, new, old_root, new_root, proof))


# ---------------------------------------------------------------------- anchoring


def test_first_checkpoint_needs_no_proof(deployment: Deployment, issuer: Account) -> None:
    anchors, log = deployment.anchors, make_log(5)
    receipt = anchor(anchors, issuer, log, 5, 0)
    (event,) = anchors.events(receipt)
    assert event.name == "Anchored"
    assert event.args == {"issuer": issuer.checksum, "size": 5, "root": log.root(), "prevSize": 0}
    assert anchors.call("latest", issuer.address) == (
        5,
        log.root(),
        receipt.block_number,
        receipt.timestamp,
    )
    assert anchors.call("checkpoint", issuer.address, 5) == (
        log.root(),
        receipt.block_number,
        receipt.timestamp,
    )
    assert anchors.call("checkpointCount", issuer.address) == 1
    assert anchors.call("previousSize", issuer.address, 5) == 0


def test_checkpoints_chain_with_consistency_proofs(deployment: Deployment, issuer: Account) -> None:
    anchors, log = deployment.anchors, make_log(1000)
    sizes = [1, 2, 3, 4, 8, 9, 100, 511, 512, 513, 1000]
    receipts = {}
    prev = 0
    for size in sizes:
        receipts[size] = anchor(anchors, issuer, log, size, prev)
        (event,) = anchors.events(receipts[size], "Anchored")
        assert event.args["prevSize"] == prev
        prev = size
    assert anchors.call("checkpointCount", issuer.address) == len(sizes)
    assert anchors.call("latest", issuer.address)[:2] == (1000, log.root(1000))
    for size, receipt in receipts.items():
        root, block, timestamp = anchors.call("checkpoint", issuer.address, size)
        assert (root, block, timestamp) == (log.root(size), receipt.block_number, receipt.timestamp)
    # walk the chain backwards, as an auditor would
    walked, size = [], 1000
    while size:
        walked.append(size)
        size = anchors.call("previousSize", issuer.address, size)
    assert walked == sizes[::-1]


def test_absent_checkpoints_read_as_zero(deployment: Deployment, issuer: Account) -> None:
    anchors = deployment.anchors
    assert anchors.call("latest", issuer.address) == (0, b"\x00" * 32, 0, 0)
    anchor(anchors, issuer, make_log(4), 4, 0)
    assert anchors.call("checkpoint", issuer.address, 3) == (b"\x00" * 32, 0, 0)
    assert anchors.call("checkpoint", deployment.chain.accounts[7].address, 4) == (
        b"\x00" * 32,
        0,
        0,
    )
    assert anchors.call("checkpointCount", deployment.chain.accounts[7].address) == 0


def test_issuers_have_separate_logs(deployment: Deployment, issuer: Account) -> None:
    other = deployment.chain.accounts[6]
    deployment.register_issuer(other)
    mine, theirs = make_log(10, b"a"), make_log(10, b"b")
    anchor(deployment.anchors, issuer, mine, 10, 0)
    anchor(deployment.anchors, other, theirs, 3, 0)
    anchor(deployment.anchors, other, theirs, 10, 3)
    assert deployment.anchors.call("latest", issuer.address)[1] == mine.root()
    assert deployment.anchors.call("latest", other.address)[1] == theirs.root()


def test_registry_address(deployment: Deployment) -> None:
    registry = deployment.anchors.call("registry")
    assert registry.lower() == "0x" + deployment.registry.address.hex()


# ---------------------------------------------------------------------- reverts


def test_only_active_issuers_anchor(deployment: Deployment, outsider: Account) -> None:
    chain, anchors, log = deployment.chain, deployment.anchors, make_log(3)
    with reverts("NotActiveIssuer") as caught:
        anchor(anchors, outsider, log, 3, 0)
    assert caught[0].arguments == (outsider.checksum,)
    with reverts("NotActiveIssuer"):
        anchor(anchors, deployment.members[0], log, 3, 0)  # members are not issuers

    late = chain.accounts[6]
    deployment.register_issuer(late, valid_from=chain.now + 100, valid_until=chain.now + 200)
    with reverts("NotActiveIssuer"):
        anchor(anchors, late, log, 3, 0)
    chain.advance(100)
    anchor(anchors, late, log, 1, 0)
    chain.advance(101)
    with reverts("NotActiveIssuer"):
        anchor(anchors, late, log, 3, 1)


def test_removed_issuer_cannot_anchor(deployment: Deployment, issuer: Account) -> None:
    registry, (a, b, _) = deployment.registry, deployment.members
    log = make_log(3)
    anchor(deployment.anchors, issuer, log, 2, 0)
    receipt = registry.transact("proposeRemoveIssuer", issuer.address, sender=a)
    registry.transact("vote", registry.events(receipt, "ProposalCreated")[0].args["id"], sender=b)
    with reverts("NotActiveIssuer"):
        anchor(deployment.anchors, issuer, log, 3, 2)
    assert deployment.anchors.call("latest", issuer.address)[0] == 2  # history stays


def test_prev_size_must_be_the_latest(deployment: Deployment, issuer: Account) -> None:
    anchors, log = deployment.anchors, make_log(10)
    with reverts("PrevSizeMismatch") as caught:
        anchors.transact("anchor", 5, log.root(5), 3, [], sender=issuer)
    assert caught[0].arguments == (0, 3)
    anchor(anchors, issuer, log, 5, 0)
    for wrong in (0, 4, 6):
        with reverts("PrevSizeMismatch") as caught:
            anchors.transact(
                "anchor", 10, log.root(10), wrong, log.consistency_proof(5, 10), sender=issuer
            )
        assert caught[0].arguments == (5, wrong)


def test_sizes_strictly_increase(deployment: Deployment, issuer: Account) -> None:
    anchors, log = deployment.anchors, make_log(10)
    with reverts("SizeNotIncreasing") as caught:
        anchors.transact("anchor", 0, EMPTY_ROOT, 0, [], sender=issuer)
    assert caught[0].arguments == (0, 0)
    anchor(anchors, issuer, log, 5, 0)
    for size in (5, 4, 1):
        with reverts("SizeNotIncreasing") as caught:
            anchors.transact("anchor", size, log.root(size), 5, [], sender=issuer)
        assert caught[0].arguments == (5, size)


def test_first_checkpoint_rejects_a_proof(deployment: Deployment, issuer: Account) -> None:
    log = make_log(4)
    with reverts("UnexpectedConsistencyProof"):
        deployment.anchors.transact("anchor", 4, log.root(), 0, [log.root(2)], sender=issuer)


def test_inconsistent_history_is_rejected(deployment: Deployment, issuer: Account) -> None:
    anchors, log = deployment.anchors, make_log(20)
    anchor(anchors, issuer, log, 7, 0)
    forked = make_log(20, b"fork")  # a rewritten history of the same length
    proof = log.consistency_proof(7, 20)
    attempts = [
        (forked.root(20), proof),
        (log.root(20), forked.consistency_proof(7, 20)),
        (log.root(20), []),
        (log.root(20), proof[:-1]),
        (log.root(20), [*proof, proof[0]]),
        (log.root(19), proof),
    ]
    for root, path in attempts:
        with reverts("InvalidConsistencyProof"):
            anchors.transact("anchor", 20, root, 7, path, sender=issuer)
    assert anchors.call("latest", issuer.address)[0] == 7
    anchor(anchors, issuer, log, 20, 7)


def test_overlong_proofs_are_rejected(deployment: Deployment) -> None:
    log = UniformLog()
    old, new = 2**62 + 1, 2**63 - 1
    proof = log.consistency_proof(old, new)
    assert contract_accepts(deployment.anchors, old, new, log.root(old), log.root(new), proof)
    padded = proof + [proof[0]] * (65 - len(proof))
    assert not contract_accepts(deployment.anchors, old, new, log.root(old), log.root(new), padded)


@pytest.mark.parametrize(("old", "new"), [(0, 5), (5, 5), (6, 5)])
def test_verify_consistency_needs_growing_sizes(deployment: Deployment, old: int, new: int) -> None:
    log = make_log(6)
    assert not contract_accepts(deployment.anchors, old, new, log.root(old), log.root(new), [])


def test_anchor_gas_for_a_thousand_leaves(deployment: Deployment, issuer: Account) -> None:
    """Regression bound (gas is deterministic): a 10^3-leaf anchor stays under 100k."""
    log = UniformLog()
    deployment.anchors.transact("anchor", 511, log.root(511), 0, [], sender=issuer)
    proof = log.consistency_proof(511, 1000)
    receipt = deployment.anchors.transact("anchor", 1000, log.root(1000), 511, proof, sender=issuer)
    assert receipt.gas_used <= 100_000


# ---------------------------------------------------------------------- shared vectors


def load_cases() -> list[dict[str, Any]]:
    """The proof core's shared consistency vectors (RFC 9162 / CT cases and generated ones)."""
    cases: list[dict[str, Any]] = json.loads(VECTORS.read_text())["cases"]
    assert cases, f"{VECTORS} has no cases"
    return cases


@pytest.fixture(scope="module")
def view_deployment() -> Deployment:
    """One deployment for stateless `verifyConsistency` calls."""
    return deploy(Chain())


@pytest.fixture(scope="module")
def issuer_deployment() -> tuple[Deployment, Account]:
    """One registry with one issuer; tests deploy their own AnchorRegistry on it."""
    d = deploy(Chain(account_count=6))
    issuer = d.chain.accounts[5]
    d.register_issuer(issuer)
    return d, issuer


def test_shared_vectors(view_deployment: Deployment) -> None:
    """Every case of tests/vectors/consistency.json; the contract only admits 0 < old < new."""
    cases = load_cases()
    checked = 0
    for case in cases:
        old, new = case["old_size"], case["new_size"]
        old_root, new_root = bytes.fromhex(case["old_root"]), bytes.fromhex(case["new_root"])
        proof = [bytes.fromhex(h) for h in case["proof"]]
        expected = case["valid"] and 0 < old < new
        verdict = contract_accepts(view_deployment.anchors, old, new, old_root, new_root, proof)
        assert verdict is expected, case["name"]
        checked += 1
    assert checked == len(cases)


def test_shared_vectors_through_anchor(issuer_deployment: tuple[Deployment, Account]) -> None:
    """A sample of the valid vectors with 0 < old < new, each as a real two-checkpoint
    anchoring (the view test above covers every case)."""
    valid = [c for c in load_cases() if c["valid"] and 0 < c["old_size"] < c["new_size"]]
    assert len(valid) > 100
    d, issuer = issuer_deployment
    for case in valid[:: max(1, len(valid) // 10)]:
        anchors = d.chain.deploy(load("AnchorRegistry"), d.registry.address)
        old, new = case["old_size"], case["new_size"]
        proof = [bytes.fromhex(h) for h in case["proof"]]
        anchors.transact("anchor", old, bytes.fromhex(case["old_root"]), 0, [], sender=issuer)
        anchors.transact("anchor", new, bytes.fromhex(case["new_root"]), old, proof, sender=issuer)
        assert anchors.call("latest", issuer.address)[:2] == (new, bytes.fromhex(case["new_root"]))


# ---------------------------------------------------------------------- generated logs

sizes = st.integers(min_value=2, max_value=300).flatmap(
    lambda new: st.tuples(st.integers(min_value=1, max_value=new - 1), st.just(new))
)


@st.composite
def tampered(draw: st.DrawFn) -> tuple[str, int, int, bytes, bytes, list[bytes], MerkleLog]:
    """A valid (old, new) proof of a generated log, then one tampering step."""
    old, new = draw(sizes)
    log = make_log(new, draw(st.binary(max_size=4)))
    proof = log.consistency_proof(old, new)
    old_root, new_root = log.root(old), log.root(new)
    kinds = ["flip", "old_root", "new_root", "old_size", "new_size", "truncate", "extend", "drop"]
    if len(proof) > 1:
        kinds.append("swap")
    kind = draw(st.sampled_from(kinds))
    bit = draw(st.integers(min_value=0, max_value=255))
    if kind == "flip":
        i = draw(st.integers(min_value=0, max_value=len(proof) - 1))
        proof[i] = flip(proof[i], bit)
    elif kind == "old_root":
        old_root = flip(old_root, bit)
    elif kind == "new_root":
        new_root = flip(new_root, bit)
    elif kind == "old_size":
        old = draw(st.integers(min_value=1, max_value=new - 1).filter(lambda s: s != old))
    elif kind == "new_size":
        new = draw(st.integers(min_value=old + 1, max_value=2 * new + 2).filter(lambda s: s != new))
    elif kind == "truncate":
        proof = proof[: draw(st.integers(min_value=0, max_value=len(proof) - 1))]
    elif kind == "extend":
        proof.append(draw(st.sampled_from([*proof, flip(new_root, bit)])))
    elif kind == "drop":
        proof.pop(0)
    else:
        i, j = draw(st.lists(st.integers(0, len(proof) - 1), min_size=2, max_size=2, unique=True))
        proof[i], proof[j] = proof[j], proof[i]
    return kind, old, new, old_root, new_root, proof, log


def flip(value: bytes, bit: int) -> bytes:
    data = bytearray(value)
    data[bit // 8] ^= 1 << (bit % 8)
    return bytes(data)


@evm_examples
@given(sizes)
def test_generated_valid_proofs_are_accepted(
    view_deployment: Deployment, old_new: tuple[int, int]
) -> None:
    old, new = old_new
    log = make_log(new)
    proof = log.consistency_proof(old, new)
    assert contract_accepts(view_deployment.anchors, old, new, log.root(old), log.root(new), proof)


@evm_examples
@given(tampered())
def test_generated_tampered_proofs_are_rejected(
    view_deployment: Deployment, case: tuple[str, int, int, bytes, bytes, list[bytes], MerkleLog]
) -> None:
    """The contract agrees with the proof core on every tampered input; the hash
    tamperings (bit flips, truncation, extension) are never accepted."""
    kind, old, new, old_root, new_root, proof, _ = case
    expected = core_accepts(old, new, old_root, new_root, proof)
    if kind in ("flip", "old_root", "new_root", "truncate", "extend", "drop"):
        assert not expected
    assert (
        contract_accepts(view_deployment.anchors, old, new, old_root, new_root, proof) is expected
    )


@chain_examples
@given(st.lists(st.integers(min_value=1, max_value=70), min_size=1, max_size=6))
def test_generated_checkpoint_sequences(
    issuer_deployment: tuple[Deployment, Account], batches: list[int]
) -> None:
    """A log growing in random batches is anchored after every batch; a forked
    checkpoint is rejected at every step and changes nothing."""
    base, issuer = issuer_deployment
    anchors = base.chain.deploy(load("AnchorRegistry"), base.registry.address)
    log, fork, prev = MerkleLog(), MerkleLog(), 0
    for number, batch in enumerate(batches):
        log.append_many(leaf_hash(f"{number}/{i}".encode()) for i in range(batch))
        fork.append_many(leaf_hash(f"fork {number}/{i}".encode()) for i in range(batch))
        if prev:
            with reverts("InvalidConsistencyProof"):
                anchors.transact(
                    "anchor",
                    log.size,
                    fork.root(),
                    prev,
                    log.consistency_proof(prev),
                    sender=issuer,
                )
        anchor(anchors, issuer, log, log.size, prev)
        prev = log.size
    assert anchors.call("checkpointCount", issuer.address) == len(batches)
    assert anchors.call("latest", issuer.address)[:2] == (log.size, log.root())


@pytest.mark.parametrize("size", [10**3, 10**6, 10**9, 2**40 + 12345])
def test_huge_synthetic_logs(deployment: Deployment, issuer: Account, size: int) -> None:
    log = UniformLog()
    old = size // 3 + 1
    deployment.anchors.transact("anchor", old, log.root(old), 0, [], sender=issuer)
    proof = log.consistency_proof(old, size)
    bad = [*proof[:-1], flip(proof[-1], 0)]
    with reverts("InvalidConsistencyProof"):
        deployment.anchors.transact("anchor", size, log.root(size), old, bad, sender=issuer)
    deployment.anchors.transact("anchor", size, log.root(size), old, proof, sender=issuer)
    assert deployment.anchors.call("latest", issuer.address)[:2] == (size, log.root(size))
