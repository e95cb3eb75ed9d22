"""Run the govchain node as a subprocess (``python -m govchain_node run``) for tests."""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from tests.support.process_output import wait_for_announcement

_LISTENING = re.compile(r"^rpc listening on (http://\S+)$")


@dataclasses.dataclass
class NodeProcess:
    process: subprocess.Popen[str]
    rpc_url: str
    output: list[str]

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as after a crash or power loss."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def start_node_process(
    data_dir: Path, *extra: str, timeout: float = 60.0, dev: bool = True
) -> NodeProcess:
    """Start a node on a free port and wait until it announces its RPC URL."""
    args = [
        sys.executable,
        "-m",
        "govchain_node",
        "run",
        "--data-dir",
        str(data_dir),
        "--rpc-port",
        "0",
        "--ws-port",
        "0",
        "--log-level",
        "WARNING",
    ]
    if dev:
        args.append("--dev")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [*args, *extra], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )

    def extract(line: str) -> str | None:
        match = _LISTENING.match(line)
        return match.group(1) if match else None

    rpc_url, output = wait_for_announcement(process, extract, timeout, "node")
    if rpc_url is None:
        process.wait(timeout=10)
        raise RuntimeError("node exited before listening:\n" + "\n".join(output))
    return NodeProcess(process, rpc_url, output)
