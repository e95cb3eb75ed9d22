"""The IoT bridge's exceptions, one root below the client's ``ClientError``.

    ClientError                      (govchain_client.errors)
    └── IotError
        ├── UplinkError              an MQTT message is not a usable uplink (``reason`` says why)
        │   ├── UnknownFormatError       the topic belongs to no supported network server
        │   └── NotAnUplinkError         a supported network, but another event (join, ack, …)
        ├── SpoolError               the local spool is unusable (corrupt, wrong schema, locked)
        ├── BatchingError            batching limits are out of range (checked once, at start-up)
        └── ReadingNotFoundError     no spooled reading matches a device and counter

Notary answers surface as the SDK's ``NotaryError`` family (``AuthError``,
``RateLimitedError``, ``UnavailableError``) and network failures as its ``TransportError``;
the bridge treats both as "retry later", never as a reason to drop a reading.
"""

from __future__ import annotations

from govchain_client.errors import ClientError


class IotError(ClientError):
    """Root of every error the IoT bridge raises on purpose."""


class UplinkError(IotError):
    """A message could not be turned into a reading; ``reason`` is a short metric label."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class UnknownFormatError(UplinkError):
    """The topic matches neither The Things Stack v3 nor ChirpStack v4."""


class NotAnUplinkError(UplinkError):
    """The message is an event of a supported network server, but not an uplink."""


class SpoolError(IotError):
    """The spool database cannot be used."""


class BatchingError(IotError, ValueError):
    """Batch size or window out of range."""


class ReadingNotFoundError(IotError, LookupError):
    """No reading in the spool matches the query."""
