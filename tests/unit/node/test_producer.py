"""Block production cadence: periods count from the start of the previous block."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from eth_typing import Address

from govchain_node.chain import CommittedBlock, Ledger
from govchain_node.config import NodeConfig
from govchain_node.consensus.dev import DevEngine
from govchain_node.consensus.producer import BlockProducer, Cadence
from govchain_node.permissions import AllowAll
from govchain_node.storage import MemoryKeyValueStore
from govchain_node.txpool import TxPool
from tests.support.dev_ledger import USER, VALIDATOR, spec, transfer


class FakeClock:
    """Monotonic time that moves only when the test (or a fake build) moves it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_next_block_is_due_a_period_after_the_previous_start() -> None:
    cadence = Cadence(block_period=1.0, empty_block_period=60.0, start=100.0)
    assert cadence.due(pending=True) == 101.0
    assert cadence.wait(pending=True, now=100.7) == pytest.approx(0.3)
    assert cadence.wait(pending=False, now=100.7) == pytest.approx(59.3)


def test_an_overdue_block_is_started_at_once() -> None:
    cadence = Cadence(block_period=1.0, empty_block_period=60.0, start=100.0)
    assert cadence.wait(pending=True, now=101.4) == 0.0
    cadence.started(101.4)
    assert cadence.due(pending=True) == pytest.approx(102.4)


def test_block_period_zero_seals_as_soon_as_transactions_are_pending() -> None:
    cadence = Cadence(block_period=0.0, empty_block_period=60.0, start=100.0)
    assert cadence.wait(pending=True, now=100.0) == 0.0
    assert cadence.wait(pending=False, now=100.0) == 60.0


class Harness:
    """A producer over a real in-memory ledger and pool, with an injected clock."""

    def __init__(self, tmp_path: Path, block_period: float, build_seconds: float) -> None:
        self.clock = FakeClock(1_000.0)
        self.ledger = Ledger(MemoryKeyValueStore(), spec())
        config = NodeConfig(
            data_dir=tmp_path,
            block_period=block_period,
            empty_block_period=60.0,
            block_gas_limit=30_000_000,
        )
        self.pool = TxPool(
            chain_id=config.chain_id,
            block_gas_limit=config.block_gas_limit,
            limits=config.txpool,
            permission=AllowAll(),
            accounts=self.account,
        )
        self.build_seconds = build_seconds
        self.blocks: list[CommittedBlock] = []
        self.producer = BlockProducer(
            self,
            DevEngine(VALIDATOR),
            config,
            clock=lambda: 1_700_000_000 + self.clock(),
            monotonic=self.clock,
        )

    def account(self, address: bytes) -> tuple[int, int]:
        state = self.ledger.state_at(self.ledger.head)
        return state.get_nonce(Address(address)), state.get_balance(Address(address))

    # ------------------------------------------------ ConsensusHost

    def nonce_of(self, address: bytes) -> int:
        return self.account(address)[0]

    def committed(self, block: CommittedBlock) -> None:
        # The build "took" build_seconds: the clock reads later once it is committed.
        self.clock.now += self.build_seconds
        self.blocks.append(block)

    def transaction_pooled(self, tx_hash: bytes) -> None:
        """Not reached: the tests add to the pool directly."""


def test_a_long_build_shortens_the_wait_for_the_next_block(tmp_path: Path) -> None:
    harness = Harness(tmp_path, block_period=1.0, build_seconds=0.7)
    harness.pool.add(transfer(0))
    harness.producer.produce()
    harness.pool.add(transfer(1))
    wait = harness.producer.cadence.wait(pending=True, now=harness.clock())
    assert wait == pytest.approx(0.3)


def test_a_build_longer_than_the_period_is_followed_at_once(tmp_path: Path) -> None:
    harness = Harness(tmp_path, block_period=1.0, build_seconds=1.5)
    harness.pool.add(transfer(0))
    harness.producer.produce()
    assert harness.producer.cadence.wait(pending=True, now=harness.clock()) == 0.0
    # The empty-block period also counts from the start of the previous block.
    assert harness.producer.cadence.wait(pending=False, now=harness.clock()) == 58.5


def test_run_with_period_zero_seals_a_pending_transaction(tmp_path: Path) -> None:
    harness = Harness(tmp_path, block_period=0.0, build_seconds=0.0)

    async def scenario() -> None:
        task = asyncio.create_task(harness.producer.run())
        harness.pool.add(transfer(0))
        harness.producer.notify()
        while not harness.blocks:
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(asyncio.wait_for(scenario(), timeout=30))
    assert harness.blocks[0].senders == (USER.address,)
    assert len(harness.pool) == 0
