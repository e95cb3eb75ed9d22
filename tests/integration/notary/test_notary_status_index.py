"""The status index's storage suite, run against SQLite, PostgreSQL and the fake,
and its migration (0005) up and down."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import inspect

from govchain_core.verify import DocumentState, DocumentStatus
from govchain_notary.anchorers.base import StatusChange
from govchain_notary.storage.engine import alembic_config, make_engine, migrate
from govchain_notary.storage.statuses import (
    END_OF_BLOCK,
    MemoryStatusIndex,
    StatusIndexStore,
    StatusSync,
)
from govchain_notary.storage.statuses_sql import SqlStatusIndex
from tests.integration.notary.conftest import BACKENDS, backend_url

ISSUER = "0x" + "11" * 20
OTHER = "0x" + "22" * 20
REGISTRY = "0x" + "5a" * 20
LEAF = b"\x01" * 32
SECOND = b"\x02" * 32
NEWER = b"\x03" * 32


@pytest.fixture(params=["memory", *BACKENDS])
def index(request: pytest.FixtureRequest) -> Iterator[StatusIndexStore]:
    if request.param == "memory":
        yield MemoryStatusIndex()
        return
    engine = make_engine(backend_url(request, request.param))
    migrate(engine)
    yield SqlStatusIndex(engine)
    engine.dispose()


def _change(leaf: bytes, state: DocumentState, block: int, log: int = 0) -> StatusChange:
    by = NEWER if state is DocumentState.SUPERSEDED else None
    return StatusChange(ISSUER, leaf, DocumentStatus(state, 1_000 + block, by, block), block, log)


def test_a_document_never_changed_has_no_row(index: StatusIndexStore) -> None:
    assert index.statuses([(ISSUER, LEAF)]) == {}
    assert index.syncs() == {}


def test_changes_are_recorded_with_the_sync_rows(index: StatusIndexStore) -> None:
    changes = [
        _change(LEAF, DocumentState.SUSPENDED, 3),
        _change(SECOND, DocumentState.SUPERSEDED, 3, 1),
        _change(LEAF, DocumentState.REVOKED, 5),
    ]
    syncs = {ISSUER: StatusSync(REGISTRY, 9, 1234.5), OTHER: StatusSync(REGISTRY, 9, 1234.5)}
    assert index.apply(changes, syncs) == 2
    found = index.statuses([(ISSUER, LEAF), (ISSUER, SECOND), (OTHER, LEAF)])
    assert found == {(ISSUER, LEAF): changes[2].status, (ISSUER, SECOND): changes[1].status}
    assert found[(ISSUER, SECOND)].superseded_by == NEWER
    assert index.syncs() == syncs
    later = {ISSUER: StatusSync(REGISTRY, 12, 1240.0)}
    assert index.apply([], later) == 0
    assert index.syncs() == {**syncs, **later}


def test_only_a_later_position_replaces_a_row(index: StatusIndexStore) -> None:
    own = _change(LEAF, DocumentState.SUSPENDED, 7, END_OF_BLOCK)  # read back after block 7
    assert index.apply([own], {}) == 1
    replayed = [_change(LEAF, DocumentState.REVOKED, 6), _change(LEAF, DocumentState.VALID, 7, 2)]
    assert index.apply(replayed, {}) == 0
    assert index.statuses([(ISSUER, LEAF)]) == {(ISSUER, LEAF): own.status}
    newer = _change(LEAF, DocumentState.REVOKED, 8)
    assert index.apply([newer], {}) == 1
    assert index.apply([newer], {}) == 0  # the same change twice
    assert index.statuses([(ISSUER, LEAF)]) == {(ISSUER, LEAF): newer.status}


def test_many_keys_in_one_apply(index: StatusIndexStore) -> None:
    leaves = [n.to_bytes(32, "big") for n in range(1, 1_201)]  # more than one IN chunk
    changes = [_change(leaf, DocumentState.REVOKED, 4, n) for n, leaf in enumerate(leaves)]
    assert index.apply(changes, {}) == len(leaves)
    found = index.statuses((ISSUER, leaf) for leaf in leaves)
    assert len(found) == len(leaves)
    assert {status.state for status in found.values()} == {DocumentState.REVOKED}


def test_reset_forgets_one_issuers_statuses(index: StatusIndexStore) -> None:
    mine = _change(LEAF, DocumentState.REVOKED, 2)
    theirs = StatusChange(OTHER, LEAF, DocumentStatus(DocumentState.SUSPENDED, 5), 2, 1)
    index.apply([mine, theirs], {ISSUER: StatusSync(REGISTRY, 9, 50.0)})
    index.reset(ISSUER, "0x" + "77" * 20)
    assert index.statuses([(ISSUER, LEAF), (OTHER, LEAF)]) == {(OTHER, LEAF): theirs.status}
    assert index.syncs() == {ISSUER: StatusSync("0x" + "77" * 20, -1, 0.0)}


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_0005_adds_the_tables_and_its_downgrade_drops_them(
    request: pytest.FixtureRequest, backend: str
) -> None:
    engine = make_engine(backend_url(request, backend))
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        assert "document_statuses" not in inspect(connection).get_table_names()
    migrate(engine)
    index = SqlStatusIndex(engine)
    index.apply([_change(LEAF, DocumentState.REVOKED, 2)], {ISSUER: StatusSync(REGISTRY, 2, 1.0)})
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
        tables = inspect(connection).get_table_names()
        assert "document_statuses" not in tables
        assert "status_sync" not in tables
        assert "leaves" in tables
    migrate(engine)  # and up again, empty
    assert index.statuses([(ISSUER, LEAF)]) == {}
    assert index.syncs() == {}
    engine.dispose()


def test_version_moves_with_every_recorded_change_and_reset(index: StatusIndexStore) -> None:
    seen = [index.version()]
    index.apply([_change(LEAF, DocumentState.SUSPENDED, 9)], {})  # a new row
    seen.append(index.version())
    index.apply([_change(SECOND, DocumentState.REVOKED, 12)], {})
    seen.append(index.version())
    index.apply([_change(LEAF, DocumentState.VALID, 9, 1)], {})  # same block, later event
    seen.append(index.version())
    index.apply([_change(LEAF, DocumentState.REVOKED, 10)], {})  # older than the newest row
    seen.append(index.version())
    assert len(set(seen)) == len(seen)
    index.apply([_change(LEAF, DocumentState.REVOKED, 8)], {})  # older: not recorded
    index.apply([], {ISSUER: StatusSync(REGISTRY, 40, 5.0)})  # a sync row is no change
    assert index.version() == seen[-1]
    index.reset(ISSUER, REGISTRY)
    assert index.version() == (0, 0, 0)
