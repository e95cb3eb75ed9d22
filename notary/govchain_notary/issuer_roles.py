"""The served issuers' roles: which document kinds each may notarise, as the
IssuerRegistry says, kept in memory for the submission path.

A receipt of a kind its issuer holds no role for can never verify (the verifier's
issuer step checks the role), so the notary refuses such a submission (422) instead
of anchoring it.  The ingest path must stay cheap: ``refusal`` is a dictionary and a
set lookup, never a chain call.  A thread keeps the cache in step: at start it reads
every served issuer (``getIssuer``), then every ``period`` it reads the registry's
``IssuerRegistered``/``IssuerUpdated``/``IssuerRemoved``/``RolesChanged`` events of
these issuers up to the chain's head and re-reads the issuers they name.  An
issuer whose validity window opens or closes is re-read once that moment passes (no
event marks it).

Until the first read succeeds (the node unreachable since start) nothing is refused:
submissions are durable and wait for anchoring, which also needs the node, as they
do while the node is down.  A role removed by member vote is refused from the
follower's next poll on: at most one ``period`` plus one round trip after its block.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from govchain_core.verify import ROLE_BITS, IssuerInfo
from govchain_notary.anchorers.base import RegistryReader
from govchain_notary.chain_follower import MAX_SPAN, ChainFollower
from govchain_notary.clock import SYSTEM_CLOCK, Clock


class Grant(NamedTuple):
    """What the registry said about one issuer when it was last read."""

    kinds: frozenset[str]
    active: bool
    registered: bool
    boundaries: tuple[int, ...]  # validity window edges, unix seconds: re-read after each
    read_at: float


class IssuerRoles(ChainFollower):
    """In-memory roles of this notary's issuers, followed from the registry's events."""

    following = "issuer roles"

    def __init__(
        self,
        chain: RegistryReader,
        issuers: Sequence[str],
        period: float,
        *,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__("notary-roles", period, clock)
        self.chain = chain
        self.issuers = list(issuers)
        self.block = -1  # every change up to this block is in ``_grants``
        self._grants: dict[str, Grant] = {}  # replaced, never changed: requests read it

    @property
    def loaded(self) -> bool:
        return self.block >= 0

    def refusal(self, issuer: str, kind: str) -> str | None:
        """Why ``issuer`` may not notarise documents of ``kind`` now, or None."""
        grant = self._grants.get(issuer)
        if grant is None:
            return None if not self.loaded else f"{issuer} is not in the IssuerRegistry"
        if kind in grant.kinds and grant.active:
            return None
        if not grant.registered:
            return f"{issuer} is not in the IssuerRegistry"
        if not grant.active:
            return f"{issuer} is not active in the IssuerRegistry (removed or outside its validity)"
        roles = ", ".join(sorted(grant.kinds)) or "none"
        return (
            f"the IssuerRegistry grants {issuer} no role for documents of kind {kind!r} "
            f"(its roles: {roles})"
        )

    # the follower's thread (``ChainFollower``) -------------------------------------

    def sync_once(self) -> set[str]:
        """Re-read every issuer changed since the last sync; return their addresses."""
        head = self.chain.head()
        now = self.clock.now()
        if not self.loaded:
            changed = set(self.issuers)
        else:
            changed = self._changed_between(self.block + 1, head)
            changed |= {i for i, g in self._grants.items() if _crossed(g, now)}
        if changed:
            grants = {issuer: _grant(self.chain.issuer(issuer), now) for issuer in changed}
            self._grants = {**self._grants, **grants}
        self.block = max(self.block, head)
        return changed

    def _changed_between(self, first: int, head: int) -> set[str]:
        changed: set[str] = set()
        while first <= head:
            last = min(head, first + MAX_SPAN - 1)
            changed |= self.chain.issuer_changes(self.issuers, first, last)
            first = last + 1
        return changed


def _grant(info: IssuerInfo | None, now: float) -> Grant:
    if info is None:
        return Grant(frozenset(), False, False, (), now)
    kinds = frozenset(kind for kind, bit in ROLE_BITS.items() if info.roles & bit)
    edges = (info.valid_from, info.valid_until + 1) if info.valid_until else (info.valid_from,)
    return Grant(kinds, info.registered, True, edges, now)


def _crossed(grant: Grant, now: float) -> bool:
    """Whether a validity edge passed since the grant was read (no event marks it)."""
    return any(grant.read_at < edge <= now for edge in grant.boundaries)
