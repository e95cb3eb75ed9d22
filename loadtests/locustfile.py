"""Locust scenarios for the notary's three user groups.

Why three classes with weights rather than one mixed user: the groups stress different
paths (authorities: large authenticated batches plus receipt reads and verification;
IoT hubs: many small authenticated ``kind=iot`` batches with per-device sequence
numbers; citizens: public, rate-limited reads), and locust's per-name statistics then
show each path's throughput and latency separately.

Configuration comes from the environment, because locust owns the command line:

- ``GOVCHAIN_API_KEY``: the notary API key (scopes to submit ``certificate`` and ``iot``);
- ``GOVCHAIN_LOAD_BATCH`` (default 100): digests per authority batch;
- ``GOVCHAIN_LOAD_IOT_BATCH`` (default 10): readings per IoT batch.

Every non-2xx answer counts as a failure, except a 404 for a digest the citizen
deliberately chose to be unknown (what a citizen with a forged document sees).
"""

from __future__ import annotations

import hashlib
import os
import random
import secrets
import threading
from collections import deque
from typing import Any

from locust import FastHttpUser, between, task

API_KEY_ENV = "GOVCHAIN_API_KEY"
POOL_SIZE = 5_000


def random_digest() -> str:
    """A fresh ``sha256:<hex>`` digest: what a client computes from a document."""
    return "sha256:" + hashlib.sha256(secrets.token_bytes(32)).hexdigest()


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


class SharedPool:
    """Digests and receipt ids notarised during this run, shared by all users.

    Citizens look up what authorities notarised, as in real use; bounded so a long run
    does not grow without limit. Locust users are greenlets in one process, the lock
    only guards against a future threaded runner.
    """

    def __init__(self, size: int = POOL_SIZE) -> None:
        self._lock = threading.Lock()
        self.digests: deque[str] = deque(maxlen=size)
        self.receipt_ids: deque[str] = deque(maxlen=size)

    def add(self, digests: list[str], receipt_ids: list[str]) -> None:
        with self._lock:
            self.digests.extend(digests)
            self.receipt_ids.extend(receipt_ids)

    def some_digest(self) -> str | None:
        with self._lock:
            return random.choice(self.digests) if self.digests else None

    def some_receipt_id(self) -> str | None:
        with self._lock:
            return random.choice(self.receipt_ids) if self.receipt_ids else None


POOL = SharedPool()


def auth_headers() -> dict[str, str]:
    """The bearer header; an absent key fails loudly on the first write instead of 401s."""
    key = os.environ.get(API_KEY_ENV, "").strip()
    if not key:
        raise RuntimeError(f"set {API_KEY_ENV} to a notary API key")
    return {"Authorization": f"Bearer {key}"}


def receipt_ids_of(body: Any) -> list[str]:
    """Receipt ids from a ``SubmitResponse``; empty when the body is not one."""
    if not isinstance(body, dict):
        return []
    refs = body.get("receipts")
    if not isinstance(refs, list):
        return []
    return [str(ref["id"]) for ref in refs if isinstance(ref, dict) and "id" in ref]


def _fail(response: Any, reason: str) -> None:
    """Mark a caught response failed; locust's context manager methods are untyped."""
    response.failure(reason)


def _succeed(response: Any) -> None:
    """Mark a caught response successful (an expected 404, for instance)."""
    response.success()


class Authority(FastHttpUser):
    """A Bürgeramt or register: notarises batches, reads and verifies receipts."""

    weight = 1
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.headers = auth_headers()
        self.batch = _int_env("GOVCHAIN_LOAD_BATCH", 100)

    @task(3)
    def notarise_batch(self) -> None:
        digests = [random_digest() for _ in range(self.batch)]
        body = {"kind": "certificate", "items": [{"digest": d} for d in digests]}
        with self.rest(
            "POST", "/v1/digests", json=body, headers=self.headers, name="POST /v1/digests [batch]"
        ) as response:
            if response.status_code not in (200, 202):
                _fail(response, f"status {response.status_code}")
                return
            ids = receipt_ids_of(response.js)
            if len(ids) != len(digests):
                _fail(response, f"{len(ids)} receipts for {len(digests)} digests")
                return
            POOL.add(digests, ids)

    @task(3)
    def read_receipt(self) -> None:
        receipt_id = POOL.some_receipt_id()
        if receipt_id is None:
            return
        self.client.get(f"/v1/receipts/{receipt_id}", name="GET /v1/receipts/{id}")

    @task(2)
    def verify_receipt(self) -> None:
        """Fetch a receipt and, once anchored, verify it as another authority would."""
        receipt_id = POOL.some_receipt_id()
        if receipt_id is None:
            return
        with self.rest(
            "GET", f"/v1/receipts/{receipt_id}", name="GET /v1/receipts/{id} [for verify]"
        ) as response:
            view = response.js if response.status_code == 200 else None
        receipt = view.get("receipt") if isinstance(view, dict) else None
        if not isinstance(receipt, dict):
            return  # still pending: nothing to verify yet
        with self.rest(
            "POST", "/v1/verify", json={"receipt": receipt}, name="POST /v1/verify"
        ) as response:
            if response.status_code != 200:
                _fail(response, f"status {response.status_code}")
            elif not (isinstance(response.js, dict) and response.js.get("ok") is True):
                _fail(
                    response, f"receipt {receipt_id} did not verify: {(response.text or '')[:200]}"
                )


class IotHub(FastHttpUser):
    """A LoRaWAN network server's bridge: many small batches of device readings.

    Each hub owns a few devices with strictly increasing sequence numbers, as the IoT
    bridge sends them, so the notary's per-device bookkeeping is exercised.
    """

    weight = 2
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        self.headers = auth_headers()
        self.batch = _int_env("GOVCHAIN_LOAD_IOT_BATCH", 10)
        hub = secrets.token_hex(4)
        self.seq = {f"eui-{hub}{n:08x}": 0 for n in range(4)}

    @task
    def send_readings(self) -> None:
        items: list[dict[str, Any]] = []
        devices = list(self.seq)
        for _ in range(self.batch):
            device = random.choice(devices)
            self.seq[device] += 1
            items.append({"digest": random_digest(), "device": device, "seq": self.seq[device]})
        with self.rest(
            "POST",
            "/v1/digests",
            json={"kind": "iot", "items": items},
            headers=self.headers,
            name="POST /v1/digests [iot]",
        ) as response:
            if response.status_code not in (200, 202):
                _fail(response, f"status {response.status_code}")
            elif len(receipt_ids_of(response.js)) != len(items):
                _fail(response, "receipt count differs from reading count")


class Citizen(FastHttpUser):
    """A citizen in the web verifier: page loads and lookups by digest (public reads)."""

    weight = 5
    wait_time = between(0.5, 3.0)

    @task(1)
    def load_page(self) -> None:
        self.client.get("/", name="GET /")

    @task(4)
    def lookup_known(self) -> None:
        digest = POOL.some_digest()
        if digest is None:
            return
        self.client.get(f"/v1/digests/{digest}", name="GET /v1/digests/{digest}")

    @task(1)
    def lookup_unknown(self) -> None:
        """A document that was never notarised: 404 is the correct, successful answer."""
        with self.rest(
            "GET", f"/v1/digests/{random_digest()}", name="GET /v1/digests/{digest} [unknown]"
        ) as response:
            if response.status_code == 404:
                _succeed(response)
            else:
                _fail(response, f"expected 404, got {response.status_code}")
