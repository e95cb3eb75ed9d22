"""The IssuerRegistry send permission, with a fake static call."""

from __future__ import annotations

import pytest

from govchain_node.permissions import IS_ACTIVE_SELECTOR, RegistryPermission

REGISTRY = b"\x42" * 20
ISSUER = b"\x11" * 20
TRUE = (1).to_bytes(32, "big")
FALSE = bytes(32)


class FakeChain:
    def __init__(self) -> None:
        self.active: set[bytes] = set()
        self.head = b"\x01" * 32
        self.calls = 0
        self.fail = False

    def call(self, to: bytes, data: bytes) -> bytes:
        self.calls += 1
        if self.fail:
            raise RuntimeError("execution reverted")
        assert to == REGISTRY
        assert data[:4] == IS_ACTIVE_SELECTOR
        return TRUE if data[-20:] in self.active else FALSE


def permission(chain: FakeChain) -> RegistryPermission:
    perm = RegistryPermission(chain.call, lambda: chain.head)
    perm.set_registry(REGISTRY)
    return perm


def test_without_a_registry_nobody_is_admitted() -> None:
    chain = FakeChain()
    chain.active.add(ISSUER)
    assert not RegistryPermission(chain.call, lambda: chain.head).allows(ISSUER)
    assert chain.calls == 0


def test_answers_are_cached_until_the_head_changes() -> None:
    chain = FakeChain()
    perm = permission(chain)
    assert not perm.allows(ISSUER)
    chain.active.add(ISSUER)
    assert not perm.allows(ISSUER), "same head: cached answer"
    chain.head = b"\x02" * 32
    assert perm.allows(ISSUER)
    assert perm.allows(ISSUER)
    assert chain.calls == 2


def test_a_failing_call_denies() -> None:
    chain = FakeChain()
    chain.active.add(ISSUER)
    chain.fail = True
    assert not permission(chain).allows(ISSUER)


@pytest.mark.parametrize("answer", [b"", b"\x01", (2).to_bytes(32, "big"), b"\x01" + bytes(31)])
def test_only_an_abi_true_admits(answer: bytes) -> None:
    perm = RegistryPermission(lambda _to, _data: answer, lambda: b"")
    perm.set_registry(REGISTRY)
    assert not perm.allows(ISSUER)


def test_registry_addresses_are_checked() -> None:
    with pytest.raises(ValueError, match="20 bytes"):
        RegistryPermission(FakeChain().call, lambda: b"").set_registry(b"\x01")
