"""Processes for the IoT end-to-end tests: a real notary (uvicorn, SQLite, dev file chain),
the bridge (``govchain iot-bridge run``) and a paho publisher of real-shaped uplinks.

Each is a real OS process so that it can be killed with SIGKILL and restarted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from tests.support.ports import free_port
from tests.support.waiting import wait_until
from tests.unit.client.iot.samples import cs_topic, cs_uplink, encode, tts_topic, tts_uplink

BROKER = ("127.0.0.1", 1883)


def broker_available() -> bool:
    try:
        with socket.create_connection(BROKER, timeout=1):
            return True
    except OSError:
        return False


class NotaryProcess:
    """``uvicorn --factory govchain_notary.asgi:app_from_env`` on a fixed port and data dir."""

    def __init__(self, data_dir: Path, block_period: float = 0.2) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "GOVCHAIN_NOTARY_DATA_DIR": str(data_dir),
            "GOVCHAIN_NOTARY_BLOCK_PERIOD": str(block_period),
            "GOVCHAIN_NOTARY_PUBLIC_READ_RATE": "100000",
            "GOVCHAIN_NOTARY_PUBLIC_READ_BURST": "100000",
            "GOVCHAIN_NOTARY_DEFAULT_CLIENT_RATE": "100000",
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.api_key = self._create_client()

    def _create_client(self) -> str:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "govchain_client.cli",
                "notary",
                "clients",
                "add",
                "iot-bridge",
                "--scope",
                "submit:iot",
                "--rate",
                "100000",
                "--data-dir",
                str(self.data_dir),
            ],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        return out.stdout.decode().strip().splitlines()[-1]

    def start(self) -> None:
        log = open(self.data_dir / "notary.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "govchain_notary.asgi:app_from_env",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_until("the notary to be ready", self._ready, 60)

    def _ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"notary exited: {(self.data_dir / 'notary.log').read_text()}")
        try:
            return httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        self.proc = None


class BridgeProcess:
    """``govchain iot-bridge run`` as a subprocess (SIGKILL-able)."""

    def __init__(
        self,
        spool: Path,
        notary: NotaryProcess,
        client_id: str,
        topics: list[str],
        batch_size: int = 50,
        batch_window: float = 0.3,
    ) -> None:
        self.spool = spool
        self.log = spool.with_suffix(".log")
        self.args = [
            sys.executable,
            "-m",
            "govchain_client.cli",
            "iot-bridge",
            "run",
            "--mqtt",
            f"{BROKER[0]}:{BROKER[1]}",
            "--notary",
            notary.url,
            "--api-key",
            notary.api_key,
            "--spool",
            str(spool),
            "--client-id",
            client_id,
            "--batch-size",
            str(batch_size),
            "--batch-window",
            str(batch_window),
            "--receipt-poll",
            "0.2",
        ]
        for topic in topics:
            self.args += ["--topic", topic]
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        marker = "acknowledged the subscriptions"  # logged on the SUBACK
        seen = self._log_text().count(marker)
        log = open(self.log, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT)
        wait_until("the bridge to subscribe", lambda: self._log_text().count(marker) > seen, 30)

    def _log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()  # SIGKILL: no clean-up at all
        self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.proc = None


@dataclass
class Published:
    valid: dict[tuple[str, int], bytes] = field(default_factory=dict)
    """(device key, frame counter) -> message body, for every valid reading published."""
    malformed: int = 0
    duplicates: int = 0


class Publisher:
    """Publishes interleaved TTS and ChirpStack uplinks (QoS 1) from a background thread."""

    def __init__(self, run_id: str, devices: int = 4) -> None:
        self.run_id = run_id
        self.apps = {"tts": f"it-{run_id}@ttn", "cs": f"it-{run_id}"}
        self.devices = [(n % 2 == 0, f"{run_id[:8]}{n:08x}") for n in range(devices)]
        self.published = Published()
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{run_id}")
        self._client.max_inflight_messages_set(200)
        self._client.max_queued_messages_set(0)
        self._client.connect(*BROKER)
        self._client.loop_start()
        self.pipelined = False
        self._unconfirmed: list[mqtt.MQTTMessageInfo] = []
        self._f_cnt = {eui: 0 for _, eui in self.devices}
        self._thread: threading.Thread | None = None

    def topics(self) -> list[str]:
        return [
            f"v3/{self.apps['tts']}/devices/+/up",
            f"application/{self.apps['cs']}/device/+/event/up",
        ]

    def publish_one(self, n: int) -> None:
        is_tts, eui = self.devices[n % len(self.devices)]
        f_cnt = self._f_cnt[eui]
        self._f_cnt[eui] += 1
        payload = n.to_bytes(4, "big") + b"\x01\x2b"
        stamp = f"2026-11-22T13:{(n // 60) % 60:02d}:{n % 60:02d}.{n:06d}Z"
        if is_tts:
            topic = tts_topic(self.apps["tts"], f"dev-{eui}")
            message = tts_uplink(
                f_cnt,
                payload,
                device_id=f"dev-{eui}",
                dev_eui=eui.upper(),
                decoded={"n": n, "t": 20.5},
                received_at=stamp,
            )
            app_ids = message["end_device_ids"]["application_ids"]
            app_ids["application_id"] = self.apps["tts"].split("@")[0]
            body = encode(message)
        else:
            topic = cs_topic(self.apps["cs"], eui)
            message = cs_uplink(f_cnt, payload, dev_eui=eui, decoded={"n": n}, time=stamp)
            message["deviceInfo"]["applicationId"] = self.apps["cs"]
            body = encode(message)
        self._send(topic, body)
        self.published.valid[(eui, f_cnt)] = body
        if n % 37 == 5:  # the network server publishes the same uplink twice
            self._send(topic, body)
            self.published.duplicates += 1
        if n % 53 == 7:
            self._send(topic, b'{"broken": ')
            self.published.malformed += 1

    def _send(self, topic: str, body: bytes) -> None:
        info = self._client.publish(topic, body, qos=1)
        if self.pipelined:
            self._unconfirmed.append(info)
        else:
            info.wait_for_publish(timeout=10)

    def start(self, count: int, rate: float, pipelined: bool = False) -> None:
        """Publish ``count`` uplinks at about ``rate``/s from a thread.

        ``pipelined`` does not wait for each PUBACK (only at the end), for high rates."""
        self.pipelined = pipelined

        def run() -> None:
            begin = time.monotonic()
            for n in range(count):
                self.publish_one(n)
                ahead = begin + (n + 1) / rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            for info in self._unconfirmed:
                info.wait_for_publish(timeout=60)

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def join(self, timeout: float = 120) -> None:
        assert self._thread is not None
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "publisher did not finish"

    def close(self) -> None:
        self._client.loop_stop()
        self._client.disconnect()


def forget_session(client_id: str) -> None:
    """Drop the broker's persistent session of a test bridge (clean start, then leave)."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
    client.connect(*BROKER)
    client.disconnect()


def new_run_id() -> str:
    return uuid.uuid4().hex


def lookup(url: str, digest: str) -> dict[str, Any]:
    response = httpx.get(f"{url}/v1/digests/{digest}", timeout=10)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body
