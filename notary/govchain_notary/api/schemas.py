"""Request and response bodies of API v1, with the examples the OpenAPI document shows."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, model_validator, with_config
from typing_extensions import TypedDict

from govchain_core.jcs import MAX_SAFE_INTEGER
from govchain_core.leaf import DESCRIPTION_TEXT_MAX
from govchain_core.receipt import RECEIPT_TYPE

DIGEST_PATTERN = r"^sha256:[0-9a-f]{64}$"
ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"
RECEIPT_ID_PATTERN = r"^[0-9a-f]{32}$"
EXAMPLE_DIGEST = "sha256:" + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
EXAMPLE_ISSUER = "0x" + "d0" * 20
EXAMPLE_ID = "6f1c2a9e0b8d4c7aa1e3f5b7c9d1e2f3"

Kind = Literal["certificate", "register", "iot", "dataset"]
DigestText = Annotated[str, Field(pattern=DIGEST_PATTERN, examples=[EXAMPLE_DIGEST])]
Device = Annotated[str, Field(pattern=r"^[\x21-\x7e]{1,128}$", examples=["eui-70b3d57ed0001234"])]
Seq = Annotated[int, Field(ge=0, le=MAX_SAFE_INTEGER)]
#: Upper bound of every log size in a query: far beyond any log, and within the
#: databases' 64-bit integers (a larger number would be a 500, not a 422).
MAX_LOG_SIZE = 2**62
#: The schema's bound of a batch; a notary may be configured for less (then 413).
MAX_ITEMS = 10_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


#: No control characters (the core also refuses format and unassigned ones).
_CAPTION_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
DescriptionText = Annotated[str, Field(max_length=DESCRIPTION_TEXT_MAX, pattern=_CAPTION_PATTERN)]
DESCRIPTION_DOC = (
    "The issuer's public description of the document, shown by the web verifier to "
    "anyone holding the document's fingerprint (for example from the QR code on the "
    "paper) for comparison with the paper. It must never contain personal data: no "
    "names, birth dates or addresses, only a document type (`title`) and a file "
    "reference (`reference`). The leaf's `meta` becomes "
    "`sha256:<hex of SHA-256(RFC 8785 bytes of the description)>`, which binds it to the "
    "receipt; a `meta` given with a description must equal that digest (else 422). "
    "`nonce` (32 lower-case hex) keeps the description from being guessed from `meta`; "
    "the notary generates it when absent. At least one of `title` and `reference` is "
    "non-empty."
)


@with_config(
    ConfigDict(
        extra="forbid",
        json_schema_extra={
            "description": DESCRIPTION_DOC,
            "examples": [{"title": "Meldebescheinigung", "reference": "AZ 33-2026/0815"}],
            "anyOf": [
                {"required": [name], "properties": {name: {"minLength": 1}}}
                for name in ("title", "reference")
            ],
        },
    )
)
class DescriptionIn(TypedDict):
    """The issuer's public description of a document (never personal data)."""

    title: NotRequired[DescriptionText]
    reference: NotRequired[DescriptionText]
    nonce: NotRequired[Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]]


@with_config(
    ConfigDict(
        extra="forbid",
        json_schema_extra={"dependentRequired": {"device": ["seq"], "seq": ["device"]}},
    )
)
class DigestItem(TypedDict):
    """One document digest, with optional metadata digest or IoT device and sequence.

    A TypedDict, not a model: validating 10,000 of them is several times cheaper.
    ``device`` and ``seq`` go together; the route checks that rule per batch.
    """

    digest: DigestText
    meta: NotRequired[DigestText]
    device: NotRequired[Device]
    seq: NotRequired[Seq]
    description: NotRequired[DescriptionIn]


_SINGLE_FIELDS = ["digest", "meta", "device", "seq", "description"]


def _submit_schema(schema: dict[str, Any]) -> None:
    """What ``_one_form`` checks, said in the schema: one form or the other, fields
    left out rather than null."""
    for name in (*_SINGLE_FIELDS, "items"):
        field = schema["properties"][name]
        (variant,) = [v for v in field.pop("anyOf") if v.get("type") != "null"]
        field.update(variant)
    schema["oneOf"] = [
        {"required": ["digest"], "not": {"required": ["items"]}},
        {
            "required": ["items"],
            "not": {"anyOf": [{"required": [name]} for name in _SINGLE_FIELDS]},
        },
    ]
    schema["dependentRequired"] = {"device": ["seq"], "seq": ["device"]}
    schema["examples"] = [
        {"kind": "certificate", "digest": EXAMPLE_DIGEST},
        {
            "kind": "iot",
            "items": [{"digest": EXAMPLE_DIGEST, "device": "eui-70b3d57ed0001234", "seq": 41}],
        },
    ]


