"""Bounded fuzzing of the notary's HTTP surface, fit for every CI run.

1. Schemathesis over the OpenAPI document, every operation: data the schema allows
   (no 5xx; status, content type and body conform to the schema) and data it forbids
   (no 5xx; refused with a 4xx, so the schema says what the server accepts).
2. Crafted bodies on every operation that takes JSON: deep nesting, huge and
   non-finite numbers, long strings, broken text -> a 4xx problem, never a 5xx.
   The same bodies against a real ``govchain up`` process (py-evm's recursion
   limit, where deep JSON used to kill the process) are in
   ``test_notary_hostile_requests``.

Bounded: a few dozen generated requests per operation and mode (about a minute in
all); ``GOVCHAIN_LONG=1`` raises the bound.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.notary.conftest import Api, make_api

EXAMPLES = 300 if os.environ.get("GOVCHAIN_LONG") else 50
CHECKS: dict[GenerationMode, list[Any]] = {
    GenerationMode.POSITIVE: [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ],
    GenerationMode.NEGATIVE: [
        not_a_server_error,
        negative_data_rejection,
        status_code_conformance,
        content_type_conformance,
    ],
}


@pytest.fixture
def fuzzed_api(sqlite_url: str, tmp_path: Path) -> Iterator[Api]:
    yield from make_api(sqlite_url, tmp_path, max_wait=0.2)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_openapi_fuzzing(fuzzed_api: Api, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_api.http.app)
    # the test sends a valid API key itself (auth has its own tests), and unknown query
    # parameters are ignored, as HTTP servers do: neither counts as a schema violation
    schema.config.generation.with_security_parameters = False
    schema.config.generation.allow_extra_parameters = False
    headers = fuzzed_api.auth("writer")
    spec = fuzzed_api.http.get("/openapi.json").json()
    failures: list[str] = []
    fuzzed = set()
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        declared = spec["paths"][operation.path][operation.method.lower()]
        if mode is GenerationMode.NEGATIVE and not _has_inputs(declared):
            fuzzed.add((operation.method.upper(), operation.path))
            continue  # nothing in it can be made invalid
        try:
            _fuzz(operation, headers, mode)
        except Exception as exc:  # collect every operation's failure, then report
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
        fuzzed.add((operation.method.upper(), operation.path))
    assert not failures, "\n\n".join(failures)
    every = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    assert fuzzed == every


def _has_inputs(operation: dict[str, Any]) -> bool:
    return bool(operation.get("parameters")) or "requestBody" in operation


def _fuzz(operation: Any, headers: dict[str, str], mode: GenerationMode) -> None:
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS[mode])

    check()


def crafted_values() -> dict[str, bytes]:
    """JSON values (as text) that a careless parser or handler turns into a 5xx."""
    return {
        "deep-arrays": b"[" * 5_000 + b"]" * 5_000,
        "deep-objects": b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
        "unclosed-deep": b"[" * 100_000,
        "1e400": b"1e400",
        "-1e400": b"-1e400",
        "NaN": b"NaN",
        "Infinity": b"-Infinity",
        "long-integer": b"9" * 100_000,
        "int64+1": str(2**63).encode(),
        "long-string": b'"' + b"x" * 3_000_000 + b'"',
        "escapes": b'"' + b"\\ud800\\u0000" * 1000 + b'"',
        "not-utf8": b'"\xff\xfe"',
        "empty-object": b"{}",
        "null": b"null",
    }


#: Refused by the bounded parser itself (400), before any validation or handler.
NOT_JSON = {
    "deep-arrays",
    "deep-objects",
    "unclosed-deep",
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    "long-integer",
    "not-utf8",
}


def _bodies(template: dict[str, Any]) -> Iterator[tuple[str, bytes]]:
    """Each crafted value alone, and in place of each field of a valid body."""
    values = crafted_values()
    for name, value in values.items():
        yield name, value
        for field in template:
            rest = b"".join(
                f'"{k}": {_json(v)}, '.encode() for k, v in template.items() if k != field
            )
            yield f"{field}={name}", b"{" + rest + f'"{field}": '.encode() + value + b"}"


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


TEMPLATES: dict[str, dict[str, Any]] = {
    "/v1/digests": {"kind": "iot", "digest": "sha256:" + "ab" * 32, "device": "d", "seq": 1},
    "/v1/verify": {"receipt": {"type": "govchain-receipt", "version": "1.0"}},
    "/v1/status": {"receipt_id": "0" * 32, "action": "supersede", "superseded_by": "1" * 32},
}


def test_crafted_bodies_on_every_json_input_are_4xx(fuzzed_api: Api) -> None:
    spec = fuzzed_api.http.get("/openapi.json").json()
    inputs = {p for p, ops in spec["paths"].items() for op in ops.values() if "requestBody" in op}
    assert inputs == set(TEMPLATES)  # a new JSON input needs its template here
    headers = {**fuzzed_api.auth("writer"), "Content-Type": "application/json"}
    answers: dict[int, int] = {}
    for path, template in TEMPLATES.items():
        for name, body in _bodies(template):
            response = fuzzed_api.http.post(path, content=body, headers=headers)
            if name.rpartition("=")[2] in NOT_JSON:
                assert response.status_code == 400, (path, name, response.text[:300])
            assert 400 <= response.status_code < 500, (path, name, response.text[:300])
            assert response.headers["content-type"] == "application/problem+json", (path, name)
            answers[response.status_code] = answers.get(response.status_code, 0) + 1
    assert fuzzed_api.http.get("/healthz").status_code == 200
    assert {400, 422} <= answers.keys()


@pytest.mark.parametrize("path", ["/openapi.json"])
def test_openapi_has_examples(sqlite_url: str, tmp_path: Path, path: str) -> None:
    for api in make_api(sqlite_url, tmp_path):
        spec = api.http.get(path).json()
        submit = spec["paths"]["/v1/digests"]["post"]
        assert "Idempotency-Key" in str(submit["parameters"]) or "idempotency" in str(submit)
        assert "examples" in str(spec["components"]["schemas"]["SubmitRequest"])
        assert "application/problem+json" in str(submit["responses"]["413"])
