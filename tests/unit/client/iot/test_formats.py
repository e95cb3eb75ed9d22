"""Parsing The Things Stack v3 and ChirpStack v4 uplinks, and refusing everything else."""

from __future__ import annotations

import base64
import contextlib
import json
from typing import Any

import pytest

from govchain_client.iot.errors import NotAnUplinkError, UnknownFormatError, UplinkError
from govchain_client.iot.formats import parse_uplink
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


def test_tts_uplink_fields() -> None:
    reading = parse_uplink(tts_topic(), encode(tts_uplink()))
    assert reading.network == "tts"
    assert reading.application == TTS_APP
    assert reading.device == "70b3d57ed005b89a"
    assert reading.dev_eui == "70b3d57ed005b89a"
    assert reading.device_name == "aq-sensor-rathaus-01"
    assert reading.f_cnt == 1834
    assert reading.f_port == 2
    assert reading.payload == b"\x01\x2b\x01\x28\x00\x00"
    assert reading.decoded == {"temperature_c": 29.9, "humidity_pct": 29.6, "battery_v": 3.62}
    assert reading.received_at == "2026-11-22T13:42:11.412345678Z"
    assert not reading.simulated


def test_tts_omitted_zero_frame_counter_means_zero() -> None:
    message = tts_uplink(f_cnt=0)
    assert "f_cnt" not in message["uplink_message"]
    assert parse_uplink(tts_topic(), encode(message)).f_cnt == 0


def test_tts_without_dev_eui_keys_the_device_by_application_and_id() -> None:
    reading = parse_uplink(tts_topic(), encode(tts_uplink(dev_eui=None)))
    assert reading.device == f"tts:{TTS_APP}:aq-sensor-rathaus-01"
    assert reading.dev_eui is None


def test_tts_topic_without_tenant() -> None:
    topic = "v3/stadtwerke-luftguete/devices/aq-sensor-rathaus-01/up"
    assert parse_uplink(topic, encode(tts_uplink())).application == "stadtwerke-luftguete"


def test_tts_simulated_uplink_is_marked() -> None:
    message = tts_uplink()
    message["simulated"] = True
    reading = parse_uplink(tts_topic(), encode(message))
    assert reading.simulated
    assert reading.record()["simulated"] is True


def test_chirpstack_uplink_fields() -> None:
    reading = parse_uplink(cs_topic(), encode(cs_uplink()))
    assert reading.network == "chirpstack"
    assert reading.application == CS_APP
    assert reading.device == CS_DEV_EUI
    assert reading.device_name == "Pegel Rheinbrücke"
    assert reading.f_cnt == 41
    assert reading.f_port == 85
    assert reading.payload == b"\x03\x67\x01\x10\x05\x68\x64"
    assert reading.decoded == {"temperatureSensor": {"3": 27.2}, "humiditySensor": {"5": 50}}
    assert reading.received_at == "2026-11-22T13:42:12.108741Z"


def test_chirpstack_upper_case_eui_in_topic_matches() -> None:
    reading = parse_uplink(cs_topic(dev_eui=CS_DEV_EUI.upper()), encode(cs_uplink()))
    assert reading.device == CS_DEV_EUI


def test_chirpstack_omitted_fields_default_to_zero_and_empty() -> None:
    message = cs_uplink(f_cnt=0)
    del message["data"], message["object"], message["fPort"]
    reading = parse_uplink(cs_topic(), encode(message))
    assert (reading.f_cnt, reading.f_port, reading.payload, reading.decoded) == (0, 0, b"", None)


def _tts(change: Any) -> tuple[str, bytes]:
    message = tts_uplink()
    change(message)
    return tts_topic(), encode(message)


def _cs(change: Any) -> tuple[str, bytes]:
    message = cs_uplink()
    change(message)
    return cs_topic(), encode(message)


