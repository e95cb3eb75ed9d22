"""The synthetic uniform log of the gas benchmark agrees with a real MerkleLog."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from govchain_core.log import MerkleLog
from govchain_core.merkle import leaf_hash, verify_consistency
from tests.integration.contracts.synthetic import UniformLog

LEAF = leaf_hash(b"same")


@given(
    st.integers(min_value=1, max_value=300).flatmap(
        lambda n: st.tuples(st.integers(1, n), st.just(n))
    )
)
def test_uniform_log_matches_merkle_log(sizes: tuple[int, int]) -> None:
    old, new = sizes
    real = MerkleLog()
    real.append_many([LEAF] * new)
    synthetic = UniformLog(LEAF)
    assert synthetic.root(new) == real.root(new)
    assert synthetic.root(old) == real.root(old)
    assert synthetic.consistency_proof(old, new) == real.consistency_proof(old, new)


def test_huge_proofs_verify_with_the_core() -> None:
    log = UniformLog()
    for old, new in ((10**9 - 1000, 10**9), (2**29 - 1, 10**9), (3, 2**63 - 1)):
        verify_consistency(old, new, log.root(old), log.root(new), log.consistency_proof(old, new))
