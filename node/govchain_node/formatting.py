"""Ethereum JSON-RPC shapes (geth's field names and hex quantities) of chain objects."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import rlp
from eth.abc import BlockAPI, LogAPI, ReceiptAPI, SignedTransactionAPI
from eth_typing import Address
from eth_utils.address import to_checksum_address

Json = dict[str, Any]


def hex_int(value: int) -> str:
    return hex(value)


def hex_bytes(value: bytes) -> str:
    return "0x" + value.hex()


@functools.lru_cache(maxsize=65536)
def hex_address(value: bytes) -> str:
    """EIP-55 checksummed (one keccak each, hence cached: few distinct addresses)."""
    return str(to_checksum_address(value))


def hex_word(value: int) -> str:
    return "0x" + value.to_bytes(32, "big").hex()


def tx_type(tx: SignedTransactionAPI) -> int:
    return int(getattr(tx, "type_id", None) or 0)


def contract_address(sender: bytes, nonce: int) -> bytes:
    from eth._utils.address import generate_contract_address

    return bytes(generate_contract_address(Address(sender), nonce))


def format_transaction(
    tx: Any,
    sender: bytes,
    block_hash: bytes | None,
    block_number: int | None,
    index: int | None,
    chain_id: int,
) -> Json:
    kind = tx_type(tx)
    result: Json = {
        "blockHash": None if block_hash is None else hex_bytes(block_hash),
        "blockNumber": None if block_number is None else hex_int(block_number),
        "from": hex_address(sender),
        "gas": hex_int(tx.gas),
        "hash": hex_bytes(tx.hash),
        "input": hex_bytes(tx.data),
        "nonce": hex_int(tx.nonce),
        "to": hex_address(tx.to) if tx.to else None,
        "transactionIndex": None if index is None else hex_int(index),
        "value": hex_int(tx.value),
        "type": hex_int(kind),
        "r": hex_int(tx.r),
        "s": hex_int(tx.s),
    }
    if kind == 0:
        result["gasPrice"] = hex_int(tx.gas_price)
        result["v"] = hex_int(tx.v)
        if tx.v >= 35:
            result["chainId"] = hex_int((tx.v - 35) // 2)
        return result
    result["chainId"] = hex_int(tx.chain_id)
    result["v"] = hex_int(tx.y_parity)
    result["yParity"] = hex_int(tx.y_parity)
    result["accessList"] = [
        {
            "address": hex_address(address),
            "storageKeys": [hex_word(k) if isinstance(k, int) else hex_bytes(k) for k in keys],
        }
        for address, keys in tx.access_list
    ]
    if kind == 1:
        result["gasPrice"] = hex_int(tx.gas_price)
    else:
        result["maxFeePerGas"] = hex_int(tx.max_fee_per_gas)
        result["maxPriorityFeePerGas"] = hex_int(tx.max_priority_fee_per_gas)
        # The effective price with a zero base fee is the priority fee, capped by the max fee.
        result["gasPrice"] = hex_int(min(tx.max_fee_per_gas, tx.max_priority_fee_per_gas))
    if kind == 4:
        result["authorizationList"] = [
            {
                "chainId": hex_int(a.chain_id),
                "address": hex_address(a.address),
                "nonce": hex_int(a.nonce),
                "yParity": hex_int(a.y_parity),
                "r": hex_int(a.r),
                "s": hex_int(a.s),
            }
            for a in tx.authorization_list
        ]
    return result


def effective_gas_price(tx: SignedTransactionAPI) -> int:
    if tx_type(tx) >= 2:
        return int(min(tx.max_fee_per_gas, tx.max_priority_fee_per_gas))
    return int(tx.gas_price)


def format_log(
    log: LogAPI,
    block_hash: bytes,
    block_number: int,
    tx_hash: bytes,
    tx_index: int,
    log_index: int,
) -> Json:
    return {
        "address": hex_address(log.address),
        "topics": [hex_word(t) for t in log.topics],
        "data": hex_bytes(log.data),
        "blockNumber": hex_int(block_number),
        "blockHash": hex_bytes(block_hash),
        "transactionHash": hex_bytes(tx_hash),
        "transactionIndex": hex_int(tx_index),
        "logIndex": hex_int(log_index),
        "removed": False,
    }


def format_receipt(
    tx: SignedTransactionAPI,
    sender: bytes,
    receipt: ReceiptAPI,
    previous_cumulative_gas: int,
    block_hash: bytes,
    block_number: int,
    index: int,
    logs: Sequence[Json],
) -> Json:
    created = contract_address(sender, tx.nonce) if not tx.to else None
    return {
        "transactionHash": hex_bytes(tx.hash),
        "transactionIndex": hex_int(index),
        "blockHash": hex_bytes(block_hash),
        "blockNumber": hex_int(block_number),
        "from": hex_address(sender),
        "to": hex_address(tx.to) if tx.to else None,
        "cumulativeGasUsed": hex_int(receipt.gas_used),
        "gasUsed": hex_int(receipt.gas_used - previous_cumulative_gas),
        "effectiveGasPrice": hex_int(effective_gas_price(tx)),
        "contractAddress": hex_address(created) if created else None,
        "logs": list(logs),
        "logsBloom": hex_bytes(receipt.bloom.to_bytes(256, "big")),
        "type": hex_int(tx_type(tx)),
        "status": "0x1" if receipt.state_root == b"\x01" else "0x0",
    }


def format_header(header: Any) -> Json:
    """``header`` is a Prague header; typed ``Any`` for its fork-specific fields."""
    return {
        "number": hex_int(header.block_number),
        "hash": hex_bytes(header.hash),
        "parentHash": hex_bytes(header.parent_hash),
        "nonce": hex_bytes(header.nonce),
        "sha3Uncles": hex_bytes(header.uncles_hash),
        "logsBloom": hex_bytes(header.bloom.to_bytes(256, "big")),
        "transactionsRoot": hex_bytes(header.transaction_root),
        "stateRoot": hex_bytes(header.state_root),
        "receiptsRoot": hex_bytes(header.receipt_root),
        "miner": hex_address(header.coinbase),
        "difficulty": hex_int(header.difficulty),
        "totalDifficulty": hex_int(header.difficulty),
        "extraData": hex_bytes(header.extra_data),
        "gasLimit": hex_int(header.gas_limit),
        "gasUsed": hex_int(header.gas_used),
        "timestamp": hex_int(header.timestamp),
        "mixHash": hex_bytes(header.mix_hash),
        "baseFeePerGas": hex_int(header.base_fee_per_gas),
        "withdrawalsRoot": hex_bytes(header.withdrawals_root),
        "blobGasUsed": hex_int(header.blob_gas_used),
        "excessBlobGas": hex_int(header.excess_blob_gas),
        "parentBeaconBlockRoot": hex_bytes(header.parent_beacon_block_root),
        "requestsHash": hex_bytes(header.requests_hash),
    }


def _rlp_length(payload: int) -> int:
    return payload + (1 if payload < 56 else 1 + (payload.bit_length() + 7) // 8)


def block_size(block: BlockAPI) -> int:
    """Length of the block's RLP ``[header, transactions, uncles, withdrawals]``."""
    txs = 0
    for tx in block.transactions:
        encoded = tx.encode()
        # Typed transactions are embedded as byte strings, legacy ones as lists.
        txs += len(encoded) if tx_type(tx) == 0 else _rlp_length(len(encoded))
    payload = len(rlp.encode(block.header)) + _rlp_length(txs) + 1 + 1
    return _rlp_length(payload)


def format_block_summary(block: BlockAPI) -> Json:
    """Header fields plus size, uncles and withdrawals; ``transactions`` is filled by the caller."""
    result = format_header(block.header)
    result["size"] = hex_int(block_size(block))
    result["uncles"] = []
    result["withdrawals"] = []
    return result
