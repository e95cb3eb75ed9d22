"""ChirpStack v4 uplink events (MQTT integration, JSON marshaler).

Topic ``application/{application id}/device/{dev eui}/event/{event}``; for ``up`` the
body is the ``UplinkEvent`` in the Protocol Buffers JSON mapping: ``deviceInfo``
(``tenantId``, ``applicationId``, ``deviceName``, ``devEui``), ``fCnt``, ``fPort``,
``data`` (base64 FRMPayload), ``object`` (decoded, when a codec is configured) and
``time``.  Proto3 JSON omits default values, so a missing ``fCnt`` means 0.  Other
events (``join``, ``status``, ``ack``, ``txack``, ``log``, ``location``) are not readings.
"""

from __future__ import annotations

from govchain_client.iot.errors import NotAnUplinkError, UplinkError
from govchain_client.iot.formats import _fields as f
from govchain_client.iot.reading import Reading

NETWORK = "chirpstack"
TOPIC_PREFIX = "application/"


def parse(topic: str, body: bytes) -> Reading:
    """Parse one message published under ``application/…``."""
    application, topic_eui = _topic(topic)
    message = f.load_object(body)
    info = f.child(message, "deviceInfo", "")
    dev_eui = f.eui(info.get("devEui"), "deviceInfo.devEui")
    if dev_eui != topic_eui:
        raise UplinkError("topic_mismatch", "deviceInfo.devEui differs from the topic")
    app = f.optional_text(info, "applicationId", "deviceInfo.")
    if app is not None and app != application:
        raise UplinkError("topic_mismatch", "deviceInfo.applicationId differs from the topic")
    return Reading(
        network=NETWORK,
        application=application,
        device=dev_eui,
        device_name=_device_name(info.get("deviceName")),
        dev_eui=dev_eui,
        f_cnt=f.counter(message, "fCnt", "", f.MAX_FRAME_COUNTER),
        f_port=f.counter(message, "fPort", "", 255),
        received_at=f.timestamp(message, "time", ""),
        payload=f.payload_bytes(message, "data", ""),
        decoded=f.optional_object(message, "object", ""),
    )


def _topic(topic: str) -> tuple[str, str]:
    """``(application id, dev eui)`` from an event topic."""
    parts = topic.split("/")
    if len(parts) != 6 or parts[0] != "application" or parts[2] != "device" or parts[4] != "event":
        raise UplinkError("bad_topic", f"not a ChirpStack v4 device event topic: {topic!r}")
    if parts[5] != "up":
        raise NotAnUplinkError("not_uplink", f"ChirpStack {parts[5]!r} event")
    if not parts[1]:
        raise UplinkError("bad_topic", f"empty application in {topic!r}")
    return parts[1], f.eui(parts[3], "topic dev eui")


def _device_name(value: object) -> str | None:
    """Device names are free text in ChirpStack; keep them if they are short strings."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 256:
        raise UplinkError("bad_field", "deviceInfo.deviceName must be a string (<= 256)")
    return value
