"""The storage interfaces the notary's use cases depend on, and their value types.

Three small repositories, each implemented over SQL (``sql``) and in memory
(``memory``): API clients, receipts (submissions with their log positions and
idempotency answers, committed together with the log's new tiles), checkpoints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import repeat
from typing import NamedTuple, Protocol

from govchain_core.merkle import leaf_hash
from govchain_core.receipt import AnchorRef
from govchain_core.tiles import InteriorTileReader, TileKey
from govchain_notary.leaves import leaf_record, plain_leaf_text
from govchain_notary.receipt_ids import TAG_BYTES, receipt_id

PREPARED = "prepared"
ANCHORED = "anchored"


@dataclass(frozen=True, slots=True)
class ClientRecord:
    id: int
    name: str
    key_hash: str
    issuer: str
    scopes: tuple[str, ...]
    rate_limit: float
    revoked: bool
    created_at: int


LeafRow = tuple[
    int,
    str,
    bytes | None,
    bytes,
    str,
    bytes,
    bytes | None,
    str | None,
    int | None,
    int,
    float,
    str | None,
]
"""One accepted digest as stored, in column order: ``log_index, issuer, tag, digest``
(32 raw bytes), ``kind, salt, meta`` (raw bytes or None), ``device, seq, client_id,
created_at, description`` (the issuer's public description as RFC 8785 JSON, whose
digest is ``meta``; None for almost every leaf).  Only what rebuilds the leaf record
and the receipt id: the leaf's JSON, its hash and the id itself are derived on read.
``tag`` is None only for digests accepted before receipt ids were derived from log
positions (their ids are kept as ``legacy_id``).  Plain tuples, as the writer makes
thousands per group commit."""

LEAF_COLUMNS = (
    "log_index",
    "issuer",
    "tag",
    "digest",
    "kind",
    "salt",
    "meta",
    "device",
    "seq",
    "client_id",
    "created_at",
    "description",
)


class SubmissionRecord(NamedTuple):
    """One accepted digest as readers see it (``submission_of`` builds it from a row)."""

    receipt_id: str
    issuer: str
    log_index: int
    digest: str
    kind: str
    leaf_json: str
    leaf_hash: bytes
    client_id: int
    created_at: float
    description: str | None = None


def submission_of(row: LeafRow, legacy_id: str | None = None) -> SubmissionRecord:
    """The reader's view of a stored row: leaf JSON, leaf hash and receipt id rebuilt."""
    log_index, issuer, tag, digest, kind, salt, meta, device, seq, client_id, created_at, text = row
    if meta is None and device is None and seq is None:
        leaf_json = plain_leaf_text(kind, issuer, digest, salt)
    else:
        record = leaf_record(kind, digest, salt, issuer, meta=meta, device=device, seq=seq)
        leaf_json = record.canonical_bytes().decode("ascii")
    if legacy_id is None:
        assert tag is not None, "a row without tag keeps its legacy receipt id"
        legacy_id = receipt_id(log_index, tag)
    return SubmissionRecord(
        legacy_id,
        issuer,
        log_index,
        "sha256:" + digest.hex(),
        kind,
        leaf_json,
        leaf_hash(leaf_json.encode()),
        client_id,
        created_at,
        text,
    )


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    client_id: int
    key: str
    fingerprint: str
    receipt_ids: tuple[str, ...]
    created_at: int


@dataclass(frozen=True, slots=True)
class PreparedLeaves:
    """One request's leaves, column by column (thousands per request: no object per leaf).

    ``tags`` holds ``TAG_BYTES`` random bytes per leaf (the secret half of its receipt
    id); the optional columns are None when no leaf of the request has the field."""

    kind: str
    digests: list[bytes]
    salts: list[bytes]
    tags: bytes
    leaf_hashes: list[bytes]
    metas: list[bytes | None] | None = None
    devices: list[str | None] | None = None
    seqs: list[int | None] | None = None
    descriptions: list[str | None] | None = None

    def __len__(self) -> int:
        return len(self.digests)

    @property
    def plain(self) -> bool:
        """No leaf has ``meta``, ``device``, ``seq`` or a description."""
        return (
            self.metas is None
            and self.devices is None
            and self.seqs is None
            and self.descriptions is None
        )

    def tag_list(self) -> list[bytes]:
        tags, size = self.tags, TAG_BYTES
        return [tags[size * n : size * n + size] for n in range(len(self))]


@dataclass(frozen=True, slots=True)
class LeafBlock:
    """A request's leaves at log positions ``first``, ``first + 1``, …, as the group
    commit stores them.

    They share issuer, kind, client and time; kept as columns, the writer builds no
    tuple per leaf, and the SQLite store binds the shared values once per statement."""

    issuer: str
    first: int
    client_id: int
    created_at: float
    leaves: PreparedLeaves

    def __len__(self) -> int:
        return len(self.leaves)

    def rows(self) -> list[LeafRow]:
        """The block as stored rows, in log order."""
        count, leaves = len(self), self.leaves
        return list(
            zip(
                range(self.first, self.first + count),
                repeat(self.issuer, count),
                leaves.tag_list(),
                leaves.digests,
                repeat(leaves.kind, count),
                leaves.salts,
                repeat(None, count) if leaves.metas is None else leaves.metas,
                repeat(None, count) if leaves.devices is None else leaves.devices,
                repeat(None, count) if leaves.seqs is None else leaves.seqs,
                repeat(self.client_id, count),
                repeat(self.created_at, count),
                repeat(None, count) if leaves.descriptions is None else leaves.descriptions,
                strict=True,
            )
        )


