"""A QBFT node executes each block once: the block it built or validated stays held
until it is committed, and importing that same block again returns the held execution.

Only the very same block may be taken from the hold: same seal-free hash *and* same
round, vote and validators, since the hash leaves the round out but the commit seals
and the stored extraData do not.
"""

from __future__ import annotations

from eth.abc import BlockAPI

from govchain_node.chain import BuiltBlock, Ledger
from govchain_node.codec.extra_data import VANITY_LENGTH, ExtraData
from govchain_node.storage import MemoryKeyValueStore
from tests.support.qbft_ledger import VALIDATORS, genesis, seals_of


def extra(ledger: Ledger, round_: int = 0) -> ExtraData:
    return ExtraData(bytes(VANITY_LENGTH), ledger.genesis.validators, None, round_, ())


def proposal(round_: int = 0) -> tuple[BlockAPI, ExtraData]:
    """A block as a proposer on another node built it."""
    proposer = Ledger(MemoryKeyValueStore(), genesis())
    parent = proposer.head
    built = proposer.build_block(
        [], timestamp=parent.timestamp + 1, coinbase=VALIDATORS[0].address,
        extra=extra(proposer, round_),
    )  # fmt: skip
    return built.block, built.extra


def test_importing_a_held_block_again_returns_the_held_execution() -> None:
    ledger = Ledger(MemoryKeyValueStore(), genesis())
    block, block_extra = proposal()
    validated = ledger.import_block(block, block_extra)
    ledger.hold(validated)
    assert ledger.import_block(block, block_extra) is validated


def test_a_block_that_is_not_held_is_executed_afresh() -> None:
    ledger = Ledger(MemoryKeyValueStore(), genesis())
    block, block_extra = proposal()
    first = ledger.import_block(block, block_extra)  # validated but not held
    second = ledger.import_block(block, block_extra)
    assert second is not first
    assert second.block.header.hash == first.block.header.hash


def test_the_same_content_in_another_round_is_not_taken_from_the_hold() -> None:
    ledger = Ledger(MemoryKeyValueStore(), genesis())
    block, block_extra = proposal(round_=0)
    ledger.hold(ledger.import_block(block, block_extra))
    later, later_extra = proposal(round_=1)
    assert later.header.hash == block.header.hash  # the block hash leaves the round out
    built = ledger.import_block(later, later_extra)
    assert built.extra.round == 1


def test_discarding_or_committing_releases_the_hold() -> None:
    ledger = Ledger(MemoryKeyValueStore(), genesis())
    block, block_extra = proposal()
    held = ledger.import_block(block, block_extra)
    ledger.hold(held)
    ledger.discard_built()
    assert ledger.import_block(block, block_extra) is not held

    again: BuiltBlock = ledger.import_block(block, block_extra)
    ledger.hold(again)
    committed = ledger.commit_block(again, seals_of(again.block.header, VALIDATORS[:3]))
    assert ledger.head.hash == committed.header.hash == block.header.hash
    # A held block committed from the hold has the state a fresh execution gives.
    fresh = Ledger(MemoryKeyValueStore(), genesis())
    assert fresh.import_block(block, block_extra).block.header.state_root == (
        ledger.head.state_root
    )
