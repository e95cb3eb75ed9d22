"""The canonical record: deterministic, independent of how the server wrote its JSON."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from govchain_client.iot.formats import parse_uplink
from govchain_client.iot.reading import Reading, canonical_reading, normalise_device
from govchain_core.jcs import canonicalize
from tests.unit.client.iot.samples import cs_topic, cs_uplink, encode, tts_topic, tts_uplink

GOLDEN_TTS = (
    b'{"application":"stadtwerke-luftguete@ttn","decoded":{"battery_v":3.62,'
    b'"humidity_pct":29.6,"temperature_c":29.9},"dev_eui":"70b3d57ed005b89a",'
    b'"device":"70b3d57ed005b89a","device_name":"aq-sensor-rathaus-01","f_cnt":1834,'
    b'"f_port":2,"network":"tts","payload":"ASsBKAAA",'
    b'"received_at":"2026-11-22T13:42:11.412345678Z","type":"lorawan-uplink","v":1}'
)


def test_golden_record_never_changes() -> None:
    """Old receipts are checked against these bytes: the layout is frozen."""
    item = canonical_reading(parse_uplink(tts_topic(), encode(tts_uplink())))
    assert item.canonical == GOLDEN_TTS
    assert item.digest.value == hashlib.sha256(GOLDEN_TTS).digest()


def test_same_reading_in_other_json_spelling_gives_the_same_digest() -> None:
    message = cs_uplink()
    plain = encode(message)
    reordered = json.dumps(dict(reversed(list(message.items()))), indent=4).encode()
    escaped = json.dumps(message, ensure_ascii=True).encode()
    digests = {
        str(canonical_reading(parse_uplink(cs_topic(), body)).digest)
        for body in (plain, reordered, escaped)
    }
    assert len(digests) == 1


def test_metadata_outside_the_record_does_not_change_the_digest() -> None:
    """Gateway metadata (RSSI, …) differs between redeliveries via other gateways."""
    first, second = cs_uplink(), cs_uplink()
    second["rxInfo"][0]["rssi"] = -99
    digests = {
        str(canonical_reading(parse_uplink(cs_topic(), encode(m))).digest) for m in (first, second)
    }
    assert len(digests) == 1


def test_each_recorded_field_changes_the_digest() -> None:
    base = canonical_reading(parse_uplink(tts_topic(), encode(tts_uplink()))).digest
    variants = [
        tts_uplink(f_cnt=1835),
        tts_uplink(payload=b"\x01"),
        tts_uplink(received_at="2026-11-22T13:42:11.412345679Z"),
        tts_uplink(decoded={"temperature_c": 30}),
    ]
    for message in variants:
        assert canonical_reading(parse_uplink(tts_topic(), encode(message))).digest != base


def test_decoded_payload_jcs_cannot_hold_is_replaced_by_an_error_note() -> None:
    message = tts_uplink(decoded={"counter": 2**60})
    item = canonical_reading(parse_uplink(tts_topic(), encode(message)))
    record = json.loads(item.canonical)
    assert "decoded" not in record
    assert "decoded_error" in record
    assert record["payload"] == "ASsBKAAA"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(decoded=st.dictionaries(st.text(), json_values, max_size=6), payload=st.binary())
def test_canonical_bytes_are_deterministic_and_round_trip(
    decoded: dict[str, Any], payload: bytes
) -> None:
    reading = Reading(
        "chirpstack",
        "app",
        "0004a30b001c0530",
        None,
        "0004a30b001c0530",
        7,
        1,
        "2026-11-22T13:42:12Z",
        payload,
        decoded,
    )
    first = canonical_reading(reading)
    again = canonical_reading(
        parse_uplink(
            cs_topic(app="app"),
            encode(
                {
                    **cs_uplink(f_cnt=7, payload=payload, decoded=decoded),
                    "fPort": 1,
                    "time": "2026-11-22T13:42:12Z",
                    "deviceInfo": {"devEui": "0004a30b001c0530"},
                }
            ),
        )
    )
    assert first.canonical == again.canonical
    assert canonicalize(json.loads(first.canonical, parse_int=float)) == first.canonical
    assert json.loads(first.canonical).keys() == reading.record().keys()
    assert first.digest.value == hashlib.sha256(first.canonical).digest()


def test_normalise_device() -> None:
    assert normalise_device("eui-70B3D57ED005B89A") == "70b3d57ed005b89a"
    assert normalise_device("70B3D57ED005B89A") == "70b3d57ed005b89a"
    assert normalise_device("tts:app@ttn:dev") == "tts:app@ttn:dev"
