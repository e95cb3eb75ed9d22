"""Log tiles: each issuer's Merkle log kept as C2SP tlog-tiles in ``log_tiles`` instead
of one ``log_nodes`` row per inner node of level 4 and up.

A tile holds up to 256 consecutive hashes of tree level ``8·level`` (8192 bytes when
full); the levels between are hashed inside the tile when a proof needs them, the
leaf hashes are in the level-0 tiles.  A proof so reads a tile or two per tile level
(three to five blobs at 10^6 leaves, most of them cached) instead of about 20 node
rows and up to 15 leaf rows whose hashes it recomputed, and a group commit writes a
new blob per 256 leaves and rewrites one partial tile per level instead of adding a
row per 16 leaves.

Beside each full tile, ``interior`` holds its sub-levels 4..7 (30 hashes,
``govchain_core.tiles.tile_interior``), so a proof takes the nodes of those levels as
they are and hashes at most 7 hashes per tile on its path; NULL for partial tiles.

The upgrade builds the tiles and the full ones' interiors from the leaf rows (the
leaf hash recomputed from each row, as the readers did), a slice of 65,536 leaves at
a time; the downgrade rebuilds ``log_nodes`` from the level-0 tiles.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op

from govchain_core.log import MerkleLog, Node, NodeKey
from govchain_core.tiles import FULL_TILE_BYTES, TileKey, append_leaves
from govchain_notary.storage.repos import LeafRow, submission_of

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: Leaves per slice: a multiple of a level-1 tile's span, so slices end on full tiles.
SLICE = 65_536
#: Lowest level of the inner nodes ``log_nodes`` held (revisions 0001 to 0006).
STORED_LEVEL = 4

_LOGS = sa.text(
    "SELECT logs.issuer, issuers.id, logs.size FROM logs "
    "LEFT JOIN issuers ON issuers.address = logs.issuer WHERE logs.size > 0 ORDER BY logs.issuer"
)
_LEAVES = sa.text(
    "SELECT log_index, tag, digest, kind, salt, meta, device, seq, client_id, created_at,"
    " description, legacy_id FROM leaves WHERE issuer_id = :issuer_id"
    " AND log_index >= :start AND log_index < :end ORDER BY log_index"
)
_LEVEL_0 = sa.text(
    "SELECT idx, hashes FROM log_tiles WHERE issuer_id = :issuer_id AND level = 0"
    " AND idx >= :start AND idx < :end ORDER BY idx"
)


def upgrade() -> None:
    tiles = op.create_table(
        "log_tiles",
        sa.Column("issuer_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("level", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hashes", sa.LargeBinary(), nullable=False),
        sa.Column("interior", sa.LargeBinary(), nullable=True),
        sqlite_with_rowid=False,
    )
    connection = op.get_bind()
    for issuer, issuer_id, size in connection.execute(_LOGS).all():
        if issuer_id is None:
            raise RuntimeError(f"log of {issuer} has {size} leaves but no issuer id")
        for rows in _tile_rows(connection, issuer, int(issuer_id), int(size)):
            if rows:
                connection.execute(sa.insert(tiles), rows)
    op.drop_table("log_nodes")


def _tile_rows(
    connection: sa.Connection, issuer: str, issuer_id: int, size: int
) -> Iterator[list[dict[str, object]]]:
    """The tiles of one log, a slice of leaves at a time: the full tiles as they are
    made (each once), the right-edge tiles at the end."""
    edges: tuple[bytes, ...] = ()
    for start in range(0, size, SLICE):
        end = min(start + SLICE, size)
        step = append_leaves(start, edges, _leaf_hashes(connection, issuer, issuer_id, start, end))
        edges = step.edges
        full = [
            (key, tile, step.interiors[key])
            for key, tile in step.tiles.items()
            if len(tile) == FULL_TILE_BYTES
        ]
        yield _rows(issuer_id, full)
    size_edges = [
        ((level, (size >> (8 * level)) // 256), edge, None)
        for level, edge in enumerate(edges)
        if edge
    ]
    yield _rows(issuer_id, size_edges)


def _rows(
    issuer_id: int, tiles: Sequence[tuple[TileKey, bytes, bytes | None]]
) -> list[dict[str, object]]:
    return [
        {"issuer_id": issuer_id, "level": level, "idx": index, "hashes": tile, "interior": inner}
        for (level, index), tile, inner in tiles
    ]


def _leaf_hashes(
    connection: sa.Connection, issuer: str, issuer_id: int, start: int, end: int
) -> list[bytes]:
    found = connection.execute(_LEAVES, {"issuer_id": issuer_id, "start": start, "end": end})
    hashes = []
    for position, row in enumerate(found, start):
        if int(row[0]) != position:
            raise RuntimeError(f"leaf {position} of {issuer} is missing")
        stored: LeafRow = (
            position,
            issuer,
            _bytes(row[1]),
            bytes(row[2]),
            row[3],
            bytes(row[4]),
            _bytes(row[5]),
            row[6],
            int(row[7]) if row[7] is not None else None,
            int(row[8]),
            float(row[9]),
            row[10],
        )
        hashes.append(submission_of(stored, row[11]).leaf_hash)
    if len(hashes) != end - start:
        raise RuntimeError(f"leaves {start}..{end} of {issuer} are missing")
    return hashes


def _bytes(value: object) -> bytes | None:
    return None if value is None else bytes(value)  # type: ignore[call-overload]


def downgrade() -> None:
    nodes = op.create_table(
        "log_nodes",
        sa.Column("issuer", sa.String(42), primary_key=True),
        sa.Column("level", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sqlite_with_rowid=False,
    )
    connection = op.get_bind()
    for issuer, issuer_id, size in connection.execute(_LOGS).all():
        collect = _Collect()
        log = MerkleLog(collect)
        for start in range(0, int(size), SLICE):
            count = min(SLICE, int(size) - start)
            window = {"issuer_id": issuer_id, "start": start // 256, "end": (start + SLICE) // 256}
            data = b"".join(bytes(row[1]) for row in connection.execute(_LEVEL_0, window))
            if len(data) < count * 32:
                raise RuntimeError(f"level-0 tiles of {issuer} from leaf {start} are missing")
            log.append_many(data[n * 32 : n * 32 + 32] for n in range(count))
            rows = [
                {"issuer": issuer, "level": level, "idx": index, "hash": value}
                for level, index, value in collect.take()
            ]
            if rows:
                connection.execute(sa.insert(nodes), rows)
    op.drop_table("log_tiles")


class _Collect:
    """A node store that keeps the nodes ``log_nodes`` held and never reads."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        raise AssertionError("appending reads no node")

    def add_nodes(self, nodes: Sequence[Node]) -> None:
        self.nodes.extend(node for node in nodes if node[0] >= STORED_LEVEL)

    def take(self) -> list[Node]:
        taken, self.nodes = self.nodes, []
        return taken
