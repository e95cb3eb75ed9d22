"""The storage interfaces the notary's use cases depend on, and their value types.

Three small repositories, each implemented over SQL (``sql``) and in memory
(``memory``): API clients, receipts (submissions with their log positions and
idempotency answers, committed together with the log's new nodes), checkpoints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from govchain_core.log import Node, NodeStore

PREPARED = "prepared"
ANCHORED = "anchored"


@dataclass(frozen=True, slots=True)
class ClientRecord:
    id: int
    name: str
    key_hash: str
    issuer: str
    scopes: tuple[str, ...]
    rate_limit: float
    revoked: bool
    created_at: int


class SubmissionRecord(NamedTuple):
    """One accepted digest (a tuple in column order: the writer makes thousands)."""

    receipt_id: str
    issuer: str
    log_index: int
    digest: str
    kind: str
    leaf_json: str
    leaf_hash: bytes
    client_id: int
    created_at: float


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    client_id: int
    key: str
    fingerprint: str
    receipt_ids: tuple[str, ...]
    created_at: int


@dataclass(slots=True)
class CommitBatch:
    """Everything one group commit writes, atomically."""

    submissions: list[SubmissionRecord] = field(default_factory=list)
    nodes: dict[str, list[Node]] = field(default_factory=dict)
    log_sizes: dict[str, int] = field(default_factory=dict)
    idempotency: list[IdempotencyRecord] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CheckpointRecord:
    issuer: str
    size: int
    root: bytes
    prev_size: int
    state: str
    created_at: int
    chain_id: int | None = None
    registry: str | None = None
    tx_hash: bytes | None = None
    block_number: int | None = None
    block_hash: bytes | None = None
    timestamp: int | None = None


@dataclass(frozen=True, slots=True)
class AnchorFacts:
    """Where a checkpoint landed on chain."""

    chain_id: int
    registry: str
    tx_hash: bytes
    block_number: int
    block_hash: bytes
    timestamp: int


class ClientStore(Protocol):
    def add_client(self, client: ClientRecord) -> ClientRecord:
        """Store a new client (``id`` is assigned); raise ``DuplicateError`` on a taken name."""
        ...

    def client_by_key_hash(self, key_hash: str) -> ClientRecord | None: ...

    def list_clients(self) -> list[ClientRecord]: ...

    def revoke_client(self, name: str) -> bool:
        """Mark a client revoked; False when there is no such client."""
        ...


class ReceiptStore(Protocol):
    def commit(self, batch: CommitBatch) -> None:
        """Write submissions, log nodes, log sizes and idempotency answers in one transaction."""
        ...

    def idempotency(self, client_id: int, key: str) -> IdempotencyRecord | None: ...

    def submission(self, receipt_id: str) -> SubmissionRecord | None: ...

    def submissions_by_digest(self, digest: str, limit: int) -> list[SubmissionRecord]: ...

    def submission_at(self, issuer: str, log_index: int) -> SubmissionRecord | None: ...

    def log_size(self, issuer: str) -> int: ...

    def log_sizes(self) -> dict[str, int]: ...

    def node_store(self, issuer: str) -> NodeStore:
        """A read-only view of an issuer's log nodes (``add_nodes`` goes through ``commit``)."""
        ...


class CheckpointStore(Protocol):
    def prepare_checkpoint(self, checkpoint: CheckpointRecord) -> None:
        """Record a checkpoint before its anchor transaction is sent (idempotent)."""
        ...

    def mark_anchored(self, issuer: str, size: int, facts: AnchorFacts) -> None: ...

    def checkpoint(self, issuer: str, size: int) -> CheckpointRecord | None: ...

    def latest_anchored(self, issuer: str) -> CheckpointRecord | None: ...

    def covering_checkpoint(self, issuer: str, log_index: int) -> CheckpointRecord | None:
        """The first anchored checkpoint whose tree contains leaf ``log_index``."""
        ...

    def anchored_checkpoints(
        self, issuer: str, limit: int, before: int | None = None
    ) -> list[CheckpointRecord]:
        """Anchored checkpoints, newest first, with ``size < before`` when given."""
        ...

    def discard_prepared(self, issuer: str, above: int) -> None:
        """Forget prepared checkpoints that never landed (sizes above ``above``)."""
        ...


class Store(ClientStore, ReceiptStore, CheckpointStore, Protocol):
    """All repositories of one database."""

    def close(self) -> None: ...
