"""Four validator processes on loopback: one chain, a kill -9 survived, restarts resync.

Each node is ``python -m govchain_node run --config node-<i>/node.toml``, exactly what an
operator runs, so the p2p stack, the QBFT driver, the fsync'd consensus state and block
sync are all exercised together. Bounds are generous for a loaded 2-core CI machine but
far below what a stalled chain would need to look alive.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account as EthAccount

from govchain_node.consensus.consortium import Consortium
from govchain_node.consensus.driver import STATE_FILE
from govchain_node.consensus.qbft.encoding import decode_persisted
from govchain_node.consensus.qbft.validators import proposer, sort_validators
from govchain_node.keys import load_dev_accounts
from govchain_node.service import CHAINDATA_DIR
from tests.support.consortium_processes import (
    all_at,
    block_hash,
    consensus_mark,
    height,
    init_local_consortium,
    rpc,
    running_nodes,
    start_consortium_node,
    wait_stalled,
)
from tests.support.node_process import NodeProcess
from tests.support.waiting import wait_until

VALIDATORS = 4


@pytest.fixture
def consortium_dir(tmp_path: Path) -> Path:
    return init_local_consortium(tmp_path / "consortium", VALIDATORS)


@pytest.fixture
def nodes(consortium_dir: Path) -> Iterator[list[NodeProcess]]:
    with running_nodes(consortium_dir, VALIDATORS) as started:
        yield started


def next_proposer(directory: Path, url: str) -> int:
    """Index of the node that proposes round 0 of the block after ``url``'s head."""
    consortium = Consortium.load(directory)
    head = rpc(url, "eth_getBlockByNumber", ["latest", False])
    miner = bytes.fromhex(head["miner"][2:])
    address = proposer(sort_validators(consortium.validators), miner, 0)
    return next(node.index for node in consortium.nodes if node.address == address)


