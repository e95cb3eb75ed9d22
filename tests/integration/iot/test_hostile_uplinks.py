"""Regression for issue 13 item 8 (IoT): a 100,000-deep ``[`` uplink must not kill the bridge.

The bridge runs as ``govchain iot-bridge run`` in its own process with the recursion
limit py-evm's ``py_ecc`` sets (100,000), where Python's C JSON parser overflows the C
stack instead of raising.  Deeply nested bodies published to the real Mosquitto are
rejected (counted as ``too_deep`` and logged), and the bridge keeps storing valid
uplinks after them.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from govchain_client.iot.spool import Spool
from tests.integration.iot.harness import BROKER, forget_session, new_run_id
from tests.support.bad_servers import closed_port
from tests.support.waiting import wait_until
from tests.unit.client.iot.samples import encode, tts_uplink

pytestmark = [pytest.mark.mqtt, pytest.mark.usefixtures("mqtt_broker")]

# py_ecc's recursion limit on Linux's default 8 MiB main-thread stack: the test process
# may have raised its own stack limit (the node and notary packages do when imported),
# and children inherit it, so the child sets the default back first.
HIGH_RECURSION = (
    "import resource, sys; "
    "_, hard = resource.getrlimit(resource.RLIMIT_STACK); "
    "resource.setrlimit(resource.RLIMIT_STACK, (8 << 20, hard)); "
    "sys.setrecursionlimit(100_000); "
)
DEEP_BODIES = {
    "brackets": b"[" * 100_000,
    "objects": b'{"a":' * 50_000,
}


def test_the_c_parser_really_dies_at_this_recursion_limit() -> None:
    """The control: without the bounded parser this process would segfault, not raise."""
    result = subprocess.run(
        [sys.executable, "-c", HIGH_RECURSION + "import json; json.loads('[' * 100_000)"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == -signal.SIGSEGV


class Bridge:
    def __init__(self, tmp_path: Path, run_id: str) -> None:
        self.prefix = f"it-{run_id}"
        self.client_id = f"govchain-iot-deep-{run_id[:12]}"
        self.spool = tmp_path / "spool.db"
        self.log = tmp_path / "bridge.log"
        command = [
            sys.executable, "-c", HIGH_RECURSION + "from govchain_client.cli import main; main()",
            "iot-bridge", "run", "--mqtt", f"{BROKER[0]}:{BROKER[1]}",
            "--notary", closed_port(),  # readings stay spooled; only ingestion matters here
            "--spool", str(self.spool), "--client-id", self.client_id,
            "--tts-topic", self.prefix + "/v3/{application}/devices/{device}/{event}",
            "--topic", self.prefix + "/#",
        ]  # fmt: skip
        with open(self.log, "wb") as output:
            self.proc = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        wait_until(
            "the bridge to subscribe", lambda: "acknowledged the subscriptions" in self.text(), 30
        )

    def text(self) -> str:
        if self.proc.poll() is not None:
            raise AssertionError(f"bridge exited with {self.proc.returncode}:\n{self._log()}")
        return self._log()

    def _log(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def counters(self) -> dict[tuple[str, str], int]:
        if not self.spool.exists():
            return {}
        with Spool(self.spool) as spool:
            return spool.counters()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        forget_session(self.client_id)


@pytest.fixture
def bridge(tmp_path: Path) -> Iterator[Bridge]:
    running = Bridge(tmp_path, new_run_id())
    try:
        yield running
    finally:
        running.stop()


def publish(messages: list[tuple[str, bytes]]) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{new_run_id()}")
    client.connect(*BROKER)
    client.loop_start()
    try:
        for topic, body in messages:
            client.publish(topic, body, qos=1).wait_for_publish(timeout=10)
    finally:
        client.loop_stop()
        client.disconnect()


def test_deep_uplinks_are_rejected_and_the_bridge_stays_alive(bridge: Bridge) -> None:
    template_topic = f"{bridge.prefix}/v3/app@ttn/devices/dev-1/up"
    unknown_topic = f"{bridge.prefix}/somewhere/else"  # no template: the payload decides
    valid = tts_uplink(device_id="dev-1")
    valid["end_device_ids"]["application_ids"]["application_id"] = "app"
    publish(
        [(template_topic, body) for body in DEEP_BODIES.values()]
        + [(unknown_topic, DEEP_BODIES["brackets"]), (template_topic, encode(valid))]
    )

    def settled() -> bool:
        bridge.text()  # fails at once if the bridge died
        counters = bridge.counters()
        return (
            counters.get(("messages", "stored"), 0) + counters.get(("messages", "rejected"), 0) >= 4
        )

    wait_until("the bridge to ingest all four messages", settled, 30)
    counters = bridge.counters()
    assert counters[("rejected", "too_deep")] == 3
    assert counters[("messages", "stored")] == 1
    log = bridge.text()  # raises if the process died
    assert log.count(": too_deep: JSON nests deeper than 32") == 3
    assert "Traceback" not in log
