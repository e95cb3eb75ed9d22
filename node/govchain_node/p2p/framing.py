"""Length-prefixed ``(code, payload)`` frames over asyncio streams.

Wire layout of one frame::

    length (4 bytes, big-endian) = 1 + len(payload)
    code   (1 byte)
    payload

The length is checked against ``max_frame_bytes`` *before* anything is buffered, so a
peer announcing a 4 GiB frame costs us four bytes of memory, not four gigabytes. A frame
that is too large or a stream that ends mid-frame raises :class:`FrameError`; the
connection must then be closed, since a length-prefixed stream cannot be resynchronised.
"""

from __future__ import annotations

import asyncio
import dataclasses
import struct

from govchain_node.p2p.errors import FrameError, FrameTooLargeError

HEADER = struct.Struct(">I")
#: Default limit: a full block with 30 M gas of calldata is ~2 MiB; keep ample headroom.
DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024


@dataclasses.dataclass(frozen=True, slots=True)
class Frame:
    """One unit on the wire: a message code (0-255) and opaque payload bytes."""

    code: int
    payload: bytes

    def __post_init__(self) -> None:
        if not 0 <= self.code <= 0xFF:
            raise FrameError(f"frame code {self.code} does not fit in one byte")


def encode_frame(frame: Frame, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> bytes:
    """The frame's bytes; refuses to produce a frame the receiver would refuse."""
    length = 1 + len(frame.payload)
    if length > max_frame_bytes:
        raise FrameTooLargeError(f"frame of {length} bytes exceeds limit {max_frame_bytes}")
    return HEADER.pack(length) + bytes((frame.code,)) + frame.payload


async def read_frame(
    reader: asyncio.StreamReader, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES
) -> Frame | None:
    """The next frame, or ``None`` on a clean end of stream between frames."""
    try:
        header = await reader.readexactly(HEADER.size)
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise FrameError("stream ended inside a frame header") from exc
    (length,) = HEADER.unpack(header)
    if length == 0:
        raise FrameError("frame without a code byte")
    if length > max_frame_bytes:
        raise FrameTooLargeError(f"peer announced {length} bytes, limit is {max_frame_bytes}")
    try:
        body = await reader.readexactly(length)
    except asyncio.IncompleteReadError as exc:
        raise FrameError("stream ended inside a frame") from exc
    return Frame(body[0], body[1:])


async def write_frame(
    writer: asyncio.StreamWriter, frame: Frame, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES
) -> None:
    """Write one frame and wait until the transport's buffer drains."""
    writer.write(encode_frame(frame, max_frame_bytes))
    await writer.drain()
