"""The bridge service: three loops around the spool, each on its own thread.

    MQTT ──▶ Ingestor ──(commit, then ack)──▶ spool ──▶ Submitter ──▶ notary
                                                │
                                                └──▶ ReceiptCollector ◀── notary

* ``Ingestor`` parses deliveries, commits readings and rejects in one transaction per
  group (one fsync covers many messages), and only then acknowledges them.
* ``Submitter`` closes batches by size or window, submits them with content-derived
  idempotency keys, and backs off (honouring ``Retry-After``) while the notary is
  down; nothing leaves the spool until the notary has accepted it.
* ``ReceiptCollector`` fetches receipts in log order and stores them with the readings.

Each loop is a ``step()`` that returns how long to wait before the next step, so
tests drive them without threads or clocks.  No error in a loop stops the bridge.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govchain_client.errors import NotaryError, RateLimitedError, TransportError
from govchain_client.iot.batching import Backoff, Batch, BatchPolicy
from govchain_client.iot.delivery import Delivery
from govchain_client.iot.errors import SpoolError, UplinkError
from govchain_client.iot.formats import Parser, UplinkRouter, parse_uplink
from govchain_client.iot.notary_api import IotNotary
from govchain_client.iot.reading import CanonicalReading, canonical_reading
from govchain_client.iot.spool import Ingested, Rejected, Spool
from govchain_core.errors import CoreError

logger = logging.getLogger(__name__)

RECEIPT_POLL = 1.0
RECEIPTS_PER_STEP = 200
RECEIPT_WORKERS = 8
INGEST_GROUP = 1000
DEFAULT_TOPICS = UplinkRouter().subscriptions()


def to_spool_entry(delivery: Delivery, parse: Parser = parse_uplink) -> CanonicalReading | Rejected:
    """A delivery as the spool stores it: a canonical reading, or a counted reject."""
    try:
        return canonical_reading(parse(delivery.topic, delivery.body))
    except UplinkError as exc:
        return Rejected(delivery.topic, exc.reason, exc.detail, delivery.body)
    except CoreError as exc:
        return Rejected(delivery.topic, "not_canonical", str(exc), delivery.body)
    except Exception as exc:  # a parser bug must cost one message, never the bridge
        logger.exception("unexpected error parsing a message on %s", delivery.topic)
        return Rejected(delivery.topic, "internal_error", repr(exc), delivery.body)


class Ingestor:
    """Stores deliveries durably, then acknowledges them."""

    def __init__(
        self,
        spool: Spool,
        on_stored: Callable[[], None] | None = None,
        parse: Parser = parse_uplink,
    ) -> None:
        self.spool = spool
        self._on_stored = on_stored
        self._parse = parse

    def handle(self, deliveries: Sequence[Delivery]) -> list[Ingested]:
        """Commit one group (raises ``SpoolError`` without acking if the commit fails)."""
        entries = [to_spool_entry(d, self._parse) for d in deliveries]
        results = self.spool.ingest(entries)
        for delivery in deliveries:
            delivery.ack()
        for entry in entries:
            if isinstance(entry, Rejected):
                logger.warning(
                    "rejected message on %s: %s: %s", entry.topic, entry.reason, entry.detail
                )
        if self._on_stored is not None and any(r.outcome == "stored" for r in results):
            self._on_stored()
        return results

    def run(self, inbox: queue.Queue[Delivery], stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                group = [inbox.get(timeout=0.2)]
            except queue.Empty:
                continue
            while len(group) < INGEST_GROUP:
                try:
                    group.append(inbox.get_nowait())
                except queue.Empty:
                    break
            self._handle_until_stored(group, stop)

    def _handle_until_stored(self, group: list[Delivery], stop: threading.Event) -> None:
        """Retry a failed commit; unacked messages are redelivered if we stop meanwhile."""
        while not stop.is_set():
            try:
                self.handle(group)
                return
            except SpoolError as exc:
                logger.error("spool write failed, retrying (messages stay unacked): %s", exc)
                stop.wait(1.0)
            except Exception:  # a bug must not silently end ingestion
                logger.exception("ingest failed, retrying (messages stay unacked)")
                stop.wait(1.0)


class Submitter:
    """Closes batches and submits them until the notary accepts each one."""

    def __init__(
        self,
        spool: Spool,
        notary: IotNotary,
        policy: BatchPolicy,
        backoff: Backoff | None = None,
    ) -> None:
        self.spool = spool
        self.notary = notary
        self.policy = policy
        self.backoff = backoff or Backoff()
        self.failures = 0
        self.backing_off = False
        """True while waiting after a failure: new readings must not cut that wait short."""

    def step(self) -> float:
        """Submit the open batch or close a due one; return seconds until the next step."""
        self.backing_off = False
        batch = self.spool.open_batch()
        if batch is None:
            waiting, oldest_age = self.spool.waiting()
            delay = self.policy.wait(waiting, oldest_age)
            if delay > 0:
                return delay
            batch = self.spool.form_batch(self.policy.size)
            if batch is None:
                return self.policy.window
        return self._submit(batch)

    def _submit(self, batch: Batch) -> float:
        try:
            receipt_ids = self.notary.submit_readings(batch.items, batch.key)
        except RateLimitedError as exc:
            return self._failed(batch, "unavailable", exc, exc.retry_after)
        except NotaryError as exc:
            logger.error("notary refused batch %s (%s); will retry", batch.id, exc)
            return self._failed(batch, "refused", exc, None)
        except TransportError as exc:
            return self._failed(batch, "unreachable", exc, None)
        self.spool.mark_submitted(batch, receipt_ids)
        self.spool.bump("submissions", "accepted")
        self.spool.bump("submitted_readings", "accepted", len(batch.items))
        self.failures = 0
        logger.info("batch %s: %d readings accepted by the notary", batch.id, len(batch.items))
        return 0.0

    def _failed(
        self, batch: Batch, outcome: str, exc: Exception, retry_after: float | None
    ) -> float:
        self.failures += 1
        self.backing_off = True
        self.spool.note_failure(batch, f"{outcome}: {exc}")
        self.spool.bump("submissions", outcome)
        delay = self.backoff.delay(self.failures, retry_after)
        logger.warning(
            "batch %s not submitted (%s: %s); retry in %.1fs", batch.id, outcome, exc, delay
        )
        return delay


class ReceiptCollector:
    """Fetches receipts of submitted readings once the notary has anchored them.

    The notary anchors its log in order, so the oldest awaited receipt is probed
    first: while it is pending, one request per poll suffices.  Once it is anchored,
    the rest of the step's receipts are fetched ``workers`` at a time (one request
    per receipt is what limits the rate, not the notary's CPU).
    """

    def __init__(
        self,
        spool: Spool,
        notary: IotNotary,
        backoff: Backoff | None = None,
        poll: float = RECEIPT_POLL,
        workers: int = RECEIPT_WORKERS,
    ) -> None:
        self.spool = spool
        self.notary = notary
        self.backoff = backoff or Backoff()
        self.poll = poll
        self.failures = 0
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="iot-receipt")

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def step(self) -> float:
        awaiting = self.spool.awaiting_receipts(RECEIPTS_PER_STEP)
        if not awaiting:
            return self.poll
        results = [self._fetch(awaiting[0][1])]
        if _anchored(results[0]):
            results += self._pool.map(self._fetch, [rid for _, rid in awaiting[1:]])
        collected = []
        delay = 0.0
        for (reading_id, receipt_id), result in zip(awaiting, results, strict=False):
            if isinstance(result, Exception):
                delay = self._failed(receipt_id, result)
                break
            if not _anchored(result):
                delay = self.poll  # the log is anchored in order: later ones are pending too
                break
            collected.append((reading_id, result))
        self.spool.store_receipts(collected)
        if collected:
            self.failures = 0
        return delay

    def _fetch(self, receipt_id: str) -> dict[str, Any] | Exception:
        try:
            return self.notary.receipt(receipt_id)
        except (NotaryError, TransportError) as exc:
            return exc

    def _failed(self, receipt_id: str, exc: Exception) -> float:
        if isinstance(exc, RateLimitedError):
            return self.backoff.delay(self.failures, exc.retry_after)
        self.failures += 1
        logger.warning("cannot fetch receipt %s: %s", receipt_id, exc)
        return self.backoff.delay(self.failures)


def _anchored(view: dict[str, Any] | Exception) -> bool:
    return (
        isinstance(view, dict)
        and view.get("status") == "anchored"
        and isinstance(view.get("receipt"), dict)
    )


@dataclass(frozen=True, slots=True)
class BridgeConfig:
    """Everything ``govchain iot-bridge run`` configures."""

    spool: Path
    mqtt: str = "127.0.0.1:1883"
    topics: tuple[str, ...] = ()
    """MQTT filters to subscribe to; empty: the router's templates' uplink topics."""
    router: UplinkRouter = field(default_factory=UplinkRouter)
    client_id: str = "govchain-iot-bridge"
    policy: BatchPolicy = field(default_factory=BatchPolicy)
    receipt_poll: float = RECEIPT_POLL


class Bridge:
    """Runs the three loops and the MQTT source until ``stop`` is set."""

    def __init__(self, config: BridgeConfig, notary_factory: Callable[[], IotNotary]) -> None:
        self.config = config
        self._notary_factory = notary_factory
        self._inbox: queue.Queue[Delivery] = queue.Queue()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    def run(self, stop: threading.Event) -> None:
        from govchain_client.iot.mqtt import MqttSource

        Spool(self.config.spool).close()  # create the schema before the threads race for it
        self._spawn("ingest", self._ingest, stop)
        self._spawn("submit", self._submit, stop)
        self._spawn("receipts", self._receipts, stop)
        topics = self.config.topics or self.config.router.subscriptions()
        source = MqttSource(
            self.config.mqtt, topics, self._inbox.put, client_id=self.config.client_id
        )
        source.start()
        try:
            stop.wait()
        finally:
            source.stop()
            self._wake.set()
            for thread in self._threads:
                thread.join(timeout=10)

    def _spawn(
        self, name: str, target: Callable[[threading.Event], None], stop: threading.Event
    ) -> None:
        thread = threading.Thread(target=target, args=(stop,), name=f"iot-{name}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _ingest(self, stop: threading.Event) -> None:
        with Spool(self.config.spool) as spool:
            Ingestor(spool, self._wake.set, self.config.router.parse).run(self._inbox, stop)

    def _submit(self, stop: threading.Event) -> None:
        with Spool(self.config.spool) as spool:
            submitter = Submitter(spool, self._notary_factory(), self.config.policy)
            _loop(submitter.step, stop, self._wake, lambda: not submitter.backing_off)

    def _receipts(self, stop: threading.Event) -> None:
        with Spool(self.config.spool) as spool:
            collector = ReceiptCollector(
                spool, self._notary_factory(), poll=self.config.receipt_poll
            )
            try:
                _loop(collector.step, stop, None, lambda: False)
            finally:
                collector.close()


def _loop(
    step: Callable[[], float],
    stop: threading.Event,
    wake: threading.Event | None,
    wakeable: Callable[[], bool],
) -> None:
    """Run ``step`` until stopped; a failing step is logged and retried, never fatal.

    ``wake`` (set when new readings are stored) ends a wait early if ``wakeable()``.
    """
    while not stop.is_set():
        try:
            delay = step()
        except Exception:
            logger.exception("bridge loop step failed; retrying")
            delay = 1.0
        if delay <= 0:
            continue
        if wake is not None and wakeable():
            wake.wait(delay)
            wake.clear()
        else:
            stop.wait(delay)
