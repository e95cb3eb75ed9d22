"""A real consortium chain for the web verifier's browser tests.

An in-process govchain ``--dev`` node with the three registries deployed from the
committed artifacts, one issuer registered by the member vote, and helpers that
notarise documents the way the notary does (leaf records in an RFC 9162 log built
with the proof core, the checkpoint anchored on chain) and change their status.
The page then checks the resulting receipts against this node's JSON-RPC.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import HTTPProvider, Web3
from web3.contract import Contract
from web3.middleware import ExtraDataToPOAMiddleware

from govchain_contracts import ContractName, load
from govchain_core.digest import Digest, digest_bytes
from govchain_core.leaf import LeafRecord
from govchain_core.log import MerkleLog
from govchain_core.receipt import AnchorRef, InclusionProof, Receipt
from govchain_node.dev import DevNodeHandle, start_dev_node

ISSUER_NAME = "Stadt Köln, Bürgeramt"
ISSUER_AGS = "05315000"
ROLE_CERTIFICATE = 1
ROLE_REGISTER = 2
_TX_GAS = 6_000_000


@dataclass
class DevChain:
    """The node, the deployed registries and the issuer's log."""

    node: DevNodeHandle
    web3: Web3
    account: LocalAccount
    issuer_registry: Contract
    anchor_registry: Contract
    status_registry: Contract
    log: MerkleLog = field(default_factory=MerkleLog)
    leaves: list[LeafRecord] = field(default_factory=list)
    _nonce: int = 0

    @property
    def issuer(self) -> str:
        return self.account.address.lower()

    @property
    def registries(self) -> dict[str, str]:
        return {
            "anchor": self.anchor_registry.address.lower(),
            "issuer": self.issuer_registry.address.lower(),
            "status": self.status_registry.address.lower(),
        }

    def transact(self, call: Any) -> Any:
        """Sign and send a contract call from the issuer account; wait for success."""
        tx = call.build_transaction(
            {"from": self.account.address, "nonce": self._nonce, "gasPrice": 0, "gas": _TX_GAS}
        )
        signed = self.account.sign_transaction(tx)
        self._nonce += 1
        tx_hash = self.web3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = self.web3.eth.wait_for_transaction_receipt(tx_hash, timeout=60)
        if receipt["status"] != 1:
            raise RuntimeError(f"transaction {tx_hash.hex()} failed")
        return receipt

    def notarise(
        self,
        documents: list[bytes],
        kind: str = "certificate",
        metas: list[Digest | None] | None = None,
    ) -> list[Receipt]:
        """Append the documents' leaves (with their ``meta`` digests, if given) and anchor
        the new checkpoint; their receipts."""
        first = self.log.size
        prev_size = first
        new = [
            LeafRecord(
                kind=kind,
                digest=digest_bytes(doc),
                salt=secrets.token_bytes(16),
                issuer=self.issuer,
                meta=metas[i] if metas else None,
            )
            for i, doc in enumerate(documents)
        ]
        self.leaves.extend(new)
        self.log.append_many(leaf.leaf_hash() for leaf in new)
        size, root = self.log.size, self.log.root()
        proof = self.log.consistency_proof(prev_size, size) if prev_size else []
        tx = self.transact(self.anchor_registry.functions.anchor(size, root, prev_size, proof))
        block = self.web3.eth.get_block(tx["blockNumber"])
        anchor = AnchorRef(
            chain_id=self.node.chain_id,
            registry=self.anchor_registry.address.lower(),
            tx_hash=bytes(tx["transactionHash"]),
            block_number=int(tx["blockNumber"]),
            block_hash=bytes(block["hash"]),
            timestamp=int(block["timestamp"]),
        )
        return [
            Receipt(
                leaf=leaf,
                proof=InclusionProof(
                    index=first + i,
                    tree_size=size,
                    path=tuple(self.log.inclusion_proof(first + i, size)),
                    root=root,
                ),
                anchor=anchor,
            )
            for i, leaf in enumerate(new)
        ]

    def revoke(self, leaf_hash: bytes, reason: int = 1) -> int:
        """Revoke a document; the block timestamp of the change."""
        tx = self.transact(self.status_registry.functions.revoke(leaf_hash, reason))
        return int(self.web3.eth.get_block(tx["blockNumber"])["timestamp"])

    def supersede(self, leaf_hash: bytes, successor: bytes, reason: int = 1) -> str:
        """Mark a document as replaced by ``successor``; the transaction's hash (0x hex)."""
        call = self.status_registry.functions.supersede(leaf_hash, successor, reason)
        return "0x" + bytes(self.transact(call)["transactionHash"]).hex()


def _deploy(web3: Web3, account: LocalAccount, name: ContractName, *args: object) -> Contract:
    artifact = load(name)
    factory = web3.eth.contract(abi=list(artifact.abi), bytecode=artifact.bytecode)
    tx = factory.constructor(*args).build_transaction(
        {
            "from": account.address,
            "nonce": web3.eth.get_transaction_count(account.address),
            "gasPrice": 0,
            "gas": _TX_GAS,
        }
    )
    signed = account.sign_transaction(tx)
    receipt = web3.eth.wait_for_transaction_receipt(
        web3.eth.send_raw_transaction(signed.raw_transaction), timeout=60
    )
    if receipt["status"] != 1 or receipt["contractAddress"] is None:
        raise RuntimeError(f"deploying {name} failed")
    return web3.eth.contract(address=receipt["contractAddress"], abi=list(artifact.abi))


@contextmanager
def dev_chain(data_dir: Path) -> Iterator[DevChain]:
    """Start a dev node, deploy the registries and register its first account as issuer."""
    node = start_dev_node(data_dir, port=0, block_period=0.0)
    try:
        web3 = Web3(HTTPProvider(node.rpc_url))
        # QBFT headers carry validators and seals in extraData (more than 32 bytes)
        web3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
        account: LocalAccount = Account.from_key(node.dev_accounts[0].private_key)
        issuers = _deploy(web3, account, "IssuerRegistry", [account.address])
        anchors = _deploy(web3, account, "AnchorRegistry", issuers.address)
        statuses = _deploy(web3, account, "StatusRegistry", issuers.address)
        chain = DevChain(node, web3, account, issuers, anchors, statuses)
        chain._nonce = web3.eth.get_transaction_count(account.address)
        chain.transact(
            issuers.functions.proposeSetIssuer(
                account.address, ISSUER_NAME, ISSUER_AGS, ROLE_CERTIFICATE | ROLE_REGISTER, 0, 0
            )
        )
        yield chain
    finally:
        node.stop()
