"""Status index: ``document_statuses`` and the follower's checkpoint ``status_sync``.

Public lookups read a document's status from here instead of asking the
StatusRegistry on every request; the status follower fills both tables from the
chain's ``StatusChanged`` events.  New tables only: an upgraded database starts with
no status rows and an empty checkpoint, and the follower reads the chain from block
0 on its first run.

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_statuses",
        sa.Column("issuer", sa.String(42), primary_key=True),
        sa.Column("leaf_hash", sa.LargeBinary(), primary_key=True),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("since", sa.BigInteger(), nullable=False),
        sa.Column("superseded_by", sa.LargeBinary(), nullable=True),
        sa.Column("reason", sa.BigInteger(), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("log_index", sa.BigInteger(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "status_sync",
        sa.Column("issuer", sa.String(42), primary_key=True),
        sa.Column("registry_address", sa.String(42), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("synced_at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("status_sync")
    op.drop_table("document_statuses")
