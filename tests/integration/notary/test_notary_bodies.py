"""Request bodies, methods and integers: every refusal is a precise 4xx problem.

Bodies go through ``api.bodies.JsonBodyRoute`` (bounded parser, 413/415/400); the
paths' methods through ``middleware.AllowedMethods``; integers are bounded in the
OpenAPI schema.  Every operation is taken from the OpenAPI document, so a route
added later is covered without editing this file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from tests.integration.notary.conftest import ISSUER, Api

DIGEST = "sha256:" + "ab" * 32
JSON = {"Content-Type": "application/json"}


def _operations(api: Api) -> Iterator[tuple[str, str, dict[str, Any]]]:
    spec = api.http.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, operation


def _concrete(path: str) -> str:
    return (
        path.replace("{address}", ISSUER)
        .replace("{digest}", DIGEST)
        .replace("{receipt_id}", "0" * 32)
    )


def _body_operations(api: Api) -> list[str]:
    paths = []
    for _, path, operation in _operations(api):
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= operation["responses"].keys(), path  # documented
            paths.append(path)
    return paths


def test_every_body_is_parsed_with_a_depth_bound(api: Api) -> None:
    paths = _body_operations(api)
    assert {"/v1/digests", "/v1/verify", "/v1/status"} <= set(paths)
    for path in paths:
        response = api.http.post(path, content=b"[" * 100_000, headers={**api.auth(), **JSON})
        assert response.status_code == 400, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert "nests deeper than" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"kind": "certificate", "digest": NaN}', "NaN"),
        (b'{"kind": "certificate", "digest": Infinity}', "Infinity"),
        (b'{"kind": "certificate", "seq": 1e400}', "out of range"),
        (b'{"kind": "certificate", "seq": 1' + b"0" * 5000 + b"}", "digits"),
        (b'{"kind": "certificate", "digest": "\xff"}', "not UTF-8 at byte 35"),
        (b'{"kind": "certificate"} trailing', "Extra data"),
    ],
)
def test_what_is_not_json_is_400(api: Api, body: bytes, says: str) -> None:
    for path in _body_operations(api):
        response = api.http.post(path, content=body, headers={**api.auth(), **JSON})
        assert response.status_code == 400, (path, response.text)
        assert says in response.json()["detail"]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1", None],
)
def test_a_body_that_is_not_json_is_415(api: Api, content_type: str | None) -> None:
    headers = api.auth() if content_type is None else {**api.auth(), "Content-Type": content_type}
    body = b'{"kind": "certificate", "digest": "' + DIGEST.encode() + b'"}'
    for path in _body_operations(api):
        response = api.http.post(path, content=body, headers=headers)
        assert response.status_code == 415, (path, response.text)
        assert response.headers["accept"] == "application/json"


def test_json_with_a_structured_suffix_is_accepted(api: Api) -> None:
    headers = {**api.auth(), "Content-Type": "application/problem+json; charset=UTF-8"}
    response = api.http.post(
        "/v1/digests", json={"kind": "certificate", "digest": DIGEST}, headers=headers
    )
    assert response.status_code == 202, response.text


def test_a_chunked_body_over_the_limit_is_413(api: Api) -> None:
    limit = api.service.settings.max_body_bytes

    def chunks() -> Iterator[bytes]:
        yield b'{"kind": "certificate", "digest": "'
        for _ in range(limit // 65_536 + 2):
            yield b" " * 65_536

    response = api.http.post("/v1/digests", content=chunks(), headers={**api.auth(), **JSON})
    assert response.status_code == 413, response.text
    assert response.json()["status"] == 413


def test_options_and_405_name_the_methods_of_each_path(api: Api) -> None:
    for method, path, _ in _operations(api):
        url = _concrete(path)
        options = api.http.options(url)
        assert options.status_code == 204, (path, options.text)
        allowed = {m.strip() for m in options.headers["allow"].split(",")}
        assert {method, "OPTIONS"} <= allowed, (path, allowed)
        wrong = "PUT" if "PUT" not in allowed else "DELETE"
        refused = api.http.request(wrong, url)
        assert refused.status_code == 405, (path, refused.text)
        assert refused.headers["allow"] == options.headers["allow"]
        assert refused.headers["content-type"] == "application/problem+json"
    assert api.http.options("/v1/digests").headers["allow"] == "OPTIONS, POST"


def test_every_integer_parameter_is_bounded(api: Api) -> None:
    """2**63 and beyond must be a 422, on SQLite and PostgreSQL alike (was a 500)."""
    checked = 0
    for method, path, operation in _operations(api):
        for parameter in operation.get("parameters", []):
            schema = parameter["schema"]
            types = [schema, *schema.get("anyOf", [])]
            integer = next((t for t in types if t.get("type") == "integer"), None)
            if integer is None:
                continue
            assert {"maximum", "minimum"} <= integer.keys(), (path, parameter["name"])
            for value in (2**63, 2**64, -(2**63) - 1, 10**30):
                params = {parameter["name"]: str(value)}
                if parameter["name"] in ("from", "to"):
                    params = {"from": "1", "to": "1", **params}
                response = api.http.request(method, _concrete(path), params=params)
                assert response.status_code == 422, (path, parameter["name"], response.text)
                checked += 1
    assert checked >= 12  # limit, before, from, to


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/digests", {"kind": "certificate", "items": []}),
        ("/v1/digests", {"kind": "certificate", "digest": DIGEST, "items": [{"digest": DIGEST}]}),
        ("/v1/digests", {"kind": "iot", "digest": DIGEST, "device": "d-1"}),
        ("/v1/digests", {"kind": "iot", "items": [{"digest": DIGEST, "seq": 1}]}),
        ("/v1/digests", {"kind": "certificate"}),
        ("/v1/digests", {"kind": "certificate", "digest": None, "items": [{"digest": DIGEST}]}),
        ("/v1/digests", {"kind": "certificate", "digest": DIGEST, "meta": None}),
        ("/v1/verify", {"receipt": {}}),
        ("/v1/verify", {"receipt": {"type": "govchain-receipt", "version": "1.0"}}),
    ],
)
def test_schema_and_server_refuse_the_same_bodies(
    api: Api, path: str, body: dict[str, Any]
) -> None:
    spec = api.http.get("/openapi.json").json()
    schema = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    validator = jsonschema.Draft202012Validator({**schema, "components": spec["components"]})
    assert not validator.is_valid(body), "the schema allows what the server refuses"
    response = api.http.post(path, json=body, headers=api.auth())
    assert 400 <= response.status_code < 500, response.text


def test_consistency_documents_from_at_most_to(api: Api) -> None:
    spec = api.http.get("/openapi.json").json()
    operation = spec["paths"]["/v1/issuers/{address}/consistency"]["get"]
    assert "from <= to" in operation["description"]
    response = api.http.get(f"/v1/issuers/{ISSUER}/consistency", params={"from": 5, "to": 2})
    assert response.status_code == 400
