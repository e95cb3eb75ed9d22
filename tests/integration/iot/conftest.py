"""Fixtures shared by the MQTT tests."""

from __future__ import annotations

import pytest

from tests.integration.iot.harness import broker_available


@pytest.fixture
def mqtt_broker() -> None:
    """Skip the test unless Mosquitto is reachable (checked when the test runs)."""
    if not broker_available():
        pytest.skip("Mosquitto is not reachable at 127.0.0.1:1883")
