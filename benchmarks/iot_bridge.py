"""IoT bridge benchmark: ``python -m benchmarks.iot_bridge [--readings N] [--no-e2e]``.

Part 1, in process: how fast uplinks are parsed and canonicalised, and how fast the
spool commits them (WAL, ``synchronous=FULL``) in groups of 20 (Mosquitto's default
``max_inflight_messages``, the most a QoS 1 subscriber holds unacknowledged) and 500.

Part 2, end to end (needs Mosquitto at 127.0.0.1:1883): a real notary (uvicorn,
SQLite, dev file chain) and ``govchain iot-bridge run`` as subprocesses; N uplinks
of both formats are published at ``--rate`` per second; reported are readings/s durably spooled
(acknowledged to the broker) and readings/s anchored with their receipts stored.

A QoS 1 subscriber that falls behind makes Mosquitto queue, and past its
``max_queued_messages`` (default 1,000) drop, messages: publish above the bridge's
ingest rate for long and the broker, not the bridge, loses uplinks.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from govchain_client.iot.bridge import to_spool_entry
from govchain_client.iot.delivery import Delivery
from govchain_client.iot.reading import CanonicalReading
from govchain_client.iot.spool import Spool
from tests.integration.iot.harness import (
    BridgeProcess,
    NotaryProcess,
    Publisher,
    broker_available,
    forget_session,
    new_run_id,
)
from tests.support.waiting import wait_until
from tests.unit.client.iot.samples import cs_topic, cs_uplink, encode, tts_topic, tts_uplink


def deliveries(count: int) -> list[Delivery]:
    out = []
    for n in range(count):
        if n % 2:
            topic, body = cs_topic(), encode(cs_uplink(n + 1, n.to_bytes(4, "big")))
        else:
            topic, body = tts_topic(), encode(tts_uplink(n + 1, n.to_bytes(4, "big")))
        out.append(Delivery(topic, body, lambda: None))
    return out


def in_process(count: int) -> None:
    messages = deliveries(count)
    start = time.perf_counter()
    entries = [to_spool_entry(d) for d in messages]
    parse = time.perf_counter() - start
    assert all(isinstance(e, CanonicalReading) for e in entries)
    print(f"parse + canonicalise      {count / parse:10,.0f} readings/s")
    for group in (20, 500):
        with tempfile.TemporaryDirectory() as tmp, Spool(Path(tmp) / "spool.db") as spool:
            start = time.perf_counter()
            for i in range(0, count, group):
                spool.ingest(entries[i : i + group])
            took = time.perf_counter() - start
        print(f"spool commit, groups {group:<4} {count / took:10,.0f} readings/s")


def settle(count: Callable[[], int], expected: int, quiet: float = 5.0) -> int:
    """Wait until ``count()`` reaches ``expected`` or stops growing for ``quiet`` seconds."""
    last, since = -1, time.monotonic()
    while True:
        now = count()
        if now >= expected:
            return now
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > quiet:
            return now
        time.sleep(0.05)


def end_to_end(count: int, rate: float) -> None:
    if not broker_available():
        print("end to end: skipped (no Mosquitto at 127.0.0.1:1883)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        notary = NotaryProcess(Path(tmp) / "notary")
        notary.start()
        run_id = new_run_id()
        publisher = Publisher(run_id, devices=16)
        client_id = f"govchain-iot-bench-{run_id[:12]}"
        spool_path = Path(tmp) / "spool.db"
        bridge = BridgeProcess(
            spool_path, notary, client_id, publisher.topics(), batch_size=1000, batch_window=0.5
        )
        try:
            bridge.start()
            start = time.perf_counter()
            publisher.start(count, rate=rate, pipelined=True)
            publisher.join(timeout=600)
            published = time.perf_counter() - start
            expected = len(publisher.published.valid)

            def state(name: str) -> int:
                with Spool(spool_path) as spool:
                    states = spool.states()
                return sum(states.values()) if name == "stored" else states[name]

            stored_count = settle(lambda: state("stored"), expected)
            stored = time.perf_counter() - start
            if stored_count < expected:
                print(
                    f"the broker dropped {expected - stored_count} of {expected} uplinks: "
                    f"{rate:g}/s is above what the bridge acknowledges; lower --rate"
                )
                return
            wait_until(
                "accepted by the notary",
                lambda: state("anchored") + state("submitted") >= expected,
                600,
                every=0.05,
            )
            accepted = time.perf_counter() - start
            wait_until("anchored", lambda: state("anchored") >= expected, 600, every=0.1)
            anchored = time.perf_counter() - start
        finally:
            bridge.stop()
            publisher.close()
            forget_session(client_id)
            notary.stop()
    print(f"published (QoS 1)         {expected / published:10,.0f} readings/s")
    print(f"spooled and acknowledged  {expected / stored:10,.0f} readings/s  ({stored:.1f} s)")
    print(f"accepted by the notary    {expected / accepted:10,.0f} readings/s  ({accepted:.1f} s)")
    print(f"anchored, receipts stored {expected / anchored:10,.0f} readings/s  ({anchored:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readings", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=1000.0, help="Publish rate, uplinks/s.")
    parser.add_argument("--no-e2e", action="store_true")
    args = parser.parse_args()
    in_process(args.readings)
    if not args.no_e2e:
        end_to_end(args.readings, args.rate)


if __name__ == "__main__":
    main()
