"""Plain leaf blocks written to SQLite with one statement per thousand leaves.

``executemany`` binds all eleven columns of every row and steps its statement once
per row, letting go of the GIL and taking it back each time.  For a group commit of
tens of thousands of plain digests that per-row work cost more than SQLite's own
insert, and every hand-back of the GIL waited on the event loop thread, which was
parsing the next request meanwhile.  Here one multi-row ``INSERT`` binds what a
block's leaves share (first log position, issuer id, kind, client, time) once, as
numbered parameters, and per leaf only its tag, digest and salt; a single
``sqlite3_step``, run without the GIL, then inserts the whole chunk.  Blocks with
optional fields (meta, device and seq) take the generic ``executemany`` path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import chain

from sqlalchemy import Connection

from govchain_notary.storage.repos import LeafBlock

ROWS_PER_STATEMENT = 1_000
"""3,005 parameters per statement: under SQLite's limit of 32,766 (since 3.32)."""

_SHARED = 5  # ?1 first log position, ?2 issuer id, ?3 kind, ?4 client id, ?5 time


@lru_cache(maxsize=64)
def insert_statement(rows: int) -> str:
    """``INSERT`` of ``rows`` plain leaves; leaf ``k`` binds ``?(6+3k)`` tag,
    ``?(7+3k)`` digest and ``?(8+3k)`` salt, and sits at log position ``?1 + k``."""
    values = ",".join(
        f"(?1+{k},?2,?{_SHARED + 1 + 3 * k},?{_SHARED + 2 + 3 * k},?3,?{_SHARED + 3 + 3 * k},?4,?5)"
        for k in range(rows)
    )
    return (
        "INSERT INTO leaves (log_index, issuer_id, tag, digest, kind, salt, client_id, "  # noqa: S608
        f"created_at) VALUES {values}"
    )


def insert_plain_blocks(
    connection: Connection, blocks: Iterable[LeafBlock], issuer_ids: Mapping[str, int]
) -> None:
    """Insert blocks without optional fields (``PreparedLeaves.plain``)."""
    for block in blocks:
        leaves = block.leaves
        tags, digests, salts = leaves.tag_list(), leaves.digests, leaves.salts
        shared = (issuer_ids[block.issuer], leaves.kind, block.client_id, block.created_at)
        for start in range(0, len(block), ROWS_PER_STATEMENT):
            end = min(start + ROWS_PER_STATEMENT, len(block))
            per_leaf = zip(tags[start:end], digests[start:end], salts[start:end], strict=True)
            parameters = (block.first + start, *shared, *chain.from_iterable(per_leaf))
            connection.exec_driver_sql(insert_statement(end - start), parameters)
