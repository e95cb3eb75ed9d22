"""The bare ASGI lookup path answers exactly as the FastAPI route does.

One notary app is built without the fast path; the same app wrapped in
``LookupFastPath`` (configured as ``create_app`` installs it) is the other side.
Both share one service, so both read the same database, cache and rate limiter;
the anchoring worker and the status follower are stopped before comparing, so
that nothing changes between the two answers of a pair.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from fastapi.testclient import TestClient

from govchain_notary.app import cors_options, create_app
from govchain_notary.fast_lookup import LookupFastPath
from govchain_notary.settings import load_settings
from tests.integration.notary.conftest import Api, make_api

ANCHORED = "sha256:" + "a1" * 32
PENDING = "sha256:" + "b2" * 32
UNKNOWN = "sha256:" + "c3" * 32
ORIGIN = "https://verifier.example"

Pair = tuple[Api, TestClient]


@pytest.fixture(params=[["*"], [ORIGIN]], ids=["any-origin", "one-origin"])
def pair(request: pytest.FixtureRequest, database_url: str, tmp_path: Path) -> Iterator[Pair]:
    for api in make_api(database_url, tmp_path, fast_lookups=False, cors_origins=request.param):
        _notarise(api, ANCHORED, wait=30)
        api.service.worker.stop()
        _notarise(api, PENDING, wait=0)
        api.service.follower.stop()
        app = api.http.app
        fast = LookupFastPath(
            app,
            service=api.service,
            limiter=app.state.limiter,  # type: ignore[attr-defined]
            metrics=app.state.metrics,  # type: ignore[attr-defined]
            cors=cors_options(app.state.settings),  # type: ignore[attr-defined]
        )
        yield api, TestClient(fast)


def _notarise(api: Api, digest: str, wait: float) -> None:
    body = {"kind": "certificate", "digest": digest}
    answer = api.http.post("/v1/digests", json=body, headers=api.auth(), params={"wait": wait})
    assert answer.status_code == (200 if wait else 202), answer.text


def _same(pair: Pair, method: str, path: str, headers: dict[str, str] | None = None) -> int:
    """Send the request through both paths; assert identical answers; return the status."""
    api, fast = pair
    slow_answer = api.http.request(method, path, headers=headers)
    fast_answer = fast.request(method, path, headers=headers)
    assert fast_answer.status_code == slow_answer.status_code
    assert fast_answer.headers.raw == slow_answer.headers.raw
    assert fast_answer.content == slow_answer.content
    status: int = slow_answer.status_code
    return status


CASES = [
    ("GET", f"/v1/digests/{ANCHORED}", 200),
    ("GET", f"/v1/digests/{PENDING}", 200),
    ("GET", f"/v1/digests/{UNKNOWN}", 404),
    ("GET", "/v1/digests/sha256:1234", 422),
    ("GET", f"/v1/digests/{ANCHORED.upper()}", 422),
    ("GET", f"/v1/digests/{ANCHORED.replace('sha256:', 'sha256:A')[:-1]}", 422),
    ("GET", f"/v1/digests/{ANCHORED}/extra", 404),
    ("HEAD", f"/v1/digests/{ANCHORED}", None),
    ("HEAD", f"/v1/digests/{UNKNOWN}", None),
    ("OPTIONS", f"/v1/digests/{ANCHORED}", 204),
    ("POST", f"/v1/digests/{ANCHORED}", 405),
]


@pytest.mark.parametrize(("method", "path", "status"), CASES)
@pytest.mark.parametrize("origin", [None, ORIGIN, "https://elsewhere.example"])
def test_fast_path_answers_as_the_route(
    pair: Pair, method: str, path: str, status: int | None, origin: str | None
) -> None:
    headers = {"Origin": origin} if origin else None
    for _ in range(2):  # the second round is served from the lookup cache when complete
        answered = _same(pair, method, path, headers)
        assert status is None or answered == status


def test_cors_preflight_is_the_applications(pair: Pair) -> None:
    headers = {"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
    assert _same(pair, "OPTIONS", f"/v1/digests/{ANCHORED}", headers) == 200


def test_rate_limited_lookups_answer_the_same_problem(pair: Pair) -> None:
    api, _ = pair
    limiter = api.http.app.state.limiter  # type: ignore[attr-defined]
    now = limiter.clock()
    limiter.clock = lambda: now  # no refill while comparing: the same Retry-After
    settings = api.service.settings
    limiter.take("ip:testclient", settings.public_read_rate, settings.public_read_burst)
    bucket = limiter._buckets["ip:testclient"]
    limiter._buckets["ip:testclient"] = (0.0, bucket[1])
    for path in (f"/v1/digests/{ANCHORED}", f"/v1/digests/{UNKNOWN}"):
        assert _same(pair, "GET", path, {"Origin": ORIGIN}) == 429


def test_fast_path_records_the_routes_metrics(pair: Pair) -> None:
    api, fast = pair
    fast.get(f"/v1/digests/{ANCHORED}")
    fast.get(f"/v1/digests/{UNKNOWN}")
    metrics = api.http.app.state.metrics  # type: ignore[attr-defined]
    for status in ("200", "404"):
        labels = {"method": "GET", "route": "/v1/digests/{digest}", "status": status}
        count = metrics.registry.get_sample_value("govchain_notary_request_seconds_count", labels)
        assert count == 1  # the fast path alone answered both


def test_create_app_installs_the_fast_path_outermost(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, chain="memory")
    installed = [cast(object, m.cls) for m in create_app(settings).user_middleware]
    assert installed[0] is LookupFastPath
    plain = create_app(settings, fast_lookups=False).user_middleware
    assert LookupFastPath not in [cast(object, m.cls) for m in plain]
