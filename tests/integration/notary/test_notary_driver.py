"""The lookup's per-thread driver connections (``storage.driver``), on both backends."""

from __future__ import annotations

import gc
import threading
import weakref

import psycopg
import pytest
from sqlalchemy import create_engine

from govchain_notary.storage.driver import driver_connections
from govchain_notary.storage.engine import make_engine, migrate
from tests.integration.notary.conftest import PG_DSN


def test_idle_connections_serve_every_thread_and_close_with_the_engine(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    connections = driver_connections(engine)
    assert driver_connections(engine) is connections  # shared by the engine's repositories
    statement = f"SELECT {connections.marker} + 1"

    def read() -> None:
        assert connections.fetchall(statement, (1,)) == [(2,)]

    read()
    for _ in range(3):  # one after the other: the idle connection serves them all
        thread = threading.Thread(target=read)
        thread.start()
        thread.join()
    assert connections.opened == 1
    engine.dispose()  # closes the idle connection
    read()
    assert connections.opened == 2
    engine.dispose()


def test_the_registry_does_not_keep_an_engine_alive(database_url: str) -> None:
    engine = make_engine(database_url)
    driver_connections(engine).fetchall("SELECT 1", ())
    engine.dispose()
    gone = weakref.ref(engine)
    del engine
    gc.collect()
    assert gone() is None


@pytest.mark.postgres
def test_a_connection_the_server_dropped_is_replaced(pg_url: str) -> None:
    engine = make_engine(pg_url)
    connections = driver_connections(engine)
    ((pid,),) = connections.fetchall("SELECT pg_backend_pid()", ())
    with psycopg.connect(PG_DSN, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    ((again,),) = connections.fetchall("SELECT pg_backend_pid()", ())
    assert again != pid
    connections.close()
    engine.dispose()


def test_reads_see_the_latest_commit_and_hold_no_transaction(database_url: str) -> None:
    """Autocommit: a select never pins an old snapshot (nor, on PostgreSQL, leaves a
    transaction open that would block DDL)."""
    engine = make_engine(database_url)
    migrate(engine)
    connections = driver_connections(engine)
    marker = connections.marker
    statement = f"SELECT size FROM logs WHERE issuer = {marker}"  # noqa: S608
    assert connections.fetchall(statement, ("0xabc",)) == []
    with engine.begin() as connection:
        connection.exec_driver_sql(
            f"INSERT INTO logs (issuer, size) VALUES ({marker}, {marker})",  # noqa: S608
            ("0xabc", 5),
        )
    assert connections.fetchall(statement, ("0xabc",)) == [(5,)]
    with engine.begin() as connection:  # DDL waits for no reader's transaction
        if engine.dialect.name == "postgresql":  # fail, not hang, if one were open
            connection.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
        connection.exec_driver_sql("ALTER TABLE logs ADD COLUMN probe INTEGER")
    connections.close()
    engine.dispose()


def test_an_in_memory_sqlite_database_is_read_on_its_own_connection() -> None:
    """Its pool hands each thread the one connection holding the database: reads
    borrow it rather than detach it (which would leave the engine a new, empty one)."""
    engine = create_engine("sqlite://")  # make_engine wants a file: a test's engine
    migrate(engine)
    connections = driver_connections(engine)
    statement = "SELECT count(*) FROM leaves"
    assert connections.fetchall(statement, ()) == [(0,)]
    assert connections.fetchall(statement, ()) == [(0,)]  # the tables are still there
    with engine.connect() as connection:
        assert connection.exec_driver_sql(statement).scalar() == 0
    engine.dispose()
