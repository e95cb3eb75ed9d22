"""The notary bounds a request's head (security review: one ``GET /healthz`` with a
200 MB header line was answered 200 and grew RSS by 188 MB). A real ``govchain notary
run`` process (and ``govchain up``): an over-long header or too many headers answer
431 at once, memory stays bounded under concurrent huge headers, /healthz keeps
answering.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from govchain_notary.http_limits import MAX_HEAD_BYTES, MAX_HEADERS
from tests.integration.notary.test_notary_hostile_requests import Up, up  # noqa: F401
from tests.integration.notary.test_notary_up import _ports
from tests.support.process_output import interrupt

MIB = 1 << 20


@pytest.fixture(scope="module")
def notary(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    data = tmp_path_factory.mktemp("notary")
    port = _ports(1)[0]
    command = [sys.executable, "-m", "govchain_client.cli", "notary", "run"]
    with open(data / "notary.log", "wb") as log:
        process = subprocess.Popen(
            [*command, "--data-dir", str(data), "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_healthy(process, port, data / "notary.log")
        yield port, process
    finally:
        interrupt(process, timeout=20)


def _wait_healthy(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("notary did not start:\n" + log.read_text())


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _status_of(port: int, head: bytes) -> int:
    """Send ``head`` and return the status the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        with contextlib.suppress(OSError):  # the server may close before it is all sent
            sock.sendall(head)
        answer = sock.recv(64)
    return int(answer.split(b" ")[1])


def _healthz(port: int) -> int:
    return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code


def test_one_mib_header_line_is_refused_with_431(
    notary: tuple[int, subprocess.Popen[bytes]],
) -> None:
    port, _ = notary
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * MIB + b"\r\n\r\n"
    started = time.monotonic()
    assert _status_of(port, head) == 431
    assert time.monotonic() - started < 2
    assert _healthz(port) == 200


def test_request_line_over_the_limit_is_refused_with_431(
    notary: tuple[int, subprocess.Popen[bytes]],
) -> None:
    port, _ = notary
    head = b"GET /healthz?" + b"q" * (2 * MAX_HEAD_BYTES) + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    assert _status_of(port, head) == 431


def test_too_many_headers_are_refused_with_431(notary: tuple[int, subprocess.Popen[bytes]]) -> None:
    port, _ = notary
    fields = b"".join(b"X-%d: 1\r\n" % i for i in range(MAX_HEADERS + 1))
    assert _status_of(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + fields + b"\r\n") == 431


def test_head_within_the_limits_is_served(notary: tuple[int, subprocess.Popen[bytes]]) -> None:
    port, _ = notary
    fields = b"".join(b"X-%d: %s\r\n" % (i, b"v" * 100) for i in range(MAX_HEADERS - 1))
    assert _status_of(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + fields + b"\r\n") == 200


def _stream_header(port: int, total: int, sent: list[int]) -> None:
    """Send a header line of ``total`` bytes until the server hangs up; record bytes sent."""
    chunk = b"a" * MIB
    count = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ")
            while count < total:
                sock.sendall(chunk)
                count += len(chunk)
            sock.sendall(b"\r\n\r\n")
        except OSError:
            pass
    sent.append(count)


def test_concurrent_huge_headers_keep_memory_bounded(
    notary: tuple[int, subprocess.Popen[bytes]],
) -> None:
    port, process = notary
    before = _rss(process.pid)
    sent: list[int] = []
    threads = [
        threading.Thread(target=_stream_header, args=(port, 64 * MIB, sent)) for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(sent) == 5
    assert max(sent) < 64 * MIB  # each connection was closed early
    assert _rss(process.pid) - before < 32 * MIB
    assert _healthz(port) == 200


def test_govchain_up_refuses_a_one_mib_header_line(up: Up) -> None:  # noqa: F811
    """``govchain up`` builds its own uvicorn server: the same bound applies."""
    port = int(up.url.rsplit(":", 1)[1])
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * MIB + b"\r\n\r\n"
    assert _status_of(port, head) == 431
    assert up.alive()
