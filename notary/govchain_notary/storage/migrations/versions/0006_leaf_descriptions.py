"""Issuer descriptions: ``leaves.description``, a nullable text column.

An issuer may attach a public description of a document (title, reference number,
nonce) at notarisation; the leaf's ``meta`` is the SHA-256 of its RFC 8785 bytes, and
this column keeps those bytes for the public lookup.  Added at the end of the row
and NULL for every existing and almost every new leaf: SQLite and PostgreSQL add a
nullable column without rewriting the table, and a NULL at the end of a row costs
nothing in SQLite.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("leaves", sa.Column("description", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("leaves", "description")  # SQLite 3.35+ drops a column in place
