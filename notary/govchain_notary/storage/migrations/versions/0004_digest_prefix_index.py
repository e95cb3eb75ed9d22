"""Digest index on the first 8 bytes of the digest instead of all 32.

Digests are random, so every group commit inserts its index entries all over the
index and rewrites most of its pages (each through the WAL and again at the
checkpoint).  An entry with 8 instead of 32 digest bytes is about half as long,
so the index, and the pages a commit rewrites, shrink with it; a lookup reads the
few rows under its prefix and keeps the one whose whole digest matches.  On
SQLite, group commits of 20,000 plain leaves take 15-18 instead of 21-25 us of
CPU per leaf once the log holds 800,000 to 1,000,000 leaves (9-10 instead of
12 us at 200,000): the cost of the random index grows with the log.  Only the
index changes, not the rows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_leaves_digest_prefix", "leaves", [sa.text("substr(digest, 1, 8)")])
    op.drop_index("ix_leaves_digest", table_name="leaves")


def downgrade() -> None:
    op.create_index("ix_leaves_digest", "leaves", ["digest"])
    op.drop_index("ix_leaves_digest_prefix", table_name="leaves")