@dataclass(slots=True)
class CommitBatch:
    """Everything one group commit writes, atomically."""

    blocks: list[LeafBlock] = field(default_factory=list)
    tiles: dict[str, dict[TileKey, bytes]] = field(default_factory=dict)
    """Per issuer, the tiles the appends made: new full tiles and grown right edges."""
    log_sizes: dict[str, int] = field(default_factory=dict)
    idempotency: list[IdempotencyRecord] = field(default_factory=list)
    interiors: dict[str, dict[TileKey, bytes]] = field(default_factory=dict)
    """Per issuer, the interiors of the new full tiles (``govchain_core.tiles``), kept
    beside them so that proofs do not hash them again."""


@dataclass(frozen=True, slots=True)
class CheckpointRecord:
    issuer: str
    size: int
    root: bytes
    prev_size: int
    state: str
    created_at: int
    anchor: AnchorRef | None = None
    """Where it was anchored; None while only prepared."""


class ClientStore(Protocol):
    def add_client(self, client: ClientRecord) -> ClientRecord:
        """Store a new client (``id`` is assigned); raise ``DuplicateError`` on a taken name."""
        ...

    def client_by_key_hash(self, key_hash: str) -> ClientRecord | None: ...

    def list_clients(self) -> list[ClientRecord]: ...

    def revoke_client(self, name: str) -> bool:
        """Mark a client revoked; False when there is no such client."""
        ...


class ReceiptStore(Protocol):
    def commit(self, batch: CommitBatch) -> None:
        """Write submissions, log tiles, log sizes and idempotency answers in one transaction."""
        ...

    def idempotency(self, client_id: int, key: str) -> IdempotencyRecord | None: ...

    def submission(self, receipt_id: str) -> SubmissionRecord | None: ...

    def submissions_by_digest(self, digest: str, limit: int) -> list[SubmissionRecord]: ...

    def submission_at(self, issuer: str, log_index: int) -> SubmissionRecord | None: ...

    def log_size(self, issuer: str) -> int: ...

    def log_sizes(self) -> dict[str, int]: ...

    def tile_reader(self, issuer: str, size: int) -> InteriorTileReader:
        """A read-only view of an issuer's log tiles, for roots and proofs of trees of at
        most ``size`` leaves (the bound lets a reader serve tiles it has cached)."""
        ...


class CheckpointStore(Protocol):
    def prepare_checkpoint(self, checkpoint: CheckpointRecord) -> None:
        """Record a checkpoint before its anchor transaction is sent (idempotent)."""
        ...

    def mark_anchored(self, issuer: str, size: int, anchor: AnchorRef) -> None: ...

    def checkpoint(self, issuer: str, size: int) -> CheckpointRecord | None: ...

    def latest_anchored(self, issuer: str) -> CheckpointRecord | None: ...

    def covering_checkpoint(self, issuer: str, log_index: int) -> CheckpointRecord | None:
        """The first anchored checkpoint whose tree contains leaf ``log_index``."""
        ...

    def anchored_checkpoints(
        self, issuer: str, limit: int, before: int | None = None
    ) -> list[CheckpointRecord]:
        """Anchored checkpoints, newest first, with ``size < before`` when given."""
        ...

    def discard_prepared(self, issuer: str, above: int) -> None:
        """Forget prepared checkpoints that never landed (sizes above ``above``)."""
        ...


DigestSlice = tuple[bytes, bytes | None]
"""A range ``[low, high)`` of raw digests (``high`` None: no upper bound)."""


def digest_slices(rows: int, slice_rows: int) -> list[DigestSlice]:
    """Split the digest space into equal ranges of about ``slice_rows`` of ``rows``
    digests each (SHA-256 digests spread uniformly)."""
    count = max(1, -(-rows // max(1, slice_rows)))
    lows = [((i << 256) // count).to_bytes(32, "big") for i in range(count)]
    return [(low, lows[i + 1] if i + 1 < count else None) for i, low in enumerate(lows)]


class DigestIndexStore(Protocol):
    """The two levels of the digest lookup: digests committed since the last merge,
    and the merged index the digest indexer moves them to (see ``digest_merge``).
    ``submissions_by_digest`` probes both; a digest is in exactly one at any time."""

    def unmerged_digests(self) -> int: ...

    def digest_slices(self, slice_rows: int) -> list[DigestSlice]:
        """Digest ranges that split the unmerged digests into about ``slice_rows`` each."""
        ...

    def merge_digests(self, low: bytes, high: bytes | None) -> int:
        """Move the unmerged digests of ``[low, high)`` to the index atomically; how many."""
        ...


class Store(ClientStore, ReceiptStore, CheckpointStore, DigestIndexStore, Protocol):
    """All repositories of one database."""

    def receipts_by_digest(
        self, digest: str, limit: int
    ) -> list[tuple[SubmissionRecord, CheckpointRecord | None]]:
        """``submissions_by_digest``, each with its ``covering_checkpoint`` (None while
        pending), read together: the public lookup's one read of both."""
        ...

    def close(self) -> None: ...
