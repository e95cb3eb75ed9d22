"""The issuer roles cache: what the registry grants, followed through its events."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from govchain_core.verify import ROLE_BITS, IssuerInfo
from govchain_notary.anchorers.memory import MemoryAnchorer
from govchain_notary.errors import ChainAccessError
from govchain_notary.issuer_roles import IssuerRoles
from tests.support.clocks import ManualClock

ISSUER = "0x" + "ab" * 20
OTHER = "0x" + "cd" * 20


class CountingChain(MemoryAnchorer):
    """Counts ``getIssuer`` reads: the submission path must never make one."""

    def __init__(self, issuers: Sequence[str]) -> None:
        super().__init__(issuers=issuers)
        self.reads = 0
        self.down = False

    def issuer(self, address: str) -> IssuerInfo | None:
        self.reads += 1
        return super().issuer(address)

    def head(self) -> int:
        if self.down:
            raise ChainAccessError("node unreachable")
        return super().head()


def _info(roles: int, valid_from: int = 0, valid_until: int = 0, active: bool = True) -> IssuerInfo:
    return IssuerInfo(ISSUER, "Amt", "05315000", roles, valid_from, valid_until, active)


def test_roles_are_read_once_then_refresh_only_on_events() -> None:
    chain = CountingChain([ISSUER])
    roles = IssuerRoles(chain, [ISSUER], period=1)
    assert roles.refusal(ISSUER, "iot") is None  # nothing is known yet: nothing refused
    assert roles.sync_once() == {ISSUER}
    reads = chain.reads
    for _ in range(1000):
        assert roles.refusal(ISSUER, "dataset") is None
    assert chain.reads == reads  # no chain call per submission
    assert roles.sync_once() == set()  # no event, no read
    chain.set_issuer(_info(ROLE_BITS["register"]))
    assert roles.sync_once() == {ISSUER}
    refusal = roles.refusal(ISSUER, "dataset")
    assert refusal is not None
    assert "no role for documents of kind 'dataset'" in refusal
    assert "(its roles: register)" in refusal
    assert roles.refusal(ISSUER, "register") is None


def test_an_issuer_not_in_the_registry_or_inactive_is_refused() -> None:
    chain = CountingChain([ISSUER])
    roles = IssuerRoles(chain, [ISSUER, OTHER], period=1)
    roles.sync_once()
    assert "not in the IssuerRegistry" in (roles.refusal(OTHER, "iot") or "")
    chain.set_issuer(_info(15, active=False))
    roles.sync_once()
    assert "not active" in (roles.refusal(ISSUER, "iot") or "")


def test_a_validity_edge_is_re_read_when_it_passes() -> None:
    """No event marks the moment an issuer's validity starts or ends."""
    clock = ManualClock(now=1_000.0)
    chain = CountingChain([])
    chain.set_issuer(_info(15, valid_from=2_000, active=False))
    roles = IssuerRoles(chain, [ISSUER], period=1, clock=clock)
    roles.sync_once()
    assert roles.refusal(ISSUER, "iot") is not None
    chain.issuers[ISSUER] = _info(15, valid_from=2_000, active=True)  # what isActive says then
    clock.advance(999)
    assert roles.sync_once() == set()
    clock.advance(1)
    assert roles.sync_once() == {ISSUER}
    assert roles.refusal(ISSUER, "iot") is None


def test_an_outage_keeps_the_roles_known() -> None:
    chain = CountingChain([ISSUER])
    roles = IssuerRoles(chain, [ISSUER], period=0.01)
    roles.sync_once()
    chain.set_issuer(_info(ROLE_BITS["iot"]))
    chain.down = True
    with pytest.raises(ChainAccessError):
        roles.sync_once()
    assert roles.refusal(ISSUER, "certificate") is None  # the last roles read still hold
    chain.down = False
    roles.sync_once()
    assert roles.refusal(ISSUER, "certificate") is not None
