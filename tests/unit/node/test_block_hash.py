"""The block hash leaves out the commit seals (and the round), as Besu's QBFT on-chain hash.

Two validators that commit the same decided block with different quorums of seals must
store, link and serve one hash; otherwise the next proposal extends only one of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rlp
from eth.abc import BlockHeaderAPI
from eth_hash.auto import keccak

from govchain_node.chain import BuiltBlock, Ledger
from govchain_node.codec.extra_data import (
    VANITY_LENGTH,
    ExtraData,
    block_hash,
    commit_seal_hash,
    decode_extra_data,
    encode_extra_data,
)
from govchain_node.consensus.seals import recover_sealers, seal_digest
from govchain_node.errors import ConfigError
from govchain_node.rpc.index import JsonIndex
from govchain_node.storage import LmdbStore, MemoryKeyValueStore
from govchain_node.vm import GovchainBlockHeader
from tests.support.qbft_ledger import VALIDATORS, genesis, seals_of


def build(ledger: Ledger, round_: int = 0) -> BuiltBlock:
    parent = ledger.head
    extra = ExtraData(bytes(VANITY_LENGTH), ledger.genesis.validators, None, round_, ())
    return ledger.build_block(
        [], timestamp=parent.timestamp + 1, coinbase=VALIDATORS[0].address, extra=extra
    )


def with_seals(header: BlockHeaderAPI, seals: tuple[bytes, ...]) -> BlockHeaderAPI:
    extra = decode_extra_data(header.extra_data).with_seals(seals)
    return header.copy(extra_data=encode_extra_data(extra))


def test_two_seal_sets_give_one_hash_and_it_is_besus_onchain_hash() -> None:
    ledger = Ledger(MemoryKeyValueStore(), genesis())
    unsealed = build(ledger).block.header
    ledger.discard_built()
    first = with_seals(unsealed, seals_of(unsealed, VALIDATORS[:3]))
    second = with_seals(unsealed, seals_of(unsealed, VALIDATORS[1:]))
    assert first.extra_data != second.extra_data
    assert first.hash == second.hash == unsealed.hash
    fields = rlp.decode(rlp.encode(first))
    assert first.hash == block_hash(fields)
    assert first.hash != keccak(rlp.encode(first))  # py-evm's plain hash covers the seals
    # the seals themselves sign the round-bound hash, not the block hash
    assert seal_digest(first) == commit_seal_hash(fields)


def test_the_round_is_left_out_of_the_block_hash_but_not_out_of_the_seal_hash() -> None:
    ledger = Ledger(MemoryKeyValueStore(), genesis())
    round0 = build(ledger, 0).block.header
    ledger.discard_built()
    round2 = round0.copy(
        extra_data=encode_extra_data(decode_extra_data(round0.extra_data).with_round(2))
    )
    assert round0.hash == round2.hash
    assert seal_digest(round0) != seal_digest(round2)


def test_genesis_keeps_the_plain_header_hash() -> None:
    ledger = Ledger(MemoryKeyValueStore(), genesis())
    assert ledger.head.hash == keccak(rlp.encode(ledger.head))


def test_ledgers_committing_different_seals_agree_on_hashes_and_parent_links() -> None:
    ledgers = [Ledger(MemoryKeyValueStore(), genesis()) for _ in range(2)]
    signer_sets = [VALIDATORS[:3], VALIDATORS[1:]]
    for _height in range(3):
        for ledger, signers in zip(ledgers, signer_sets, strict=True):
            built = build(ledger)
            ledger.commit_block(built, seals_of(built.block.header, signers))
    a, b = (ledger.head for ledger in ledgers)
    assert a.extra_data != b.extra_data
    assert a.hash == b.hash
    for number in (1, 2, 3):
        headers = [ledger.header_by_number(number) for ledger in ledgers]
        assert headers[0] is not None
        assert headers[1] is not None
        assert headers[0].hash == headers[1].hash
        parent = ledgers[0].header_by_number(number - 1)
        assert parent is not None
        assert headers[0].parent_hash == parent.hash
        assert ledgers[0].header_by_hash(headers[1].hash) == headers[0]


def test_reopened_database_serves_the_same_hashes(tmp_path: Path) -> None:
    ledger = Ledger(LmdbStore(tmp_path / "chain"), genesis())
    JsonIndex(ledger)
    hashes = []
    for _ in range(3):
        built = build(ledger)
        committed = ledger.commit_block(built, seals_of(built.block.header, VALIDATORS[:3]))
        hashes.append(committed.header.hash)
    ledger.close()
    reopened = Ledger(LmdbStore(tmp_path / "chain"), genesis())
    try:
        assert isinstance(reopened.head, GovchainBlockHeader)
        assert [reopened.header_by_number(n).hash for n in (1, 2, 3)] == hashes  # type: ignore[union-attr]
        for number, block_hash_ in enumerate(hashes, start=1):
            header = reopened.header_by_hash(block_hash_)
            assert header is not None
            assert header.block_number == number
            assert isinstance(header, GovchainBlockHeader)
        _extra, sealers = recover_sealers(reopened.head)
        assert set(sealers) == {v.address for v in VALIDATORS[:3]}
        assert JsonIndex(reopened).block_json(reopened.head, False) is not None
    finally:
        reopened.close()


def test_a_database_keyed_by_seal_covering_hashes_is_refused(tmp_path: Path) -> None:
    """A data dir written before the seal-free hash cannot be read consistently."""
    from eth.vm.forks.prague.blocks import PragueBlock, PragueBlockHeader

    ledger = Ledger(LmdbStore(tmp_path / "chain"), genesis())
    built = build(ledger)
    ledger.discard_built()
    header = with_seals(built.block.header, seals_of(built.block.header, VALIDATORS[:3]))
    fields = {str(name): value for name, value in header.as_dict().items()}
    legacy = PragueBlock(PragueBlockHeader(**fields), [], [], [])
    ledger._chain.chaindb.persist_block(legacy)  # as the former node stored it
    ledger.buffer.flush()
    ledger.close()
    with pytest.raises(ConfigError, match="commit seals"):
        Ledger(LmdbStore(tmp_path / "chain"), genesis())
