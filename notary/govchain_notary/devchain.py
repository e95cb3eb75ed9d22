"""Set up a dev chain for the notary: deploy the registries, register the dev issuer.

Used by ``govchain up`` on first start and by the tests that run the notary against
a real in-process node.  The addresses and the issuer's keystore are saved in the
data directory so that a second start reuses them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3
from web3.middleware import ExtraDataToPOAMiddleware

from govchain_contracts import Role, load
from govchain_notary.errors import ChainError

DEPLOY_GAS = 6_000_000
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


class _Sender:
    def __init__(self, web3: Web3, account: LocalAccount) -> None:
        self.web3 = web3
        self.account = account
        self.nonce: int = int(web3.eth.get_transaction_count(account.address, "pending"))
        self.gas_price = int(web3.eth.gas_price)  # 0 on govchain; a reference node wants fees

    def send(self, transaction: Any) -> Any:
        tx = transaction.build_transaction(
            {
                "from": self.account.address,
                "nonce": self.nonce,
                "gasPrice": self.gas_price,
                "gas": DEPLOY_GAS,
            }
        )
        signed = self.account.sign_transaction(tx)
        self.nonce += 1
        tx_hash = self.web3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = self.web3.eth.wait_for_transaction_receipt(tx_hash, timeout=60)
        if receipt["status"] != 1:
            raise ChainError(f"dev chain set-up transaction 0x{bytes(tx_hash).hex()} failed")
        return receipt

    def deploy(self, name: str, *args: Any) -> str:
        artifact = load(name)
        factory = self.web3.eth.contract(abi=list(artifact.abi), bytecode=artifact.bytecode)
        receipt = self.send(factory.constructor(*args))
        return str(receipt["contractAddress"])


def web3_for(rpc_url: str) -> Web3:
    web3 = Web3(HTTPProvider(rpc_url))
    web3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    return web3


def deploy_registries(rpc_url: str, member_key: bytes, issuer: str) -> Registries:
    """Deploy the three registries with ``member_key`` as sole member; register ``issuer``."""
    web3 = web3_for(rpc_url)
    member: LocalAccount = Account.from_key(member_key)
    sender = _Sender(web3, member)
    issuers = sender.deploy("IssuerRegistry", [member.address])
    registries = Registries(
        anchor=sender.deploy("AnchorRegistry", issuers).lower(),
        status=sender.deploy("StatusRegistry", issuers).lower(),
        issuer=issuers.lower(),
    )
    registry = web3.eth.contract(
        address=Web3.to_checksum_address(issuers), abi=list(load("IssuerRegistry").abi)
    )
    all_roles = int(Role.CERTIFICATE | Role.REGISTER | Role.IOT | Role.DATASET)
    sender.send(
        registry.functions.proposeSetIssuer(
            Web3.to_checksum_address(issuer), DEV_ISSUER_NAME, DEV_ISSUER_AGS, all_roles, 0, 0
        )
    )
    return registries


def write_keystore(path: Path, private_key: bytes, password: str) -> str:
    """Save an eth-account keystore for ``private_key``; return its address."""
    account: LocalAccount = Account.from_key(private_key)
    path.write_text(json.dumps(Account.encrypt(private_key, password)))
    path.chmod(0o600)
    return account.address.lower()
