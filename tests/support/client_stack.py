"""A real ``govchain up`` stack (dev node + notary processes) for the client's integration tests.

``stack`` is module-scoped: one ``govchain up`` process per test module, on free ports in a
temporary data dir; import it into the module (and name it in ``__all__``). ``govchain``
runs the CLI as a user would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from loadtests.run import stop, up_command, wait_ready
from tests.support.ports import free_port

STARTUP_SECONDS = 120


@dataclass(frozen=True)
class Stack:
    data_dir: Path
    notary: str
    rpc: str
    api_key: str

    @property
    def deployment(self) -> Path:
        return self.data_dir / "deployment.json"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("stack")
    port, rpc_port, ws_port = free_port(), free_port(), free_port()
    log = root / "up.log"
    command = up_command(root / "data", port, rpc_port, ws_port)
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=root)
    try:
        notary = f"http://127.0.0.1:{port}"
        try:
            wait_ready(notary, process, STARTUP_SECONDS)
        except (RuntimeError, TimeoutError) as exc:
            raise AssertionError(f"{exc}:\n{log.read_text()}") from exc
        api_key = (root / "data" / "dev-api-key").read_text().strip()
        yield Stack(root / "data", notary, f"http://127.0.0.1:{rpc_port}", api_key)
    finally:
        stop(process)  # SIGINT, as Ctrl-C; SIGKILL only if it hangs
    assert process.returncode == 0, f"Ctrl-C did not shut down cleanly:\n{log.read_text()}"


def govchain(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from govchain_client.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=180,
        check=False,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})},
    )
