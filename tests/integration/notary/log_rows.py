"""Leaf rows and log appends as the notary's writer makes them, for the storage suites."""

from __future__ import annotations

import hashlib

from govchain_core.tiles import (
    append_leaves,
    edges_of,
    tile_consistency_proof,
    tile_inclusion_proof,
    tile_root,
)
from govchain_notary.storage.repos import (
    CommitBatch,
    LeafBlock,
    LeafRow,
    PreparedLeaves,
    Store,
    submission_of,
)

ISSUER = "0x" + "11" * 20
OTHER = "0x" + "22" * 20


def leaf_row(index: int, issuer: str = ISSUER, digest: bytes | None = None) -> LeafRow:
    digest = digest or hashlib.sha256(str(index).encode()).digest()
    salt = hashlib.sha256(b"salt%d" % index).digest()[:16]
    tag = hashlib.sha256(b"tag%d" % index + issuer.encode()).digest()[:8]  # ids differ
    return (index, issuer, tag, digest, "certificate", salt, None, None, None, 1, 1.5 + index, None)


def leaf_blocks(rows: list[LeafRow]) -> list[LeafBlock]:
    """One block per row (a row with an optional field gives a block with all three)."""
    blocks = []
    for row in rows:
        index, issuer, tag, digest, kind, salt, meta, device, seq, client, at, text = row
        assert tag is not None
        plain = meta is None and device is None and seq is None and text is None
        leaves = PreparedLeaves(
            kind,
            [digest],
            [salt],
            tag,
            [submission_of(row).leaf_hash],
            None if plain else [meta],
            None if plain else [device],
            None if plain else [seq],
            None if plain else [text],
        )
        blocks.append(LeafBlock(issuer, index, client, at, leaves))
    return blocks


def append_rows(store: Store, issuer: str, rows: list[LeafRow]) -> StoredLog:
    """Append rows to the issuer's log and commit, as the writer does."""
    size = store.log_size(issuer)
    step = append_leaves(
        size,
        edges_of(store.tile_reader(issuer, size), size),
        [submission_of(row).leaf_hash for row in rows],
    )
    store.commit(
        CommitBatch(
            leaf_blocks(rows),
            {issuer: step.tiles},
            {issuer: step.size},
            interiors={issuer: step.interiors},
        )
    )
    return StoredLog(store, issuer)


class StoredLog:
    """Roots and proofs of an issuer's committed log, from the store's tiles."""

    def __init__(self, store: Store, issuer: str) -> None:
        self.size = store.log_size(issuer)
        self.tiles = store.tile_reader(issuer, self.size)

    def root(self, size: int | None = None) -> bytes:
        return tile_root(self.tiles, self.size if size is None else size)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        return tile_inclusion_proof(self.tiles, index, size)

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        return tile_consistency_proof(self.tiles, old, new)
