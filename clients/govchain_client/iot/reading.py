"""A sensor reading and its canonical record: the bytes the bridge notarises.

The canonical record is the reading as the network server reported it, reduced to
what matters for a proof (network, application, device, frame counter and port,
the network server's reception time, the raw FRMPayload and the decoded payload)
and serialised with RFC 8785.  Its SHA-256 is the leaf digest sent to the notary;
the spool keeps the exact bytes so that anyone holding them can recompute the
digest and check the receipt later.  What the bridge itself assigns (the per-device
sequence number) is *not* part of the record: the notary puts ``device`` and
``seq`` into the leaf record beside the digest, so a redelivered message yields
the same record and the same digest, and deduplicates.

The record's layout is versioned (``"v": 1``) and must never change meaning: old
receipts are checked against these bytes.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

from govchain_core.digest import Digest, digest_bytes
from govchain_core.errors import CanonicalJSONError
from govchain_core.jcs import canonicalize

RECORD_VERSION = 1
RECORD_TYPE = "lorawan-uplink"
DEVICE_PATTERN = re.compile(r"\A[\x21-\x7e]{1,128}\Z")
"""What the notary accepts as a leaf's ``device`` (printable ASCII, no spaces)."""


@dataclass(frozen=True, slots=True)
class Reading:
    """One LoRaWAN uplink, as parsed from a network server's message.

    ``device`` is the bridge's stable key for the device: the lower-case DevEUI when
    the network server reports one, else ``network:application:device_name``.
    ``f_cnt`` is the LoRaWAN uplink frame counter; it restarts after a rejoin, so
    the bridge numbers readings itself for gap proofs and keeps ``f_cnt`` here.
    ``decoded`` is the network server's decoded payload (a JSON object) or ``None``.
    """

    network: str
    application: str
    device: str
    device_name: str | None
    dev_eui: str | None
    f_cnt: int
    f_port: int
    received_at: str
    payload: bytes
    decoded: dict[str, Any] | None = None
    simulated: bool = False

    def record(self) -> dict[str, Any]:
        """The canonical record as a JSON object (absent optional fields are left out)."""
        record: dict[str, Any] = {
            "v": RECORD_VERSION,
            "type": RECORD_TYPE,
            "network": self.network,
            "application": self.application,
            "device": self.device,
            "f_cnt": self.f_cnt,
            "f_port": self.f_port,
            "received_at": self.received_at,
            "payload": base64.b64encode(self.payload).decode("ascii"),
        }
        if self.dev_eui is not None:
            record["dev_eui"] = self.dev_eui
        if self.device_name is not None:
            record["device_name"] = self.device_name
        if self.decoded is not None:
            record["decoded"] = self.decoded
        if self.simulated:
            record["simulated"] = True
        return record

    def canonical(self) -> bytes:
        """RFC 8785 bytes of :meth:`record`; raises ``CanonicalJSONError`` if impossible."""
        return canonicalize(self.record())


@dataclass(frozen=True, slots=True)
class CanonicalReading:
    """A reading fixed in canonical form, with its leaf digest."""

    reading: Reading
    canonical: bytes
    digest: Digest


def canonical_reading(reading: Reading) -> CanonicalReading:
    """Canonicalise a reading; a decoded payload RFC 8785 cannot hold is dropped, not fatal.

    The raw payload is what the device sent and is always representable; a network
    server's decoder may emit integers beyond 2^53 or lone surrogates, which JCS
    refuses.  Losing the reading for that would be worse than losing the decoder's
    interpretation, so the record then carries ``decoded_error`` instead.
    """
    try:
        canonical = reading.canonical()
    except CanonicalJSONError as exc:
        if reading.decoded is None:
            raise
        record = {**_without_decoded(reading).record(), "decoded_error": str(exc)}
        canonical = canonicalize(record)
    return CanonicalReading(reading, canonical, digest_bytes(canonical))


def _without_decoded(reading: Reading) -> Reading:
    return Reading(
        reading.network,
        reading.application,
        reading.device,
        reading.device_name,
        reading.dev_eui,
        reading.f_cnt,
        reading.f_port,
        reading.received_at,
        reading.payload,
        None,
        reading.simulated,
    )


def normalise_device(text: str) -> str:
    """The spool's device key for user input: DevEUIs in lower case, ``eui-`` prefix dropped."""
    value = text.strip()
    if value.lower().startswith("eui-"):
        value = value[4:]
    if re.fullmatch(r"[0-9a-fA-F]{16}", value):
        return value.lower()
    return value
