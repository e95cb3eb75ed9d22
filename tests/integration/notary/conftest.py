"""Database backends for the notary's shared suites: SQLite file and PostgreSQL schema.

Each PostgreSQL test gets a fresh schema (``search_path`` set in the URL), dropped
afterwards, so runs never see each other's rows.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from govchain_notary.app import create_app
from govchain_notary.auth import new_client
from govchain_notary.clock import SYSTEM_CLOCK, Clock
from govchain_notary.service import NotaryService
from govchain_notary.settings import IssuerSettings, load_settings
from govchain_notary.storage.engine import make_engine, migrate
from govchain_notary.storage.memory import MemoryNotaryStore
from govchain_notary.storage.repos import Store
from govchain_notary.storage.sql import SqlStore

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
        # a missing server must fail the run, not quietly drop the PostgreSQL half
        pytest.fail("PostgreSQL is not reachable at 127.0.0.1:5432 (.ci/run starts it)")
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


@pytest.fixture(params=["memory", *BACKENDS])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryNotaryStore()
        return
    url = backend_url(request, request.param)
    engine = make_engine(url)
    migrate(engine)
    sql_store = SqlStore(engine)
    yield sql_store
    sql_store.close()


ISSUER = "0x" + "d0" * 20
OTHER_ISSUER = "0x" + "e0" * 20


@dataclass
class Api:
    """A running notary app with a client per role."""

    http: TestClient
    service: NotaryService
    keys: dict[str, str]

    def auth(self, role: str = "writer") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


def make_api(
    database_url: str,
    data_dir: Path,
    clock: Clock = SYSTEM_CLOCK,
    fast_lookups: bool = True,
    **overrides: Any,
) -> Iterator[Api]:
    """A notary app on ``clock`` (the real one unless a test drives a manual one);
    ``overrides`` are settings."""
    options: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "chain": "memory",
        "block_period": 0.05,
        "issuers": [IssuerSettings(address=ISSUER), IssuerSettings(address=OTHER_ISSUER)],
        "default_client_rate": 10_000,
        "public_read_rate": 10_000,
        "public_read_burst": 10_000,
    }
    settings = load_settings(**{**options, **overrides})
    app = create_app(settings, clock=clock, fast_lookups=fast_lookups)
    with TestClient(app) as http:
        service: NotaryService = app.state.service
        keys = {}
        for role, issuer, scopes in [
            ("writer", ISSUER, ["submit:*", "status:*"]),
            ("certs_only", ISSUER, ["submit:certificate"]),
            ("other", OTHER_ISSUER, ["submit:*", "status:*"]),
            ("revoked", ISSUER, ["submit:*", "status:*"]),
        ]:
            _, keys[role] = new_client(service.store, role, issuer, scopes, 10_000)
        service.store.revoke_client("revoked")
        yield Api(http, service, keys)


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    yield from make_api(database_url, tmp_path)
