"""Gossip bookkeeping against an in-memory broadcaster: dedupe, relay rules, eviction."""

from __future__ import annotations

from collections.abc import Collection

import pytest

from govchain_node.p2p import codes
from govchain_node.p2p.gossip import Gossip, SeenSet

PEER_A, PEER_B = b"\xaa" * 20, b"\xbb" * 20


class FakeBroadcaster:
    def __init__(self) -> None:
        self.sent: list[tuple[int, bytes, tuple[bytes, ...]]] = []

    def broadcast(self, code: int, payload: bytes, *, exclude: Collection[bytes] = ()) -> int:
        self.sent.append((code, payload, tuple(exclude)))
        return 3


def test_seen_set_forgets_the_oldest_beyond_capacity() -> None:
    seen = SeenSet(2)
    assert seen.add(b"1")
    assert seen.add(b"2")
    assert not seen.add(b"1")
    assert seen.add(b"3")
    assert b"1" not in seen
    assert len(seen) == 2
    with pytest.raises(ValueError, match="positive"):
        SeenSet(0)


def test_transaction_is_delivered_and_relayed_once_except_to_its_sender() -> None:
    received: list[tuple[bytes, bytes | None]] = []

    def accept(raw: bytes, peer: bytes | None) -> bool:
        received.append((raw, peer))
        return True

    gossip = Gossip(on_transaction=accept)
    net = FakeBroadcaster()
    gossip.attach(net)
    gossip.handle_frame(PEER_A, codes.TRANSACTION, b"tx1")
    gossip.handle_frame(PEER_B, codes.TRANSACTION, b"tx1")
    assert received == [(b"tx1", PEER_A)]
    assert net.sent == [(codes.TRANSACTION, b"tx1", (PEER_A,))]
    assert gossip.duplicates == 1
    assert gossip.publish_transaction(b"tx1") == 0  # already known: not sent again
    assert gossip.publish_transaction(b"tx2") == 3


def test_rejected_content_is_not_relayed() -> None:
    gossip = Gossip(on_transaction=lambda raw, peer: False, on_consensus=lambda c, p, f: False)
    net = FakeBroadcaster()
    gossip.attach(net)
    gossip.handle_frame(PEER_A, codes.TRANSACTION, b"bad tx")
    gossip.handle_frame(PEER_A, 0x13, b"bad prepare")
    assert net.sent == []


def test_consensus_messages_are_keyed_by_code_and_payload() -> None:
    got: list[int] = []

    def accept(code: int, payload: bytes, peer: bytes) -> bool:
        got.append(code)
        return True

    gossip = Gossip(on_consensus=accept)
    gossip.attach(FakeBroadcaster())
    gossip.handle_frame(PEER_A, 0x13, b"same")
    gossip.handle_frame(PEER_A, 0x14, b"same")
    gossip.handle_frame(PEER_B, 0x13, b"same")
    assert got == [0x13, 0x14]
    gossip.publish_consensus(0x12, b"mine")
    gossip.handle_frame(PEER_A, 0x12, b"mine")  # our own message echoed back
    assert got == [0x13, 0x14]
    with pytest.raises(ValueError, match="QBFT"):
        gossip.publish_consensus(codes.TRANSACTION, b"x")


def test_other_codes_pass_through_without_dedupe_or_relay() -> None:
    other: list[tuple[bytes, int, bytes]] = []
    gossip = Gossip(on_other=lambda peer, code, payload: other.append((peer, code, payload)))
    net = FakeBroadcaster()
    gossip.attach(net)
    gossip.handle_frame(PEER_A, 0x20, b"give me block 5")
    gossip.handle_frame(PEER_A, 0x20, b"give me block 5")
    assert len(other) == 2
    assert net.sent == []
