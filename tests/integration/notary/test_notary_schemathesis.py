"""Schemathesis over the OpenAPI document: no 5xx, responses match their schemas.

Bounded (a few dozen generated requests per operation) so that it fits the default
run; ``GOVCHAIN_LONG=1`` raises the bound.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.notary.conftest import make_api

EXAMPLES = 300 if os.environ.get("GOVCHAIN_LONG") else 25
CHECKS: list[Any] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_openapi_fuzzing(sqlite_url: str, tmp_path: Path) -> None:
    for api in make_api(sqlite_url, tmp_path, max_wait=0.2):
        app = api.http.app
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        headers = api.auth("writer")
        failures: list[str] = []
        for result in schema.get_all_operations():
            assert isinstance(result, Ok), result
            operation = result.ok()
            try:
                _fuzz(operation, headers)
            except Exception as exc:  # collect every operation's failure, then report
                failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
        assert not failures, "\n\n".join(failures)


def _fuzz(operation: Any, headers: dict[str, str]) -> None:
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    check()


@pytest.mark.parametrize("path", ["/openapi.json"])
def test_openapi_has_examples(sqlite_url: str, tmp_path: Path, path: str) -> None:
    for api in make_api(sqlite_url, tmp_path):
        spec = api.http.get(path).json()
        submit = spec["paths"]["/v1/digests"]["post"]
        assert "Idempotency-Key" in str(submit["parameters"]) or "idempotency" in str(submit)
        assert "examples" in str(spec["components"]["schemas"]["SubmitRequest"])
        assert "application/problem+json" in str(submit["responses"]["413"])
