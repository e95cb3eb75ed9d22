"""The lookup cache: expiry, one refresh-ahead signal, invalidation, bounded size."""

from __future__ import annotations

from govchain_notary.lookup_cache import LookupCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_and_are_refreshed_ahead_once() -> None:
    clock = Clock()
    cache = LookupCache(ttl=10, clock=clock)
    cache.put("d", b"body")
    assert cache.lookup("d") == (b"body", False)
    clock.now += 6
    assert cache.lookup("d") == (b"body", True)
    assert cache.lookup("d") == (b"body", False)  # one refresher only
    clock.now += 5
    assert cache.lookup("d") == (b"body", False)  # stale, served while it is refreshed
    clock.now += 20
    assert cache.lookup("d") == (None, False)  # the refresh never came: gone
    cache.put("d", b"new")
    assert cache.lookup("d")[0] == b"new"


def test_an_expired_entry_nobody_refreshes_is_a_miss() -> None:
    clock = Clock()
    cache = LookupCache(ttl=10, clock=clock)
    cache.put("d", b"body")
    clock.now += 11
    assert cache.lookup("d") == (None, False)


def test_forget_and_capacity() -> None:
    cache = LookupCache(ttl=10, capacity=2, clock=Clock())
    for digest in ("a", "b", "c"):
        cache.put(digest, digest.encode())
    assert cache.lookup("a")[0] is None
    cache.forget(["b", "x"])
    assert cache.lookup("b")[0] is None
    assert cache.lookup("c")[0] == b"c"


def test_zero_ttl_disables_the_cache() -> None:
    cache = LookupCache(ttl=0, clock=Clock())
    cache.put("d", b"body")
    assert cache.lookup("d")[0] is None


def test_an_answer_read_before_an_invalidation_is_not_stored() -> None:
    cache = LookupCache(ttl=10, clock=Clock())
    token = cache.token()
    cache.forget(["d"])  # e.g. a status change while the answer was being read
    cache.put("d", b"stale", token)
    assert cache.lookup("d") == (None, False)
    cache.put("d", b"fresh", cache.token())
    assert cache.lookup("d") == (b"fresh", False)
