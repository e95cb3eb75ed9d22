"""Regression for issue 13 item 18: uplinks under other topic prefixes were all rejected.

The format comes from a topic template, the ``--format`` option or, in ``auto``, the
payload's shape; only a payload of neither network is ``unknown_format``.
"""

from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from govchain_client.cli import app
from govchain_client.iot.bridge import DEFAULT_TOPICS
from govchain_client.iot.errors import NotAnUplinkError, UnknownFormatError, UplinkError
from govchain_client.iot.formats import TopicTemplate, UplinkRouter, parse_uplink
from tests.unit.client.iot.samples import (
    CS_APP,
    CS_DEV_EUI,
    TTS_APP,
    cs_topic,
    cs_uplink,
    encode,
    tts_topic,
    tts_uplink,
)

BRIDGED_TTS = "ttn/v3/stadtwerke-luftguete@ttn/devices/aq-sensor-rathaus-01/up"
CUSTOM_CS = "eu868/uplinks/0004a30b001c0530"
TTS_TEMPLATE = TopicTemplate.parse("tts", "ttn/v3/{application}/devices/{device}/{event}")


def test_default_subscriptions_are_unchanged() -> None:
    assert DEFAULT_TOPICS == ("v3/+/devices/+/up", "application/+/device/+/event/up")


def test_auto_detects_the_things_stack_under_a_bridged_prefix(
    caplog: pytest.LogCaptureFixture,
) -> None:
    router = UplinkRouter()
    with caplog.at_level(logging.INFO, "govchain_client.iot.formats"):
        reading = router.parse(BRIDGED_TTS, encode(tts_uplink()))
        router.parse(BRIDGED_TTS, encode(tts_uplink(f_cnt=2)))
    assert reading.network == "tts"
    assert reading.application == "stadtwerke-luftguete"  # the body carries no @tenant
    assert reading.device == "70b3d57ed005b89a"
    assert reading.f_cnt == 1834
    assert [r.message for r in caplog.records] == [
        f"topic {BRIDGED_TTS} matches no topic template; format tts (detected from the payload)"
    ]


def test_auto_detects_chirpstack_under_a_custom_topic() -> None:
    reading = parse_uplink(CUSTOM_CS, encode(cs_uplink()))
    assert (reading.network, reading.application, reading.device) == (
        "chirpstack",
        CS_APP,
        CS_DEV_EUI,
    )


def test_same_uplink_same_device_whatever_the_topic() -> None:
    body = encode(tts_uplink())
    assert parse_uplink(BRIDGED_TTS, body).device == parse_uplink(tts_topic(), body).device
    body = encode(cs_uplink())
    assert parse_uplink(CUSTOM_CS, body).record() == parse_uplink(cs_topic(), body).record()


@pytest.mark.parametrize(
    "body",
    [
        encode({"end_device_ids": {"device_id": "d"}, "join_accept": {}}),
        encode({"deviceInfo": {"devEui": CS_DEV_EUI}, "margin": 7, "batteryLevel": 90.0}),
    ],
    ids=["tts_join", "chirpstack_status"],
)
def test_other_events_on_unknown_topics_are_not_uplinks(body: bytes) -> None:
    with pytest.raises(NotAnUplinkError):
        parse_uplink("somewhere/else", body)


def test_a_template_keeps_the_tenant_and_checks_the_body_against_the_topic() -> None:
    router = UplinkRouter("auto", [TTS_TEMPLATE])
    assert router.subscriptions() == ("ttn/v3/+/devices/+/up",)
    assert router.parse(BRIDGED_TTS, encode(tts_uplink())).application == TTS_APP
    other = BRIDGED_TTS.replace("aq-sensor-rathaus-01", "someone-else")
    with pytest.raises(UplinkError) as info:
        router.parse(other, encode(tts_uplink()))
    assert info.value.reason == "topic_mismatch"
    with pytest.raises(NotAnUplinkError):
        router.parse(BRIDGED_TTS.removesuffix("up") + "down/queued", b"{}")


def test_a_fixed_format_parses_only_that_format() -> None:
    router = UplinkRouter("tts")
    assert router.subscriptions() == ("v3/+/devices/+/up",)
    assert router.parse(BRIDGED_TTS, encode(tts_uplink())).network == "tts"
    with pytest.raises(UplinkError) as info:
        router.parse(cs_topic(), encode(cs_uplink()))  # the ChirpStack template is off
    assert info.value.reason == "missing_field"


def test_unknown_payload_on_an_unknown_topic() -> None:
    with pytest.raises(UnknownFormatError) as info:
        parse_uplink("ttn/v3/x/devices/y/up", encode({"hello": "world"}))
    assert info.value.reason == "unknown_format"


@pytest.mark.parametrize(
    ("network", "pattern", "message"),
    [
        ("lorawan", "x/{device}", "unknown format"),
        ("tts", "v3/+/devices/{device}/up", "wildcards"),
        ("tts", "v3/app-{application}/up", "whole level"),
        ("chirpstack", "application/{application}/device/{device}", "knows"),
    ],
)
def test_bad_templates_are_refused(network: str, pattern: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TopicTemplate.parse(network, pattern)


def test_cli_refuses_a_bad_format_before_starting() -> None:
    result = CliRunner().invoke(app, ["iot-bridge", "run", "--format", "lorawan"])
    assert result.exit_code == 2
    assert "unknown format 'lorawan'" in result.output
