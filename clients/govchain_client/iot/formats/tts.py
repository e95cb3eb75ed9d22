"""The Things Stack v3 uplink messages (MQTT integration, JSON).

Topic ``v3/{application id}[@{tenant id}]/devices/{device id}/up``; body an
``ApplicationUp`` with ``end_device_ids`` (``device_id``, ``application_ids``,
``dev_eui``) and ``uplink_message`` (``f_port``, ``f_cnt``, ``frm_payload`` in base64,
``decoded_payload``, ``received_at``).  The Things Stack leaves out fields whose value
is zero, empty or false, so a missing ``f_cnt`` means frame counter 0.  Other
message types on other topics (``join``, ``down/...``) are not readings.
"""

from __future__ import annotations

from typing import Any

from govchain_client.iot.errors import NotAnUplinkError, UplinkError
from govchain_client.iot.formats import _fields as f
from govchain_client.iot.reading import Reading

NETWORK = "tts"
TOPIC_PREFIX = "v3/"


def parse(topic: str, body: bytes) -> Reading:
    """Parse one message published under ``v3/…``."""
    application, device_id = _topic(topic)
    message = f.load_object(body)
    ids = f.child(message, "end_device_ids", "")
    uplink = message.get("uplink_message")
    if not isinstance(uplink, dict):
        raise NotAnUplinkError("not_uplink", "message has no uplink_message")
    _check_ids(ids, application, device_id)
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


def _topic(topic: str) -> tuple[str, str]:
    """``(application[@tenant], device id)`` from an uplink topic."""
    parts = topic.split("/")
    if len(parts) != 5 or parts[0] != "v3" or parts[2] != "devices":
        raise UplinkError("bad_topic", f"not a The Things Stack v3 device topic: {topic!r}")
    if parts[4] != "up":
        raise NotAnUplinkError("not_uplink", f"The Things Stack {parts[4]!r} message")
    if not parts[1] or not parts[3]:
        raise UplinkError("bad_topic", f"empty application or device in {topic!r}")
    return parts[1], parts[3]


def _check_ids(ids: dict[str, Any], application: str, device_id: str) -> None:
    """The body must name the device and application of the topic it was published on."""
    if f.text(ids, "device_id", "end_device_ids.") != device_id:
        raise UplinkError("topic_mismatch", "end_device_ids.device_id differs from the topic")
    app_ids = f.optional_object(ids, "application_ids", "end_device_ids.")
    if app_ids is not None:
        app = f.optional_text(app_ids, "application_id", "end_device_ids.application_ids.")
        if app is not None and app != application.split("@", 1)[0]:
            raise UplinkError("topic_mismatch", "application_id differs from the topic")
