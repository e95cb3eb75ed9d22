"""Leaf records v1: what one log entry says, canonicalised with RFC 8785.

``{"v":1,"kind":"certificate","digest":"sha256:…","salt":"<32 hex>","issuer":"0x…"}``
plus optional ``meta`` (digest of metadata kept off-chain), ``device``/``seq`` (IoT
readings) and ``supersedes`` (hash of the leaf this one replaces).

The random 16-byte salt keeps low-entropy documents from being guessed from a
published proof; deleting it off-chain unlinks the leaf from a person without
breaking the log.  The leaf hash is ``SHA-256(0x00 ‖ JCS(record))``.  This format is
part of every issued receipt and must never change meaning.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from govchain_core.digest import Digest, digest_bytes, parse_digest
from govchain_core.errors import CoreError, LeafRecordError
from govchain_core.jcs import MAX_SAFE_INTEGER, canonicalize
from govchain_core.merkle import leaf_hash

LEAF_VERSION = 1
KINDS = ("certificate", "register", "iot", "dataset")
SALT_SIZE = 16
MAX_DEVICE_LENGTH = 128

_ADDRESS_RE = re.compile(r"\A0x[0-9a-f]{40}\Z")
_HEX_RE = re.compile(r"\A[0-9a-f]*\Z")
_DEVICE_RE = re.compile(r"\A[\x21-\x7e]{1,128}\Z")
_REQUIRED = ("v", "kind", "digest", "salt", "issuer")
_OPTIONAL = ("meta", "device", "seq", "supersedes")


#: A description's ``title`` and ``reference`` hold at most this many characters (code
#: points): at most twice as many UTF-16 units, within the web page's caption limit of 200.
DESCRIPTION_TEXT_MAX = 100
_DESCRIPTION_FIELDS = ("title", "reference", "nonce")
_NONCE_RE = re.compile(r"\A[0-9a-f]{32}\Z")
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def check_description(obj: Any) -> dict[str, str]:
    """An issuer's public description of a document, checked: ``{"title", "reference",
    "nonce"}`` (title and reference optional, not both empty; nonce 32 lower-case hex).

    Shown by the web verifier to anyone holding the document's fingerprint, so it
    names a document type and a file reference, never a person.  Text is refused when
    it holds control, format (bidi overrides) or unassigned characters, which could
    make a caption read differently from its bytes."""
    if not isinstance(obj, Mapping):
        raise LeafRecordError("description must be a JSON object")
    unknown = set(obj) - set(_DESCRIPTION_FIELDS)
    if unknown:
        raise LeafRecordError(f"description has unknown fields: {', '.join(sorted(unknown))}")
    checked: dict[str, str] = {}
    for name in ("title", "reference"):
        if name in obj:
            checked[name] = _description_text(obj[name], name)
    if not any(checked.values()):
        raise LeafRecordError("description needs a title or a reference")
    nonce = obj.get("nonce")
    if not isinstance(nonce, str) or not _NONCE_RE.match(nonce):
        raise LeafRecordError("description.nonce must be 32 lower-case hex digits")
    checked["nonce"] = nonce
    return checked


def _description_text(value: Any, name: str) -> str:
    if not isinstance(value, str) or len(value) > DESCRIPTION_TEXT_MAX:
        raise LeafRecordError(
            f"description.{name} must be a string of at most {DESCRIPTION_TEXT_MAX} characters"
        )
    if any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES for char in value):
        raise LeafRecordError(f"description.{name} holds control or invisible characters")
    return value


def description_meta(description: Mapping[str, Any]) -> Digest:
    """The leaf's ``meta`` for a description: SHA-256 of its RFC 8785 bytes.  The web
    verifier (``notary.mjs`` ``describedBy``) shows a description only when this
    equals the anchored leaf's ``meta``."""
    return digest_bytes(canonicalize(check_description(description)))


def normalize_address(address: str) -> str:
    """Lower-case ``0x`` + 40 hex; accepts EIP-55 mixed case on input."""
    if not isinstance(address, str):
        raise LeafRecordError("address must be a string")
    lowered = address.lower()
    if not _ADDRESS_RE.match(lowered):
        raise LeafRecordError(f"{address!r} is not a 20-byte 0x-hex address")
    return lowered


