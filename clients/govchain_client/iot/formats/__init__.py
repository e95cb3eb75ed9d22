"""Network-server message formats, chosen by topic template or, in ``auto``, by payload shape.

    UplinkRouter(format, templates).parse(topic, body) -> Reading    raises UplinkError
    parse_uplink(topic, body) -> Reading                             the default router

Supported: The Things Stack v3 (``tts``) and ChirpStack v4 (``chirpstack``).  A topic
template names the levels of a network server's topics, e.g. the defaults

    tts         v3/{application}/devices/{device}/{event}
    chirpstack  application/{application}/device/{dev_eui}/event/{event}

A message whose topic matches a template of an enabled format is parsed by that
format, and the body must name the device and application the topic names (so a
broker's per-topic ACLs keep meaning something).  ``{event}`` may span several levels
(``down/queued``); anything but ``up`` is not a reading.  A topic that matches no
template (a bridged ``ttn/v3/…``, a custom ChirpStack topic template) is parsed by
the configured format, or in ``auto`` by the payload's shape: ``end_device_ids`` with
``uplink_message`` is The Things Stack, ``deviceInfo`` with uplink fields is
ChirpStack.  Application and device then come from the body alone (The Things
Stack's body has no ``@tenant``: configure a template to keep it).  Anything else is
rejected as ``unknown_format`` (counted and logged by the bridge).

Adding a server means adding a module with ``NETWORK``, ``TEMPLATE``, ``FIELDS``,
``claims(message)`` and ``parse(message, topic_fields)`` and listing it in ``FORMATS``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from govchain_client.iot.errors import NotAnUplinkError, UnknownFormatError, UplinkError
from govchain_client.iot.formats import _fields, chirpstack, tts
from govchain_client.iot.reading import Reading

logger = logging.getLogger(__name__)

AUTO = "auto"
UPLINK_EVENT = "up"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_MAX_LOGGED_TOPICS = 100


class Format(Protocol):
    NETWORK: str
    TEMPLATE: str
    FIELDS: frozenset[str]

    def claims(self, message: dict[str, Any]) -> bool: ...

    def parse(self, message: dict[str, Any], topic: Mapping[str, str]) -> Reading: ...


FORMATS: dict[str, Format] = {tts.NETWORK: tts, chirpstack.NETWORK: chirpstack}
FORMAT_NAMES = (AUTO, *FORMATS)


@dataclass(frozen=True, slots=True)
class TopicTemplate:
    """A network's topic layout: ``{name}`` placeholders, each a whole topic level."""

    network: str
    pattern: str
    regex: re.Pattern[str]

    @classmethod
    def parse(cls, network: str, pattern: str) -> TopicTemplate:
        """Validate ``pattern`` for ``network``; raise ``ValueError`` naming the problem."""
        if network not in FORMATS:
            raise ValueError(f"unknown format {network!r} (known: {', '.join(FORMATS)})")
        if not pattern or "+" in pattern or "#" in pattern:
            raise ValueError(f"topic template {pattern!r}: no MQTT wildcards, use {{names}}")
        allowed = FORMATS[network].FIELDS | {"event"}
        parts = []
        for level in pattern.split("/"):
            match = _PLACEHOLDER.fullmatch(level)
            if match is None:
                if "{" in level or "}" in level:
                    raise ValueError(f"topic template {pattern!r}: a placeholder is a whole level")
                parts.append(re.escape(level))
                continue
            name = match.group(1)
            if name not in allowed:
                raise ValueError(f"topic template {pattern!r}: {network} knows {sorted(allowed)}")
            parts.append(f"(?P<{name}>.*)" if name == "event" else f"(?P<{name}>[^/]*)")
        return cls(network, pattern, re.compile("/".join(parts)))

    def match(self, topic: str) -> dict[str, str] | None:
        found = self.regex.fullmatch(topic)
        return found.groupdict() if found else None

    def subscription(self) -> str:
        """The MQTT filter for this template's uplinks (``{event}`` = ``up``)."""
        levels = self.pattern.split("/")
        return "/".join(
            UPLINK_EVENT if level == "{event}" else "+" if _PLACEHOLDER.fullmatch(level) else level
            for level in levels
        )


DEFAULT_TEMPLATES = tuple(TopicTemplate.parse(name, f.TEMPLATE) for name, f in FORMATS.items())


class UplinkRouter:
    """Picks the format of each message: topic template first, then configuration or payload."""

    def __init__(
        self, format: str = AUTO, templates: Sequence[TopicTemplate] = DEFAULT_TEMPLATES
    ) -> None:
        if format not in FORMAT_NAMES:
            raise ValueError(f"unknown format {format!r} (use {', '.join(FORMAT_NAMES)})")
        self.format = format
        self.templates = tuple(t for t in templates if format in (AUTO, t.network))
        self._logged: set[str] = set()

    def subscriptions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.subscription() for t in self.templates))

    def parse(self, topic: str, body: bytes) -> Reading:
        """The reading in an MQTT message, or ``UplinkError`` saying why there is none."""
        for template in self.templates:
            fields = template.match(topic)
            if fields is not None:
                event = fields.pop("event", UPLINK_EVENT)
                if event != UPLINK_EVENT:
                    raise NotAnUplinkError("not_uplink", f"{template.network} {event!r} event")
                return FORMATS[template.network].parse(_fields.load_object(body), fields)
        message = _fields.load_object(body)
        network = self.format if self.format != AUTO else _detect(topic, message)
        self._note(topic, network)
        return FORMATS[network].parse(message, {})

    def _note(self, topic: str, network: str) -> None:
        """Say once per topic (up to a bound) that no template matched it."""
        if topic in self._logged or len(self._logged) >= _MAX_LOGGED_TOPICS:
            return
        self._logged.add(topic)
        how = "configured" if self.format != AUTO else "detected from the payload"
        logger.info("topic %s matches no topic template; format %s (%s)", topic, network, how)


def _detect(topic: str, message: dict[str, Any]) -> str:
    for name, candidate in FORMATS.items():
        if candidate.claims(message):
            return name
    keys = ", ".join(sorted(message)[:8])
    raise UnknownFormatError(
        "unknown_format",
        f"topic {topic!r} matches no template and the payload (keys: {keys}) is neither a "
        "The Things Stack v3 nor a ChirpStack v4 event",
    )


_DEFAULT = UplinkRouter()
Parser = Callable[[str, bytes], Reading]


def parse_uplink(topic: str, body: bytes) -> Reading:
    """``UplinkRouter().parse``: default templates, format detected from the payload."""
    return _DEFAULT.parse(topic, body)


__all__ = [
    "AUTO",
    "DEFAULT_TEMPLATES",
    "FORMATS",
    "FORMAT_NAMES",
    "Parser",
    "TopicTemplate",
    "UplinkError",
    "UplinkRouter",
    "parse_uplink",
]
