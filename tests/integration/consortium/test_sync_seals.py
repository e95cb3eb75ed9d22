"""Block sync imports only blocks sealed by a quorum of the block's validators.

A synced block arrives from one peer, not through consensus, so its seals are the only
evidence that the validators finalised it; these cases are what a malicious or buggy
peer could send instead. Its seals may differ from the ones a validator committed
locally: the block hash leaves them out, so the chain still links up.
"""

from __future__ import annotations

import pytest
from eth.abc import BlockHeaderAPI

from govchain_node.chain import BuiltBlock, Ledger
from govchain_node.codec.extra_data import (
    VANITY_LENGTH,
    ExtraData,
    encode_extra_data,
)
from govchain_node.consensus.seals import seal_digest
from govchain_node.consensus.sync import (
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
from govchain_node.errors import InvalidBlockError
from govchain_node.genesis import GenesisSpec
from govchain_node.keys import Account
from govchain_node.storage import MemoryKeyValueStore

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
    return Ledger(MemoryKeyValueStore(), genesis)


def build_child(ledger: Ledger) -> BuiltBlock:
    parent = ledger.head
    extra = ExtraData(bytes(VANITY_LENGTH), ledger.genesis.validators, None, 0, ())
    return ledger.build_block(
        [], timestamp=parent.timestamp + 1, coinbase=VALIDATORS[0].address, extra=extra
    )


def sealed_child(ledger: Ledger, signers: list[Account]) -> BlockHeaderAPI:
    built = build_child(ledger)
    ledger.discard_built()
    digest = seal_digest(built.block.header)
    seals = tuple(signer.sign_hash(digest) for signer in signers)
    extra = built.extra.with_seals(seals)
    return built.block.header.copy(extra_data=encode_extra_data(extra))


def test_a_quorum_of_validator_seals_is_accepted(ledger: Ledger) -> None:
    header = sealed_child(ledger, VALIDATORS[:3])
    assert len(verify_seals(header, ledger.head, ledger.genesis.validators).seals) == 3


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
        verify_seals(header, ledger.head, ledger.genesis.validators)


def test_seals_count_against_the_blocks_own_validator_set(ledger: Ledger) -> None:
    """After a vote the set differs from the parent's list: the tally's set decides."""
    header = sealed_child(ledger, VALIDATORS[:3])
    smaller = tuple(sorted(v.address for v in VALIDATORS[:3]))
    with pytest.raises(InvalidBlockError, match="other validators"):
        verify_seals(header, ledger.head, smaller)


def test_a_block_on_another_parent_is_refused(ledger: Ledger) -> None:
    header = sealed_child(ledger, VALIDATORS)
    with pytest.raises(InvalidBlockError, match="parent"):
        verify_seals(header.copy(parent_hash=b"\x01" * 32), ledger.head, ledger.genesis.validators)


def commit_sealed(ledger: Ledger, signers: list[Account]) -> None:
    built = build_child(ledger)
    digest = seal_digest(built.block.header)
    ledger.commit_block(built, tuple(signer.sign_hash(digest) for signer in signers))


def import_synced(ledger: Ledger, raw: bytes) -> None:
    """What the driver does with a block from a BLOCKS frame."""
    block = decode_block(raw)
    extra = verify_seals(block.header, ledger.head, ledger.genesis.validators)
    built = ledger.import_block(block, extra)
    assert built.block.header.hash == block.header.hash
    ledger.commit_block(built, extra.seals)


def test_sync_imports_blocks_sealed_differently_from_the_local_copy(ledger: Ledger) -> None:
    """Both nodes committed block 1 with other quorums; block 2 still links to ours."""
    peer = Ledger(MemoryKeyValueStore(), ledger.genesis)
    commit_sealed(ledger, VALIDATORS[:3])
    commit_sealed(peer, VALIDATORS[1:])
    assert ledger.head.extra_data != peer.head.extra_data
    commit_sealed(peer, VALIDATORS[1:])
    import_synced(ledger, encode_block(peer.block(peer.head)))
    assert ledger.head.block_number == 2
    assert ledger.head.hash == peer.head.hash
    assert ledger.head.parent_hash == peer.header_by_number(1).hash  # type: ignore[union-attr]


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
