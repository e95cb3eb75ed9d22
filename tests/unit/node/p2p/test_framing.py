"""Frames: round trip, size limits enforced before buffering, truncation detected."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govchain_node.p2p.errors import FrameError, FrameTooLargeError
from govchain_node.p2p.framing import HEADER, Frame, encode_frame, read_frame


def _read(data: bytes, limit: int = 1024) -> Frame | None:
    async def scenario() -> Frame | None:
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        return await read_frame(reader, limit)

    return asyncio.run(scenario())


@given(st.integers(0, 255), st.binary(max_size=1000))
def test_round_trip(code: int, payload: bytes) -> None:
    assert _read(encode_frame(Frame(code, payload), 1024)) == Frame(code, payload)


def test_clean_end_of_stream_is_none() -> None:
    assert _read(b"") is None


def test_announced_length_over_limit_is_refused_before_reading_the_body() -> None:
    with pytest.raises(FrameTooLargeError):
        _read(HEADER.pack(2**32 - 1))  # no body follows: nothing was buffered


def test_encoder_refuses_what_the_receiver_would_refuse() -> None:
    with pytest.raises(FrameTooLargeError):
        encode_frame(Frame(1, bytes(1024)), 1024)
    assert len(encode_frame(Frame(1, bytes(1023)), 1024)) == 4 + 1024


@pytest.mark.parametrize(
    "data",
    [b"\x00\x00", HEADER.pack(10) + b"\x01abc", HEADER.pack(0)],
    ids=["cut-header", "cut-body", "no-code"],
)
def test_truncated_or_empty_frames_are_errors(data: bytes) -> None:
    with pytest.raises(FrameError):
        _read(data)


def test_code_must_fit_one_byte() -> None:
    with pytest.raises(FrameError):
        Frame(256, b"")
