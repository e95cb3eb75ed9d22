"""The one-writer-per-log lock: only one process may append to an issuer's log.

On PostgreSQL a session-level advisory lock per (schema, issuer), held on a
dedicated connection for the writer's lifetime; on SQLite an exclusive ``flock``
beside the database file.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from govchain_notary.errors import ConfigurationError


class IssuerLock:
    """Exclusive right to append to the logs of this database's issuers."""

    def __init__(self, engine: Engine, issuers: Sequence[str]) -> None:
        self.engine = engine
        self.issuers = list(issuers)
        self._connection: Connection | None = None
        self._file: IO[bytes] | None = None

    def acquire(self) -> None:
        url = make_url(str(self.engine.url))
        if url.get_backend_name() == "sqlite":
            self._lock_file(Path(url.database or "notary.db"))
        else:
            self._lock_advisory()

    def _lock_file(self, database: Path) -> None:
        handle = open(f"{database}.writer-lock", "wb")  # noqa: SIM115  (held until release)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise ConfigurationError(
                f"another notary process writes the logs in {database}"
            ) from None
        handle.write(str(os.getpid()).encode())
        handle.flush()
        self._file = handle

    def _lock_advisory(self) -> None:
        connection = self.engine.connect()
        schema = connection.execute(text("SELECT current_schema()")).scalar()
        self._connection = connection
        for issuer in self.issuers:
            name = f"govchain-notary:{schema}:{issuer}".encode()
            key = int.from_bytes(hashlib.sha256(name).digest()[:8], "big", signed=True)
            taken = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
            if not taken.scalar():
                self.release()
                raise ConfigurationError(f"another notary process writes the log of {issuer}")
        connection.commit()

    def release(self) -> None:
        if self._connection is not None:
            # the pool would keep the session, and with it the locks, alive
            self._connection.execute(text("SELECT pg_advisory_unlock_all()"))
            self._connection.commit()
            self._connection.close()
            self._connection = None
        if self._file is not None:
            self._file.close()
            self._file = None
