"""The bridge's loops driven step by step against the fake notary and the real app."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest

from govchain_client.iot.batching import Backoff, BatchPolicy
from govchain_client.iot.bridge import Ingestor, ReceiptCollector, Submitter, to_spool_entry
from govchain_client.iot.delivery import Delivery
from govchain_client.iot.errors import SpoolError
from govchain_client.iot.reading import Reading
from govchain_client.iot.spool import Rejected, Spool
from tests.unit.client.iot.app_notary import app_notary
from tests.unit.client.iot.conftest import Clock
from tests.unit.client.iot.fake_notary import FakeNotary
from tests.unit.client.iot.notary_double import NotaryDouble
from tests.unit.client.iot.samples import cs_topic, cs_uplink, encode, tts_topic, tts_uplink

NO_WAIT = Backoff(base=0.0, cap=0.0)


class Acks:
    def __init__(self) -> None:
        self.acked: list[int] = []

    def delivery(self, n: int, topic: str, body: bytes) -> Delivery:
        return Delivery(topic, body, lambda: self.acked.append(n))


def uplinks(acks: Acks, count: int, start: int = 0) -> list[Delivery]:
    out = []
    for n in range(start, start + count):
        if n % 2:
            out.append(acks.delivery(n, cs_topic(), encode(cs_uplink(f_cnt=n))))
        else:
            out.append(acks.delivery(n, tts_topic(), encode(tts_uplink(f_cnt=n))))
    return out


def test_ingest_commits_then_acks_everything_including_rejects(spool: Spool) -> None:
    acks = Acks()
    deliveries = [*uplinks(acks, 3), acks.delivery(99, tts_topic(), b"garbage")]
    results = Ingestor(spool).handle(deliveries)
    assert [r.outcome for r in results] == ["stored", "stored", "stored", "rejected"]
    assert acks.acked == [0, 1, 2, 99]
    assert spool.counters()[("rejected", "not_json")] == 1


def test_no_ack_when_the_commit_fails(spool: Spool, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: object) -> None:
        raise SpoolError("disk full")

    monkeypatch.setattr(spool, "ingest", fail)
    acks = Acks()
    with pytest.raises(SpoolError):
        Ingestor(spool).handle(uplinks(acks, 2))
    assert acks.acked == []


def test_parser_bugs_become_rejects() -> None:
    def explode(topic: str, body: bytes) -> Reading:
        raise KeyError("bug")

    entry = to_spool_entry(Delivery("v3/a/devices/b/up", b"{}", lambda: None), explode)
    assert isinstance(entry, Rejected)
    assert entry.reason == "internal_error"


def test_submitter_waits_for_the_window_then_submits(
    spool: Spool, clock: Clock, notary: NotaryDouble
) -> None:
    submitter = Submitter(spool, notary.client(), BatchPolicy(size=10, window=2.0), NO_WAIT)
    Ingestor(spool).handle(uplinks(Acks(), 3))
    assert submitter.step() == 2.0
    assert notary.requests == []
    clock.now += 2.0
    assert submitter.step() == 0.0
    assert len(notary.receipt_ids()) == 3
    assert spool.states()["submitted"] == 3


def test_submitter_closes_full_batches_at_once(spool: Spool, notary: NotaryDouble) -> None:
    submitter = Submitter(spool, notary.client(), BatchPolicy(size=2, window=60.0), NO_WAIT)
    Ingestor(spool).handle(uplinks(Acks(), 5))
    submitter.step()
    submitter.step()
    assert submitter.step() == pytest.approx(60.0)  # one reading left, window not over
    assert len(notary.requests) == 2
    assert spool.states() == {"spooled": 1, "batched": 0, "submitted": 4, "anchored": 0}


def test_503_keeps_everything_spooled_and_honours_retry_after(spool: Spool) -> None:
    """Fake only: the fake can be told to answer 503; the real app answers it only with
    a full backlog (``test_notary_contract`` holds the fake's 503 to the app's)."""
    notary = FakeNotary(unavailable=2)
    submitter = Submitter(spool, notary.client(), BatchPolicy(size=5, window=1.0))
    Ingestor(spool).handle(uplinks(Acks(), 5))
    assert submitter.step() == 1.0  # Retry-After: 1 honoured
    assert submitter.backing_off
    assert submitter.step() == 1.0
    assert spool.states()["batched"] == 5
    assert submitter.step() == 0.0
    assert len(notary.receipt_ids()) == 5
    assert spool.states()["submitted"] == 5
    assert spool.counters()[("submissions", "unavailable")] == 2


def test_real_apps_full_backlog_holds_the_batch_until_anchoring(
    spool: Spool, tmp_path: Path
) -> None:
    """Real app only: the fake keeps no backlog, so only the app answers 503 on its own."""
    with app_notary(tmp_path / "notary", backlog_limit=7, retry_after=3) as notary:
        submitter = Submitter(spool, notary.client(), BatchPolicy(size=5, window=1.0))
        Ingestor(spool).handle(uplinks(Acks(), 10))
        assert submitter.step() == 0.0  # five wait for anchoring now
        assert submitter.step() == 3.0  # five more would pass the limit: Retry-After
        assert submitter.backing_off
        assert spool.states()["batched"] == 5
        notary.anchor_all()
        assert submitter.step() == 0.0
        assert len(notary.receipt_ids()) == 10
        assert spool.counters()[("submissions", "unavailable")] == 1


def test_outage_keeps_everything_spooled(spool: Spool, notary: NotaryDouble) -> None:
    submitter = Submitter(spool, notary.client(), BatchPolicy(size=5, window=1.0))
    Ingestor(spool).handle(uplinks(Acks(), 5))
    notary.unreachable = True
    delay = submitter.step()
    assert delay > 0
    assert submitter.backing_off
    Ingestor(spool).handle(uplinks(Acks(), 5, start=5))  # keeps spooling meanwhile
    assert spool.states()["batched"] == 5
    assert spool.states()["spooled"] == 5
    notary.unreachable = False
    assert submitter.step() == 0.0
    assert submitter.step() == 0.0
    assert len(notary.receipt_ids()) == 10
    assert spool.counters()[("submissions", "unreachable")] == 1


def test_lost_answer_is_replayed_not_notarised_twice(
    spool_path: Path, clock: Clock, notary: NotaryDouble
) -> None:
    """The notary commits, the answer is lost, the bridge dies; the restart resubmits."""
    notary.lose_answers = 1
    with Spool(spool_path, clock) as spool:
        Ingestor(spool).handle(uplinks(Acks(), 4))
        clock.now += 5
        Submitter(spool, notary.client(), BatchPolicy(4, 1.0), NO_WAIT).step()
        assert spool.states()["batched"] == 4  # not marked: the answer never came
    with Spool(spool_path, clock) as spool:  # "restart"
        Submitter(spool, notary.client(), BatchPolicy(4, 1.0), NO_WAIT).step()
        assert spool.states()["submitted"] == 4
        ids = {r.receipt_id for r in spool.all_readings()}
    assert ids == set(notary.receipt_ids())
    assert len(notary.receipt_ids()) == 4
    keys = Counter(r.headers["idempotency-key"] for r in notary.requests)
    assert list(keys.values()) == [2]


def test_crash_after_closing_a_batch_resubmits_it_unchanged(
    spool_path: Path, clock: Clock, notary: NotaryDouble
) -> None:
    with Spool(spool_path, clock) as spool:
        Ingestor(spool).handle(uplinks(Acks(), 3))
        formed = spool.form_batch(10)
    with Spool(spool_path, clock) as spool:
        Ingestor(spool).handle(uplinks(Acks(), 2, start=3))
        submitter = Submitter(spool, notary.client(), BatchPolicy(10, 1.0), NO_WAIT)
        submitter.step()
        assert formed is not None
        assert notary.requests[0].headers["idempotency-key"] == formed.key
        assert len(notary.receipt_ids()) == 3


def test_collector_stores_anchored_receipts_in_log_order(
    spool: Spool, clock: Clock, notary: NotaryDouble
) -> None:
    Ingestor(spool).handle(uplinks(Acks(), 4))
    clock.now += 5
    Submitter(spool, notary.client(), BatchPolicy(10, 1.0), NO_WAIT).step()
    collector = ReceiptCollector(spool, notary.client(), NO_WAIT, poll=0.5)
    assert collector.step() == 0.5  # still pending
    assert spool.states()["anchored"] == 0
    notary.anchor_all()
    assert collector.step() == 0.0
    assert spool.states()["anchored"] == 4
    stored = spool.find("70b3d57ed005b89a", f_cnt=2)[0]
    assert stored.receipt is not None
    leaf = stored.receipt["receipt"]["leaf"]
    assert (leaf["kind"], leaf["digest"], leaf["device"], leaf["seq"]) == (
        "iot",
        stored.digest,
        "70b3d57ed005b89a",
        1,
    )


def test_collector_backs_off_when_the_notary_is_down(
    spool: Spool, clock: Clock, notary: NotaryDouble
) -> None:
    Ingestor(spool).handle(uplinks(Acks(), 1))
    clock.now += 5
    Submitter(spool, notary.client(), BatchPolicy(10, 1.0), NO_WAIT).step()
    notary.unreachable = True
    collector = ReceiptCollector(spool, notary.client(), Backoff(base=1.0, cap=4.0))
    assert collector.step() >= 0.5
    assert collector.failures == 1


def test_ingest_loop_survives_failures_and_acks_only_after_a_commit(
    spool: Spool, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = spool.ingest
    failures: list[Exception] = [SpoolError("disk full"), RuntimeError("bug")]

    def flaky(entries: list[object]) -> object:
        if failures:
            raise failures.pop(0)
        return real(entries)  # type: ignore[arg-type]

    class NoWait(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            return self.is_set()

    monkeypatch.setattr(spool, "ingest", flaky)
    acks = Acks()
    Ingestor(spool)._handle_until_stored(uplinks(acks, 2), NoWait())
    assert failures == []
    assert acks.acked == [0, 1]
    assert len(spool.all_readings()) == 2
