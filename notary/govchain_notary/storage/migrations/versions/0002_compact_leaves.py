"""Compact leaves: ``submissions`` (whole leaf JSON, leaf hash, random receipt id) becomes
``leaves`` (salt, raw digest, optional fields, a tag; the rest is derived on read).

A row shrinks from about 400 to about 110 bytes and loses two of its three indexes
(random receipt ids, issuer + index): group commits write a quarter of the pages.
Receipt ids given before keep working: they are kept as ``legacy_id``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

from govchain_core.merkle import leaf_hash
from govchain_notary.leaves import leaf_record

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CHUNK = 10_000
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "leaves",
        sa.Column("log_index", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("issuer", sa.String(42), primary_key=True),
        sa.Column("tag", sa.LargeBinary(), nullable=True),
        sa.Column("digest", sa.LargeBinary(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("salt", sa.LargeBinary(), nullable=False),
        sa.Column("meta", sa.LargeBinary(), nullable=True),
        sa.Column("device", sa.String(128), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("legacy_id", sa.String(32), nullable=True),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_leaves_digest", "leaves", ["digest"])
    op.create_index(
        "ix_leaves_legacy_id",
        "leaves",
        ["legacy_id"],
        unique=True,
        sqlite_where=sa.text("legacy_id IS NOT NULL"),
        postgresql_where=sa.text("legacy_id IS NOT NULL"),
    )
    connection = op.get_bind()
    leaves = sa.table("leaves", *(sa.column(name) for name in _LEAF_NAMES))
    old = sa.table("submissions", *(sa.column(name) for name in ("id", *_OLD_NAMES)))
    ordered = sa.select(*(old.c[name] for name in _OLD_NAMES)).order_by(old.c.id)
    for rows in _chunks(connection.execute(ordered)):
        connection.execute(sa.insert(leaves), [_compact(row) for row in rows])
    op.drop_table("submissions")


def downgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("receipt_id", sa.String(32), nullable=False, unique=True),
        sa.Column("issuer", sa.String(42), nullable=False),
        sa.Column("log_index", sa.BigInteger(), nullable=False),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("leaf_json", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index(
        "ix_submissions_issuer_log_index", "submissions", ["issuer", "log_index"], unique=True
    )
    op.create_index("ix_submissions_digest", "submissions", ["digest"])
    connection = op.get_bind()
    submissions = sa.table("submissions", *(sa.column(name) for name in _OLD_NAMES))
    leaves = sa.table("leaves", *(sa.column(name) for name in _LEAF_NAMES))
    ordered = sa.select(leaves).order_by(leaves.c.created_at, leaves.c.log_index)
    for rows in _chunks(connection.execute(ordered)):
        connection.execute(sa.insert(submissions), [_expanded(row) for row in rows])
    op.drop_table("leaves")


_LEAF_NAMES = (
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
    "legacy_id",
)
_OLD_NAMES = (
    "receipt_id",
    "issuer",
    "log_index",
    "digest",
    "kind",
    "leaf_json",
    "leaf_hash",
    "client_id",
    "created_at",
)


def _chunks(result: Any) -> Iterator[list[Any]]:
    while rows := result.fetchmany(CHUNK):
        yield rows


def _compact(row: Any) -> dict[str, Any]:
    """A ``submissions`` row as a ``leaves`` row; its random receipt id is kept."""
    leaf = json.loads(row.leaf_json)
    meta = leaf.get("meta")
    return {
        "log_index": row.log_index,
        "issuer": row.issuer,
        "tag": None,
        "digest": bytes.fromhex(row.digest.removeprefix("sha256:")),
        "kind": row.kind,
        "salt": bytes.fromhex(leaf["salt"]),
        "meta": bytes.fromhex(meta.removeprefix("sha256:")) if meta is not None else None,
        "device": leaf.get("device"),
        "seq": leaf.get("seq"),
        "client_id": row.client_id,
        "created_at": row.created_at,
        "legacy_id": row.receipt_id,
    }


def _expanded(row: Any) -> dict[str, Any]:
    """A ``leaves`` row as a ``submissions`` row, with its leaf JSON and hash rebuilt."""
    canonical = leaf_record(
        row.kind,
        bytes(row.digest),
        bytes(row.salt),
        row.issuer,
        meta=bytes(row.meta) if row.meta is not None else None,
        device=row.device,
        seq=row.seq,
    ).canonical_bytes()
    receipt_id = row.legacy_id or f"{row.log_index:016x}{bytes(row.tag).hex()}"
    return {
        "receipt_id": receipt_id,
        "issuer": row.issuer,
        "log_index": row.log_index,
        "digest": "sha256:" + bytes(row.digest).hex(),
        "kind": row.kind,
        "leaf_json": canonical.decode("ascii"),
        "leaf_hash": leaf_hash(canonical),
        "client_id": row.client_id,
        "created_at": row.created_at,
    }
