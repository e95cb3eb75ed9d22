"""Regression (issue 13 item 8): py_ecc raised the recursion limit to 100,000 and C
recursion overflowed the C stack, killing the process.  A child process imports the
node and the notary, then sends 100,000-deep JSON through every input path of the
node and parses it with the stdlib, unbounded, in the main thread and in a new
thread: all must fail cleanly, not crash.  The same process then runs a contract
that recurses to the EVM's call-depth limit (1024) through ``eth_call`` and through a
transaction, which must still work under the capped limit."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from tests.support.node_contracts import REPO

#: Calls itself with calldata n+1 until the CALL fails (call depth 1024 or out of
#: gas); returns the deepest n reached.
RECURSIVE_RUNTIME = bytes.fromhex(
    "600035"
    "80"
    "600101"
    "600052"  # n = calldata[0]; mem[0] = n + 1
    "6020"
    "6000"
    "6020"
    "6000"
    "6000"
    "30"
    "5a"
    "f1"  # CALL(gas, self, 0, 0, 32, 0, 32)
    "601d"
    "57"  # success: return what the callee returned
    "600052"  # failure: mem[0] = n
    "5b"
    "6020"
    "6000"
    "f3"  # return mem[0..32]
)
DEEP = b"[" * 100_000 + b"]" * 100_000
#: Enough gas for 1024 levels despite the 63/64 rule (about 1e13 are needed).
HUGE_GAS = 10**14


def _deploy_code(runtime: bytes) -> bytes:
    size = len(runtime)
    return bytes.fromhex(f"60{size:02x}600c60003960{size:02x}6000f3") + runtime


def _stdlib_parse_fails_cleanly() -> list[str]:
    """``json.loads`` without bounds, in the main thread and in a new one."""
    outcomes: list[str] = []

    def parse() -> None:
        try:
            json.loads(DEEP)
            outcomes.append("parsed")
        except RecursionError:
            outcomes.append("RecursionError")

    parse()
    thread = threading.Thread(target=parse)
    thread.start()
    thread.join()
    return outcomes


def _node_paths_refuse_deep_json(rpc_url: str, ws_url: str) -> list[int]:
    import httpx
    from websockets.sync.client import connect

    envelope = b'{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":' + DEEP + b"}"
    bodies = [DEEP, envelope, b"[" + envelope + b"]"]
    codes = []
    with httpx.Client(timeout=60) as http:
        for body in bodies:
            answer = http.post(rpc_url, content=body, headers={"Content-Type": "application/json"})
            codes.append(answer.json()["error"]["code"])
    with connect(ws_url, max_size=None) as ws:
        for body in bodies:
            ws.send(body.decode())
            codes.append(json.loads(ws.recv(timeout=60))["error"]["code"])
    return codes


def child() -> None:
    """The child process's work; prints one JSON line of findings."""
    # The notary's app and web3 anchorer (eth-account, hence py_ecc), then the node.
    for module in ("govchain_notary.app", "govchain_notary.anchorers.web3"):
        importlib.import_module(module)
    from govchain_node.dev import start_dev_node
    from tests.support.node_rpc import RpcClient, local_account

    findings: dict[str, object] = {"limit": sys.getrecursionlimit()}
    findings["stdlib"] = _stdlib_parse_fails_cleanly()
    with tempfile.TemporaryDirectory() as tmp:
        node = start_dev_node(
            Path(tmp) / "node",
            port=0,
            block_period=0.0,
            block_gas_limit=HUGE_GAS,
            rpc_gas_cap=HUGE_GAS,
        )
        try:
            findings["node_paths"] = _node_paths_refuse_deep_json(node.rpc_url, node.ws_url)
            rpc = RpcClient(node.rpc_url, timeout=120)
            account = local_account(node.dev_accounts[0].private_key)
            deploy = rpc.sign(account, node.chain_id, to=None, data=_deploy_code(RECURSIVE_RUNTIME))
            contract = rpc.wait_receipt(rpc.send(deploy))["contractAddress"]
            depth = rpc.call("eth_call", {"to": contract, "gas": hex(HUGE_GAS)}, "latest")
            findings["call_depth"] = int(depth, 16)
            transaction = rpc.sign(account, node.chain_id, to=contract, data=b"", gas=HUGE_GAS)
            findings["tx_status"] = rpc.wait_receipt(rpc.send(transaction), timeout=120)["status"]
            findings["alive"] = rpc.call("eth_chainId")
            rpc.close()
        finally:
            node.stop()
    print(json.dumps(findings), flush=True)


def test_deep_json_everywhere_and_evm_call_depth_1024_in_one_process() -> None:
    script = "from tests.integration.node.test_recursion_limit import child; child()"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (result.returncode, result.stderr[-3000:])
    findings = json.loads(result.stdout.strip().splitlines()[-1])
    assert findings["limit"] == 12_288
    assert findings["stdlib"] == ["RecursionError", "RecursionError"]
    assert findings["node_paths"] == [-32700] * 6
    assert findings["call_depth"] == 1024  # the EVM's own limit, not Python's
    assert findings["tx_status"] == "0x1"
    assert findings["alive"] == "0x539"
