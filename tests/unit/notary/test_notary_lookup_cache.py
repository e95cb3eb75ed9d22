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
    assert cache.get("d") == b"new"


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
    assert cache.get("a") is None
    cache.forget(["b", "x"])
    assert cache.get("b") is None
    assert cache.get("c") == b"c"


def test_zero_ttl_disables_the_cache() -> None:
    cache = LookupCache(ttl=0, clock=Clock())
    cache.put("d", b"body")
    assert cache.get("d") is None
