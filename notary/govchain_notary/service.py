"""The notary's use cases, independent of HTTP: submit, look up, verify, change status.

``NotaryService`` wires the writer, the anchoring worker, the status follower, the
store and the chain adapter, keeps the backlog count that drives back-pressure, and
lets requests long-poll until their leaves are anchored.  Lookups read document
statuses from the status index the follower keeps (see ``status_follower``), never
from the chain; verification and status changes ask the chain.  Blocking work
(database reads, chain calls) is done on worker threads so the event loop only
parses and answers.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from typing import Any

import anyio.to_thread

from govchain_core.digest import parse_digest
from govchain_core.errors import CoreError, DigestError, ReceiptError, ReceiptVersionError
from govchain_core.leaf import KINDS
from govchain_core.receipt_codec import receipt_from_object
from govchain_core.tiles import tile_consistency_proof, tile_root
from govchain_core.verify import DocumentState, report_to_object, verify_receipt
from govchain_notary.anchorers.base import Anchorer, StatusChange
from govchain_notary.anchorers.verify_reader import AnchorerReader
from govchain_notary.anchoring import AnchoringWorker
from govchain_notary.clock import SYSTEM_CLOCK, Clock
from govchain_notary.digest_indexer import DigestIndexer
from govchain_notary.errors import (
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    PayloadTooLargeError,
    UnavailableError,
    UnprocessableError,
)
from govchain_notary.issuer_roles import IssuerRoles
from govchain_notary.log_store import WriterLogs
from govchain_notary.lookup_answer import LookupEntry, lookup_answer
from govchain_notary.lookup_cache import LookupCache
from govchain_notary.metrics import Metrics
from govchain_notary.receipts import inclusion_path, receipt_view, status_view
from govchain_notary.settings import Settings
from govchain_notary.status_follower import StatusFollower
from govchain_notary.status_watcher import StatusWatcher
from govchain_notary.storage.engine import is_sqlite
from govchain_notary.storage.repos import CheckpointRecord, ClientRecord, Store, SubmissionRecord
from govchain_notary.storage.statuses import (
    END_OF_BLOCK,
    NEVER_CHANGED,
    StatusIndexStore,
)
from govchain_notary.storage.writer_lock import IssuerLock
from govchain_notary.submissions import Item, prepare_leaves
from govchain_notary.transitions import refusal, successor_refusal
from govchain_notary.waiters import Waiters
from govchain_notary.writer import Accepted, AcceptJob, SubmissionWriter

logger = logging.getLogger(__name__)

ACTIONS = {
    "suspend": DocumentState.SUSPENDED,
    "reinstate": DocumentState.VALID,
    "revoke": DocumentState.REVOKED,
    "supersede": DocumentState.SUPERSEDED,
}


class NotaryService:
    """Everything the API routes call."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        anchorer: Anchorer,
        metrics: Metrics,
        lock: IssuerLock | None = None,
        *,
        statuses: StatusIndexStore,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.settings = settings
        self.clock = clock  # for the writer, the anchoring worker and both followers
        self.store = store
        self.statuses = statuses
        self.anchorer = anchorer
        self.metrics = metrics
        self.lock = lock
        self.issuers = settings.issuer_addresses
        self.waiters = Waiters()
        self.log_sizes: dict[str, int] = {}
        self.worker = AnchoringWorker(
            store,
            anchorer,
            self.issuers,
            settings.block_period,
            settings.anchor_threshold,
            self._on_anchored,
            clock=clock,
        )
        self.writer: SubmissionWriter | None = None
        self.indexer = DigestIndexer(
            store,
            settings.digest_merge_at,
            settings.digest_merge_slice,
            settings.digest_merge_idle,
            clock=clock,
        )
        metrics.unmerged_digests.set_function(lambda: self.indexer.backlog)
        self.lookups = LookupCache(settings.lookup_cache_ttl)
        #: Reads are local and short (SQLite, or a store in memory): a lookup miss may
        #: run on the event loop instead of a worker thread.
        self.local_reads = is_sqlite(settings.effective_database_url)
        #: A read replica writes nothing: no writer, lock, anchoring or status follower.
        self.reader = settings.role == "reader"
        self.follower: StatusFollower | StatusWatcher = (
            StatusWatcher(
                statuses, self.issuers, settings.block_period, self.lookups.clear, clock=clock
            )
            if self.reader
            else StatusFollower(
                statuses,
                anchorer,
                self.issuers,
                settings.block_period,
                self.lookups.clear,
                clock=clock,
            )
        )
        self.roles = IssuerRoles(anchorer, self.issuers, settings.block_period, clock=clock)
        self._flights: dict[str, threading.Lock] = {}
        self._flight_lock = threading.Lock()
        self.started = False
        self._users = 0
        self._lifecycle = threading.Lock()

    # lifecycle -----------------------------------------------------------------

    def open(self) -> None:
        """Start on the first user; lifespans may nest (test clients, ASGI fuzzers)."""
        with self._lifecycle:
            self._users += 1
            if self._users == 1:
                self.start()

    def close(self) -> None:
        with self._lifecycle:
            self._users -= 1
            if self._users == 0:
                self.stop()

    def start(self) -> None:
        if self.reader:
            self.follower.start()
            self.started = True
            return
        if self.lock is not None:
            self.lock.acquire()
        self.log_sizes = {issuer: self.store.log_size(issuer) for issuer in self.issuers}
        logs = WriterLogs(self.store, self.issuers)
        self.indexer.start()  # counts the unmerged digests before the writer adds any
        self.writer = SubmissionWriter(
            self.store, logs, self.settings.group_commit_leaves, self._on_commit, clock=self.clock
        )
        self.writer.start()
        self.worker.start()
        self.follower.start()
        self.roles.start()
        self._update_backlog()
        self.started = True

    def stop(self) -> None:
        if self.writer is not None:
            self.writer.stop()
        self.indexer.stop()
        self.worker.stop()
        self.follower.stop()
        self.roles.stop()
        if self.lock is not None:
            self.lock.release()
        self.started = False

    def _on_commit(self, log_sizes: dict[str, int]) -> None:
        grown = sum(size - self.log_sizes.get(i, 0) for i, size in log_sizes.items())
        self.log_sizes.update(log_sizes)
        self.metrics.accepted.inc(grown)
        self._update_backlog()
        self.worker.notify(log_sizes)
        self.indexer.notify()

    def _on_anchored(self, issuer: str, size: int) -> None:
        self.metrics.checkpoints.inc()
        self._update_backlog()
        self.waiters.release(issuer, size)

    def backlog(self) -> int:
        anchored = self.worker.anchored_sizes
        queued = self.writer.queued_leaves if self.writer else 0
        return queued + sum(
            max(0, size - anchored.get(issuer, 0)) for issuer, size in self.log_sizes.items()
        )

    def _update_backlog(self) -> None:
        self.metrics.backlog.set(self.backlog())

    def readiness(self) -> dict[str, Any]:
        checks = (
            {"reader": self.started, "database": self._database_ok()}
            if self.reader
            else {
                "writer": bool(self.writer and self.started),
                "anchoring": self.worker.alive,
                "database": self._database_ok(),
                "digest_indexer": self.indexer.alive,
            }
        )
        return {
            "ready": all(checks.values()),
            "checks": checks,
            "last_anchor_error": self.worker.last_error,
            "digest_index_behind": self._digest_index_lag(),
        }

    def _digest_index_lag(self) -> str | None:
        """A warning when the indexer falls far behind: lookups stay complete (they
        probe the unmerged digests too), but group commits slow down as that grows."""
        unmerged = self.indexer.backlog
        if unmerged <= self.settings.digest_index_lag_limit:
            return None
        error = self.indexer.last_error
        return f"{unmerged} digests wait to be merged" + (f" ({error})" if error else "")

    def _database_ok(self) -> bool:
        try:
            self.store.log_sizes()
        except Exception:
            return False
        return True

    # submissions ---------------------------------------------------------------

    async def submit(
        self,
        client: ClientRecord,
        kind: str,
        items: Sequence[Item],
        idempotency_key: str | None,
        fingerprint: str,
    ) -> Accepted:
        if len(items) > self.settings.max_batch:
            raise PayloadTooLargeError(
                f"a batch holds at most {self.settings.max_batch} digests, not {len(items)}"
            )
        if not items:
            raise BadRequestError("give a digest or a non-empty list of items")
        if client.issuer not in self.issuers:
            raise ForbiddenError(f"this notary does not write the log of {client.issuer}")
        refused = self.roles.refusal(client.issuer, kind)
        if refused is not None:  # its receipts could never verify
            raise UnprocessableError(refused, reason="issuer-role")
        self._check_backlog(len(items))
        assert self.writer is not None
        leaves = await anyio.to_thread.run_sync(prepare_leaves, kind, client.issuer, items)
        job = AcceptJob(client.id, client.issuer, leaves, idempotency_key, fingerprint)
        accepted = await asyncio.wrap_future(self.writer.submit(job))
        self.lookups.forget(entry["digest"] for entry in items)
        return accepted

    def _check_backlog(self, extra: int) -> None:
        if self.backlog() + extra > self.settings.backlog_limit:
            self.metrics.rejected.inc()
            raise UnavailableError(
                "too many digests wait for anchoring; retry later",
                retry_after=self.settings.retry_after,
                slug="backlog",
            )

    async def wait_anchored(self, issuer: str, accepted: Accepted, timeout: float) -> bool:
        end = accepted.end
        if end is None:
            end = await anyio.to_thread.run_sync(self._end_of, accepted.receipt_ids)
        if self.worker.anchored_sizes.get(issuer, 0) >= end:
            return True
        future = self.waiters.add(issuer, end)
        if self.worker.anchored_sizes.get(issuer, 0) >= end:  # anchored meanwhile
            self.waiters.discard(future)
            return True
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            self.waiters.discard(future)
            return False
        return True

    def _end_of(self, receipt_ids: Sequence[str]) -> int:
        records = [self.store.submission(rid) for rid in receipt_ids]
        return max(r.log_index for r in records if r is not None) + 1

    # reads (sync: call through anyio.to_thread) --------------------------------

    def receipt(self, receipt_id: str) -> dict[str, Any]:
        submission = self.store.submission(receipt_id)
        if submission is None:
            raise NotFoundError(f"no receipt with id {receipt_id!r}")
        checkpoint = self.store.covering_checkpoint(submission.issuer, submission.log_index)
        return receipt_view(self.store, submission, checkpoint)

    async def lookup_answer(self, digest: str) -> tuple[bytes, bool]:
        """The public lookup's body, and whether the caller must run ``refresh_lookup``
        after answering: the one read path of ``GET /v1/digests`` (its FastAPI route and
        the bare ASGI fast path both call it).

        A miss on the embedded SQLite is local reads: done on the event loop, it is
        served 35-50 % faster than through a thread hop, whose GIL hand-offs cost more
        than the reads (measured with distinct digests). A database across the network
        must not stall the loop, so other databases are read on a worker thread."""
        body, refresh = self.cached_lookup(digest)
        if body is None and self.local_reads:
            body = self.lookup_json(digest)
        elif body is None:
            body = await anyio.to_thread.run_sync(self.lookup_json, digest)
        return body, refresh

    def cached_lookup(self, digest: str) -> tuple[bytes | None, bool]:
        """The cached lookup answer (None on a miss), and whether the caller must now
        run ``refresh_lookup``: the one place the lookup cache is read.  A due refresh
        is said to one caller only, so that caller must run it."""
        return self.lookups.lookup(digest)

    def lookup_json(self, digest: str) -> bytes:
        """The lookup answer as JSON bytes, from the cache when it is complete and fresh.

        Misses are single-flight per digest: concurrent requests for the same digest
        wait for one computation instead of each asking the database and the chain."""
        cached, refresh = self.cached_lookup(digest)
        if refresh:  # this caller holds the refresh: it answers with the new body
            return self._fresh_lookup_json(digest)
        if cached is not None:
            return cached
        with self._flight_lock:
            flight = self._flights.setdefault(digest, threading.Lock())
        with flight:
            try:
                cached, refresh = self.cached_lookup(digest)
                return (
                    cached
                    if cached is not None and not refresh
                    else self._fresh_lookup_json(digest)
                )
            finally:
                with self._flight_lock:
                    self._flights.pop(digest, None)

    def _fresh_lookup_json(self, digest: str) -> bytes:
        token = self.lookups.token()
        entries, as_of = self.lookup(digest)
        body = lookup_answer(digest, entries, as_of)
        if all(entry.checkpoint is not None for entry in entries):
            self.lookups.put(digest, body, token)
        else:
            self.lookups.forget([digest])
        return body

    def refresh_lookup(self, digest: str) -> None:
        """Recompute a cached lookup ahead of its expiry (runs on a worker thread)."""
        try:
            self._fresh_lookup_json(digest)
        except Exception as exc:  # the entry then expires as usual
            logger.warning("refreshing the lookup of %s failed: %s", digest, exc)

    def lookup(self, digest: str) -> tuple[list[LookupEntry], dict[str, Any] | None]:
        """Every receipt of ``digest`` with its document's indexed status (no chain call),
        and how fresh the statuses are (``_status_as_of``)."""
        receipts = self.store.receipts_by_digest(digest, self.settings.lookup_limit)
        if not receipts:
            raise NotFoundError(f"{digest} was never notarised here")
        submissions = [submission for submission, _ in receipts]
        statuses = self.statuses.statuses((s.issuer, s.leaf_hash) for s in submissions)
        entries = []
        for submission, checkpoint in receipts:
            path = inclusion_path(self.store, submission, checkpoint) if checkpoint else []
            status = statuses.get((submission.issuer, submission.leaf_hash), NEVER_CHANGED)
            entries.append(LookupEntry(submission, checkpoint, path, status))
        return entries, self._status_as_of(submissions)

    def _status_as_of(self, submissions: Sequence[SubmissionRecord]) -> dict[str, Any] | None:
        """How fresh the answer's statuses are, over its issuers: every change up to
        ``block_number`` is in, and the follower reached the head at ``synced_at``
        (unix seconds; None before it ever did).  None while an issuer was never followed."""
        synced = self.follower.synced
        blocks, times = [], []
        for issuer in {s.issuer for s in submissions}:
            sync = synced.get(issuer)
            if sync is None or sync.block_number < 0:
                return None
            blocks.append(sync.block_number)
            times.append(sync.synced_at)
        oldest = min(times)
        return {"block_number": min(blocks), "synced_at": int(oldest) if oldest else None}

    def verify(self, receipt: Any, document: str | None) -> dict[str, Any]:
        try:
            decoded = receipt_from_object(receipt)
        except ReceiptVersionError as exc:
            raise UnprocessableError(f"unknown receipt version: {exc}") from exc
        except ReceiptError as exc:
            field = getattr(exc, "field", None)
            raise BadRequestError(f"malformed receipt: {exc}", field=field) from exc
        except CoreError as exc:
            raise BadRequestError(f"malformed receipt: {exc}") from exc
        digest = None
        if document is not None:
            try:
                digest = parse_digest(document)
            except DigestError as exc:
                raise BadRequestError(f"document_digest: {exc}") from exc
        reader = AnchorerReader(
            self.anchorer, self.settings.public_rpc_url or self.settings.rpc_url
        )
        report = verify_receipt(decoded, reader, digest)
        return {
            **report_to_object(report),
            "document_status": (
                status_view(report.document_status) if report.document_status else None
            ),
        }

    def change_status(
        self, client: ClientRecord, receipt_id: str, action: str, superseded_by: str | None
    ) -> dict[str, Any]:
        submission = self.store.submission(receipt_id)
        if submission is None:
            raise NotFoundError(f"no receipt with id {receipt_id!r}")
        if submission.issuer != client.issuer:
            raise ForbiddenError("only the issuer of a document may change its status")
        require_scope(client, "status", submission.kind)
        successor = self._successor(client, action, superseded_by)
        current = self.anchorer.status(submission.issuer, submission.leaf_hash)
        check_transition(current.state, action)
        if successor is not None:
            later = self.anchorer.status(submission.issuer, successor)
            check_successor(submission.leaf_hash, successor, later.state)
        facts = self.anchorer.set_status(
            submission.issuer, submission.leaf_hash, ACTIONS[action], successor
        )
        status = self.anchorer.status(submission.issuer, submission.leaf_hash)
        # read back after the transaction, the status includes every change of its block
        change = StatusChange(
            submission.issuer, submission.leaf_hash, status, facts.block_number, END_OF_BLOCK
        )
        self.statuses.apply([change], {})
        self.lookups.forget([submission.digest])
        return {
            "id": receipt_id,
            "action": action,
            "document_status": status_view(status),
            "tx_hash": "0x" + facts.tx_hash.hex(),
            "block_number": facts.block_number,
        }

    def _successor(self, client: ClientRecord, action: str, by: str | None) -> bytes | None:
        if action != "supersede":
            if by is not None:
                raise BadRequestError("superseded_by is only allowed with action 'supersede'")
            return None
        if by is None:
            raise BadRequestError("action 'supersede' needs superseded_by (a receipt id)")
        successor = self.store.submission(by)
        if successor is None or successor.issuer != client.issuer:
            raise BadRequestError(f"superseded_by {by!r} is not a receipt of this issuer")
        return successor.leaf_hash

    # auditors ------------------------------------------------------------------

    def checkpoints(self, issuer: str, limit: int, before: int | None) -> list[dict[str, Any]]:
        self._known_issuer(issuer)
        return [checkpoint_view(c) for c in self.store.anchored_checkpoints(issuer, limit, before)]

    def latest_checkpoint(self, issuer: str) -> dict[str, Any]:
        self._known_issuer(issuer)
        latest = self.store.latest_anchored(issuer)
        if latest is None:
            raise NotFoundError(f"{issuer} has no anchored checkpoint yet")
        return checkpoint_view(latest)

    def consistency(self, issuer: str, first: int, second: int) -> dict[str, Any]:
        self._known_issuer(issuer)
        latest = self.store.latest_anchored(issuer)
        anchored = latest.size if latest else 0
        if not 0 < first <= second:
            raise BadRequestError("need 0 < from <= to")
        if second > anchored:
            raise NotFoundError(f"size {second} is beyond the anchored size {anchored}")
        tiles = self.store.tile_reader(issuer, anchored)
        return {
            "issuer": issuer,
            "from": first,
            "to": second,
            "from_root": tile_root(tiles, first).hex(),
            "to_root": tile_root(tiles, second).hex(),
            "proof": [h.hex() for h in tile_consistency_proof(tiles, first, second)],
        }

    def list_issuers(self) -> list[dict[str, Any]]:
        return [
            {
                "address": info.address,
                "name": info.name,
                "ags": info.ags,
                "roles": [kind for kind in KINDS if info.roles & (1 << KINDS.index(kind))],
                "valid_from": info.valid_from,
                "valid_until": info.valid_until,
                "served_here": info.address in self.issuers,
            }
            for info in self.anchorer.list_issuers()
        ]

    def _known_issuer(self, issuer: str) -> None:
        if issuer not in self.issuers:
            raise NotFoundError(f"this notary keeps no log for {issuer}")


