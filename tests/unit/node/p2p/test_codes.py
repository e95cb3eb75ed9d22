"""The transport's QBFT frame codes are the consensus core's message codes (Besu's 0x12-0x15).

p2p names the range itself so that it imports nothing of the consensus package but its
signing module; this test keeps the two from drifting apart.
"""

from __future__ import annotations

from govchain_node.consensus.qbft.messages import COMMIT, PREPARE, PROPOSAL, ROUND_CHANGE
from govchain_node.p2p import codes


def test_qbft_codes_are_the_core_message_codes() -> None:
    assert frozenset({PROPOSAL, PREPARE, COMMIT, ROUND_CHANGE}) == codes.QBFT_CODES


def test_qbft_codes_do_not_overlap_connection_or_sync_codes() -> None:
    assert not codes.QBFT_CODES & codes.CONNECTION_CODES
    assert all(not codes.SYNC_FIRST <= code <= codes.SYNC_LAST for code in codes.QBFT_CODES)
    assert codes.TRANSACTION not in codes.QBFT_CODES
