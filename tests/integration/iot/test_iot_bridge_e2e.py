"""End to end: Mosquitto, the bridge and a real notary (dev file chain), with crashes.

Uplinks of both formats are published at a steady rate while the bridge is killed
with SIGKILL and restarted, and the notary is stopped and restarted.  Afterwards every
published reading is in the spool exactly once, with gap-free sequence numbers, and
the notary holds exactly one anchored receipt for each reading's digest, whose leaf
carries the reading's device and sequence number.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from govchain_client.iot.spool import Spool
from tests.integration.iot.harness import (
    BridgeProcess,
    NotaryProcess,
    Publisher,
    forget_session,
    lookup,
    new_run_id,
)
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.mqtt, pytest.mark.usefixtures("mqtt_broker")]


@pytest.fixture
def notary(tmp_path: Path) -> Iterator[NotaryProcess]:
    process = NotaryProcess(tmp_path / "notary")
    process.start()
    yield process
    process.stop()


class Scenario:
    def __init__(self, tmp_path: Path, notary: NotaryProcess) -> None:
        self.run_id = new_run_id()
        self.client_id = f"govchain-iot-test-{self.run_id[:12]}"
        self.notary = notary
        self.publisher = Publisher(self.run_id)
        self.spool_path = tmp_path / "spool.db"
        self.bridge = BridgeProcess(
            self.spool_path, notary, self.client_id, self.publisher.topics()
        )

    def close(self) -> None:
        self.bridge.stop()
        self.publisher.close()
        forget_session(self.client_id)

    def wait_all_anchored(self, timeout: float) -> None:
        expected = len(self.publisher.published.valid)

        def done() -> bool:
            with Spool(self.spool_path) as spool:
                return spool.states()["anchored"] >= expected

        wait_until(f"{expected} anchored readings", done, timeout, every=0.5)

    def check(self) -> None:
        published = self.publisher.published
        with Spool(self.spool_path) as spool:
            readings = spool.all_readings()
            counters = spool.counters()
            sequences = {d: spool.sequence(d) for d in spool.devices()}
        # every reading exactly once in the spool
        keys = Counter((r.device, r.f_cnt) for r in readings)
        assert set(keys) == set(published.valid)
        assert max(keys.values()) == 1
        assert all(r.state == "anchored" for r in readings)
        # per-device sequence numbers 0..n-1, in frame-counter order
        for device, rows in sequences.items():
            assert [seq for seq, _ in rows] == list(range(len(rows))), device
        # malformed messages were counted, not stored
        assert counters[("rejected", "not_json")] >= published.malformed
        # exactly one receipt per digest at the notary, anchored, with device and seq
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda r: lookup(self.notary.url, r.digest), readings))
        for reading, answer in zip(readings, answers, strict=True):
            found = answer["receipts"]
            assert len(found) == 1, f"{reading.digest} has {len(found)} receipts"
            assert found[0]["status"] == "anchored"
            leaf = found[0]["receipt"]["leaf"]
            assert (leaf["device"], leaf["seq"], leaf["kind"]) == (
                reading.device,
                reading.seq,
                "iot",
            )
            assert found[0]["id"] == reading.receipt_id


def test_kill_bridge_and_stop_notary_mid_stream(tmp_path: Path, notary: NotaryProcess) -> None:
    scenario = Scenario(tmp_path, notary)
    try:
        scenario.bridge.start()
        scenario.publisher.start(count=400, rate=150)
        time.sleep(0.8)
        scenario.bridge.kill()  # mid-stream, messages in flight
        time.sleep(0.5)  # uplinks published meanwhile queue at the broker
        scenario.bridge.start()
        time.sleep(0.5)
        notary.stop()  # notary down: the bridge keeps spooling
        time.sleep(1.0)
        notary.start()
        scenario.publisher.join()
        scenario.wait_all_anchored(timeout=60)
        scenario.check()
        _receipt_cli_matches_the_notary(scenario)
        _a_receipt_verifies_at_the_notary(scenario)
    finally:
        scenario.close()


def _receipt_cli_matches_the_notary(scenario: Scenario) -> None:
    (device, f_cnt) = next(iter(scenario.publisher.published.valid))
    out = scenario.spool_path.parent / "reading.govchain.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "govchain_client.cli",
            "iot-bridge",
            "receipt",
            "--spool",
            str(scenario.spool_path),
            "--device",
            device,
            "--fcnt",
            str(f_cnt),
            "--out",
            str(out),
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    summary = json.loads(result.stdout)
    assert summary["status"] == "anchored"
    receipt = json.loads(out.read_text())
    assert receipt == summary["receipt"]


def _a_receipt_verifies_at_the_notary(scenario: Scenario) -> None:
    with Spool(scenario.spool_path) as spool:
        reading = spool.all_readings()[0]
    assert reading.receipt is not None
    answer = httpx.post(
        f"{scenario.notary.url}/v1/verify",
        json={"receipt": reading.receipt["receipt"], "document_digest": reading.digest},
        timeout=30,
    ).json()
    assert answer["ok"], answer


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("GOVCHAIN_LONG"), reason="GOVCHAIN_LONG=1 runs it")
def test_repeated_crashes_under_load(tmp_path: Path, notary: NotaryProcess) -> None:
    """Several SIGKILLs of the bridge and a SIGKILL of the notary during a longer stream."""
    scenario = Scenario(tmp_path, notary)
    try:
        scenario.bridge.start()
        scenario.publisher.start(count=3000, rate=300)
        for round_ in range(4):
            time.sleep(1.5)
            scenario.bridge.kill()
            time.sleep(0.5)
            scenario.bridge.start()
            if round_ == 1:
                notary.stop(signal.SIGKILL)
                time.sleep(1.5)
                notary.start()
        scenario.publisher.join(timeout=300)
        scenario.wait_all_anchored(timeout=240)
        scenario.check()
    finally:
        scenario.close()
