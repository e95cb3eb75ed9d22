"""Log filter criteria (address / topic matching) shared by eth_getLogs, filters and
``logs`` subscriptions. Logs are the RPC JSON dicts stored in the chain index."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from govchain_node.rpc.params import address, hash32, invalid


@dataclasses.dataclass(frozen=True)
class LogCriteria:
    """Lower-case hex addresses and topic alternatives; empty means "any"."""

    addresses: frozenset[str] = frozenset()
    topics: tuple[frozenset[str] | None, ...] = ()

    @property
    def matches_all(self) -> bool:
        return not self.addresses and all(t is None for t in self.topics)

    def matches(self, log: dict[str, Any]) -> bool:
        return self.matches_fields(log["address"].lower(), log["topics"])

    def matches_fields(self, address: str, log_topics: Sequence[str]) -> bool:
        """``address`` in lower case, ``log_topics`` as 0x-prefixed lower-case hex."""
        if self.addresses and address not in self.addresses:
            return False
        if len(self.topics) > len(log_topics):
            return False
        for wanted, actual in zip(self.topics, log_topics, strict=False):
            if wanted is not None and actual not in wanted:
                return False
        return True

    def filter(self, logs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        return [log for log in logs if self.matches(log)]


def parse_criteria(spec: dict[str, Any]) -> LogCriteria:
    """The ``address`` and ``topics`` members of a filter object."""
    raw_addresses = spec.get("address")
    if raw_addresses is None:
        addresses: list[bytes] = []
    elif isinstance(raw_addresses, list):
        addresses = [address(a) for a in raw_addresses]
    else:
        addresses = [address(raw_addresses)]
    raw_topics = spec.get("topics")
    if raw_topics is None:
        raw_topics = []
    if not isinstance(raw_topics, list) or len(raw_topics) > 4:
        raise invalid("topics must be a list of at most 4 entries")
    topics: list[frozenset[str] | None] = []
    for entry in raw_topics:
        if entry is None:
            topics.append(None)
        elif isinstance(entry, list):
            topics.append(
                frozenset("0x" + hash32(t, "topic").hex() for t in entry) if entry else None
            )
        else:
            topics.append(frozenset({"0x" + hash32(entry, "topic").hex()}))
    while topics and topics[-1] is None:
        topics.pop()
    return LogCriteria(frozenset("0x" + a.hex() for a in addresses), tuple(topics))