MALFORMED = {
    "not_json": (tts_topic(), b"{not json"),
    "json_array": (tts_topic(), b"[1, 2]"),
    "nan": (cs_topic(), b'{"deviceInfo": {"devEui": "0004a30b001c0530"}, "fCnt": NaN}'),
    "duplicate_key": (cs_topic(), b'{"fCnt": 1, "fCnt": 2}'),
    "not_utf8": (tts_topic(), b'{"a": "\xff"}'),
    "too_large": (tts_topic(), b" " * (256 * 1024 + 1)),
    "tts_no_ids": _tts(lambda m: m.pop("end_device_ids")),
    "tts_bad_base64": _tts(lambda m: m["uplink_message"].update(frm_payload="AQ=*")),
    "tts_negative_fcnt": _tts(lambda m: m["uplink_message"].update(f_cnt=-1)),
    "tts_fcnt_too_big": _tts(lambda m: m["uplink_message"].update(f_cnt=2**32)),
    "tts_fcnt_string": _tts(lambda m: m["uplink_message"].update(f_cnt="12")),
    "tts_fcnt_bool": _tts(lambda m: m["uplink_message"].update(f_cnt=True)),
    "tts_bad_time": _tts(lambda m: m["uplink_message"].update(received_at="yesterday")),
    "tts_bad_eui": _tts(lambda m: m["end_device_ids"].update(dev_eui="70B3D57ED005B8")),
    "tts_other_device": _tts(lambda m: m["end_device_ids"].update(device_id="someone-else")),
    "tts_decoded_list": _tts(lambda m: m["uplink_message"].update(decoded_payload=[1])),
    "cs_no_device_info": _cs(lambda m: m.pop("deviceInfo")),
    "cs_other_eui": _cs(lambda m: m["deviceInfo"].update(devEui="0004a30b001c0531")),
    "cs_other_application": _cs(lambda m: m["deviceInfo"].update(applicationId="x")),
    "cs_no_time": _cs(lambda m: m.pop("time")),
    "cs_port_too_big": _cs(lambda m: m.update(fPort=256)),
    "cs_data_number": _cs(lambda m: m.update(data=5)),
    "tts_empty_application": ("v3//devices/aq-sensor-rathaus-01/up", encode(tts_uplink())),
    "too_deep": (tts_topic(), b"[" * 100_000),
    "cs_bad_topic_eui": (cs_topic(dev_eui="zz"), encode(cs_uplink())),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_messages_raise_uplink_error_with_a_reason(case: str) -> None:
    topic, body = MALFORMED[case]
    with pytest.raises(UplinkError) as info:
        parse_uplink(topic, body)
    assert info.value.reason
    assert " " not in info.value.reason  # usable as a metric label


@pytest.mark.parametrize(
    "topic",
    [
        tts_topic(event="join"),
        "v3/app@ttn/devices/dev/down/queued",
        cs_topic(event="join"),
        cs_topic(event="status"),
    ],
)
def test_other_events_are_not_uplinks(topic: str) -> None:
    with pytest.raises(UplinkError) as info:
        parse_uplink(topic, b"{}")
    assert info.value.reason in ("not_uplink", "bad_topic")


def test_tts_message_without_uplink_is_not_an_uplink() -> None:
    message = tts_uplink()
    message["join_accept"] = message.pop("uplink_message")
    with pytest.raises(NotAnUplinkError):
        parse_uplink(tts_topic(), encode(message))


def test_unknown_topic_and_payload() -> None:
    with pytest.raises(UnknownFormatError) as info:
        parse_uplink("gateway/0016c001f153a14c/event/up", b'{"rxInfo": {}}')
    assert info.value.reason == "unknown_format"
    assert "gateway/0016c001f153a14c/event/up" in info.value.detail
    assert "rxInfo" in info.value.detail


def test_every_json_mutation_either_parses_or_raises_uplink_error() -> None:
    """Fields replaced by values of every JSON type: never an exception other than UplinkError."""
    values: list[Any] = [None, True, 0, -1, 1.5, "", "x", [], {}, 2**70]
    for network, message, topic in (
        ("tts", tts_uplink(), tts_topic()),
        ("cs", cs_uplink(), cs_topic()),
    ):
        paths = list(_paths(message))
        for path in paths:
            for value in values:
                mutated = json.loads(json.dumps(message))
                _set(mutated, path, value)
                with contextlib.suppress(UplinkError):
                    parse_uplink(topic, encode(mutated))
        assert paths, network


def _paths(obj: dict[str, Any], prefix: tuple[str, ...] = ()) -> Any:
    for key, value in obj.items():
        yield (*prefix, key)
        if isinstance(value, dict):
            yield from _paths(value, (*prefix, key))


def _set(obj: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value


def test_payload_is_standard_base64() -> None:
    payload = bytes(range(256))
    reading = parse_uplink(cs_topic(), encode(cs_uplink(payload=payload)))
    assert reading.payload == payload
    assert reading.record()["payload"] == base64.b64encode(payload).decode()
