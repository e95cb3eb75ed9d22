"""ChirpStack v4 uplink events (MQTT integration, JSON marshaler).

Topic ``application/{application id}/device/{dev eui}/event/{event}``; for ``up`` the
body is the ``UplinkEvent`` in the Protocol Buffers JSON mapping: ``deviceInfo``
(``tenantId``, ``applicationId``, ``deviceName``, ``devEui``), ``fCnt``, ``fPort``,
``data`` (base64 FRMPayload), ``object`` (decoded, when a codec is configured) and
``time``.  Proto3 JSON omits default values, so a missing ``fCnt`` means 0.  Other
events (``join``, ``status``, ``ack``, ``txack``, ``log``, ``location``) are not readings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govchain_client.iot.errors import NotAnUplinkError, UplinkError
from govchain_client.iot.formats import _fields as f
from govchain_client.iot.reading import Reading

NETWORK = "chirpstack"
TEMPLATE = "application/{application}/device/{dev_eui}/event/{event}"
FIELDS = frozenset({"application", "dev_eui"})
#: Fields only an ``UplinkEvent`` has (``fCnt`` alone may be omitted: it is 0).
_UPLINK_KEYS = frozenset({"fCnt", "fPort", "data", "rxInfo", "txInfo", "dr", "adr"})


def claims(message: dict[str, Any]) -> bool:
    """Whether the body is shaped as a ChirpStack v4 event (any event type)."""
    return isinstance(message.get("deviceInfo"), dict)


def parse(message: dict[str, Any], topic: Mapping[str, str]) -> Reading:
    """The reading of one ``UplinkEvent``; ``topic`` holds the fields its topic named."""
    info = f.child(message, "deviceInfo", "")
    if not topic and not _UPLINK_KEYS & message.keys():
        raise NotAnUplinkError("not_uplink", "ChirpStack event without uplink fields")
    application, dev_eui = _names(info, topic)
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


def _names(info: dict[str, Any], topic: Mapping[str, str]) -> tuple[str, str]:
    """``(application id, dev eui)``: the topic's, which the body must confirm."""
    if "application" in topic and not topic["application"]:
        raise UplinkError("bad_topic", "empty application in the topic")
    dev_eui = f.eui(info.get("devEui"), "deviceInfo.devEui")
    if "dev_eui" in topic and f.eui(topic["dev_eui"], "topic dev eui") != dev_eui:
        raise UplinkError("topic_mismatch", "deviceInfo.devEui differs from the topic")
    app = f.optional_text(info, "applicationId", "deviceInfo.")
    if "application" not in topic:
        if app is None:
            raise UplinkError("missing_field", "deviceInfo.applicationId is missing")
        return app, dev_eui
    if app is not None and app != topic["application"]:
        raise UplinkError("topic_mismatch", "deviceInfo.applicationId differs from the topic")
    return topic["application"], dev_eui


def _device_name(value: object) -> str | None:
    """Device names are free text in ChirpStack; keep them if they are short strings."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 256:
        raise UplinkError("bad_field", "deviceInfo.deviceName must be a string (<= 256)")
    return value