def test_four_validators_agree_survive_a_kill_and_resync(
    consortium_dir: Path, nodes: list[NodeProcess]
) -> None:
    urls = [node.rpc_url for node in nodes]

    wait_until("four nodes at height 3", lambda: all_at(3, urls), 30)
    hashes = {block_hash(url, 3) for url in urls}
    assert None not in hashes
    assert len(hashes) == 1, hashes

    # A transaction sent to node 0 is gossiped, mined and visible on node 3.
    sender = load_dev_accounts(consortium_dir)[0]
    tx = {
        "to": "0x" + "11" * 20,
        "value": 1,
        "gas": 21_000,
        "gasPrice": 0,
        "nonce": 0,
        "chainId": 1337,
    }
    signed = EthAccount.sign_transaction(tx, sender.private_key)
    tx_hash = rpc(urls[0], "eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex()])

    def mined_on_node_3() -> bool:
        receipt = rpc(urls[3], "eth_getTransactionReceipt", [tx_hash])
        return receipt is not None and receipt["status"] == "0x1"

    wait_until("the transaction on node 3", mined_on_node_3, 20)

    # kill -9 the next block's proposer: the other three (a quorum of 4) change round
    # and keep finalising blocks.
    victim = next_proposer(consortium_dir, urls[0])
    nodes[victim].kill()
    survivors = [url for index, url in enumerate(urls) if index != victim]
    # Its locked/prepared state survived the crash: the fsync'd record names a height
    # past the last block it saw, so on restart it will not sign that height afresh.
    persisted = decode_persisted((consortium_dir / f"node-{victim}" / STATE_FILE).read_bytes())
    assert persisted.height >= 4
    before = max(height(url) or 0 for url in survivors)
    wait_until("two more blocks without node 1", lambda: all_at(before + 2, survivors), 30)

    # Restarted, it syncs the blocks it missed (seal-checked) and follows the chain again.
    nodes[victim] = start_consortium_node(consortium_dir / f"node-{victim}")
    restarted = nodes[victim].rpc_url
    target = max(height(url) or 0 for url in survivors)
    wait_until("the killed node to catch up", lambda: all_at(target, [restarted]), 30)
    assert block_hash(restarted, target) == block_hash(survivors[0], target)
    receipt = rpc(restarted, "eth_getTransactionReceipt", [tx_hash])
    assert receipt is not None
    assert receipt["status"] == "0x1"

    # A node whose chain data is wiped resyncs every block from genesis.
    wiped = (victim + 2) % VALIDATORS
    nodes[wiped].kill()
    shutil.rmtree(consortium_dir / f"node-{wiped}" / CHAINDATA_DIR)
    nodes[wiped] = start_consortium_node(consortium_dir / f"node-{wiped}")
    target = max(height(url) or 0 for url in survivors)
    wait_until("the wiped node to resync", lambda: all_at(target, [nodes[wiped].rpc_url]), 30)
    assert block_hash(nodes[wiped].rpc_url, target) == block_hash(restarted, target)


def _inherit_sigint_ignored() -> None:
    """As a background job of a non-interactive shell (``cmd &`` in a script) starts."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize(
    ("stop_signal", "sigint_ignored"),
    [(signal.SIGINT, False), (signal.SIGINT, True), (signal.SIGTERM, True)],
    ids=["ctrl-c", "ctrl-c-in-a-background-job", "sigterm"],
)
def test_consortium_up_runs_every_node_and_stops_on_ctrl_c(
    consortium_dir: Path, stop_signal: signal.Signals, sigint_ignored: bool
) -> None:
    """Regression: started as a background job (SIGINT inherited as ignored), ``up``
    never stopped and its nodes outlived it; SIGTERM must stop it too."""
    command = [
        sys.executable,
        "-c",
        "from govchain_node.consensus.consortium_cli import consortium_app; consortium_app()",
        "up",
        "--dir",
        str(consortium_dir),
        "--log-level",
        "WARNING",
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_inherit_sigint_ignored if sigint_ignored else None,
    )
    try:
        lines: list[str] = []
        assert process.stdout is not None
        while len(lines) < VALIDATORS:
            line = process.stdout.readline()
            assert line, "consortium up exited early:\n" + "".join(lines)
            if " rpc " in line:
                lines.append(line)
        urls = [line.split(" rpc ")[1].split()[0] for line in lines]
        wait_until("height 2 on every node", lambda: all((height(u) or 0) >= 2 for u in urls), 30)
        process.send_signal(stop_signal)
        process.wait(timeout=20)
        assert all(height(url) is None for url in urls), "a node outlived consortium up"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_two_of_four_down_halts_without_fork_and_resumes_after_restart(
    consortium_dir: Path, nodes: list[NodeProcess]
) -> None:
    urls = [node.rpc_url for node in nodes]
    wait_until("four nodes at height 2", lambda: all((height(u) or 0) >= 2 for u in urls), 30)
    alive_dirs = [consortium_dir / f"node-{i}" for i in (0, 1)]
    marks = [consensus_mark(d) for d in alive_dirs]
    nodes[2].kill()
    nodes[3].kill()
    alive = urls[:2]
    # One block may still be in flight; after that two of four (below the quorum of 3)
    # must not finalise anything: each sits out a whole round on the next height.
    stalled = wait_stalled(alive_dirs, alive, marks)
    top = max(stalled)
    assert len({block_hash(url, top - 1) for url in alive}) == 1

    nodes[2] = start_consortium_node(consortium_dir / "node-2")
    nodes[3] = start_consortium_node(consortium_dir / "node-3")
    everyone = [node.rpc_url for node in nodes]
    took = wait_until(
        "progress after the restart",
        lambda: all((height(u) or 0) >= top + 2 for u in everyone),
        60,
    )
    print(f"resumed {took:.1f} s after the restart")
    assert len({block_hash(url, top + 1) for url in everyone}) == 1
