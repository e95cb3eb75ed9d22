"""Crash test with real processes: ``kill -9`` the notary under load, repeatedly.

Afterwards every acknowledged digest has exactly one receipt, anchored, whose
four-step verification passes against the (file-backed, crash-surviving) dev
chain.  The default run does a few kills; ``GOVCHAIN_LONG=1`` runs the long one.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from govchain_core.receipt_codec import receipt_from_object
from govchain_core.verify import verify_receipt
from govchain_notary.anchorers.memory import MemoryAnchorer
from govchain_notary.anchorers.verify_reader import AnchorerReader
from govchain_notary.auth import new_client
from govchain_notary.receipt_ids import receipt_id
from govchain_notary.settings import DEV_ISSUER
from govchain_notary.storage.engine import make_engine, migrate
from govchain_notary.storage.sql import SqlStore
from tests.support.ports import free_port


class ManagedProcess:
    """A test subprocess that ``kill`` ends with SIGKILL and ``stop`` terminates."""

    process: subprocess.Popen[bytes] | None
    stop_timeout: float = 15

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(self.stop_timeout)


class NotaryProcess(ManagedProcess):
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "GOVCHAIN_NOTARY_DATA_DIR": str(data_dir),
            "GOVCHAIN_NOTARY_CHAIN": "file",
            "GOVCHAIN_NOTARY_BLOCK_PERIOD": "0.1",
            "GOVCHAIN_NOTARY_PUBLIC_READ_RATE": "100000",
            "GOVCHAIN_NOTARY_PUBLIC_READ_BURST": "100000",
        }

    def start(self) -> None:
        log = open(self.data_dir / "notary.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "govchain_notary.asgi:app_from_env",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=self.env,
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise AssertionError(
            "notary did not become ready:\n" + (self.data_dir / "notary.log").read_text()[-3000:]
        )


class Load:
    """Submits unique digests in small batches; remembers what was acknowledged."""

    def __init__(self, url: str, key: str) -> None:
        self.url = url
        self.key = key
        self.acknowledged: dict[str, str] = {}  # receipt id -> digest
        self.counter = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self.key}"}
        with httpx.Client(base_url=self.url, timeout=5) as client:
            while not self._stop.is_set():
                digests = []
                for _ in range(random.randint(1, 300)):
                    self.counter += 1
                    digests.append(f"sha256:{self.counter:064x}")
                body = {"kind": "certificate", "items": [{"digest": d} for d in digests]}
                try:
                    response = client.post("/v1/digests", json=body, headers=headers)
                except httpx.HTTPError:
                    time.sleep(0.02)
                    continue
                if response.status_code == 202:
                    for ref in response.json()["receipts"]:
                        self.acknowledged[ref["id"]] = ref["digest"]


@pytest.fixture
def notary(tmp_path: Path) -> Iterator[tuple[NotaryProcess, str]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'notary.db'}")
    migrate(engine)
    store = SqlStore(engine)
    _, key = new_client(store, "load", DEV_ISSUER, ["submit:*"], 100_000)
    store.close()
    process = NotaryProcess(tmp_path)
    yield process, key
    process.stop()


def _crash_cycles(notary: tuple[NotaryProcess, str], kills: int) -> None:
    process, key = notary
    process.start()
    load = Load(process.url, key)
    for _ in range(kills):
        load.start()
        time.sleep(random.uniform(0.3, 1.2))
        process.kill()
        load.stop()
        process.start()
    _check_every_acknowledged_digest(process, load)


def _check_every_acknowledged_digest(process: NotaryProcess, load: Load) -> None:
    assert len(load.acknowledged) > 100, "the load generator got too few acknowledgements"
    _wait_until_anchored(process.url, load)
    process.stop()
    stored = _check_exactly_once(process.data_dir, load)
    # every acknowledged id is checked in the database above; full receipts for a sample
    size = 3000 if os.environ.get("GOVCHAIN_LONG") else 300
    sample = random.sample(list(load.acknowledged), min(size, len(load.acknowledged)))
    process.start()
    chain = MemoryAnchorer(path=process.data_dir / "dev-chain.json", issuers=[DEV_ISSUER])
    with httpx.Client(base_url=process.url, timeout=10) as client:
        for receipt_id in sample:
            view = client.get(f"/v1/receipts/{receipt_id}").json()
            receipt = receipt_from_object(view["receipt"])
            assert str(receipt.leaf.digest) == load.acknowledged[receipt_id]
            assert receipt.proof.index == stored[receipt_id]
            report = verify_receipt(receipt, AnchorerReader(chain, None))
            assert report.ok, report.failed_step


def _wait_until_anchored(url: str, load: Load) -> None:
    """The last acknowledged batch anchored means all before it are (logs are ordered)."""
    last = next(reversed(load.acknowledged))
    deadline = time.monotonic() + 60
    with httpx.Client(base_url=url, timeout=10) as client:
        while client.get(f"/v1/receipts/{last}").json()["status"] != "anchored":
            assert time.monotonic() < deadline, "the backlog was never anchored"
            time.sleep(0.05)


def _check_exactly_once(data_dir: Path, load: Load) -> dict[str, int]:
    """Every acknowledged id stored once, below the anchored size; return their positions."""
    engine = make_engine(f"sqlite:///{data_dir / 'notary.db'}")
    with engine.connect() as connection:
        duplicates = connection.execute(
            text("SELECT digest FROM leaves GROUP BY digest HAVING COUNT(*) > 1")
        ).all()
        assert duplicates == [], "a digest was stored twice"
        positions = {
            receipt_id(int(row[0]), bytes(row[1])): int(row[0])
            for row in connection.execute(text("SELECT log_index, tag FROM leaves"))
        }
        size = connection.execute(text("SELECT size FROM logs")).scalar()
        anchored = connection.execute(
            text("SELECT MAX(size) FROM checkpoints WHERE state = 'anchored'")
        ).scalar()
    engine.dispose()
    assert len(positions) == size, "log positions and submissions disagree"
    assert sorted(positions.values()) == list(range(len(positions)))
    assert anchored == size, "some accepted digests were never anchored"
    lost = [rid for rid in load.acknowledged if rid not in positions]
    assert not lost, f"{len(lost)} acknowledged digests were lost"
    return positions


def test_kill_9_notary_under_load(notary: tuple[NotaryProcess, str]) -> None:
    _crash_cycles(notary, kills=3)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("GOVCHAIN_LONG"), reason="GOVCHAIN_LONG=1 runs it")
def test_kill_9_notary_under_load_long(notary: tuple[NotaryProcess, str]) -> None:
    _crash_cycles(notary, kills=25)