@dataclass(frozen=True, slots=True)
class LeafRecord:
    """One entry of an issuer's log."""

    kind: str
    digest: Digest
    salt: bytes
    issuer: str
    meta: Digest | None = None
    device: str | None = None
    seq: int | None = None
    supersedes: bytes | None = None
    #: ``leaf_hash()`` once computed; derived from the fields, so outside equality.  The
    #: receipt decoder's canonical path fills it from the input bytes it has proven equal
    #: to ``canonical_bytes()`` (``receipt_codec``).
    _leaf_hash: bytes | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise LeafRecordError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if len(self.salt) != SALT_SIZE:
            raise LeafRecordError(f"salt must be {SALT_SIZE} bytes")
        if not _ADDRESS_RE.match(self.issuer):
            raise LeafRecordError("issuer must be a lower-case 0x-hex address")
        if self.device is not None and not _DEVICE_RE.match(self.device):
            raise LeafRecordError("device must be 1-128 printable ASCII characters")
        if self.seq is not None and not (
            isinstance(self.seq, int)
            and not isinstance(self.seq, bool)
            and 0 <= self.seq <= MAX_SAFE_INTEGER
        ):
            raise LeafRecordError("seq must be an integer in 0..2^53-1")
        if (self.seq is None) != (self.device is None):
            raise LeafRecordError("device and seq go together")
        if self.supersedes is not None and len(self.supersedes) != 32:
            raise LeafRecordError("supersedes must be a 32-byte leaf hash")

    def to_object(self) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "v": LEAF_VERSION,
            "kind": self.kind,
            "digest": str(self.digest),
            "salt": self.salt.hex(),
            "issuer": self.issuer,
        }
        if self.meta is not None:
            obj["meta"] = str(self.meta)
        if self.device is not None:
            obj["device"] = self.device
            obj["seq"] = self.seq
        if self.supersedes is not None:
            obj["supersedes"] = self.supersedes.hex()
        return obj

    def canonical_bytes(self) -> bytes:
        """RFC 8785 bytes of ``to_object()``.

        Written out directly because every field is validated to need no escaping
        (but ``device``) and the keys are fixed: this is the hot path of receipt
        verification.  A property test holds it equal to ``canonicalize(to_object())``.
        """
        parts = ["{"]
        if self.device is not None:
            parts.append(f'"device":{_canonical_string(self.device)},')
        parts.append(f'"digest":"{self.digest}","issuer":"{self.issuer}","kind":"{self.kind}"')
        if self.meta is not None:
            parts.append(f',"meta":"{self.meta}"')
        parts.append(f',"salt":"{self.salt.hex()}"')
        if self.seq is not None:
            parts.append(f',"seq":{self.seq}')
        if self.supersedes is not None:
            parts.append(f',"supersedes":"{self.supersedes.hex()}"')
        parts.append(f',"v":{LEAF_VERSION}}}')
        return "".join(parts).encode("ascii")

    def leaf_hash(self) -> bytes:
        cached = self._leaf_hash
        if cached is None:
            cached = leaf_hash(self.canonical_bytes())
            object.__setattr__(self, "_leaf_hash", cached)
        return cached


def _canonical_string(text: str) -> str:
    return canonicalize(text).decode("ascii")


def new_leaf(
    kind: str,
    digest: Digest,
    issuer: str,
    *,
    meta: Digest | None = None,
    device: str | None = None,
    seq: int | None = None,
    supersedes: bytes | None = None,
) -> LeafRecord:
    """A fresh leaf record with a random salt."""
    return LeafRecord(
        kind=kind,
        digest=digest,
        salt=secrets.token_bytes(SALT_SIZE),
        issuer=normalize_address(issuer),
        meta=meta,
        device=device,
        seq=seq,
        supersedes=supersedes,
    )


def leaf_from_object(obj: Any, where: str = "leaf") -> LeafRecord:
    """Strictly decode a leaf record object (unknown fields and versions refused)."""
    if not isinstance(obj, Mapping):
        raise LeafRecordError(f"{where} must be a JSON object")
    unknown = set(obj) - set(_REQUIRED) - set(_OPTIONAL)
    if unknown:
        raise LeafRecordError(f"{where} has unknown fields: {', '.join(sorted(unknown))}")
    missing = [name for name in _REQUIRED if name not in obj]
    if missing:
        raise LeafRecordError(f"{where} lacks fields: {', '.join(missing)}")
    if obj["v"] != LEAF_VERSION or isinstance(obj["v"], bool):
        raise LeafRecordError(f"{where}.v: unknown leaf record version {obj['v']!r}")
    try:
        return LeafRecord(
            kind=_text(obj, "kind", where),
            digest=parse_digest(_text(obj, "digest", where)),
            salt=_hex(obj, "salt", where, SALT_SIZE),
            issuer=_address(obj, where),
            meta=parse_digest(_text(obj, "meta", where)) if "meta" in obj else None,
            device=_text(obj, "device", where) if "device" in obj else None,
            seq=obj.get("seq"),
            supersedes=_hex(obj, "supersedes", where, 32) if "supersedes" in obj else None,
        )
    except LeafRecordError:
        raise
    except CoreError as exc:
        raise LeafRecordError(f"{where}: {exc}") from exc


def _text(obj: Mapping[str, Any], name: str, where: str) -> str:
    value = obj[name]
    if not isinstance(value, str):
        raise LeafRecordError(f"{where}.{name} must be a string")
    return value


def _hex(obj: Mapping[str, Any], name: str, where: str, size: int) -> bytes:
    value = _text(obj, name, where)
    if len(value) != 2 * size or not _HEX_RE.match(value):
        raise LeafRecordError(f"{where}.{name} must be {2 * size} lower-case hex digits")
    return bytes.fromhex(value)


def _address(obj: Mapping[str, Any], where: str) -> str:
    value = _text(obj, "issuer", where)
    if not _ADDRESS_RE.match(value):
        raise LeafRecordError(f"{where}.issuer must be a lower-case 0x-hex address")
    return value
