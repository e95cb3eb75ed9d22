"""The tables, as sqlmodel classes.

The Alembic migrations under ``migrations/versions`` are the source of truth for
the schema a database has; a test checks that they and these classes agree.
Hashes are stored as raw bytes, addresses as lower-case ``0x`` hex, digests as
``sha256:<hex>`` text (the form clients look them up by).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, String, Table, Text
from sqlmodel import Field, SQLModel

#: BIGINT on PostgreSQL, but INTEGER on SQLite so that the key is the rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")


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


class Submission(SQLModel, table=True):
    """One accepted digest: its leaf record and position in the issuer's log."""

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_issuer_log_index", "issuer", "log_index", unique=True),
        Index("ix_submissions_digest", "digest"),
    )

    id: int | None = Field(
        default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True)
    )
    receipt_id: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    issuer: str = Field(sa_column=Column(String(42), nullable=False))
    log_index: int = Field(sa_column=Column(BigInteger, nullable=False))
    digest: str = Field(sa_column=Column(String(80), nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    leaf_json: str = Field(sa_column=Column(Text, nullable=False))
    leaf_hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    client_id: int = Field(nullable=False)
    created_at: float = Field(nullable=False)


class IdempotencyKey(SQLModel, table=True):
    """The answer given to a request with an ``Idempotency-Key``, to repeat it on retry."""

    __tablename__ = "idempotency_keys"

    client_id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    key: str = Field(sa_column=Column(String(255), primary_key=True))
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    receipt_ids: str = Field(sa_column=Column(Text, nullable=False))
    created_at: int = Field(sa_column=Column(BigInteger, nullable=False))


class LogState(SQLModel, table=True):
    """The size of each issuer's Merkle log, committed with its nodes."""

    __tablename__ = "logs"

    issuer: str = Field(sa_column=Column(String(42), primary_key=True))
    size: int = Field(sa_column=Column(BigInteger, nullable=False))


class LogNode(SQLModel, table=True):
    """A perfect-subtree hash ``(level, idx)`` of an issuer's log (level 0: leaf hashes)."""

    __tablename__ = "log_nodes"
    __table_args__ = {"sqlite_with_rowid": False}

    issuer: str = Field(sa_column=Column(String(42), primary_key=True))
    level: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    idx: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


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
