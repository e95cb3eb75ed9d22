"""Driver connections for the public lookup's few statements, kept idle between reads.

A lookup runs two or three short selects.  Through SQLAlchemy each paid a pool
checkout and check-in, the compiled statement's cache lookup and the result
wrapper, several times the database's own work for a select by key (measured
at 1M leaves on SQLite).  So these statements go to the DBAPI connection
(``sqlite3`` or ``psycopg``) straight, as driver SQL with positional markers.

The connections are taken from the engine's pool and detached from it, so they
were opened exactly like the engine's others (SQLite pragmas included), and run
in autocommit: a select sees the latest commit and never leaves a transaction open
on PostgreSQL.  Between reads they wait in a plain list that any thread takes one
from (an atomic ``pop`` under the GIL, no lock): the connections so number the
lookups running at once, not the threads that ever ran one (a connection per
thread would hold one per worker of the thread pool, up to 40 per process, on a
PostgreSQL server shared by several notary processes).  A connection that fails
(a restarted server) is closed and the statement run once more on a new one.
``Engine.dispose`` (and ``SqlStore.close``) closes the idle ones.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from contextlib import suppress
from typing import Any

from sqlalchemy import Engine, QueuePool, event

IDLE_LIMIT = 8
"""Idle connections kept at most; more, returned after a burst, are closed."""

_BY_ENGINE: weakref.WeakKeyDictionary[Engine, DriverConnections] = weakref.WeakKeyDictionary()
_BY_ENGINE_LOCK = threading.Lock()


def driver_connections(engine: Engine) -> DriverConnections:
    """The engine's driver connections, shared by its repositories."""
    with _BY_ENGINE_LOCK:
        found = _BY_ENGINE.get(engine)
        if found is None:
            found = _BY_ENGINE[engine] = DriverConnections(engine)
        return found


class DriverConnections:
    """Autocommit DBAPI connections for driver SQL, reused across reads and threads."""

    def __init__(self, engine: Engine) -> None:
        # weakly: the registry's value must not keep its key, the engine, alive
        self._engine = weakref.ref(engine)
        #: The driver's positional marker (sqlite3: ``?``, psycopg: ``%s``).
        self.marker = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        #: Connections opened so far (a gauge for tests and debugging).
        self.opened = 0
        self._error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self._idle: list[Any] = []
        # An in-memory SQLite database lives in its one connection, which its pool
        # (not a QueuePool) hands to each thread: such connections are borrowed
        # from the pool for each read, never detached and kept.
        self._keep = isinstance(engine.pool, QueuePool)
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def markers(self, count: int) -> str:
        return ", ".join([self.marker] * count)

    def fetchall(self, statement: str, parameters: Sequence[Any]) -> list[Sequence[Any]]:
        """The rows of one select."""
        connection = self._take()
        try:
            rows = connection.execute(statement, parameters).fetchall()
        except self._error:
            _close(connection, self._error)
            connection = self._open()
            try:
                rows = connection.execute(statement, parameters).fetchall()
            except BaseException:
                _close(connection, self._error)
                raise
        self._give_back(connection)
        return rows  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close the idle connections (ones in use are kept when given back)."""
        while self._idle:
            with suppress(IndexError):
                _close(self._idle.pop(), self._error)

    def _take(self) -> Any:
        try:
            return self._idle.pop()
        except IndexError:
            return self._open()

    def _give_back(self, connection: Any) -> None:
        if self._keep and len(self._idle) < IDLE_LIMIT:
            self._idle.append(connection)
        else:
            _close(connection, self._error)

    def _open(self) -> Any:
        engine = self._engine()
        assert engine is not None, "the engine's repositories hold it while they read"
        self.opened += 1
        pooled = engine.raw_connection()
        if not self._keep:
            return pooled  # closing it gives it back to the pool
        connection: Any = pooled.driver_connection
        pooled.detach()
        if self.marker == "?":
            connection.isolation_level = None  # sqlite3: autocommit
        else:
            connection.autocommit = True
        return connection


def _close(connection: Any, error: type[Exception]) -> None:
    with suppress(error):
        connection.close()
