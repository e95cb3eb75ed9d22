"""Four in-process transports on 127.0.0.1 gossiping transactions and QBFT messages."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from govchain_node.consensus.qbft.encoding import decode_message, encode_message, signing_hash
from govchain_node.consensus.qbft.messages import Prepare, PreparePayload, Signed
from govchain_node.p2p.gossip import Gossip
from govchain_node.p2p.transport import Transport
from govchain_node.signing import Secp256k1Signer
from tests.integration.p2p.free_ports import free_ports
from tests.integration.p2p.mesh import run
from tests.support.p2p_material import NodeMaterial, config, make_ca, make_node, peer
from tests.support.waiting import eventually


class Endpoint:
    """A transport plus gossip, recording what reached the application."""

    def __init__(
        self, material: NodeMaterial, neighbours: list[tuple[NodeMaterial, int]], port: int
    ) -> None:
        self.material = material
        self.transactions: list[bytes] = []
        self.consensus: list[tuple[int, bytes]] = []
        self.gossip = Gossip(on_transaction=self._transaction, on_consensus=self._consensus)
        peers = tuple(peer(m, p) for m, p in neighbours)
        self.transport = Transport(config(material, peers, port=port), self.gossip.handle_frame)
        self.gossip.attach(self.transport)

    def _transaction(self, raw: bytes, peer: bytes | None) -> bool:
        self.transactions.append(raw)
        return True

    def _consensus(self, code: int, payload: bytes, peer: bytes) -> bool:
        self.consensus.append((code, payload))
        return True


@contextlib.asynccontextmanager
async def _mesh(tmp_path: Path, links: set[tuple[int, int]]) -> AsyncIterator[list[Endpoint]]:
    authority = make_ca(tmp_path / "ca")
    nodes = [make_node(tmp_path / f"n{i}", authority) for i in range(4)]
    ports = free_ports(4)
    endpoints = []
    for i, material in enumerate(nodes):
        neighbours = [(nodes[j], ports[j]) for j in range(4) if (i, j) in links or (j, i) in links]
        endpoints.append(Endpoint(material, neighbours, ports[i]))
    for endpoint in endpoints:
        await endpoint.transport.start()
    try:
        for i, endpoint in enumerate(endpoints):
            degree = sum(1 for link in links if i in link)
            await endpoint.transport.wait_connected(degree, 15)
        yield endpoints
    finally:
        for endpoint in endpoints:
            await endpoint.transport.stop()


def test_transaction_reaches_every_node_of_a_line_exactly_once(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with _mesh(tmp_path, {(0, 1), (1, 2), (2, 3)}) as nodes:
            assert nodes[0].gossip.publish_transaction(b"raw tx") == 1
            await eventually(lambda: all(n.transactions for n in nodes[1:]), what="gossip")
            for node in nodes[1:]:
                assert node.transactions == [b"raw tx"]
            assert nodes[0].transactions == []

    run(scenario())


def test_full_mesh_delivers_once_and_drops_the_echoes(tmp_path: Path) -> None:
    links = {(i, j) for i in range(4) for j in range(i + 1, 4)}
    signer = Secp256k1Signer(b"\x07" * 32)
    payload = PreparePayload(height=5, round=0, digest=b"\x11" * 32)
    prepare = Prepare(Signed(payload, signer.sign(signing_hash(payload))))
    code, data = encode_message(prepare)

    async def scenario() -> None:
        async with _mesh(tmp_path, links) as nodes:
            for i in range(20):
                nodes[i % 4].gossip.publish_transaction(f"tx {i}".encode())
            nodes[2].gossip.publish_consensus(code, data)
            expected = [{f"tx {i}".encode() for i in range(20) if i % 4 != k} for k in range(4)]

            def complete() -> bool:
                return all(set(n.transactions) == expected[k] for k, n in enumerate(nodes)) and all(
                    n.consensus for k, n in enumerate(nodes) if k != 2
                )

            await eventually(complete, what="every transaction everywhere")
            await eventually(
                lambda: sum(n.gossip.duplicates for n in nodes) >= 1, what="echoes dropped"
            )
            for node in nodes:
                assert len(node.transactions) == len(set(node.transactions)) == 15
            assert nodes[2].consensus == []
            (received,) = nodes[0].consensus
            assert decode_message(*received) == prepare

    run(scenario())
