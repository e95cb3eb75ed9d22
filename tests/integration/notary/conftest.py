"""Database backends for the notary's shared suites: SQLite file and PostgreSQL schema.

Each PostgreSQL test gets a fresh schema (``search_path`` set in the URL), dropped
afterwards, so runs never see each other's rows.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"


def _pg_available() -> bool:
    try:
        with psycopg.connect(PG_DSN, connect_timeout=2):
            return True
    except psycopg.Error:
        return False


@pytest.fixture
def pg_url() -> Iterator[str]:
    if not _pg_available():
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    schema = "gc_notary_" + secrets.token_hex(6)
    with psycopg.connect(PG_DSN, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield (
            f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
        )
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'notary.db'}"


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """The URL of a fresh, empty database of each backend."""
    return backend_url(request, request.param)


def backend_url(request: pytest.FixtureRequest, backend: str) -> str:
    name = "sqlite_url" if backend == "sqlite" else "pg_url"
    url: str = request.getfixturevalue(name)
    return url
