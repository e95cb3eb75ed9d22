"""Deploy the three registries on a harness chain and register issuers by vote."""

from __future__ import annotations

from dataclasses import dataclass

from govchain_contracts import Role, load
from tests.integration.contracts.evm import Account, Chain, Contract

AGS_KOELN = "05315000"


@dataclass(frozen=True)
class Deployment:
    """The registries and the accounts playing members and issuers."""

    chain: Chain
    registry: Contract
    anchors: Contract
    statuses: Contract
    members: tuple[Account, ...]

    def register_issuer(
        self,
        issuer: Account,
        name: str = "Stadt Köln, Bürgeramt",
        ags: str = AGS_KOELN,
        roles: int = Role.CERTIFICATE | Role.REGISTER,
        valid_from: int = 0,
        valid_until: int = 0,
    ) -> None:
        """Register ``issuer`` with the votes of a bare majority of the members."""
        proposer, *others = self.members
        self.registry.transact(
            "proposeSetIssuer",
            issuer.address,
            name,
            ags,
            roles,
            valid_from,
            valid_until,
            sender=proposer,
        )
        proposal = self.registry.call("proposalCount")
        for voter in others[: len(self.members) // 2]:
            self.registry.transact("vote", proposal, sender=voter)


def deploy(chain: Chain, member_count: int = 3) -> Deployment:
    """Deploy IssuerRegistry (members: the first ``member_count`` accounts) and the
    registries that depend on it."""
    members = tuple(chain.accounts[:member_count])
    registry = chain.deploy(load("IssuerRegistry"), [m.address for m in members])
    anchors = chain.deploy(load("AnchorRegistry"), registry.address)
    statuses = chain.deploy(load("StatusRegistry"), registry.address)
    return Deployment(chain, registry, anchors, statuses, members)
