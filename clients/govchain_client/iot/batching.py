"""Batch limits, batch identity and back-off: decided once, shared by the bridge's loops.

A batch closes when it holds ``size`` readings or its oldest reading has waited
``window`` seconds, whichever comes first: a larger window means fewer, larger
notary requests (and fewer fsyncs there) at the price of that much extra latency
before a reading is in the notary's log.  Limits are validated once, at start-up.

A batch's idempotency key is derived from its content (the digests, devices and
sequence numbers in order), never random: if the bridge dies after the notary
accepted a batch but before the spool recorded the receipt ids, the restarted
bridge resubmits the same items under the same key and the notary answers with the
receipts it already issued, so nothing is notarised twice.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass

from govchain_client.iot.errors import BatchingError
from govchain_client.notary import MAX_BATCH
from govchain_core.jcs import canonicalize

KEY_PREFIX = "iot-batch-v1-"


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One reading as it goes to the notary: its leaf digest, device and sequence number."""

    reading_id: int
    digest: str
    device: str
    seq: int

    def as_json(self) -> dict[str, str | int]:
        return {"digest": self.digest, "device": self.device, "seq": self.seq}


@dataclass(frozen=True, slots=True)
class Batch:
    """A closed batch, persisted in the spool before it is submitted."""

    id: int
    key: str
    items: tuple[BatchItem, ...]


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    """When a batch closes; see the module docstring for the trade-off."""

    size: int = 500
    window: float = 2.0

    def __post_init__(self) -> None:
        if not 1 <= self.size <= MAX_BATCH:
            raise BatchingError(f"batch size must be in 1..{MAX_BATCH}, not {self.size}")
        if not 0 < self.window <= 3600:
            raise BatchingError(f"batch window must be in (0, 3600] seconds, not {self.window}")

    def wait(self, waiting: int, oldest_age: float | None) -> float:
        """Seconds until a batch is due (0: close one now) for ``waiting`` unbatched readings."""
        if waiting <= 0 or oldest_age is None:
            return self.window
        if waiting >= self.size:
            return 0.0
        return max(0.0, self.window - oldest_age)


def batch_key(items: Sequence[BatchItem]) -> str:
    """The batch's idempotency key: a hash of exactly what is submitted, in order."""
    body = canonicalize({"kind": "iot", "items": [item.as_json() for item in items]})
    return KEY_PREFIX + hashlib.sha256(body).hexdigest()


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential back-off with jitter while the notary is down; honours Retry-After."""

    base: float = 0.5
    cap: float = 30.0

    def delay(self, failures: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.cap)
        ceiling: float = min(self.cap, self.base * 2 ** min(failures, 30))
        return ceiling * (0.5 + random.random() / 2)
