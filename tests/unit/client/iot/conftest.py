"""Fixtures for the IoT bridge unit tests: a spool file, a fake clock, readings, a notary.

``notary`` runs each test that talks to a notary twice: against the fake
(``[fake]``) and against the real notary app in memory (``[real-app]``), so the
fake cannot drift from the API it stands for.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from govchain_client.iot.formats import parse_uplink
from govchain_client.iot.reading import CanonicalReading, canonical_reading
from govchain_client.iot.spool import Spool
from tests.unit.client.iot.app_notary import app_notary
from tests.unit.client.iot.fake_notary import FakeNotary
from tests.unit.client.iot.notary_double import NotaryDouble
from tests.unit.client.iot.samples import cs_topic, cs_uplink, encode, tts_topic, tts_uplink


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def spool_path(tmp_path: Path) -> Path:
    return tmp_path / "spool.db"


@pytest.fixture
def spool(spool_path: Path, clock: Clock) -> Iterator[Spool]:
    with Spool(spool_path, clock) as opened:
        yield opened


@pytest.fixture(params=["fake", "real-app"])
def notary(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NotaryDouble]:
    if request.param == "fake":
        yield FakeNotary()
    else:
        with app_notary(tmp_path / "notary") as real:
            yield real


def tts_reading(f_cnt: int, payload: bytes = b"\x01", **kw: object) -> CanonicalReading:
    return canonical_reading(parse_uplink(tts_topic(), encode(tts_uplink(f_cnt, payload, **kw))))  # type: ignore[arg-type]


def cs_reading(f_cnt: int, payload: bytes = b"\x02", **kw: object) -> CanonicalReading:
    return canonical_reading(parse_uplink(cs_topic(), encode(cs_uplink(f_cnt, payload, **kw))))  # type: ignore[arg-type]