def checkpoint_view(c: CheckpointRecord) -> dict[str, Any]:
    a = c.anchor
    return {
        "issuer": c.issuer,
        "size": c.size,
        "root": c.root.hex(),
        "prev_size": c.prev_size,
        "chain_id": a and a.chain_id,
        "registry": a and a.registry,
        "tx_hash": "0x" + a.tx_hash.hex() if a else None,
        "block_number": a and a.block_number,
        "block_hash": "0x" + a.block_hash.hex() if a else None,
        "timestamp": a and a.timestamp,
    }


def require_scope(client: ClientRecord, action: str, kind: str) -> None:
    """Raise ``ForbiddenError`` unless the client may do ``action`` for ``kind``."""
    if f"{action}:{kind}" not in client.scopes and f"{action}:*" not in client.scopes:
        raise ForbiddenError(f"this API key may not {action} documents of kind {kind!r}")


def check_transition(current: DocumentState, action: str) -> None:
    """Refuse, as a 409, what the StatusRegistry would revert."""
    reason = refusal(current, ACTIONS[action])
    if reason is not None:
        raise ConflictError(reason)


def check_successor(leaf_hash: bytes, successor: bytes, state: DocumentState) -> None:
    """Refuse a supersession the StatusRegistry would revert: by the document itself
    (422), or by a successor that is superseded or revoked (409; this also refuses
    every supersession cycle)."""
    reason = successor_refusal(leaf_hash, successor, state)
    if reason is not None:
        raise (UnprocessableError if successor == leaf_hash else ConflictError)(reason)
