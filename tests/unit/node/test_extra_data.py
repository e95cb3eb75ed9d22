from __future__ import annotations

import pytest
import rlp
from hypothesis import given
from hypothesis import strategies as st

from govchain_node.consensus.extra_data import (
    QbftExtraData,
    Vote,
    decode_extra_data,
    encode_extra_data,
)
from govchain_node.errors import InvalidBlockError

addresses = st.binary(min_size=20, max_size=20)
extras = st.builds(
    QbftExtraData,
    vanity=st.binary(min_size=32, max_size=32),
    validators=st.lists(addresses, max_size=7).map(tuple),
    vote=st.one_of(st.none(), st.builds(Vote, recipient=addresses, add=st.booleans())),
    round=st.integers(min_value=0, max_value=2**32 - 1),
    seals=st.lists(st.binary(min_size=65, max_size=65), max_size=5).map(tuple),
)


@given(extras)
def test_round_trip(extra: QbftExtraData) -> None:
    assert decode_extra_data(encode_extra_data(extra)) == extra


def test_besu_layout() -> None:
    validator = bytes(range(20))
    extra = QbftExtraData(b"\x00" * 32, (validator,), None, 1, (b"\x01" * 65,))
    assert rlp.decode(encode_extra_data(extra)) == [
        b"\x00" * 32,
        [validator],
        [],
        b"\x00\x00\x00\x01",
        [b"\x01" * 65],
    ]


@pytest.mark.parametrize(
    "items",
    [
        [b"\x00" * 31, [], [], b"\x00" * 4, []],  # short vanity
        [b"\x00" * 32, [b"\x01" * 19], [], b"\x00" * 4, []],  # short address
        [b"\x00" * 32, [], [b"\x01" * 20, b"\x01"], b"\x00" * 4, []],  # bad vote type
        [b"\x00" * 32, [], [], b"\x00" * 3, []],  # 3-byte round
        [b"\x00" * 32, [], [], b"\x00" * 4, [b"\x00" * 64]],  # short seal
        [b"\x00" * 32, [], [], b"\x00" * 4],  # four fields
        b"not a list",
    ],
)
def test_rejects_malformed(items: object) -> None:
    with pytest.raises(InvalidBlockError):
        decode_extra_data(rlp.encode(items))


def test_rejects_trailing_bytes() -> None:
    encoded = encode_extra_data(QbftExtraData(b"\x00" * 32, (), None, 0))
    with pytest.raises(InvalidBlockError):
        decode_extra_data(encoded + b"\x00")


def test_without_seals_keeps_round() -> None:
    extra = QbftExtraData(b"\x00" * 32, (), None, 9, (b"\x02" * 65,))
    assert extra.without_seals() == QbftExtraData(b"\x00" * 32, (), None, 9, ())
