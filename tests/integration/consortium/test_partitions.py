"""Network partitions between consortium processes, made and healed with TCP proxies.

Every link ``i -> j`` (node i dialling node j's p2p port) runs through its own proxy, so
a test can cut any set of links hard and heal them later, while the four validators
run as real processes exactly as an operator starts them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account as EthAccount

from govchain_node.consensus.consortium import Consortium
from govchain_node.keys import load_dev_accounts
from tests.support.consortium_processes import (
    ProxyLoop,
    all_at,
    block_hash,
    consensus_mark,
    height,
    init_local_consortium,
    route_peers_through,
    rpc,
    running_nodes,
    wait_stalled,
)
from tests.support.node_process import NodeProcess
from tests.support.tcp_proxy import TcpProxy
from tests.support.waiting import wait_until

VALIDATORS = 4
#: Reconnect back-off is capped at 15 s, then a round change may be needed: generous
#: for a loaded 2-core machine, far below "never".
HEAL_TIMEOUT = 90.0


class Links:
    """One proxy per directed link between the consortium's nodes."""

    def __init__(self, directory: Path, proxies: ProxyLoop) -> None:
        self._proxies = proxies
        self.by_link: dict[tuple[int, int], TcpProxy] = {}
        consortium = Consortium.load(directory)
        index_of_port = {node.p2p_port: node.index for node in consortium.nodes}
        for node in consortium.nodes:
            source = node.index

            def route(port: int, source: int = source) -> int:
                return self._link(source, index_of_port[port], port)

            route_peers_through(directory / f"node-{source}" / "node.toml", route)

    def _link(self, source: int, target: int, target_port: int) -> int:
        proxy, port = self._proxies.proxy(target_port)
        self.by_link[(source, target)] = proxy
        return port

    def between(self, side_a: set[int], side_b: set[int]) -> list[TcpProxy]:
        return [
            proxy
            for (source, target), proxy in self.by_link.items()
            if (source in side_a and target in side_b) or (source in side_b and target in side_a)
        ]


@pytest.fixture
def proxies() -> Iterator[ProxyLoop]:
    loop = ProxyLoop()
    try:
        yield loop
    finally:
        loop.close()


@pytest.fixture
def consortium_dir(tmp_path: Path) -> Path:
    return init_local_consortium(tmp_path / "consortium", VALIDATORS)


@pytest.fixture
def links(consortium_dir: Path, proxies: ProxyLoop) -> Links:
    return Links(consortium_dir, proxies)


@pytest.fixture
def nodes(consortium_dir: Path, links: Links) -> Iterator[list[NodeProcess]]:
    # ``links`` first: the proxies must be written into node.toml before the nodes start.
    with running_nodes(consortium_dir, VALIDATORS) as started:
        yield started


def send_transfer(url: str, directory: Path, nonce: int) -> str:
    sender = load_dev_accounts(directory)[0]
    tx = {
        "to": "0x" + "33" * 20,
        "value": 1,
        "gas": 21_000,
        "gasPrice": 0,
        "nonce": nonce,
        "chainId": 1337,
    }
    signed = EthAccount.sign_transaction(tx, sender.private_key)
    return str(rpc(url, "eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex()]))


def mined(url: str, tx_hash: str) -> bool:
    receipt = rpc(url, "eth_getTransactionReceipt", [tx_hash])
    return receipt is not None and receipt["status"] == "0x1"


def test_a_cut_off_validator_stalls_alone_and_catches_up_after_healing(
    consortium_dir: Path, links: Links, proxies: ProxyLoop, nodes: list[NodeProcess]
) -> None:
    urls = [node.rpc_url for node in nodes]
    wait_until("four nodes at height 2", lambda: all_at(2, urls), 45)

    isolated = [consortium_dir / "node-3"]
    marks = [consensus_mark(d) for d in isolated]
    proxies.cut(links.between({3}, {0, 1, 2}))
    majority = urls[:3]
    (isolated_height,) = wait_stalled(isolated, [urls[3]], marks)
    tx_hash = send_transfer(urls[0], consortium_dir, nonce=0)
    wait_until("the majority mines without node 3", lambda: mined(urls[1], tx_hash), 45)
    top = max(height(url) or 0 for url in majority)
    assert top > isolated_height
    assert not mined(urls[3], tx_hash)

    proxies.heal(links.between({3}, {0, 1, 2}))
    wait_until("node 3 to catch up after healing", lambda: all_at(top, [urls[3]]), HEAL_TIMEOUT)
    assert block_hash(urls[3], top) == block_hash(urls[0], top)
    assert mined(urls[3], tx_hash)
    # And it takes part again: a transaction sent to it is mined by the consortium.
    second = send_transfer(urls[3], consortium_dir, nonce=1)
    wait_until("node 3's transaction mined", lambda: mined(urls[0], second), HEAL_TIMEOUT)


def test_a_two_two_split_finalises_nothing_and_resumes_when_healed(
    consortium_dir: Path, links: Links, proxies: ProxyLoop, nodes: list[NodeProcess]
) -> None:
    urls = [node.rpc_url for node in nodes]
    wait_until("four nodes at height 2", lambda: all_at(2, urls), 45)

    split = links.between({0, 1}, {2, 3})
    node_dirs = [consortium_dir / f"node-{i}" for i in range(VALIDATORS)]
    marks = [consensus_mark(d) for d in node_dirs]
    proxies.cut(split)
    heights = wait_stalled(node_dirs, urls, marks)
    common = min(heights)
    # No fork: whatever each side finalised before the split is the same block.
    assert len({block_hash(url, common) for url in urls}) == 1

    proxies.heal(split)
    top = max(heights)
    took = wait_until(
        "progress after healing the split", lambda: all_at(top + 2, urls), HEAL_TIMEOUT
    )
    print(f"resumed {took:.1f} s after healing")
    assert len({block_hash(url, top + 1) for url in urls}) == 1
