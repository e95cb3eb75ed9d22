"""Fixtures shared by the MQTT tests."""

from __future__ import annotations

import pytest

from tests.integration.iot.harness import broker_available


@pytest.fixture
def mqtt_broker() -> None:
    """Fail clearly when Mosquitto is not reachable (checked when the test runs).

    A skip would let a machine without the broker pass the MQTT tests unseen.
    """
    if not broker_available():
        pytest.fail("Mosquitto is not reachable at 127.0.0.1:1883 (.ci/run starts it)")
