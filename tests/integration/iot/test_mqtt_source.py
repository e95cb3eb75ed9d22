"""The paho adapter against Mosquitto: unacknowledged messages come back, acked ones do not."""

from __future__ import annotations

import contextlib
import queue
import time

import pytest

from govchain_client.iot.delivery import Delivery
from govchain_client.iot.mqtt import MqttSource, parse_address
from tests.integration.iot.harness import (
    Publisher,
    forget_session,
    new_run_id,
)
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.mqtt, pytest.mark.usefixtures("mqtt_broker")]


def _source(client_id: str, topics: list[str]) -> tuple[MqttSource, queue.Queue[Delivery]]:
    inbox: queue.Queue[Delivery] = queue.Queue()
    source = MqttSource("127.0.0.1:1883", topics, inbox.put, client_id=client_id)
    source.start()
    wait_until("the broker to acknowledge the subscriptions", lambda: source.subscribed, 10)
    return source, inbox


def _drain(inbox: queue.Queue[Delivery], count: int, timeout: float = 10) -> list[Delivery]:
    got: list[Delivery] = []
    end = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < end:
        with contextlib.suppress(queue.Empty):
            got.append(inbox.get(timeout=0.1))
    return got


def test_only_acknowledged_messages_are_gone_after_a_restart() -> None:
    run_id = new_run_id()
    client_id = f"govchain-iot-src-{run_id[:12]}"
    publisher = Publisher(run_id)
    try:
        source, inbox = _source(client_id, publisher.topics())
        for n in range(6):
            publisher.publish_one(n * 4)  # one device, both of its formats' topics
        first = _drain(inbox, len(publisher.published.valid))
        assert len(first) >= 6
        for delivery in first[:3]:
            delivery.ack()
        time.sleep(0.3)
        source.stop()  # a crash would do the same: the rest was never acknowledged

        source, inbox = _source(client_id, publisher.topics())
        again = _drain(inbox, len(first) - 3)
        assert sorted(d.body for d in again) == sorted(d.body for d in first[3:])
        for delivery in again:
            delivery.ack()
        assert _drain(inbox, 1, timeout=1.0) == []
        source.stop()
    finally:
        publisher.close()
        forget_session(client_id)


def test_parse_address() -> None:
    assert parse_address("127.0.0.1:1883") == ("127.0.0.1", 1883)
    assert parse_address("broker.local") == ("broker.local", 1883)
    assert parse_address("[::1]:8883") == ("::1", 8883)
