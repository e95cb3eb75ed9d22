"""Transaction pool: admission checks, per-sender nonce order, replacement, limits.

Admission follows geth's order of checks and error texts, which clients match on
(``"nonce too low"``, ``"already known"``, ``"replacement transaction underpriced"``,
``"insufficient funds for gas * price + value"``, ``"exceeds block gas limit"``,
``"invalid sender"``, ``"transaction type not supported"``, ``"invalid chain id for
signer"``), plus Besu's permissioning text for senders that are not allowed.

Replacement: a transaction with the nonce of a pooled one from the same sender replaces
it when both its fee cap and its tip are at least ``price_bump_percent`` above the old
ones, rounded up, as in geth. With the zero fees of this chain the threshold is zero,
so any different transaction with the same nonce replaces the pooled one; that is the
useful behaviour for a permissioned chain (a stuck nonce can always be overwritten)
and what geth itself does for zero-priced transactions.

The pool never executes code; block building may still skip a transaction (its
sender's balance changed meanwhile), which :meth:`TxPool.drop` then removes.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from typing import Any

from eth.abc import SignedTransactionAPI
from eth_keys.exceptions import BadSignature
from eth_utils.exceptions import ValidationError
from rlp.exceptions import DecodingError, DeserializationError

from govchain_node.config import TxPoolLimits
from govchain_node.errors import TransactionRejectedError
from govchain_node.keys import SECP256K1_N
from govchain_node.permissions import SendPermission
from govchain_node.vm import GovchainVM

BLOB_TX_TYPE = 3
SUPPORTED_TYPES = frozenset({0, 1, 2, 4})


@dataclasses.dataclass(frozen=True)
class PooledTransaction:
    tx: SignedTransactionAPI
    sender: bytes
    arrival: int

    @property
    def hash(self) -> bytes:
        return bytes(self.tx.hash)


#: (nonce, balance) of an account at the head.
AccountReader = Callable[[bytes], tuple[int, int]]


def _fee_cap(tx: SignedTransactionAPI) -> int:
    type_id = getattr(tx, "type_id", None) or 0
    return int(tx.max_fee_per_gas if type_id >= 2 else tx.gas_price)


def _tip(tx: SignedTransactionAPI) -> int:
    type_id = getattr(tx, "type_id", None) or 0
    return int(tx.max_priority_fee_per_gas if type_id >= 2 else tx.gas_price)


def decode_transaction(raw: bytes) -> SignedTransactionAPI:
    """Decode a raw (legacy RLP or EIP-2718 typed) signed transaction, strictly."""
    if not raw:
        raise TransactionRejectedError("typed transaction too short")
    if raw[0] <= 0x7F and raw[0] not in SUPPORTED_TYPES:
        raise TransactionRejectedError("transaction type not supported")
    try:
        tx: SignedTransactionAPI = GovchainVM.get_transaction_builder().decode(raw)
    except (DecodingError, DeserializationError, ValidationError, ValueError, TypeError) as exc:
        raise TransactionRejectedError(f"rlp: invalid transaction encoding ({exc})") from exc
    except Exception as exc:  # py-evm raises assorted errors on hostile input
        raise TransactionRejectedError(f"rlp: invalid transaction encoding ({exc})") from exc
    return tx


class TxPool:
    """Pending transactions by sender and nonce; not thread-safe (event-loop owned)."""

    def __init__(
        self,
        *,
        chain_id: int,
        block_gas_limit: int,
        limits: TxPoolLimits,
        permission: SendPermission,
        accounts: AccountReader,
    ) -> None:
        self._chain_id = chain_id
        self._gas_limit = block_gas_limit
        self._limits = limits
        self._permission = permission
        self._accounts = accounts
        self._by_hash: dict[bytes, PooledTransaction] = {}
        self._by_sender: dict[bytes, dict[int, PooledTransaction]] = {}
        self._arrivals = itertools.count()
        self._runs: dict[bytes, tuple[int, int]] = {}  # sender -> (base, end) of its run

    def __len__(self) -> int:
        return len(self._by_hash)

    def __contains__(self, tx_hash: bytes) -> bool:
        return tx_hash in self._by_hash

    def get(self, tx_hash: bytes) -> PooledTransaction | None:
        return self._by_hash.get(tx_hash)

    # ----------------------------------------------------------------- admission

    def add_raw(self, raw: bytes) -> PooledTransaction:
        if len(raw) > self._limits.max_tx_bytes:
            raise TransactionRejectedError("oversized data")
        return self.add(decode_transaction(raw))

    def add(self, tx: SignedTransactionAPI) -> PooledTransaction:
        """Admit ``tx`` or raise :class:`TransactionRejectedError` with the standard message."""
        type_id = getattr(tx, "type_id", None) or 0
        if type_id not in SUPPORTED_TYPES:
            raise TransactionRejectedError("transaction type not supported")
        self._check_chain_id(tx, type_id)
        if tx.gas > self._gas_limit:
            raise TransactionRejectedError("exceeds block gas limit")
        if _tip(tx) > _fee_cap(tx):
            raise TransactionRejectedError("max priority fee per gas higher than max fee per gas")
        # Recovering the sender verifies the signature; EIP-2 additionally wants low s.
        if not 0 < tx.s <= SECP256K1_N // 2 or not 0 < tx.r < SECP256K1_N:
            raise TransactionRejectedError("invalid sender")
        try:
            sender = bytes(tx.sender)
        except (BadSignature, ValidationError, ValueError) as exc:
            raise TransactionRejectedError("invalid sender") from exc
        try:
            intrinsic = tx.intrinsic_gas
        except ValidationError as exc:
            raise TransactionRejectedError(f"invalid transaction: {exc}") from exc
        if tx.gas < intrinsic:
            raise TransactionRejectedError("intrinsic gas too low")
        if not self._permission.allows(sender):
            raise TransactionRejectedError(
                f"sender account not authorized to send transactions: 0x{sender.hex()}"
            )
        tx_hash = bytes(tx.hash)
        if tx_hash in self._by_hash:
            raise TransactionRejectedError("already known")
        state_nonce, balance = self._accounts(sender)
        if tx.nonce < state_nonce:
            raise TransactionRejectedError(
                f"nonce too low: address 0x{sender.hex()}, tx: {tx.nonce} state: {state_nonce}"
            )
        # Contiguous pooled nonces are pending, not queued: the gap counts from them.
        if tx.nonce > self.next_nonce(sender, state_nonce) + self._limits.max_nonce_gap:
            raise TransactionRejectedError(
                f"nonce too high: address 0x{sender.hex()}, tx: {tx.nonce} state: {state_nonce}"
            )
        cost = tx.gas * _fee_cap(tx) + tx.value
        if balance < cost:
            raise TransactionRejectedError(
                "insufficient funds for gas * price + value: "
                f"address 0x{sender.hex()} have {balance} want {cost}"
            )
        queue = self._by_sender.setdefault(sender, {})
        old = queue.get(tx.nonce)
        if old is not None:
            self._check_replacement(old.tx, tx)
        elif (
            len(queue) >= self._limits.max_per_sender or len(self) >= self._limits.max_transactions
        ):
            raise TransactionRejectedError("txpool is full")
        pooled = PooledTransaction(tx, sender, next(self._arrivals))
        if old is not None:
            del self._by_hash[old.hash]
        queue[tx.nonce] = pooled
        self._by_hash[tx_hash] = pooled
        return pooled

    def _check_chain_id(self, tx: Any, type_id: int) -> None:
        if type_id == 0:
            if tx.v in (27, 28):
                raise TransactionRejectedError(
                    "only replay-protected (EIP-155) transactions allowed over RPC"
                )
            chain_id = (tx.v - 35) // 2
        else:
            chain_id = tx.chain_id
        if chain_id != self._chain_id:
            raise TransactionRejectedError(
                f"invalid chain id for signer: have {chain_id} want {self._chain_id}"
            )

    def _check_replacement(self, old: SignedTransactionAPI, new: SignedTransactionAPI) -> None:
        bump = 100 + self._limits.price_bump_percent
        min_cap = -(-_fee_cap(old) * bump // 100)
        min_tip = -(-_tip(old) * bump // 100)
        if _fee_cap(new) < min_cap or _tip(new) < min_tip:
            raise TransactionRejectedError("replacement transaction underpriced")

    # ----------------------------------------------------------------- selection

    def next_nonce(self, sender: bytes, state_nonce: int) -> int:
        """The nonce after the sender's contiguous pooled transactions (``pending`` tag).

        The end of the contiguous run is remembered per sender (until one of its
        transactions is removed), so admitting n transactions in a row costs O(n), not
        O(n²) as walking the run from the state nonce every time would.
        """
        queue = self._by_sender.get(sender)
        if not queue:
            return state_nonce
        base, nonce = self._runs.get(sender, (state_nonce, state_nonce))
        if not base <= state_nonce <= nonce:
            base = nonce = state_nonce
        while nonce in queue:
            nonce += 1
        self._runs[sender] = (base, nonce)
        return nonce

    def has_executable(self, nonce_of: Callable[[bytes], int]) -> bool:
        return any(nonce_of(sender) in queue for sender, queue in self._by_sender.items())

    def executable(self, nonce_of: Callable[[bytes], int]) -> Iterator[SignedTransactionAPI]:
        """Transactions in nonce order per sender, senders by arrival of their next tx."""
        heads = []
        for sender, queue in self._by_sender.items():
            nonce = nonce_of(sender)
            if nonce in queue:
                heads.append((queue[nonce].arrival, sender, nonce))
        heads.sort()
        for _arrival, sender, nonce in heads:
            queue = self._by_sender[sender]
            while nonce in queue:
                yield queue[nonce].tx
                nonce += 1

    # ----------------------------------------------------------------- removal

    def drop(self, tx_hash: bytes) -> None:
        pooled = self._by_hash.pop(tx_hash, None)
        if pooled is None:
            return
        self._runs.pop(pooled.sender, None)
        queue = self._by_sender.get(pooled.sender)
        if queue is not None:
            queue.pop(pooled.tx.nonce, None)
            if not queue:
                del self._by_sender[pooled.sender]

    def prune(self, senders: set[bytes], nonce_of: Callable[[bytes], int]) -> None:
        """Remove transactions of ``senders`` whose nonce is below the state nonce."""
        for sender in senders:
            queue = self._by_sender.get(sender)
            if queue is None:
                continue
            floor = nonce_of(sender)
            stale = [n for n in queue if n < floor]
            for nonce in stale:
                del self._by_hash[queue.pop(nonce).hash]
            if not queue:
                del self._by_sender[sender]
                self._runs.pop(sender, None)
