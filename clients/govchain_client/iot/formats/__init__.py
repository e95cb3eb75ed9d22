"""Network-server message formats: one module per server, chosen by the MQTT topic.

    parse_uplink(topic, body) -> Reading      raises UplinkError (with a ``reason``)

Supported: The Things Stack v3 (``v3/…/devices/…/up``) and ChirpStack v4
(``application/…/device/…/event/up``).  Adding a server means adding a module with
``TOPIC_PREFIX`` and ``parse`` and listing it in ``FORMATS``.
"""

from __future__ import annotations

from collections.abc import Callable

from govchain_client.iot.errors import UnknownFormatError
from govchain_client.iot.formats import chirpstack, tts
from govchain_client.iot.reading import Reading

Parser = Callable[[str, bytes], Reading]
FORMATS: tuple[tuple[str, Parser], ...] = (
    (tts.TOPIC_PREFIX, tts.parse),
    (chirpstack.TOPIC_PREFIX, chirpstack.parse),
)


def parse_uplink(topic: str, body: bytes) -> Reading:
    """The reading in an MQTT message, or ``UplinkError`` saying why there is none."""
    for prefix, parse in FORMATS:
        if topic.startswith(prefix):
            return parse(topic, body)
    raise UnknownFormatError("unknown_topic", f"no format for topic {topic!r}")


__all__ = ["FORMATS", "parse_uplink"]
