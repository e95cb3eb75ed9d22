"""``govchain notary run --readers 1`` as real processes: the reader answers on the port
after the writer's, refuses writes as a read replica, and ends with the writer."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.process_output import interrupt
from tests.support.waiting import wait_until

UNKNOWN = "sha256:" + "ab" * 32


def _two_free_ports() -> int:
    """A port ``p`` with ``p + 1`` free as well (the reader takes the next port)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
        return port
    raise AssertionError("no two consecutive free ports")


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def writer_and_reader(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = _two_free_ports()
    command = [sys.executable, "-m", "govchain_client.cli", "notary", "run"]
    log_path = tmp_path / "notary.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*command, "--data-dir", str(tmp_path), "--port", str(port), "--readers", "1"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(
            "the writer and its reader to answer",
            lambda: process.poll() is None and _answers(port) and _answers(port + 1),
            90,
        )
        yield process, port
    finally:
        interrupt(process)
    assert process.returncode is not None, log_path.read_text()


def test_the_reader_serves_reads_refuses_writes_and_ends_with_the_writer(
    writer_and_reader: tuple[subprocess.Popen[bytes], int],
) -> None:
    process, port = writer_and_reader
    reader = f"http://127.0.0.1:{port + 1}"

    ready = httpx.get(f"{reader}/readyz", timeout=5).json()
    assert ready["checks"].get("reader") is True
    assert "writer" not in ready["checks"]

    unknown = httpx.get(f"{reader}/v1/digests/{UNKNOWN}", timeout=5)
    assert unknown.status_code == 404
    assert unknown.json()["type"].endswith("/not-found")

    refused = httpx.post(f"{reader}/v1/digests", json={"digest": UNKNOWN}, timeout=5)
    assert refused.status_code == 503
    assert refused.json()["type"].endswith("/read-replica")

    writer_ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json()
    assert "writer" in writer_ready["checks"]

    process.send_signal(signal.SIGINT)
    process.wait(timeout=20)
    wait_until("the reader to end with the writer", lambda: not _answers(port + 1), 20)
