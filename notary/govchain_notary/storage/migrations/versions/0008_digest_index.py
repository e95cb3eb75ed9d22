"""Digest lookups through ``recent_digests`` and ``digest_index`` instead of an index
on ``leaves``.

An index on the random 32-byte digest made every inserted leaf dirty about one page
of a large B-tree (3.4 KB of SQLite WAL per digest at a million leaves): half the
group commit's cost.  From this revision the group commit writes each digest to the
small ``recent_digests`` table, and the digest indexer moves them to ``digest_index``
in runs sorted by digest.  The upgrade fills ``digest_index`` from the existing
leaves (one sorted statement inside the database) and drops ``ix_leaves_digest``;
the downgrade rebuilds that index and drops both tables.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TABLES = ("digest_index", "recent_digests")


def upgrade() -> None:
    for name in _TABLES:
        op.create_table(
            name,
            sa.Column("digest", sa.LargeBinary(), primary_key=True),
            sa.Column("issuer_id", sa.Integer(), primary_key=True, autoincrement=False),
            sa.Column("log_index", sa.BigInteger(), primary_key=True, autoincrement=False),
            sqlite_with_rowid=False,
        )
    op.execute(
        "INSERT INTO digest_index (digest, issuer_id, log_index) "
        "SELECT digest, issuer_id, log_index FROM leaves ORDER BY digest, issuer_id, log_index"
    )
    op.drop_index("ix_leaves_digest", table_name="leaves")


def downgrade() -> None:
    op.create_index("ix_leaves_digest", "leaves", ["digest"])
    for name in _TABLES:
        op.drop_table(name)
