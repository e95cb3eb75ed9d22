"""Hostile requests against a real ``govchain up`` process (node, notary and verifier in
one process that imported py-evm, whose py_ecc raises the recursion limit to 100,000):
deep bodies, huge numbers, a client that hangs up mid-body.  The process must answer
4xx, stay alive and log a disconnect in one line.  A TestClient cannot show this: the
C stack overflow only happens in a process with py-evm's recursion limit.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.integration.notary.test_notary_up import _ports
from tests.support.process_output import interrupt

DEEP = b"[" * 200_000  # 200 KB, within the body limit: only the depth bound refuses it
DIGEST = "sha256:" + "7a" * 32


class Up:
    def __init__(self, process: subprocess.Popen[bytes], log: Path, url: str, key: str) -> None:
        self.process, self.log, self.url, self.key = process, log, url, key

    def alive(self) -> bool:
        ready = httpx.get(f"{self.url}/readyz", timeout=10)
        return self.process.poll() is None and ready.status_code == 200


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    data = tmp_path_factory.mktemp("up")
    ports = _ports(3)
    log = data / "up.log"
    with open(log, "wb") as output:
        process = _launch(data, ports, output)
        try:
            url = f"http://127.0.0.1:{ports[0]}"
            _wait_ready(process, url, log)
            yield Up(process, log, url, (data / "dev-api-key").read_text().strip())
        finally:
            interrupt(process, timeout=30)


def _launch(data: Path, ports: list[int], output: IO[bytes]) -> subprocess.Popen[bytes]:
    # the CLI of this checkout (``python -m``), with the recursion limit py-evm sets
    command = [sys.executable, "-m", "govchain_client.cli", "up", "--data-dir", str(data)]
    options = ["--port", ports[0], "--rpc-port", ports[1], "--ws-port", ports[2]]
    return subprocess.Popen(
        [*command, *map(str, options), "--block-period", "0.5"],
        stdout=output,
        stderr=subprocess.STDOUT,
    )


def _wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("govchain up did not become ready:\n" + log.read_text())


@pytest.mark.parametrize("path", ["/v1/verify", "/v1/digests", "/v1/status"])
@pytest.mark.parametrize(
    "body",
    [
        DEEP,
        b'{"receipt": ' + b"{" * 100_000,
        b'{"kind": "iot", "seq": ' + b"9" * 100_000 + b"}",
        b'{"kind": "iot", "seq": 1e400}',
        b'{"receipt": NaN}',
    ],
    ids=["brackets", "braces", "long-integer", "1e400", "NaN"],
)
def test_hostile_bodies_are_400_and_the_process_lives(up: Up, path: str, body: bytes) -> None:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {up.key}"}
    response = httpx.post(up.url + path, content=body, headers=headers, timeout=30)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert up.alive()


def test_a_client_hanging_up_mid_body_is_one_log_line(up: Up) -> None:
    host, port = up.url.removeprefix("http://").split(":")
    before = up.log.read_text(errors="replace")
    for _ in range(3):
        with socket.create_connection((host, int(port)), timeout=10) as connection:
            connection.sendall(
                b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 10000\r\n\r\n" + b'{"receipt": {'
            )
    assert up.alive()
    # the notary logs the disconnect when it notices it: wait for the third line
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        logged = up.log.read_text(errors="replace")[len(before) :]
        if logged.count("disconnected after") >= 3:
            break
        time.sleep(0.1)
    assert logged.count("disconnected after") == 3, logged
    assert "Traceback" not in logged, logged
    # and an ordinary request still works
    submitted = httpx.post(
        up.url + "/v1/digests",
        json={"kind": "certificate", "digest": DIGEST},
        headers={"Authorization": f"Bearer {up.key}"},
        timeout=30,
    )
    assert submitted.status_code == 202, submitted.text


def test_a_chunked_body_over_the_limit_is_413_on_the_wire(up: Up) -> None:
    """Sent with ``Transfer-Encoding: chunked`` (no Content-Length to refuse early):
    the limit holds while streaming, and the answer is 413, not 400."""

    def chunks() -> Iterator[bytes]:
        yield b'{"kind": "certificate", "digest": "'
        for _ in range(80):  # 5 MB, over the default 4 MiB
            yield b"0" * 65_536

    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {up.key}"}
    response = httpx.post(up.url + "/v1/digests", content=chunks(), headers=headers, timeout=30)
    assert response.status_code == 413, response.text
    assert response.json()["status"] == 413
    assert up.alive()
