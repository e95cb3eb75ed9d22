"""The tables, as sqlmodel classes.

The Alembic migrations under ``migrations/versions`` are the source of truth for
the schema a database has; a test checks that they and these classes agree.
Hashes and digests are stored as raw bytes, addresses as lower-case ``0x`` hex.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    text,
)
from sqlmodel import Field, SQLModel


class Client(SQLModel, table=True):
    """An API client: a hashed key, its issuer and its scopes."""

    __tablename__ = "clients"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(100), nullable=False, unique=True))
    key_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    issuer: str = Field(sa_column=Column(String(42), nullable=False))
    scopes: str = Field(sa_column=Column(Text, nullable=False))
    rate_limit: float = Field(nullable=False)
    revoked: bool = Field(default=False, nullable=False)
    created_at: int = Field(sa_column=Column(BigInteger, nullable=False))


class Issuer(SQLModel, table=True):
    """A small id per issuer address, so that each ``leaves`` row and its key hold a
    one-byte integer instead of the 42-character address.

    ``leaves.issuer_id`` declares no foreign key: only the store's group commit
    writes both tables, in one transaction, and a checked key would add a lookup to
    every inserted row (on PostgreSQL a trigger per row)."""

    __tablename__ = "issuers"

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(sa_column=Column(String(42), nullable=False, unique=True))


class Leaf(SQLModel, table=True):
    """One accepted digest: its log position and what rebuilds its leaf record and id.

    The key leads with ``log_index`` because derived receipt ids name it (see
    ``receipt_ids``); appends go to the end of the key order, so a group commit
    touches few pages.  The digest is stored as its 32 raw bytes, the issuer as its
    small id in ``issuers``.  ``leaves`` has no index on the digest: a random 32-byte
    key dirtied about one page per inserted row; lookups by digest go through
    ``recent_digests`` and ``digest_index`` instead (see ``digest_merge``).
    """

    __tablename__ = "leaves"
    __table_args__ = (
        Index(
            "ix_leaves_legacy_id",
            "legacy_id",
            unique=True,
            sqlite_where=text("legacy_id IS NOT NULL"),
            postgresql_where=text("legacy_id IS NOT NULL"),
        ),
        {"sqlite_with_rowid": False},
    )

    log_index: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    issuer_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    tag: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    digest: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    salt: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    meta: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    device: str | None = Field(default=None, sa_column=Column(String(128), nullable=True))
    seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    client_id: int = Field(sa_column=Column(Integer, nullable=False))
    created_at: float = Field(sa_column=Column(Float, nullable=False))
    legacy_id: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    #: The issuer's public description (RFC 8785 JSON; its digest is ``meta``), NULL
    #: for almost every leaf: a nullable column at the end costs plain rows nothing.
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class RecentDigest(SQLModel, table=True):
    """A digest committed since the last merge: the group commit writes one row per
    leaf here, and the digest indexer moves them to ``digest_index`` in sorted runs.

    The table stays small (the indexer drains it), so its B-tree stays in the cache
    and a group commit of thousands of digests dirties a few hundred of its pages
    instead of one page of a large index per digest."""

    __tablename__ = "recent_digests"
    __table_args__ = {"sqlite_with_rowid": False}

    digest: bytes = Field(sa_column=Column(LargeBinary, primary_key=True))
    issuer_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    log_index: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))


class DigestIndexEntry(SQLModel, table=True):
    """Where each merged digest was logged: the leaf ``(issuer_id, log_index)``.

    Filled only by the digest indexer, in runs sorted by digest, so that one merge
    writes each touched page once for many rows."""

    __tablename__ = "digest_index"
    __table_args__ = {"sqlite_with_rowid": False}

    digest: bytes = Field(sa_column=Column(LargeBinary, primary_key=True))
    issuer_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    log_index: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))


class IdempotencyKey(SQLModel, table=True):
    """The answer given to a request with an ``Idempotency-Key``, to repeat it on retry."""

    __tablename__ = "idempotency_keys"

    client_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    key: str = Field(sa_column=Column(String(255), primary_key=True))
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    receipt_ids: str = Field(sa_column=Column(Text, nullable=False))
    created_at: int = Field(sa_column=Column(BigInteger, nullable=False))


class LogState(SQLModel, table=True):
    """The size of each issuer's Merkle log, committed with its tiles."""

    __tablename__ = "logs"

    issuer: str = Field(sa_column=Column(String(42), primary_key=True))
    size: int = Field(sa_column=Column(BigInteger, nullable=False))


class LogTile(SQLModel, table=True):
    """A C2SP tlog-tiles hash tile of an issuer's log: up to 256 consecutive hashes of
    tree level ``8·level`` from ``256·idx`` on (``govchain_core.tiles``).  A full tile
    (8192 bytes) never changes; the rightmost tile of each level is overwritten by each
    group commit as it grows, and gets its interior when it becomes full."""

    __tablename__ = "log_tiles"
    __table_args__ = {"sqlite_with_rowid": False}

    issuer_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    level: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    idx: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    hashes: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    interior: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    """A full tile's sub-levels 4..7 (``govchain_core.tiles.tile_interior``, 960 bytes),
    so proofs need not hash them again; NULL for a partial tile."""


class Checkpoint(SQLModel, table=True):
    """A checkpoint ``(issuer, size, root)``: prepared, then anchored with its chain reference."""

    __tablename__ = "checkpoints"

    issuer: str = Field(sa_column=Column(String(42), primary_key=True))
    size: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    root: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    prev_size: int = Field(sa_column=Column(BigInteger, nullable=False))
    state: str = Field(sa_column=Column(String(16), nullable=False))
    chain_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    registry_address: str | None = Field(default=None, sa_column=Column(String(42), nullable=True))
    tx_hash: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    block_number: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    block_hash: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    timestamp: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: int = Field(sa_column=Column(BigInteger, nullable=False))


def table(model: type[SQLModel]) -> Table:
    """The SQLAlchemy ``Table`` of a model, for bulk Core statements."""
    return cast(Table, cast(Any, model).__table__)


metadata = SQLModel.metadata


class DocumentStatusRow(SQLModel, table=True):
    """A document's current status as the StatusRegistry last reported it (see
    ``statuses``); only documents whose status changed have a row.  ``block_number``
    and ``log_index`` place the change on chain, so that only newer ones replace it."""

    __tablename__ = "document_statuses"
    __table_args__ = {"sqlite_with_rowid": False}

    issuer: str = Field(sa_column=Column(String(42), primary_key=True))
    leaf_hash: bytes = Field(sa_column=Column(LargeBinary, primary_key=True))
    state: int = Field(sa_column=Column(Integer, nullable=False))
    since: int = Field(sa_column=Column(BigInteger, nullable=False))
    superseded_by: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    reason: int = Field(sa_column=Column(BigInteger, nullable=False))
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))
    log_index: int = Field(sa_column=Column(BigInteger, nullable=False))


class StatusSyncRow(SQLModel, table=True):
    """How far the status follower has read one issuer's status changes, and from which
    StatusRegistry: its checkpoint, so that a restart resumes where it stopped."""

    __tablename__ = "status_sync"

    issuer: str = Field(sa_column=Column(String(42), primary_key=True))
    registry_address: str = Field(sa_column=Column(String(42), nullable=False))
    block_number: int = Field(sa_column=Column(BigInteger, nullable=False))
    synced_at: float = Field(sa_column=Column(Float, nullable=False))
