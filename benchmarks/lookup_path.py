"""CPU cost of one public lookup miss: ``python -m benchmarks.lookup_path [--leaves N]``.

Builds (or reuses, with ``--db``) a SQLite notary database (``--database-url``: any
database, e.g. a PostgreSQL schema, filled once) of N leaves of one issuer
through the store's own group commit, with an anchored checkpoint every
``--checkpoint-every`` leaves (the last interval left pending) and a status row for
one leaf per interval.  Then, in one process and with no background thread running:

- ``NotaryService.lookup_json`` for ``--lookups`` distinct digests (every one a cache
  miss), anchored and pending apart: CPU µs per call (``time.process_time``);
- the same through the ASGI app with httpx (``--http``);
- the floor, measured in the same run: a raw ``sqlite3`` select of the leaf by digest
  and ``json.dumps`` of an answer-sized dict, what no lookup can go below.

Prints figures and the machine's conditions; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import httpx

from benchmarks import machine
from govchain_core.receipt import AnchorRef
from govchain_core.tiles import tile_root
from govchain_core.verify import DocumentState, DocumentStatus
from govchain_notary.anchorers.base import StatusChange
from govchain_notary.app import create_app
from govchain_notary.log_store import WriterLogs
from govchain_notary.service import NotaryService
from govchain_notary.settings import IssuerSettings, load_settings
from govchain_notary.storage.digest_merge import digest_keys_join
from govchain_notary.storage.engine import make_engine, migrate
from govchain_notary.storage.repos import PREPARED, CheckpointRecord, CommitBatch, LeafBlock
from govchain_notary.storage.sql import SqlStore
from govchain_notary.storage.statuses_sql import SqlStatusIndex
from govchain_notary.submissions import item, prepare_leaves

ISSUER = "0x" + "5e" * 20
REGISTRY = "0x" + "7a" * 20
KIND = "dataset"


def fill_digest(index: int) -> str:
    return f"sha256:{(7 << 60) + index:064x}"


def build(url: str, leaves: int, every: int) -> None:
    """A database of ``leaves`` leaves, anchored every ``every`` but the last interval."""
    engine = make_engine(url, "NORMAL")
    migrate(engine)
    store, index = SqlStore(engine), SqlStatusIndex(engine)
    logs = WriterLogs(store, [ISSUER])
    changes = []
    while (done := logs.size(ISSUER)) < leaves:
        count = min(every, leaves - done)
        prepared = prepare_leaves(
            KIND, ISSUER, [item(fill_digest(n)) for n in range(done, done + count)]
        )
        first = logs.append(ISSUER, prepared.leaf_hashes)
        store.commit(
            CommitBatch(
                blocks=[LeafBlock(ISSUER, first, 1, 1.7e9 + done, prepared)],
                tiles=logs.take_tiles(),
                interiors=logs.take_interiors(),
                log_sizes={ISSUER: logs.size(ISSUER)},
            )
        )
        revoked = DocumentStatus(DocumentState.REVOKED, 1_700_000_000 + done)
        changes.append(StatusChange(ISSUER, prepared.leaf_hashes[0], revoked, 1 + done, 0))
        size = logs.size(ISSUER)
        if size < leaves:
            _anchor(store, size, tile_root(store.tile_reader(ISSUER, size), size), done)
    index.apply(changes, {})
    store.close()


def _anchor(store: SqlStore, size: int, root: bytes, prev: int) -> None:
    store.prepare_checkpoint(CheckpointRecord(ISSUER, size, root, prev, PREPARED, 1_700_000_000))
    anchor = AnchorRef(1337, REGISTRY, size.to_bytes(32, "big"), size, bytes(32), 1_700_000_000)
    store.mark_anchored(ISSUER, size, anchor)


def service_of(url: str, data_dir: Path) -> tuple[NotaryService, object]:
    settings = load_settings(
        data_dir=data_dir,
        database_url=url,
        chain="memory",
        issuers=[IssuerSettings(address=ISSUER)],
        public_read_rate=1e9,
        public_read_burst=1e9,
    )
    app = create_app(settings)
    return app.state.service, app


def _empty(url: str) -> bool:
    engine = make_engine(url)
    migrate(engine)
    store = SqlStore(engine)
    try:
        return store.log_size(ISSUER) == 0
    finally:
        store.close()


def cpu_us(calls: Sequence[Callable[[], object]]) -> list[float]:
    spent = []
    for call in calls:
        started = time.process_time()
        call()
        spent.append((time.process_time() - started) * 1e6)
    return spent


def summary(name: str, spent: list[float]) -> None:
    ordered = sorted(spent)
    p90 = ordered[int(len(ordered) * 0.9)]
    print(
        f"  {name:<34} {statistics.median(spent):7.0f} µs median  "
        f"{statistics.fmean(spent):7.0f} mean  {p90:7.0f} p90  (n={len(spent)})"
    )


def floor(path: Path, indexes: Sequence[int]) -> list[float]:
    """A raw sqlite3 select of the leaf by digest (through both digest tables, as the
    store's lookup) and json.dumps of an answer-sized dict."""
    connection = sqlite3.connect(path)
    statement = (
        "SELECT leaves.log_index, issuers.address, leaves.tag, leaves.digest, leaves.kind,"  # noqa: S608
        " leaves.salt, leaves.meta, leaves.device, leaves.seq, leaves.client_id,"
        " leaves.created_at, leaves.description, leaves.legacy_id FROM "
        + digest_keys_join("?")
        + " JOIN issuers ON issuers.id = leaves.issuer_id"
    )

    def one(index: int) -> Callable[[], object]:
        def run() -> object:
            digest = fill_digest(index)
            raw = bytes.fromhex(digest[7:])
            row = connection.execute(statement, (raw, raw)).fetchall()[0]
            answer = {
                "digest": digest,
                "receipts": [
                    {
                        "id": row[2].hex(),
                        "digest": digest,
                        "kind": row[4],
                        "issuer": row[1],
                        "log_index": row[0],
                        "leaf_hash": row[5].hex() * 2,
                        "status": "anchored",
                        "receipt": {"leaf": {"salt": row[5].hex()}, "path": [row[3].hex()] * 20},
                        "document_status": {"state": "valid", "since": 0, "superseded_by": None},
                    }
                ],
            }
            return json.dumps(answer, separators=(",", ":")).encode()

        return run

    try:
        return cpu_us([one(i) for i in indexes])
    finally:
        connection.close()


def through_http(app: object, digests: Sequence[str]) -> list[float]:
    async def run() -> list[float]:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://notary") as client:
            spent = []
            for digest in digests:
                started = time.process_time()
                response = await client.get(f"/v1/digests/{digest}")
                spent.append((time.process_time() - started) * 1e6)
                assert response.status_code == 200, response.text
            return spent

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--checkpoint-every", type=int, default=10_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--http", action="store_true", help="also through the ASGI app")
    parser.add_argument("--db", type=Path, help="reuse (or build once) this SQLite file")
    parser.add_argument(
        "--database-url", help="reuse (or fill once) this database instead, e.g. PostgreSQL"
    )
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="lookup-path-")) / "notary.db"
    url = args.database_url or f"sqlite:///{path}"
    if not path.exists() if args.database_url is None else _empty(url):
        started = time.perf_counter()
        build(url, args.leaves, args.checkpoint_every)
        print(f"built {args.leaves:,} leaves in {time.perf_counter() - started:.0f} s: {url}")
    service, app = service_of(url, path.parent)
    leaves = service.store.log_size(ISSUER)
    anchored = service.store.latest_anchored(ISSUER)
    anchored_size = anchored.size if anchored else 0
    rng = random.Random(1)
    picks = rng.sample(range(anchored_size), min(args.lookups * 2, anchored_size))
    half = len(picks) // 2
    pending = rng.sample(
        range(anchored_size, leaves), min(args.lookups // 4, leaves - anchored_size)
    )
    print(f"{leaves:,} leaves, anchored up to {anchored_size:,}; {machine.describe()}")
    print(f"  os.getloadavg() = {tuple(round(x, 2) for x in os.getloadavg())}")
    calls = [partial(service.lookup_json, fill_digest(i)) for i in picks[:half]]
    summary("lookup_json, anchored", cpu_us(calls))
    calls = [partial(service.lookup_json, fill_digest(i)) for i in pending]
    summary("lookup_json, pending", cpu_us(calls))
    if args.http:
        digests = [fill_digest(i) for i in picks[half : half + half // 2]]
        summary("GET /v1/digests (ASGI), anchored", through_http(app, digests))
    if args.database_url is None:
        summary("floor: sqlite3 select + json.dumps", floor(path, picks[:half]))
    print(f"  os.getloadavg() = {tuple(round(x, 2) for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
