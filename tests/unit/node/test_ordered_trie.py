from __future__ import annotations

from eth.db.trie import _make_trie_root_and_nodes
from hypothesis import given, settings
from hypothesis import strategies as st

from govchain_node.ordered_trie import BLANK_ROOT, ordered_trie_root


@settings(max_examples=60)
@given(st.lists(st.binary(min_size=1, max_size=90), max_size=300))
def test_matches_py_evm(values: list[bytes]) -> None:
    ours, our_nodes = ordered_trie_root(values)
    theirs, their_nodes = _make_trie_root_and_nodes(tuple(values))
    assert ours == theirs
    assert set(their_nodes) <= set(our_nodes)


def test_empty() -> None:
    assert ordered_trie_root([]) == (BLANK_ROOT, {})
