"""Block production timing and restarts of the in-process dev node."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from govchain_node.dev import start_dev_node
from govchain_node.keys import load_dev_accounts
from tests.support.node_rpc import RpcClient, local_account
from tests.support.waiting import wait_until


def block_number(rpc: RpcClient) -> int:
    return int(rpc.call("eth_blockNumber"), 16)


def block(rpc: RpcClient, number: int) -> dict[str, Any]:
    found: dict[str, Any] = rpc.call("eth_getBlockByNumber", hex(number), False)
    return found


def test_no_blocks_while_idle_only_empty_ones_an_empty_block_period_apart(
    tmp_path: Path,
) -> None:
    with start_dev_node(tmp_path / "node", block_period=0.2, empty_block_period=2.5) as node:
        rpc = RpcClient(node.rpc_url)
        wait_until("two empty blocks", lambda: block_number(rpc) >= 2, timeout=30, every=0.05)
        first, second = block(rpc, 1), block(rpc, 2)
        assert first["transactions"] == second["transactions"] == []
        # The node's own clock: 2.5 s apart is at least 2 whole seconds of timestamp, where
        # a block every 0.2 s block period would have been stamped one second later.
        assert int(second["timestamp"], 16) - int(first["timestamp"], 16) >= 2
        rpc.close()


def test_a_transaction_is_sealed_without_waiting_for_the_empty_block_period(
    tmp_path: Path,
) -> None:
    with start_dev_node(tmp_path / "node", block_period=0.2, empty_block_period=600) as node:
        rpc = RpcClient(node.rpc_url)
        start = block_number(rpc)
        account = local_account(node.dev_accounts[0].private_key)
        raw = rpc.sign(account, node.chain_id, to=account.address, gas=21_000, fee=0)
        receipt = rpc.wait_receipt(rpc.send(raw), timeout=10)
        assert int(receipt["blockNumber"], 16) == start + 1
        rpc.close()


def test_empty_blocks_at_the_empty_block_period(tmp_path: Path) -> None:
    period = 0.3
    with start_dev_node(tmp_path / "node", block_period=0.1, empty_block_period=period) as node:
        rpc = RpcClient(node.rpc_url)
        start = block_number(rpc)
        took = wait_until(
            "three empty blocks", lambda: block_number(rpc) >= start + 3, timeout=30, every=0.02
        )
        # The first may come at once; each of the next two waits a full empty-block period,
        # never the shorter block period (0.1 s would give three blocks in about 0.3 s).
        assert took >= 2 * period * 0.9
        latest = rpc.call("eth_getBlockByNumber", "latest", False)
        assert latest["transactions"] == []
        rpc.close()


def test_second_start_reuses_the_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "node"
    with start_dev_node(data_dir, block_period=0.0) as node:
        rpc = RpcClient(node.rpc_url)
        account = local_account(node.dev_accounts[0].private_key)
        raw = rpc.sign(account, node.chain_id, to=account.address, gas=21_000, fee=0)
        tx_hash = rpc.send(raw)
        rpc.wait_receipt(tx_hash)
        genesis = rpc.call("eth_getBlockByNumber", "0x0", False)["hash"]
        validator = node.validator.address
        rpc.close()
    with start_dev_node(data_dir, block_period=0.0) as again:
        rpc = RpcClient(again.rpc_url)
        assert rpc.call("eth_getBlockByNumber", "0x0", False)["hash"] == genesis
        assert rpc.call("eth_getTransactionReceipt", tx_hash) is not None
        assert again.validator.address == validator
        assert load_dev_accounts(data_dir) == again.dev_accounts
        rpc.close()


def test_custom_permission_predicate(tmp_path: Path) -> None:
    class Nobody:
        def allows(self, sender: bytes) -> bool:
            return False

    with start_dev_node(tmp_path / "node", block_period=0.0, permission=Nobody()) as node:
        rpc = RpcClient(node.rpc_url)
        account = local_account(node.dev_accounts[0].private_key)
        raw = rpc.sign(account, node.chain_id, to=account.address, gas=21_000, fee=0)
        response = rpc.raw("eth_sendRawTransaction", "0x" + raw.hex())
        assert response["error"]["code"] == -32000
        assert "not authorized" in response["error"]["message"]
        rpc.close()


def test_log_queries_are_bounded(tmp_path: Path) -> None:
    with start_dev_node(
        tmp_path / "node", block_period=0.05, empty_block_period=0.05, logs_max_block_range=5
    ) as node:
        rpc = RpcClient(node.rpc_url)
        wait_until("block 8", lambda: block_number(rpc) >= 8, timeout=30, every=0.05)
        response = rpc.raw("eth_getLogs", {"fromBlock": "0x0", "toBlock": "0x7"})
        assert response["error"]["code"] == -32005
        assert "max block range 5" in response["error"]["message"]
        assert rpc.call("eth_getLogs", {"fromBlock": "0x3", "toBlock": "0x7"}) == []
        rpc.close()
