"""Receipt ids derived from log positions: ``<log index, 16 hex><tag, 16 hex>``.

The id names where the leaf is (its index in the issuer's log), so the database
needs no index of random ids; the tag, 8 random bytes stored with the leaf, keeps
ids unguessable, because a receipt discloses its leaf's salt.  Ids keep the API's
form (32 lower-case hex).  Digests accepted before this scheme keep their random
ids, stored beside the leaf as ``legacy_id``.
"""

from __future__ import annotations

import re

TAG_BYTES = 8
_ID = re.compile(r"[0-9a-f]{32}")


def receipt_id(log_index: int, tag: bytes) -> str:
    return f"{log_index:016x}{tag.hex()}"


def receipt_ids(first: int, tags: bytes) -> list[str]:
    """The ids of consecutive leaves from ``first``; ``tags`` holds 8 bytes per leaf."""
    text = tags.hex()
    return [f"{first + n:016x}{text[16 * n : 16 * n + 16]}" for n in range(len(tags) // TAG_BYTES)]


def parse_receipt_id(value: str) -> tuple[int, bytes] | None:
    """``(log_index, tag)`` of an id in the derived form; None for anything else
    (a log index is a signed 64-bit column, so larger values name no leaf)."""
    if not _ID.fullmatch(value):
        return None
    log_index = int(value[:16], 16)
    if log_index >= 2**63:
        return None
    return log_index, bytes.fromhex(value[16:])
