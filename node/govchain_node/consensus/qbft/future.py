"""Messages for heights the core is not running yet, held until it gets there.

The core ignores every message that is not for its current height, but a validator
that finishes a height a little later than its peers receives their first messages of
the next height early; dropping them would cost a round change. The
:class:`~.runner.Runner` therefore holds such messages and receives them again once the
head moves. The node's driver and the seeded simulator choose its bounds.

Pure and I/O-free, like the rest of :mod:`govchain_node.consensus.qbft`.
"""

from __future__ import annotations

from govchain_node.consensus.qbft.messages import Message


def height_of(message: Message) -> int:
    return message.signed.payload.height


class FutureMessages:
    """At most ``capacity`` messages for the ``max_ahead`` heights after the running one."""

    def __init__(self, max_ahead: int, capacity: int) -> None:
        self._max_ahead = max_ahead
        self._capacity = capacity
        self._held: dict[int, list[Message]] = {}
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def hold(self, message: Message, running: int) -> bool:
        """Keep ``message`` if it is for one of the next ``max_ahead`` heights after
        ``running`` and there is room; whether it was kept."""
        height = height_of(message)
        if not running < height <= running + self._max_ahead or self._count >= self._capacity:
            return False
        self._held.setdefault(height, []).append(message)
        self._count += 1
        return True

    def drain(self) -> list[Message]:
        """Every held message, by height then arrival (the buffer is empty afterwards)."""
        messages = [m for height in sorted(self._held) for m in self._held[height]]
        self.clear()
        return messages

    def clear(self) -> None:
        self._held.clear()
        self._count = 0
