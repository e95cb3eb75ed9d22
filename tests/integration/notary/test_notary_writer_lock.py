"""One writer per issuer log: a second notary on the same database refuses to start."""

from __future__ import annotations

import pytest

from govchain_notary.errors import ConfigurationError
from govchain_notary.storage.engine import make_engine, migrate
from govchain_notary.storage.writer_lock import IssuerLock

ISSUERS = ["0x" + "d0" * 20]


def test_second_writer_is_refused(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    first = IssuerLock(engine, ISSUERS)
    first.acquire()
    second = IssuerLock(make_engine(database_url), ISSUERS)
    with pytest.raises(ConfigurationError, match="another notary"):
        second.acquire()
    first.release()
    second.acquire()  # released locks can be taken again
    second.release()
    engine.dispose()


@pytest.mark.postgres
def test_other_issuers_are_independent(pg_url: str) -> None:
    engine = make_engine(pg_url)
    first = IssuerLock(engine, ISSUERS)
    first.acquire()
    other = IssuerLock(engine, ["0x" + "e0" * 20])
    other.acquire()
    other.release()
    first.release()
    engine.dispose()
