"""Block sync imports only blocks sealed by a quorum of the parent's validators.

A synced block arrives from one peer, not through consensus, so its seals are the only
evidence that the validators finalised it; these cases are what a malicious or buggy
peer could send instead.
"""

from __future__ import annotations

import pytest
from eth.abc import BlockHeaderAPI

from govchain_node.chain import Ledger
from govchain_node.consensus.extra_data import (
    VANITY_LENGTH,
    QbftExtraData,
    encode_extra_data,
)
from govchain_node.consensus.seals import seal_digest
from govchain_node.errors import InvalidBlockError
from govchain_node.genesis import GenesisSpec
from govchain_node.keys import Account
from govchain_node.storage import MemoryStore
from govchain_node.sync import (
    MAX_BLOCKS_PER_REQUEST,
    SyncMessageError,
    decode_block,
    decode_blocks,
    decode_get_blocks,
    decode_status,
    encode_block,
    encode_blocks,
    encode_get_blocks,
    encode_status,
    verify_seals,
)

VALIDATORS = [Account.generate() for _ in range(4)]


@pytest.fixture
def ledger() -> Ledger:
    genesis = GenesisSpec(
        chain_id=1337,
        timestamp=1_700_000_000,
        gas_limit=30_000_000,
        validators=tuple(sorted(v.address for v in VALIDATORS)),
        allow_list=(),
        alloc={},
    )
    return Ledger(MemoryStore(), genesis)


def sealed_child(ledger: Ledger, signers: list[Account]) -> BlockHeaderAPI:
    parent = ledger.head
    extra = QbftExtraData(bytes(VANITY_LENGTH), ledger.genesis.validators, None, 0, ())
    built = ledger.build_block(
        [], timestamp=parent.timestamp + 1, coinbase=VALIDATORS[0].address, extra=extra
    )
    ledger.discard_built()
    digest = seal_digest(built.block.header)
    seals = tuple(signer.sign_hash(digest) for signer in signers)
    return built.block.header.copy(extra_data=encode_extra_data(extra.with_seals(seals)))


def test_a_quorum_of_validator_seals_is_accepted(ledger: Ledger) -> None:
    header = sealed_child(ledger, VALIDATORS[:3])
    assert len(verify_seals(header, ledger.head).seals) == 3


@pytest.mark.parametrize(
    "signers",
    [
        VALIDATORS[:2],  # below the quorum of 3
        [VALIDATORS[0], VALIDATORS[0], VALIDATORS[1]],  # one validator counted twice
        [*VALIDATORS[:2], Account.generate()],  # an outsider's seal
    ],
    ids=["below-quorum", "duplicate", "outsider"],
)
def test_insufficient_or_forged_seals_are_refused(ledger: Ledger, signers: list[Account]) -> None:
    header = sealed_child(ledger, signers)
    with pytest.raises(InvalidBlockError):
        verify_seals(header, ledger.head)


def test_a_block_on_another_parent_is_refused(ledger: Ledger) -> None:
    header = sealed_child(ledger, VALIDATORS)
    with pytest.raises(InvalidBlockError, match="parent"):
        verify_seals(header.copy(parent_hash=b"\x01" * 32), ledger.head)


def test_sync_frames_round_trip_and_bound_requests(ledger: Ledger) -> None:
    assert decode_status(encode_status(12345)) == 12345
    assert decode_get_blocks(encode_get_blocks(7, 3)) == (7, 3)
    assert decode_get_blocks(encode_get_blocks(7, 10_000)) == (7, MAX_BLOCKS_PER_REQUEST)
    genesis_block = ledger.block(ledger.head)
    raw = encode_block(genesis_block)
    assert decode_blocks(encode_blocks([raw, raw])) == [raw, raw]
    assert decode_block(raw).header.hash == ledger.head.hash
    for garbage in (b"", b"\xff\x00", encode_blocks([b"\x00"]), encode_get_blocks(1, 2)):
        with pytest.raises(SyncMessageError):
            decode_status(garbage)
    with pytest.raises(SyncMessageError):
        decode_block(b"\xc0")
