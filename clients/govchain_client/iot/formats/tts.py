"""The Things Stack v3 uplink messages (MQTT integration, JSON).

Topic ``v3/{application id}[@{tenant id}]/devices/{device id}/up``; body an
``ApplicationUp`` with ``end_device_ids`` (``device_id``, ``application_ids``,
``dev_eui``) and ``uplink_message`` (``f_port``, ``f_cnt``, ``frm_payload`` in base64,
``decoded_payload``, ``received_at``).  The Things Stack leaves out fields whose value
is zero, empty or false, so a missing ``f_cnt`` means frame counter 0.  Other
message types on other topics (``join``, ``down/...``) are not readings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govchain_client.iot.errors import NotAnUplinkError, UplinkError
from govchain_client.iot.formats import _fields as f
from govchain_client.iot.reading import Reading

NETWORK = "tts"
TEMPLATE = "v3/{application}/devices/{device}/{event}"
FIELDS = frozenset({"application", "device"})


def claims(message: dict[str, Any]) -> bool:
    """Whether the body is shaped as an ``ApplicationUp`` (any message type)."""
    return isinstance(message.get("end_device_ids"), dict)


def parse(message: dict[str, Any], topic: Mapping[str, str]) -> Reading:
    """The reading of one ``ApplicationUp``; ``topic`` holds the fields its topic named."""
    ids = f.child(message, "end_device_ids", "")
    uplink = message.get("uplink_message")
    if not isinstance(uplink, dict):
        raise NotAnUplinkError("not_uplink", "message has no uplink_message")
    application, device_id = _names(ids, topic)
    dev_eui = f.eui(ids["dev_eui"], "end_device_ids.dev_eui") if ids.get("dev_eui") else None
    received_at = f.timestamp(
        uplink if "received_at" in uplink else message, "received_at", "uplink_message."
    )
    return Reading(
        network=NETWORK,
        application=application,
        device=dev_eui or f"{NETWORK}:{application}:{device_id}",
        device_name=device_id,
        dev_eui=dev_eui,
        f_cnt=f.counter(uplink, "f_cnt", "uplink_message.", f.MAX_FRAME_COUNTER),
        f_port=f.counter(uplink, "f_port", "uplink_message.", 255),
        received_at=received_at,
        payload=f.payload_bytes(uplink, "frm_payload", "uplink_message."),
        decoded=f.optional_object(uplink, "decoded_payload", "uplink_message."),
        simulated=uplink.get("simulated") is True or message.get("simulated") is True,
    )


def _names(ids: dict[str, Any], topic: Mapping[str, str]) -> tuple[str, str]:
    """``(application[@tenant], device id)``: the topic's, which the body must confirm."""
    for key in ("application", "device"):
        if key in topic and not topic[key]:
            raise UplinkError("bad_topic", f"empty {key} in the topic")
    device_id = f.text(ids, "device_id", "end_device_ids.")
    if topic.get("device", device_id) != device_id:
        raise UplinkError("topic_mismatch", "end_device_ids.device_id differs from the topic")
    app_ids = f.optional_object(ids, "application_ids", "end_device_ids.")
    app = None
    if app_ids is not None:
        app = f.optional_text(app_ids, "application_id", "end_device_ids.application_ids.")
    if "application" not in topic:
        if app is None:
            raise UplinkError("missing_field", "end_device_ids.application_ids.application_id")
        return app, device_id
    if app is not None and app != topic["application"].split("@", 1)[0]:
        raise UplinkError("topic_mismatch", "application_id differs from the topic")
    return topic["application"], device_id
