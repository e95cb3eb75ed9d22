"""The issuers' Merkle logs as the writer holds them.

The writer appends to a ``MerkleLog`` whose new nodes are *captured* rather than
written, so they go into the same group-commit transaction as the submissions
that produced them (``ReceiptStore.commit``).  If that commit fails the captured
nodes are dropped and the log is reopened from the database.

Only one process may append to an issuer's log: ``storage.writer_lock.IssuerLock``.
"""

from __future__ import annotations

from collections.abc import Sequence

from govchain_core.log import MerkleLog, Node, NodeKey, NodeStore
from govchain_notary.storage.repos import ReceiptStore


class CapturingNodeStore:
    """Reads from the database, keeps writes until the group commit takes them."""

    def __init__(self, backing: NodeStore) -> None:
        self.backing = backing
        self.pending: list[Node] = []

    def get_nodes(self, keys: Sequence[NodeKey]) -> list[bytes]:
        return self.backing.get_nodes(keys)

    def add_nodes(self, nodes: Sequence[Node]) -> None:
        self.pending.extend(nodes)

    def take(self) -> list[Node]:
        taken, self.pending = self.pending, []
        return taken


class WriterLogs:
    """The open logs of the issuers this process writes, with their captured nodes."""

    def __init__(self, store: ReceiptStore, issuers: Sequence[str]) -> None:
        self.store = store
        self.issuers = list(issuers)
        self.logs: dict[str, MerkleLog] = {}
        self.captures: dict[str, CapturingNodeStore] = {}
        self.reload()

    def reload(self) -> None:
        """(Re)open every log at its committed size, dropping uncommitted nodes."""
        for issuer in self.issuers:
            capture = CapturingNodeStore(self.store.node_store(issuer))
            self.captures[issuer] = capture
            self.logs[issuer] = MerkleLog(capture, self.store.log_size(issuer))

    def append(self, issuer: str, leaf_hashes: Sequence[bytes]) -> int:
        return self.logs[issuer].append_many(leaf_hashes)

    def size(self, issuer: str) -> int:
        return self.logs[issuer].size

    def take_nodes(self) -> dict[str, list[Node]]:
        return {issuer: nodes for issuer, c in self.captures.items() if (nodes := c.take())}
