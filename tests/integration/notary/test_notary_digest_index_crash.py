"""``kill -9`` inside a digest merge: every acknowledged digest stays findable, once.

A child process group-commits digests through ``SqlStore.commit`` on one thread,
printing each acknowledged end position, while a second thread merges the recent
digests in small slices.  Its ``pause_at``-th merge that moves rows stops after its writes, before
its commit, and says so; the test kills the child there with SIGKILL (and each round
also cuts whatever commits and merges were under way).  After every kill, and once
more after a final merge, each acknowledged digest is found at its one position, and
the two levels of the index hold every leaf exactly once.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from govchain_notary.storage.engine import make_engine, migrate
from govchain_notary.storage.sql import SqlStore

ISSUER = "0x" + "c3" * 20
GROUP = 300

CHILD = """
import hashlib, sys, threading, time
from govchain_notary.storage import sql
from govchain_notary.storage.engine import make_engine
from govchain_notary.storage.repos import CommitBatch, LeafBlock, PreparedLeaves

url, pause_at, issuer, group = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
store = sql.SqlStore(make_engine(url))
moving = sql.move_slice
merges = 0
printing = threading.Lock()  # two threads print: keep their lines whole

def say(*words):
    with printing:
        print(*words, flush=True)

def move_then_pause(connection, low, high):
    global merges
    moved = moving(connection, low, high)
    merges += moved > 0
    if moved and merges == pause_at:
        say("in-merge", moved)
        time.sleep(600)
    return moved

sql.move_slice = move_then_pause

def merge_forever():
    while True:
        for low, high in store.digest_slices(97):
            store.merge_digests(low, high)

store.unmerged_digests()
threading.Thread(target=merge_forever, daemon=True).start()
while True:
    first = store.log_size(issuer)
    digests = [hashlib.sha256(b"crash %d" % n).digest() for n in range(first, first + group)]
    tags = b"".join(n.to_bytes(8, "big") for n in range(first, first + group))
    leaves = PreparedLeaves("certificate", digests, [b"s" * 16] * group, tags, [b""] * group)
    block = LeafBlock(issuer, first, 1, 1.0, leaves)
    store.commit(CommitBatch([block], {}, {issuer: first + group}))
    say("acked", first + group)
"""


def _digest(n: int) -> str:
    return "sha256:" + hashlib.sha256(b"crash %d" % n).hexdigest()


def _run_until_paused_merge(url: str, pause_at: int) -> tuple[int, int]:
    """Run the child until its ``pause_at``-th moving merge has written and waits, then
    SIGKILL it; return the last acknowledged position and the rows that merge moved."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(pause_at), ISSUER, str(GROUP)],
        stdout=subprocess.PIPE,
        env=os.environ.copy(),
    )
    assert child.stdout is not None
    acked, moved = 0, -1
    try:
        for line in child.stdout:
            word, number = line.decode().split()
            if word == "acked":
                acked = int(number)
            else:
                moved = int(number)
                break
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
    assert moved >= 0, f"the child ended (code {child.returncode}) before its merge"
    return acked, moved


def _check(store: SqlStore, acked: int) -> int:
    """Every acknowledged digest is found at its position; return the leaves stored."""
    for n in range(acked):
        found = store.submissions_by_digest(_digest(n), 10)
        assert [(r.issuer, r.log_index) for r in found] == [(ISSUER, n)], n
    with store.engine.connect() as connection:
        leaves, keys, distinct = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM leaves), count(*),"
                " count(DISTINCT log_index) FROM (SELECT log_index FROM digest_index"
                " UNION ALL SELECT log_index FROM recent_digests) AS k"
            )
        ).one()
    assert leaves == keys == distinct  # each leaf in exactly one level
    assert leaves >= acked
    return int(leaves)


@pytest.mark.parametrize("pause_at", [1, 3])
def test_kill_9_inside_merges_loses_no_acknowledged_digest(
    database_url: str, pause_at: int, tmp_path: Path
) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    store = SqlStore(engine)
    acked_total = 0
    for round_ in range(3):
        acked, moved = _run_until_paused_merge(database_url, pause_at + round_)
        assert moved > 0  # killed with a merge's writes done, its commit not
        acked_total = max(acked_total, acked)  # a round may end before its first ack
        store = SqlStore(engine)  # a restart: counts what the killed process left
        _check(store, acked_total)
    assert acked_total >= GROUP  # the rounds committed something to merge
    for low, high in store.digest_slices(50):
        store.merge_digests(low, high)
    assert store.unmerged_digests() == 0
    leaves = _check(store, acked_total)
    with engine.connect() as connection:
        merged = connection.execute(text("SELECT count(*) FROM digest_index")).scalar_one()
    assert merged == leaves
    engine.dispose()
