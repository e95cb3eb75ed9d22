"""A one-validator dev chain for unit tests of the ledger and what sits on it.

The validator and a funded user have fixed keys; ``spec`` is their genesis,
``transfer`` a signed value transfer by the user and ``seal_next`` builds, seals and
commits the next block with the dev engine.
"""

from __future__ import annotations

import time

from eth.abc import SignedTransactionAPI
from eth_account import Account as EthAccount

from govchain_node.chain import BuiltBlock, CommittedBlock, Ledger
from govchain_node.consensus.dev import DevEngine
from govchain_node.genesis import GenesisSpec, dev_genesis
from govchain_node.keys import Account
from govchain_node.txpool import decode_transaction

VALIDATOR = Account.from_private_key(b"\x01" * 32)
USER = Account.from_private_key(b"\x02" * 32)
CHAIN_ID = 1337


def spec() -> GenesisSpec:
    return dev_genesis(CHAIN_ID, 1_700_000_000, 30_000_000, VALIDATOR.address, [USER.address])


def transfer(nonce: int, value: int = 1, gas: int = 21_000) -> SignedTransactionAPI:
    signed = EthAccount.from_key(USER.private_key).sign_transaction(
        {
            "chainId": CHAIN_ID,
            "nonce": nonce,
            "gas": gas,
            "to": "0x" + "77" * 20,
            "value": value,
            "maxFeePerGas": 0,
            "maxPriorityFeePerGas": 0,
            "type": 2,
        }
    )
    return decode_transaction(bytes(signed.raw_transaction))


def seal_next(
    ledger: Ledger, txs: list[SignedTransactionAPI], engine: DevEngine
) -> tuple[BuiltBlock, CommittedBlock]:
    built = ledger.build_block(
        txs,
        timestamp=int(time.time()),
        coinbase=engine.coinbase,
        extra=engine.proposal_extra(ledger.head),
    )
    return built, ledger.commit_block(built, engine.seal(built.block.header))
