"""Real-shaped uplink messages of The Things Stack v3 and ChirpStack v4, written from
their documented formats (TTS "Data Formats", ChirpStack v4 ``integration.UplinkEvent``
in the Protocol Buffers JSON mapping)."""

from __future__ import annotations

import base64
import json
from typing import Any

TTS_APP = "stadtwerke-luftguete@ttn"
TTS_DEVICE_ID = "aq-sensor-rathaus-01"
TTS_DEV_EUI = "70B3D57ED005B89A"
CS_APP = "5f1a3c2e-8b0d-4c7a-9e1f-2a3b4c5d6e7f"
CS_DEV_EUI = "0004a30b001c0530"


def tts_topic(app: str = TTS_APP, device_id: str = TTS_DEVICE_ID, event: str = "up") -> str:
    return f"v3/{app}/devices/{device_id}/{event}"


def cs_topic(app: str = CS_APP, dev_eui: str = CS_DEV_EUI, event: str = "up") -> str:
    return f"application/{app}/device/{dev_eui}/event/{event}"


def tts_uplink(
    f_cnt: int = 1834,
    payload: bytes = b"\x01\x2b\x01\x28\x00\x00",
    *,
    device_id: str = TTS_DEVICE_ID,
    dev_eui: str | None = TTS_DEV_EUI,
    decoded: dict[str, Any] | None = None,
    received_at: str = "2026-11-22T13:42:11.412345678Z",
) -> dict[str, Any]:
    """A The Things Stack v3 ``ApplicationUp`` with an ``uplink_message``."""
    ids: dict[str, Any] = {
        "device_id": device_id,
        "application_ids": {"application_id": TTS_APP.split("@")[0]},
        "join_eui": "0000000000000001",
        "dev_addr": "260BABCD",
    }
    if dev_eui is not None:
        ids["dev_eui"] = dev_eui
    uplink: dict[str, Any] = {
        "session_key_id": "AWNbm/4zfqx0jZ5q1NlBmw==",
        "f_port": 2,
        "frm_payload": base64.b64encode(payload).decode(),
        "decoded_payload": decoded
        if decoded is not None
        else {"temperature_c": 29.9, "humidity_pct": 29.6, "battery_v": 3.62},
        "rx_metadata": [
            {
                "gateway_ids": {"gateway_id": "eui-aa555a0000000101", "eui": "AA555A0000000101"},
                "time": "2026-11-22T13:42:11.392Z",
                "timestamp": 3895211423,
                "rssi": -68,
                "channel_rssi": -68,
                "snr": 9.2,
                "location": {"latitude": 51.2277, "longitude": 6.7735, "altitude": 38},
                "uplink_token": "ChwKGgoOZXVpLWFhNTU1YTAwMDAwMDAxMDESCKpVWgAAAAEBEJ+hqcAO",
            }
        ],
        "settings": {
            "data_rate": {
                "lora": {"bandwidth": 125000, "spreading_factor": 7, "coding_rate": "4/5"}
            },
            "frequency": "868100000",
            "timestamp": 3895211423,
        },
        "received_at": received_at,
        "consumed_airtime": "0.061696s",
        "network_ids": {"net_id": "000013", "tenant_id": "ttn", "cluster_id": "eu1"},
    }
    if f_cnt:  # The Things Stack omits zero values
        uplink["f_cnt"] = f_cnt
    return {
        "end_device_ids": ids,
        "correlation_ids": [
            "as:up:01HX6YGQ7E0V83YRZ7K4S5J4ZN",
            "gs:uplink:01HX6YGQ7AS3VTM5W5W36YV1F1",
        ],
        "received_at": "2026-11-22T13:42:11.420Z",
        "uplink_message": uplink,
    }


def cs_uplink(
    f_cnt: int = 41,
    payload: bytes = b"\x03\x67\x01\x10\x05\x68\x64",
    *,
    dev_eui: str = CS_DEV_EUI,
    decoded: dict[str, Any] | None = None,
    time: str = "2026-11-22T13:42:12.108741Z",
) -> dict[str, Any]:
    """A ChirpStack v4 ``UplinkEvent`` (JSON marshaler)."""
    event: dict[str, Any] = {
        "deduplicationId": "3ac7e3c4-4401-4b8d-9386-a5c902f9202d",
        "time": time,
        "deviceInfo": {
            "tenantId": "52f14cd4-c6f1-4fbd-8f87-4025e1d49242",
            "tenantName": "Stadt Musterhausen",
            "applicationId": CS_APP,
            "applicationName": "Pegelmessung",
            "deviceProfileId": "0b0d2e8a-7a4e-4b7a-8d65-0b4c45c3c6a7",
            "deviceProfileName": "Cayenne LPP Class A",
            "deviceName": "Pegel Rheinbrücke",
            "devEui": dev_eui,
            "deviceClassEnabled": "CLASS_A",
            "tags": {"standort": "Rheinufer"},
        },
        "devAddr": "01f3a9c2",
        "adr": True,
        "dr": 5,
        "fPort": 85,
        "confirmed": False,
        "data": base64.b64encode(payload).decode(),
        "object": decoded
        if decoded is not None
        else {"temperatureSensor": {"3": 27.2}, "humiditySensor": {"5": 50}},
        "rxInfo": [
            {
                "gatewayId": "0016c001f153a14c",
                "uplinkId": 4217,
                "nsTime": "2026-11-22T13:42:12.095Z",
                "rssi": -57,
                "snr": 10.5,
                "channel": 2,
                "location": {"latitude": 51.2265, "longitude": 6.7712},
                "context": "EFwMtA==",
                "crcStatus": "CRC_OK",
            }
        ],
        "txInfo": {
            "frequency": 868500000,
            "modulation": {
                "lora": {"bandwidth": 125000, "spreadingFactor": 7, "codeRate": "CR_4_5"}
            },
        },
    }
    if f_cnt:  # proto3 JSON leaves out default values
        event["fCnt"] = f_cnt
    return event


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode("utf-8")
