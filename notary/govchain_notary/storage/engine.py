"""Database engines and start-up migrations.

SQLite (the embedded default) runs in WAL mode so that readers never wait for the
writer.  ``synchronous=FULL`` is the default: in WAL mode it fsyncs the WAL at every
commit, so an acknowledged submission survives a power loss, not only a crash of
the process.  ``NORMAL`` survives ``kill -9`` (the WAL is in the OS cache) but may
lose the last commits on power loss; it is allowed only as an explicit choice.
The cost of FULL is one fsync per *group* commit, which the writer amortises over
thousands of submissions.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SqliteSync = Literal["FULL", "NORMAL"]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, sqlite_synchronous: SqliteSync = "FULL", pool_size: int = 8) -> Engine:
    """An engine with the pragmas (SQLite) or pool (PostgreSQL) the notary relies on."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        event.listen(engine, "connect", _sqlite_pragmas(sqlite_synchronous))
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _sqlite_pragmas(synchronous: SqliteSync) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: index inserts stay in memory
        cursor.close()

    return on_connect


def alembic_config() -> Config:
    """Alembic configuration pointing at the scripts shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", str(files("govchain_notary.storage") / "migrations"))
    return config


def migrate(engine: Engine) -> None:
    """Upgrade the database to the newest schema (idempotent; runs at every start)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
