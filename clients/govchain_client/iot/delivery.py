"""An MQTT message handed to the bridge, with the acknowledgement it owes the broker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Delivery:
    """``ack`` must be called only after the message's outcome is committed to the spool."""

    topic: str
    body: bytes
    ack: Callable[[], None]
