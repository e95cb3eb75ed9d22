"""Push (``eth_subscribe`` over WebSocket) and poll (``eth_newFilter`` …) notifications.

Both are fed by :meth:`Subscriptions.publish_block` after each committed block. A
WebSocket consumer that falls more than ``max_queue`` notifications behind loses its
subscriptions (its sink raises :class:`SlowConsumer`) rather than growing memory without
bound; a polling filter keeps at most ``max_buffered`` entries and expires after
``filter_ttl`` seconds without a poll, as in geth.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from govchain_node.errors import NodeError
from govchain_node.rpc.index import BlockViews
from govchain_node.rpc.logfilter import LogCriteria

Sink = Callable[[bytes], None]


class SlowConsumer(NodeError):  # noqa: N818 - a signal between sink and hub, never surfaced
    """Raised by a sink whose queue is full."""


def _new_id() -> str:
    return "0x" + secrets.token_hex(16)


@dataclasses.dataclass
class _Subscription:
    kind: str
    criteria: LogCriteria
    sink: Sink
    owner: object


@dataclasses.dataclass
class _Filter:
    kind: str
    criteria: LogCriteria
    from_block: int | None
    to_block: int | None
    last_poll: float
    buffered: list[Any] = dataclasses.field(default_factory=list)


class Subscriptions:
    def __init__(self, filter_ttl: float = 300.0, max_buffered: int = 100_000) -> None:
        self._subs: dict[str, _Subscription] = {}
        self._owned: dict[object, int] = {}  # push subscriptions per owner (connection)
        self._filters: dict[str, _Filter] = {}
        self._filter_ttl = filter_ttl
        self._max_buffered = max_buffered

    # ----------------------------------------------------------------- push

    def subscribe(self, kind: str, criteria: LogCriteria, sink: Sink, owner: object) -> str:
        sub_id = _new_id()
        self._subs[sub_id] = _Subscription(kind, criteria, sink, owner)
        self._owned[owner] = self._owned.get(owner, 0) + 1
        return sub_id

    def unsubscribe(self, sub_id: str, owner: object) -> bool:
        sub = self._subs.get(sub_id)
        if sub is None or sub.owner is not owner:
            return False
        del self._subs[sub_id]
        self._owned[owner] -= 1
        return True

    def owned(self, owner: object) -> int:
        """How many push subscriptions ``owner`` (one WebSocket connection) holds."""
        return self._owned.get(owner, 0)

    def drop_owner(self, owner: object) -> None:
        for sub_id in [s for s, sub in self._subs.items() if sub.owner is owner]:
            del self._subs[sub_id]
        self._owned.pop(owner, None)

    def _notify(self, sub_id: str, sub: _Subscription, result: object) -> bool:
        message = json.dumps(
            {
                "jsonrpc": "2.0",
                "method": "eth_subscription",
                "params": {"subscription": sub_id, "result": result},
            },
            separators=(",", ":"),
        ).encode("utf-8")
        try:
            sub.sink(message)
        except SlowConsumer:
            return False
        return True

    def publish_block(self, block: BlockViews) -> None:
        dead: set[str] = set()
        for sub_id, sub in list(self._subs.items()):
            if sub.kind == "newHeads":
                if not self._notify(sub_id, sub, block.header_json):
                    dead.add(sub_id)
            elif sub.kind == "logs":
                for log in sub.criteria.filter(block.logs):
                    if not self._notify(sub_id, sub, log):
                        dead.add(sub_id)
                        break
        self._drop_dead(dead, block)

    def _drop_dead(self, dead: set[str], block: BlockViews | None) -> None:
        owners = {self._subs[s].owner for s in dead if s in self._subs}
        for owner in owners:
            self.drop_owner(owner)
        if block is not None:
            self._feed_filters(block)

    def publish_pending(self, tx_hash: bytes) -> None:
        dead = set()
        for sub_id, sub in list(self._subs.items()):
            if sub.kind == "newPendingTransactions" and not self._notify(
                sub_id, sub, "0x" + tx_hash.hex()
            ):
                dead.add(sub_id)
        self._drop_dead(dead, None)
        for f in self._filters.values():
            if f.kind == "pending" and len(f.buffered) < self._max_buffered:
                f.buffered.append("0x" + tx_hash.hex())

    # ----------------------------------------------------------------- poll

    def new_filter(
        self, kind: str, criteria: LogCriteria, from_block: int | None, to_block: int | None
    ) -> str:
        self.expire()
        filter_id = _new_id()
        self._filters[filter_id] = _Filter(kind, criteria, from_block, to_block, time.monotonic())
        return filter_id

    def filter(self, filter_id: str) -> _Filter | None:
        return self._filters.get(filter_id)

    def changes(self, filter_id: str) -> list[Any] | None:
        f = self._filters.get(filter_id)
        if f is None:
            return None
        f.last_poll = time.monotonic()
        result, f.buffered = f.buffered, []
        return result

    def uninstall(self, filter_id: str) -> bool:
        return self._filters.pop(filter_id, None) is not None

    def expire(self) -> None:
        deadline = time.monotonic() - self._filter_ttl
        for filter_id in [i for i, f in self._filters.items() if f.last_poll < deadline]:
            del self._filters[filter_id]

    def _feed_filters(self, block: BlockViews) -> None:
        number = block.number
        for f in self._filters.values():
            if len(f.buffered) >= self._max_buffered:
                continue
            if f.kind == "block":
                f.buffered.append("0x" + block.block_hash.hex())
            elif f.kind == "logs":
                if f.to_block is not None and number > f.to_block:
                    continue
                if f.from_block is not None and number < f.from_block:
                    continue
                f.buffered.extend(f.criteria.filter(block.logs))
