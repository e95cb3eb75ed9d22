"""Four QBFT drivers in one process over the in-memory network (no TLS processes).

Each driver runs the real core, ledger and pool of its node; only the network is the
in-memory one (:mod:`govchain_node.p2p.memory`). The same driver runs over TLS in
tests/integration/consortium.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from eth_typing import Address

from govchain_node.chain import CommittedBlock, Ledger
from govchain_node.config import NodeConfig, TxPoolLimits
from govchain_node.consensus.driver import ConsortiumDriver
from govchain_node.genesis import GenesisSpec
from govchain_node.p2p.memory import MemoryHub
from govchain_node.permissions import AllowAll
from govchain_node.signing import Secp256k1Signer
from govchain_node.storage import MemoryKeyValueStore
from govchain_node.txpool import TxPool

SIGNERS = [Secp256k1Signer(bytes([i + 1]) * 32) for i in range(4)]
TIMEOUT = 60.0


class Host:
    """A node as the driver sees it (ConsensusHost): ledger, pool, commit listener."""

    def __init__(self, genesis: GenesisSpec) -> None:
        self.ledger = Ledger(MemoryKeyValueStore(), genesis)
        self.pool = TxPool(
            chain_id=genesis.chain_id,
            block_gas_limit=genesis.gas_limit,
            limits=TxPoolLimits(),
            permission=AllowAll(),
            accounts=self._account,
        )
        self.heights: dict[int, asyncio.Event] = {}

    def _account(self, address: bytes) -> tuple[int, int]:
        state = self.ledger.state_at(self.ledger.head)
        return state.get_nonce(Address(address)), state.get_balance(Address(address))

    def nonce_of(self, address: bytes) -> int:
        return self._account(address)[0]

    def committed(self, block: CommittedBlock) -> None:
        self.reached(block.header.block_number).set()

    def transaction_pooled(self, tx_hash: bytes) -> None:
        """No subscribers here."""

    def reached(self, height: int) -> asyncio.Event:
        return self.heights.setdefault(height, asyncio.Event())


def _genesis() -> GenesisSpec:
    return GenesisSpec(
        chain_id=4321,
        timestamp=int(time.time()) - 1,
        gas_limit=30_000_000,
        validators=tuple(sorted(s.address for s in SIGNERS)),
        allow_list=(),
        alloc={},
    )


def _drivers(tmp_path: Path, hub: MemoryHub) -> tuple[list[Host], list[ConsortiumDriver]]:
    genesis = _genesis()
    hosts, drivers = [], []
    for index, signer in enumerate(SIGNERS):
        data_dir = tmp_path / f"node-{index}"
        data_dir.mkdir()
        config = NodeConfig(data_dir=data_dir, block_period=1.0)
        host = Host(genesis)
        hosts.append(host)
        drivers.append(ConsortiumDriver(host, config, genesis, signer, hub.connect(signer.address)))
    return hosts, drivers


async def _all_reach(hosts: list[Host], height: int) -> None:
    waits = [host.reached(height).wait() for host in hosts]
    await asyncio.wait_for(asyncio.gather(*waits), timeout=TIMEOUT)


def test_four_drivers_agree_on_every_block(tmp_path: Path) -> None:
    async def run() -> None:
        hub = MemoryHub()
        hosts, drivers = _drivers(tmp_path, hub)
        for driver in drivers:
            await driver.start()
        try:
            await _all_reach(hosts, 3)
        finally:
            for driver in drivers:
                await driver.stop()
        for number in (1, 2, 3):
            hashes = {host.ledger.header_by_number(number).hash for host in hosts}  # type: ignore[union-attr]
            assert len(hashes) == 1
        assert all(driver.network.peer_count == 0 for driver in drivers)

    asyncio.run(run())


def test_a_validator_cut_off_catches_up_by_sync_once_reconnected(tmp_path: Path) -> None:
    async def run() -> None:
        hub = MemoryHub()
        hosts, drivers = _drivers(tmp_path, hub)
        lagging = SIGNERS[3].address
        hub.partition(lagging)
        for driver in drivers:
            await driver.start()
        try:
            await _all_reach(hosts[:3], 2)  # three of four are a quorum
            assert hosts[3].ledger.head.block_number == 0
            await drivers[3].stop()
            hub.partition(lagging, cut=False)
            await drivers[3].start()  # reconnects; the peers' STATUS shows it is behind
            head = hosts[0].ledger.head.block_number
            await _all_reach(hosts[3:], head)
        finally:
            for driver in drivers:
                await driver.stop()
        synced = hosts[3].ledger.header_by_number(head)
        assert synced is not None
        assert synced.hash == hosts[0].ledger.header_by_number(head).hash  # type: ignore[union-attr]

    asyncio.run(run())
