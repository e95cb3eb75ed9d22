"""The node-facing Network façade over a consortium written by ``init``."""

from __future__ import annotations

import json
from pathlib import Path

from govchain_node.consensus.consortium import ConsortiumSpec, init_consortium
from govchain_node.consensus.qbft.messages import PREPARE
from govchain_node.p2p.network import Network
from govchain_node.p2p.settings import read_node_toml
from tests.integration.p2p.free_ports import free_port_block
from tests.integration.p2p.mesh import run
from tests.support.p2p_material import FAST
from tests.support.waiting import eventually


class Recorder:
    def __init__(self) -> None:
        self.transactions: list[bytes] = []
        self.consensus: list[tuple[int, bytes]] = []
        self.other: list[tuple[bytes, int, bytes]] = []

    def transaction(self, raw: bytes, peer: bytes | None) -> bool:
        self.transactions.append(raw)
        return True

    def consensus_message(self, code: int, payload: bytes, peer: bytes) -> bool:
        self.consensus.append((code, payload))
        return True

    def sync(self, peer: bytes, code: int, payload: bytes) -> None:
        self.other.append((peer, code, payload))


def test_three_validators_gossip_and_answer_sync_requests(tmp_path: Path) -> None:
    spec = ConsortiumSpec(validators=3, base_port=free_port_block(30))
    consortium = init_consortium(tmp_path / "c", spec)

    async def scenario() -> None:
        networks: list[Network] = []
        recorders: list[Recorder] = []
        for node in consortium.nodes:
            node_toml = read_node_toml(consortium.node_dir(node) / "node.toml")
            assert node_toml.p2p is not None
            recorder = Recorder()
            network = Network.from_settings(
                node_toml.p2p,
                consortium.chain_id,
                on_transaction=recorder.transaction,
                on_consensus=recorder.consensus_message,
                on_other=recorder.sync,
                is_validator=consortium.validators.__contains__,
                tuning=FAST,
            )
            networks.append(network)
            recorders.append(recorder)
        try:
            for network in networks:
                await network.start()
            await eventually(lambda: all(n.peer_count == 2 for n in networks), what="mesh")
            a, b, c = networks
            assert a.publish_transaction(b"tx") == 2
            a.publish_consensus(PREPARE, b"opaque prepare")
            assert b.send(c.identity.address, 0x20, b"blocks 1..5?")
            await eventually(
                lambda: (
                    all(r.transactions == [b"tx"] for r in recorders[1:])
                    and all(r.consensus == [(PREPARE, b"opaque prepare")] for r in recorders[1:])
                    and recorders[2].other == [(b.identity.address, 0x20, b"blocks 1..5?")]
                ),
                what="delivery",
            )
            assert a.validators_changed() == 0
            status = a.status_json()
            assert len(status) == 2
            assert all(p["connected"] and p["role"] == "validator" for p in status)
            json.dumps(status)  # JSON-serialisable as is
        finally:
            for network in networks:
                await network.stop()

    run(scenario())
