"""Bounds of eth_call / eth_estimateGas on a real node process (issue 13 item 9): the
time limit aborts a running call, the gas cap caps, and a saturated executor refuses
instead of queueing without end."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.node_process import NodeProcess, start_node_process

#: Init code ``JUMPDEST PUSH1 0 JUMP``: loops until out of gas (30M gas: 1-2 s of CPU).
LOOP = "0x5b600056"
#: Init code returning the gas left when it starts: ``GAS PUSH1 0 MSTORE`` + return 32.
GAS_LEFT = "0x5a60005260206000f3"


def rpc(url: str, method: str, *params: Any, timeout: float = 60) -> dict[str, Any]:
    payload = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    answer: dict[str, Any] = httpx.post(url, json=payload, timeout=timeout).json()
    return answer


def start_limited_node(data_dir: Path, evm_timeout: float) -> NodeProcess:
    """A node with one call worker and no queue."""
    data_dir.mkdir()
    config = data_dir / "limits.toml"
    config.write_text("rpc_call_workers = 1\nrpc_call_queue = 0\n")
    return start_node_process(
        data_dir / "node",
        "--config",
        str(config),
        "--rpc-evm-timeout",
        str(evm_timeout),
        "--rpc-gas-cap",
        "100000000",
    )


@pytest.fixture
def limited_node(tmp_path: Path) -> Iterator[NodeProcess]:
    node = start_limited_node(tmp_path / "limited", evm_timeout=0.3)
    yield node
    node.terminate()


def test_a_call_past_its_time_limit_is_aborted(limited_node: NodeProcess) -> None:
    started = time.monotonic()
    answer = rpc(limited_node.rpc_url, "eth_call", {"data": LOOP, "gas": hex(30_000_000)})
    elapsed = time.monotonic() - started
    assert answer["error"] == {"code": -32000, "message": "execution timeout"}
    assert elapsed < 1.0  # the whole 30M gas takes 1-2 s
    estimate = rpc(limited_node.rpc_url, "eth_estimateGas", {"data": LOOP})
    assert estimate["error"]["message"] == "execution timeout"
    assert rpc(limited_node.rpc_url, "eth_chainId")["result"] == "0x539"
    # The worker is free again and its state intact: an ordinary call answers.
    answer = rpc(limited_node.rpc_url, "eth_call", {"data": GAS_LEFT, "gas": "0x100000"})
    assert int(answer["result"], 16) > 0


def test_call_gas_is_capped(tmp_path: Path) -> None:
    node = start_node_process(tmp_path / "node", "--rpc-gas-cap", "100000")
    try:
        answer = rpc(node.rpc_url, "eth_call", {"data": GAS_LEFT, "gas": hex(30_000_000)})
        left = int(answer["result"], 16)
        assert 100_000 - 60_000 < left < 100_000  # 53,000 + calldata are intrinsic
        default = rpc(node.rpc_url, "eth_call", {"data": GAS_LEFT})  # block gas limit
        assert int(default["result"], 16) < 100_000
    finally:
        node.terminate()


def test_a_saturated_executor_refuses_at_once(tmp_path: Path) -> None:
    """One worker and no queue: of two expensive calls at once (each runs 1-2 s until
    out of gas), one is refused at once."""
    node = start_limited_node(tmp_path / "saturated", evm_timeout=5.0)
    try:
        call = {"data": LOOP, "gas": hex(30_000_000)}
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: rpc(node.rpc_url, "eth_call", call), range(2)))
        codes = sorted(answer["error"]["code"] for answer in answers)
        assert codes == [-32005, -32000], answers
        messages = sorted(answer["error"]["message"] for answer in answers)
        assert messages[0].startswith("out of gas"), messages
        assert messages[1] == "too many concurrent calls (max 1); retry later"
        assert rpc(node.rpc_url, "eth_blockNumber")["result"].startswith("0x")
    finally:
        node.terminate()
