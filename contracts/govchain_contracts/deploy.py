"""Deploy the three registries on any EVM JSON-RPC endpoint and say where they are.

``govchain up`` deploys on its dev chain by itself; a consortium (govchain's own nodes or
a Hyperledger Besu QBFT network) needs the same step run once by an operator, with the
municipalities' addresses as the IssuerRegistry's founding members. The result is the
consortium's :class:`govchain_core.deployment.Deployment`, the file every notary, SDK
and verifier trusts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3
from web3.middleware import ExtraDataToPOAMiddleware

from govchain_contracts import ContractName, load
from govchain_contracts.errors import DeployError
from govchain_core.deployment import Deployment

DEPLOY_GAS = 6_000_000
RECEIPT_TIMEOUT = 120.0


def web3_for(rpc_url: str, timeout: float = 30.0) -> Web3:
    """A web3 client for a QBFT chain (extraData longer than 32 bytes is accepted)."""
    web3 = Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
    web3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    return web3


class ContractSender:
    """Sends one account's set-up transactions in nonce order and waits for each."""

    def __init__(self, web3: Web3, account: LocalAccount) -> None:
        self.web3 = web3
        self.account = account
        self.nonce: int = int(web3.eth.get_transaction_count(account.address, "pending"))
        # 0 on govchain (zero base fee); Besu with --min-gas-price=0 too; others want fees.
        self.gas_price = int(web3.eth.gas_price)

    def send(self, transaction: Any) -> Any:
        """Sign, send and wait for ``transaction`` (a web3 contract call or constructor)."""
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
        receipt = self.web3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT)
        if receipt["status"] != 1:
            raise DeployError(f"set-up transaction 0x{bytes(tx_hash).hex()} reverted")
        return receipt

    def deploy(self, name: ContractName, *args: Any) -> str:
        """Deploy contract ``name``; returns its address in lower case."""
        artifact = load(name)
        factory = self.web3.eth.contract(abi=list(artifact.abi), bytecode=artifact.bytecode)
        receipt = self.send(factory.constructor(*args))
        return str(receipt["contractAddress"]).lower()


def deploy_registries(sender: ContractSender, members: Sequence[str]) -> Deployment:
    """IssuerRegistry with ``members`` as founding members, then the Anchor and Status
    registries bound to it."""
    if not members:
        raise DeployError("the IssuerRegistry needs at least one member")
    checksummed = [Web3.to_checksum_address(member) for member in members]
    issuers = sender.deploy("IssuerRegistry", checksummed)
    anchor = sender.deploy("AnchorRegistry", Web3.to_checksum_address(issuers))
    status = sender.deploy("StatusRegistry", Web3.to_checksum_address(issuers))
    return Deployment(
        chain_id=int(sender.web3.eth.chain_id),
        anchor_registry=anchor,
        issuer_registry=issuers,
        status_registry=status,
    )