class SubmitRequest(_Strict):
    """Either one ``digest`` or a batch of ``items`` (up to 10,000), all of one ``kind``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_submit_schema)

    kind: Kind
    digest: DigestText | None = None
    meta: DigestText | None = None
    device: Device | None = None
    seq: Seq | None = None
    description: DescriptionIn | None = Field(default=None, description=DESCRIPTION_DOC)
    items: (
        Annotated[list[DigestItem], Field(min_length=1, json_schema_extra={"maxItems": MAX_ITEMS})]
        | None
    ) = None

    @model_validator(mode="after")
    def _one_form(self) -> SubmitRequest:
        if None in (getattr(self, name) for name in self.model_fields_set):
            raise ValueError("leave optional fields out instead of sending null")
        single = (self.digest, self.meta, self.device, self.seq, self.description)
        if self.items is not None and any(v is not None for v in single):
            raise ValueError(
                "give either digest (with meta/device/seq/description) or items, not both"
            )
        if self.items is None and self.digest is None:
            raise ValueError("give a digest or items")
        if self.items is None and (self.device is None) != (self.seq is None):
            raise ValueError("device and seq go together")
        return self


class ReceiptRef(BaseModel):
    id: str = Field(examples=[EXAMPLE_ID])
    digest: str = Field(examples=[EXAMPLE_DIGEST])
    url: str = Field(examples=[f"/v1/receipts/{EXAMPLE_ID}"])


class SubmitResponse(BaseModel):
    """Accepted durably (202), or anchored already when ``wait`` was given (200)."""

    status: Literal["pending", "anchored"]
    issuer: str = Field(examples=[EXAMPLE_ISSUER])
    kind: Kind
    count: int
    receipts: list[ReceiptRef]


class DocumentStatusView(BaseModel):
    state: Literal["valid", "suspended", "revoked", "superseded"]
    since: int
    superseded_by: str | None = None


class ReceiptView(BaseModel):
    """A pending receipt (leaf record and log position) or a complete receipt v1."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": EXAMPLE_ID,
                    "status": "pending",
                    "digest": EXAMPLE_DIGEST,
                    "kind": "certificate",
                    "issuer": EXAMPLE_ISSUER,
                    "log_index": 41,
                    "leaf_hash": "ab" * 32,
                    "leaf": {
                        "v": 1,
                        "kind": "certificate",
                        "digest": EXAMPLE_DIGEST,
                        "salt": "00" * 16,
                        "issuer": EXAMPLE_ISSUER,
                    },
                }
            ]
        }
    )

    id: str
    status: Literal["pending", "anchored"]
    digest: str
    kind: Kind
    issuer: str
    log_index: int
    leaf_hash: str
    leaf: dict[str, Any] | None = None
    receipt: dict[str, Any] | None = None
    document_status: DocumentStatusView | None = None
    description: dict[str, str] | None = Field(
        default=None,
        description="the issuer's public description as given at notarisation; its "
        "SHA-256 over RFC 8785 bytes is the leaf's `meta` (verifiers check that)",
    )


class StatusAsOf(BaseModel):
    """How fresh a lookup's document statuses are: they come from the notary's index of
    the StatusRegistry's changes, which follows the chain every block period."""

    block_number: int = Field(description="every status change up to this block is included")
    synced_at: int | None = Field(
        default=None, description="unix time the index last reached the chain's head"
    )


class LookupResponse(BaseModel):
    digest: str
    receipts: list[ReceiptView]
    status_as_of: StatusAsOf | None = Field(
        default=None, description="absent until the notary has followed the chain once"
    )


#: The top level of a receipt v1 as the schema states it; the verifier checks the
#: rest (an unknown or malformed field is a 400, an unknown major version a 422).
RECEIPT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "version", "leaf", "proof", "anchor"],
    "properties": {
        "type": {"const": RECEIPT_TYPE},
        "version": {"type": "string", "pattern": r"^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$"},
        "leaf": {"type": "object"},
        "proof": {"type": "object"},
        "anchor": {"type": "object"},
    },
}


class VerifyRequest(_Strict):
    """A receipt v1 object, and optionally the digest of the document it should prove."""

    receipt: Annotated[dict[str, Any], WithJsonSchema(RECEIPT_SCHEMA)]
    document_digest: DigestText | None = None


class StepView(BaseModel):
    name: Literal["format", "inclusion", "anchor", "issuer"]
    status: Literal["passed", "failed", "error", "skipped"]
    message: str
    details: dict[str, str | int] = Field(default_factory=dict)


class VerifyResponse(BaseModel):
    """A completed check (HTTP 200) whatever its verdict."""

    verdict: Literal["valid", "not_valid", "could_not_check"] = Field(
        description="not_valid: a step failed (its details name the field); "
        "could_not_check: none failed but the chain could not be read (details: url, error); "
        "valid: every step passed"
    )
    ok: bool = Field(description="verdict == 'valid' (kept for older clients)")
    steps: list[StepView]
    document_status: DocumentStatusView | None = None


class StatusRequest(_Strict):
    """Change a document's status on chain (issuer scope ``status:<kind>``)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"receipt_id": EXAMPLE_ID, "action": "revoke"}]},
    )

    receipt_id: str = Field(pattern=RECEIPT_ID_PATTERN)
    action: Literal["suspend", "reinstate", "revoke", "supersede"]
    superseded_by: str | None = Field(default=None, pattern=RECEIPT_ID_PATTERN)


class StatusResponse(BaseModel):
    id: str
    action: str
    document_status: DocumentStatusView
    tx_hash: str
    block_number: int


class CheckpointView(BaseModel):
    issuer: str
    size: int
    root: str
    prev_size: int
    chain_id: int | None
    registry: str | None
    tx_hash: str | None
    block_number: int | None
    block_hash: str | None
    timestamp: int | None


class ConsistencyView(BaseModel):
    issuer: str
    from_: int = Field(alias="from")
    to: int
    from_root: str
    to_root: str
    proof: list[str]


class IssuerView(BaseModel):
    address: str
    name: str
    ags: str
    roles: list[Kind]
    valid_from: int
    valid_until: int
    served_here: bool


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, bool]
    last_anchor_error: str | None = None
    digest_index_behind: str | None = None
