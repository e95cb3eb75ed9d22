"""Pool admission, ordering and replacement, with an in-memory account reader."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account as EthAccount

from govchain_node.config import TxPoolLimits
from govchain_node.errors import TransactionRejectedError
from govchain_node.permissions import AllowAll, AllowList
from govchain_node.txpool import TxPool, decode_transaction

CHAIN_ID = 1337
ALICE = EthAccount.from_key("0x" + "11" * 32)
BOB = EthAccount.from_key("0x" + "22" * 32)
MALLORY = EthAccount.from_key("0x" + "33" * 32)
ADDRESS = bytes.fromhex(ALICE.address[2:])


def raw(account: Any = ALICE, **fields: Any) -> bytes:
    tx = {
        "chainId": CHAIN_ID,
        "nonce": 0,
        "gas": 21_000,
        "to": BOB.address,
        "value": 0,
        "maxFeePerGas": 0,
        "maxPriorityFeePerGas": 0,
        "type": 2,
    }
    tx.update(fields)
    return bytes(account.sign_transaction(tx).raw_transaction)


def legacy(**fields: Any) -> bytes:
    tx = {"nonce": 0, "gas": 21_000, "to": BOB.address, "value": 0, "gasPrice": 0}
    tx.update(fields)
    return bytes(ALICE.sign_transaction(tx).raw_transaction)


class Accounts:
    def __init__(self) -> None:
        self.state: dict[bytes, tuple[int, int]] = {}

    def __call__(self, address: bytes) -> tuple[int, int]:
        return self.state.get(address, (0, 10**18))


@pytest.fixture
def accounts() -> Accounts:
    return Accounts()


@pytest.fixture
def pool(accounts: Accounts) -> TxPool:
    allowed = [bytes.fromhex(a.address[2:]) for a in (ALICE, BOB)]
    return TxPool(
        chain_id=CHAIN_ID,
        block_gas_limit=1_000_000,
        limits=TxPoolLimits(max_transactions=10, max_per_sender=5, max_nonce_gap=3),
        permission=AllowList(allowed),
        accounts=accounts,
    )


def rejected(pool: TxPool, data: bytes) -> str:
    with pytest.raises(TransactionRejectedError) as failure:
        pool.add_raw(data)
    return str(failure.value)


def test_admits_and_orders_by_nonce(pool: TxPool) -> None:
    for nonce in (2, 0, 1):
        pool.add_raw(raw(nonce=nonce))
    order = [tx.nonce for tx in pool.executable(lambda address: 0)]
    assert order == [0, 1, 2]
    assert pool.next_nonce(ADDRESS, 0) == 3


def test_gap_stops_executable_sequence(pool: TxPool) -> None:
    pool.add_raw(raw(nonce=0))
    pool.add_raw(raw(nonce=2))
    assert [tx.nonce for tx in pool.executable(lambda address: 0)] == [0]
    assert pool.next_nonce(ADDRESS, 0) == 1


def test_standard_rejection_messages(pool: TxPool, accounts: Accounts) -> None:
    pool.add_raw(raw(nonce=0))
    assert rejected(pool, raw(nonce=0)) == "already known"
    accounts.state[ADDRESS] = (5, 10**18)
    assert rejected(pool, raw(nonce=4)).startswith("nonce too low")
    assert rejected(pool, raw(nonce=5, gas=2_000_000)) == "exceeds block gas limit"
    assert rejected(pool, raw(nonce=5, value=10**19)).startswith(
        "insufficient funds for gas * price + value"
    )
    assert rejected(pool, raw(nonce=5, chainId=1)).startswith("invalid chain id for signer")
    assert rejected(pool, raw(MALLORY)).startswith(
        "sender account not authorized to send transactions"
    )
    assert rejected(pool, raw(nonce=5, gas=20_000)) == "intrinsic gas too low"
    assert rejected(pool, raw(nonce=9)).startswith("nonce too high")
    assert rejected(pool, b"\x03" + b"\x00" * 10) == "transaction type not supported"
    assert rejected(pool, b"\xf8\x00").startswith("rlp:")
    assert rejected(pool, legacy(nonce=5)).startswith("only replay-protected")
    assert rejected(pool, raw(nonce=5, maxFeePerGas=1, maxPriorityFeePerGas=2)).startswith(
        "max priority fee per gas higher than max fee per gas"
    )


def test_bad_signature_is_invalid_sender(pool: TxPool) -> None:
    tx = decode_transaction(raw())
    broken = tx.copy(s=0)
    with pytest.raises(TransactionRejectedError, match="invalid sender"):
        pool.add(broken)


def test_legacy_eip155_transaction_is_accepted(pool: TxPool) -> None:
    pool.add_raw(legacy(chainId=CHAIN_ID))
    assert len(pool) == 1


def test_zero_fee_replacement_replaces(pool: TxPool) -> None:
    first = pool.add_raw(raw(nonce=0))
    second = pool.add_raw(raw(nonce=0, data=b"\x01", gas=30_000))
    assert first.hash not in pool
    assert second.hash in pool
    assert len(pool) == 1


def test_underpriced_replacement(accounts: Accounts) -> None:
    pool = TxPool(
        chain_id=CHAIN_ID,
        block_gas_limit=1_000_000,
        limits=TxPoolLimits(),
        permission=AllowAll(),
        accounts=accounts,
    )
    pool.add_raw(raw(nonce=0, maxFeePerGas=100, maxPriorityFeePerGas=100))
    assert rejected(pool, raw(nonce=0, maxFeePerGas=109, maxPriorityFeePerGas=109)) == (
        "replacement transaction underpriced"
    )
    pool.add_raw(raw(nonce=0, maxFeePerGas=110, maxPriorityFeePerGas=110))


def test_pool_limits(pool: TxPool) -> None:
    for nonce in range(5):
        pool.add_raw(raw(nonce=nonce))
    assert rejected(pool, raw(nonce=5)) == "txpool is full"
    for nonce in range(5):
        pool.add_raw(raw(BOB, nonce=nonce))
    assert rejected(pool, raw(BOB, nonce=5)) == "txpool is full"


def test_prune_and_drop(pool: TxPool, accounts: Accounts) -> None:
    hashes = [pool.add_raw(raw(nonce=n)).hash for n in range(3)]
    accounts.state[ADDRESS] = (2, 10**18)
    pool.prune({ADDRESS}, lambda address: 2)
    assert [h in pool for h in hashes] == [False, False, True]
    pool.drop(hashes[2])
    assert len(pool) == 0
