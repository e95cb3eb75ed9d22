"""Push subscriptions are counted per owner (one WebSocket connection), which the
per-connection cap reads on every ``eth_subscribe``."""

from __future__ import annotations

from govchain_node.rpc.logfilter import LogCriteria
from govchain_node.rpc.subscriptions import Subscriptions


def test_owned_follows_subscribe_unsubscribe_and_drop() -> None:
    hub, one, other = Subscriptions(), object(), object()
    ids = [hub.subscribe("newHeads", LogCriteria(), lambda _: None, one) for _ in range(3)]
    hub.subscribe("logs", LogCriteria(), lambda _: None, other)
    assert (hub.owned(one), hub.owned(other)) == (3, 1)
    assert hub.unsubscribe(ids[0], one) is True
    assert hub.unsubscribe(ids[0], one) is False  # already gone: no double count
    assert hub.unsubscribe(ids[1], other) is False  # not its owner
    assert hub.owned(one) == 2
    hub.drop_owner(one)
    assert (hub.owned(one), hub.owned(other)) == (0, 1)
