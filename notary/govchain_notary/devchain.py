"""Set up a dev chain for the notary: deploy the registries, register the dev issuer.

Used by ``govchain up`` on first start and by the tests that run the notary against
a real in-process node.  The addresses and the issuer's keystore are saved in the
data directory so that a second start reuses them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from govchain_contracts import Role, load
from govchain_contracts.deploy import ContractSender
from govchain_contracts.deploy import deploy_registries as deploy
from govchain_contracts.deploy import web3_for as web3_for  # re-exported for the dev tools
from govchain_contracts.errors import DeployError
from govchain_notary.errors import ChainAccessError

DEV_ISSUER_NAME = "Dev issuer (govchain up)"
DEV_ISSUER_AGS = "05315000"


@dataclass(frozen=True)
class Registries:
    anchor: str
    status: str
    issuer: str

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, path: Path) -> Registries | None:
        if not path.exists():
            return None
        return cls(**json.loads(path.read_text()))


def deploy_dev_registries(rpc_url: str, member_key: bytes, issuer: str) -> Registries:
    """Deploy the three registries with ``member_key`` as sole member; register ``issuer``."""
    member: LocalAccount = Account.from_key(member_key)
    sender = ContractSender(web3_for(rpc_url), member)
    try:
        deployment = deploy(sender, [member.address])
        registry = sender.web3.eth.contract(
            address=Web3.to_checksum_address(deployment.issuer_registry),
            abi=list(load("IssuerRegistry").abi),
        )
        all_roles = int(Role.CERTIFICATE | Role.REGISTER | Role.IOT | Role.DATASET)
        sender.send(
            registry.functions.proposeSetIssuer(
                Web3.to_checksum_address(issuer), DEV_ISSUER_NAME, DEV_ISSUER_AGS, all_roles, 0, 0
            )
        )
    except DeployError as exc:
        raise ChainAccessError(f"dev chain set-up failed: {exc}") from exc
    return Registries(
        anchor=deployment.anchor_registry,
        status=deployment.status_registry,
        issuer=deployment.issuer_registry,
    )


def write_keystore(path: Path, private_key: bytes, password: str) -> str:
    """Save an eth-account keystore for ``private_key``; return its address."""
    account: LocalAccount = Account.from_key(private_key)
    path.write_text(json.dumps(Account.encrypt(private_key, password)))
    path.chmod(0o600)
    return account.address.lower()
