"""The Ethereum JSON-RPC methods served by the node.

Each method validates its parameters strictly (-32602 on any deviation), reads the
ledger at the requested block and returns geth-shaped JSON. Transaction rejections
are -32000 with the pool's standard message; reverts are code 3, message
``execution reverted[: reason]`` and the revert bytes as ``data``, which is what
web3.py and ethers decode into their ContractLogicError / CALL_EXCEPTION.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from eth.abc import BlockHeaderAPI
from eth_hash.auto import keccak
from eth_typing import Address

from govchain_node.chain import Ledger
from govchain_node.config import NodeConfig
from govchain_node.errors import (
    CallError,
    CallRevertedError,
    RpcReplyError,
    TransactionRejectedError,
)
from govchain_node.execution import ZERO_ADDRESS, CallRequest, Execution
from govchain_node.formatting import format_transaction, hex_address, hex_bytes, hex_int
from govchain_node.rpc import params as p
from govchain_node.rpc.calls import CallExecutor
from govchain_node.rpc.index import JsonIndex
from govchain_node.rpc.logfilter import LogCriteria, parse_criteria
from govchain_node.rpc.protocol import (
    EXECUTION_REVERTED,
    LIMIT_EXCEEDED,
    METHOD_NOT_FOUND,
    SERVER_ERROR,
    RawJson,
)
from govchain_node.rpc.subscriptions import Subscriptions
from govchain_node.txpool import TxPool

CLIENT_VERSION = "govchain/v0.1.0/python"
_ERROR_SELECTOR = bytes.fromhex("08c379a0")
_PANIC_SELECTOR = bytes.fromhex("4e487b71")

Handler = Callable[[list[Any]], Any]


class NodeView(Protocol):
    """What the RPC methods need from the running node."""

    @property
    def ledger(self) -> Ledger: ...

    @property
    def pool(self) -> TxPool: ...

    @property
    def config(self) -> NodeConfig: ...

    @property
    def subscriptions(self) -> Subscriptions: ...

    @property
    def execution(self) -> Execution: ...

    @property
    def index(self) -> JsonIndex: ...

    def submit(self, raw: bytes) -> bytes:
        """Admit a raw transaction to the pool; returns its hash."""

    def account(self, header: BlockHeaderAPI, address: bytes) -> tuple[int, int]:
        """(nonce, balance) at ``header``."""

    def peer_count(self) -> int:
        """Consortium peers connected now (0 for a ``--dev`` node)."""


def revert_error(output: bytes) -> RpcReplyError:
    """The JSON-RPC error for a reverted call, with the decoded reason when there is one."""
    message = "execution reverted"
    if output[:4] == _ERROR_SELECTOR and len(output) >= 68:
        try:
            length = int.from_bytes(output[36:68], "big")
            reason = output[68 : 68 + length].decode("utf-8")
            message = f"execution reverted: {reason}"
        except (UnicodeDecodeError, OverflowError):
            pass
    elif output[:4] == _PANIC_SELECTOR and len(output) == 36:
        message = f"execution reverted: panic code 0x{int.from_bytes(output[4:], 'big'):x}"
    return RpcReplyError(EXECUTION_REVERTED, message, hex_bytes(output))


def call_error(exc: CallError) -> RpcReplyError:
    """The JSON-RPC error for a failed call: code 3 with the revert data, else -32000."""
    if isinstance(exc, CallRevertedError):
        return revert_error(exc.output)
    return RpcReplyError(SERVER_ERROR, str(exc))


def call_request(call: Any) -> CallRequest:
    """An ``eth_call`` call object as a :class:`CallRequest` (-32602 on any deviation)."""
    if not isinstance(call, dict):
        raise p.invalid("call object must be an object")
    sender = p.address(call["from"], "from") if call.get("from") else ZERO_ADDRESS
    to = p.address(call["to"], "to") if call.get("to") else b""
    data_value = call.get("input") if call.get("input") is not None else call.get("data")
    data = p.data(data_value, "input") if data_value is not None else b""
    both = call.get("data") is not None and call.get("input") is not None
    if both and p.data(call["data"], "data") != data:
        raise p.invalid('both "data" and "input" are set and not equal')
    gas = p.lenient_quantity(call["gas"], "gas") if call.get("gas") else None
    value = p.lenient_quantity(call["value"], "value") if call.get("value") else 0
    for fee_field in ("gasPrice", "maxFeePerGas", "maxPriorityFeePerGas"):
        if call.get(fee_field) is not None:
            p.lenient_quantity(call[fee_field], fee_field)
    return CallRequest(to=to, data=data, sender=sender, gas=gas, value=value)


class EthMethods:
    """Method table over a :class:`NodeView`.

    With a :class:`CallExecutor`, ``eth_call`` and ``eth_estimateGas`` resolve their
    block on the caller's thread (the event loop) and execute on the executor's
    workers; without one (and through :meth:`eth_call` itself) they run inline.
    """

    def __init__(self, node: NodeView, calls: CallExecutor | None = None) -> None:
        self._node = node
        self._calls = calls
        self._chain_id_hex = hex_int(node.config.chain_id)
        self.table: dict[str, Handler] = {
            "web3_clientVersion": lambda params: CLIENT_VERSION,
            "web3_sha3": self.web3_sha3,
            "net_version": lambda params: str(node.config.chain_id),
            "net_listening": lambda params: True,
            "net_peerCount": lambda params: hex_int(node.peer_count()),
            "eth_chainId": lambda params: self._chain_id_hex,
            "eth_protocolVersion": lambda params: "0x44",
            "eth_syncing": lambda params: False,
            "eth_mining": lambda params: True,
            "eth_hashrate": lambda params: "0x0",
            "eth_accounts": lambda params: [],
            "eth_coinbase": self.eth_coinbase,
            "eth_blockNumber": lambda params: hex_int(node.ledger.head.block_number),
            "eth_gasPrice": lambda params: "0x0",
            "eth_maxPriorityFeePerGas": lambda params: "0x0",
            "eth_blobBaseFee": lambda params: "0x1",
            "eth_feeHistory": self.eth_fee_history,
            "eth_getBalance": self.eth_get_balance,
            "eth_getCode": self.eth_get_code,
            "eth_getStorageAt": self.eth_get_storage_at,
            "eth_getTransactionCount": self.eth_get_transaction_count,
            "eth_getBlockByNumber": self.eth_get_block_by_number,
            "eth_getBlockByHash": self.eth_get_block_by_hash,
            "eth_getBlockTransactionCountByNumber": self.eth_get_block_tx_count_by_number,
            "eth_getBlockTransactionCountByHash": self.eth_get_block_tx_count_by_hash,
            "eth_getUncleCountByBlockNumber": self.eth_get_uncle_count_by_number,
            "eth_getUncleCountByBlockHash": self.eth_get_uncle_count_by_hash,
            "eth_getTransactionByHash": self.eth_get_transaction_by_hash,
            "eth_getTransactionByBlockNumberAndIndex": self.eth_get_tx_by_number_and_index,
            "eth_getTransactionByBlockHashAndIndex": self.eth_get_tx_by_hash_and_index,
            "eth_getTransactionReceipt": self.eth_get_transaction_receipt,
            "eth_sendRawTransaction": self.eth_send_raw_transaction,
            "eth_call": lambda params: self._offload(self._run_call, *self._call_args(params)),
            "eth_estimateGas": lambda params: self._offload(
                self._run_estimate, *self._call_args(params)
            ),
            "eth_getLogs": self.eth_get_logs,
            "eth_getProof": self.eth_get_proof,
            "eth_newFilter": self.eth_new_filter,
            "eth_newBlockFilter": self.eth_new_block_filter,
            "eth_newPendingTransactionFilter": self.eth_new_pending_filter,
            "eth_getFilterChanges": self.eth_get_filter_changes,
            "eth_getFilterLogs": self.eth_get_filter_logs,
            "eth_uninstallFilter": self.eth_uninstall_filter,
        }

    def dispatch(self, method: str, params: list[Any]) -> Any:
        handler = self.table.get(method)
        if handler is None:
            raise RpcReplyError(
                METHOD_NOT_FOUND, f"the method {method} does not exist/is not available"
            )
        return handler(params)

    # ----------------------------------------------------------------- blocks

    def _block_number(self, tag: Any) -> int | None:
        """Resolve a block tag or number; ``None`` if beyond the head."""
        head = self._node.ledger.head.block_number
        if tag is None or tag in ("latest", "pending", "safe", "finalized"):
            return head
        if tag == "earliest":
            return 0
        if isinstance(tag, str):
            number = p.quantity(tag, "block number")
            return number if number <= head else None
        raise p.invalid("block must be a tag or a hex number")

    def _header(self, tag: Any) -> BlockHeaderAPI:
        """Header for a state query: tag, number, or EIP-1898 ``{blockHash|blockNumber}``."""
        ledger = self._node.ledger
        if isinstance(tag, dict):
            if "blockHash" in tag:
                header = ledger.header_by_hash(p.hash32(tag["blockHash"], "blockHash"))
                if header is None:
                    raise RpcReplyError(SERVER_ERROR, "header for hash not found")
                return header
            if "blockNumber" in tag:
                tag = tag["blockNumber"]
            else:
                raise p.invalid("block object needs blockHash or blockNumber")
        number = self._block_number(tag)
        header = None if number is None else ledger.header_by_number(number)
        if header is None:
            raise RpcReplyError(SERVER_ERROR, "header not found")
        return header

    def _block_result(self, header: BlockHeaderAPI | None, full: bool) -> Any:
        if header is None:
            return None
        block = self._node.index.block_json(header, full)
        return RawJson(block) if isinstance(block, bytes) else block

    def eth_get_block_by_number(self, params: list[Any]) -> Any:
        p.check_arity(params, 2)
        number = self._block_number(p.arg(params, 0, "block"))
        full = p.boolean(p.arg(params, 1, "full transactions"), "full transactions")
        header = None if number is None else self._node.ledger.header_by_number(number)
        return self._block_result(header, full)

    def eth_get_block_by_hash(self, params: list[Any]) -> Any:
        p.check_arity(params, 2)
        block_hash = p.hash32(p.arg(params, 0, "block hash"))
        full = p.boolean(p.arg(params, 1, "full transactions"), "full transactions")
        return self._block_result(self._node.ledger.header_by_hash(block_hash), full)

    def _count(self, header: BlockHeaderAPI | None) -> str | None:
        if header is None:
            return None
        return hex_int(len(self._node.index.block_transaction_hashes(header)))

    def eth_get_block_tx_count_by_number(self, params: list[Any]) -> str | None:
        p.check_arity(params, 1)
        number = self._block_number(p.arg(params, 0, "block"))
        return self._count(None if number is None else self._node.ledger.header_by_number(number))

    def eth_get_block_tx_count_by_hash(self, params: list[Any]) -> str | None:
        p.check_arity(params, 1)
        return self._count(self._node.ledger.header_by_hash(p.hash32(p.arg(params, 0, "hash"))))

    def eth_get_uncle_count_by_number(self, params: list[Any]) -> str | None:
        p.check_arity(params, 1)
        number = self._block_number(p.arg(params, 0, "block"))
        return None if number is None else "0x0"

    def eth_get_uncle_count_by_hash(self, params: list[Any]) -> str | None:
        p.check_arity(params, 1)
        header = self._node.ledger.header_by_hash(p.hash32(p.arg(params, 0, "hash")))
        return None if header is None else "0x0"

    def eth_coinbase(self, params: list[Any]) -> str:
        return hex_address(self._node.ledger.head.coinbase)

    # ----------------------------------------------------------------- transactions

    def eth_get_transaction_by_hash(self, params: list[Any]) -> Any:
        p.check_arity(params, 1)
        tx_hash = p.hash32(p.arg(params, 0, "transaction hash"))
        raw = self._node.index.transaction_json(tx_hash)
        if raw is not None:
            return RawJson(raw)
        pooled = self._node.pool.get(tx_hash)
        if pooled is None:
            return None
        return format_transaction(
            pooled.tx, pooled.sender, None, None, None, self._node.config.chain_id
        )

    def _tx_by_index(self, header: BlockHeaderAPI | None, index_param: Any) -> Any:
        index = p.quantity(index_param, "index")
        if header is None:
            return None
        hashes = self._node.index.block_transaction_hashes(header)
        if index >= len(hashes):
            return None
        raw = self._node.index.transaction_json(hashes[index])
        return None if raw is None else RawJson(raw)

    def eth_get_tx_by_number_and_index(self, params: list[Any]) -> Any:
        p.check_arity(params, 2)
        number = self._block_number(p.arg(params, 0, "block"))
        header = None if number is None else self._node.ledger.header_by_number(number)
        return self._tx_by_index(header, p.arg(params, 1, "index"))

    def eth_get_tx_by_hash_and_index(self, params: list[Any]) -> Any:
        p.check_arity(params, 2)
        header = self._node.ledger.header_by_hash(p.hash32(p.arg(params, 0, "block hash")))
        return self._tx_by_index(header, p.arg(params, 1, "index"))

    def eth_get_transaction_receipt(self, params: list[Any]) -> Any:
        p.check_arity(params, 1)
        raw = self._node.index.receipt_json(p.hash32(p.arg(params, 0, "transaction hash")))
        return None if raw is None else RawJson(raw)

    def eth_send_raw_transaction(self, params: list[Any]) -> str:
        p.check_arity(params, 1)
        raw = p.data(p.arg(params, 0, "transaction"), "transaction")
        try:
            return hex_bytes(self._node.submit(raw))
        except TransactionRejectedError as exc:
            raise RpcReplyError(SERVER_ERROR, str(exc)) from exc

    # ----------------------------------------------------------------- state

    def eth_get_balance(self, params: list[Any]) -> str:
        p.check_arity(params, 2)
        address = p.address(p.arg(params, 0, "address"))
        header = self._header(p.arg(params, 1, "block", required=False))
        return hex_int(self._node.account(header, address)[1])

    def eth_get_transaction_count(self, params: list[Any]) -> str:
        p.check_arity(params, 2)
        address = p.address(p.arg(params, 0, "address"))
        tag = p.arg(params, 1, "block", required=False)
        header = self._header(tag)
        nonce = self._node.account(header, address)[0]
        if tag == "pending":
            nonce = self._node.pool.next_nonce(address, nonce)
        return hex_int(nonce)

    def eth_get_code(self, params: list[Any]) -> str:
        p.check_arity(params, 2)
        address = p.address(p.arg(params, 0, "address"))
        header = self._header(p.arg(params, 1, "block", required=False))
        return hex_bytes(self._node.ledger.state_at(header).get_code(Address(address)))

    def eth_get_storage_at(self, params: list[Any]) -> str:
        p.check_arity(params, 3)
        address = p.address(p.arg(params, 0, "address"))
        slot = p.storage_slot(p.arg(params, 1, "slot"))
        header = self._header(p.arg(params, 2, "block", required=False))
        value = self._node.ledger.state_at(header).get_storage(Address(address), slot)
        return "0x" + int(value).to_bytes(32, "big").hex()

    def eth_get_proof(self, params: list[Any]) -> dict[str, Any]:
        p.check_arity(params, 3)
        address = p.address(p.arg(params, 0, "address"))
        keys = p.arg(params, 1, "storage keys")
        if not isinstance(keys, list) or len(keys) > 1000:
            raise p.invalid("storage keys must be a list of at most 1000 keys")
        slots = [p.storage_slot(k, "storage key") for k in keys]
        header = self._header(p.arg(params, 2, "block", required=False))
        proof = self._node.execution.account_proof(address, slots, header)
        return {
            "address": hex_address(proof.address),
            "accountProof": [hex_bytes(node) for node in proof.proof],
            "balance": hex_int(proof.balance),
            "codeHash": hex_bytes(proof.code_hash),
            "nonce": hex_int(proof.nonce),
            "storageHash": hex_bytes(proof.storage_root),
            "storageProof": [
                {
                    "key": key,
                    "value": hex_int(slot.value),
                    "proof": [hex_bytes(node) for node in slot.proof],
                }
                for key, slot in zip(keys, proof.storage, strict=True)
            ],
        }

    # ----------------------------------------------------------------- execution

    def _offload(self, function: Callable[..., str], *args: Any) -> Any:
        """``function(*args)`` on the call executor (an awaitable), or inline."""
        if self._calls is None:
            return function(*args)
        return self._calls.run(function, *args)

    def _call_args(self, params: list[Any]) -> tuple[CallRequest, BlockHeaderAPI]:
        """The call and the block of an eth_call / eth_estimateGas request."""
        p.check_arity(params, 3)
        header = self._header(p.arg(params, 1, "block", required=False))
        if len(params) > 2 and params[2] is not None:
            raise p.invalid("state overrides are not supported")
        return call_request(p.arg(params, 0, "call")), header

    def eth_call(self, params: list[Any]) -> str:
        """eth_call on the calling thread."""
        return self._run_call(*self._call_args(params))

    def _run_call(self, request: CallRequest, header: BlockHeaderAPI) -> str:
        try:
            return hex_bytes(self._node.execution.call(request, header))
        except CallError as exc:
            raise call_error(exc) from exc

    def eth_estimate_gas(self, params: list[Any]) -> str:
        return self._run_estimate(*self._call_args(params))

    def _run_estimate(self, request: CallRequest, header: BlockHeaderAPI) -> str:
        try:
            return hex_int(self._node.execution.estimate_gas(request, header))
        except CallError as exc:
            raise call_error(exc) from exc

    def eth_fee_history(self, params: list[Any]) -> dict[str, Any]:
        p.check_arity(params, 3)
        count_param = p.arg(params, 0, "block count")
        count = count_param if isinstance(count_param, int) else p.quantity(count_param, "count")
        count = max(0, min(count, 1024))
        newest = self._block_number(p.arg(params, 1, "newest block"))
        if newest is None:
            raise RpcReplyError(SERVER_ERROR, "header not found")
        percentiles = p.arg(params, 2, "reward percentiles", required=False)
        if percentiles is not None and (
            not isinstance(percentiles, list)
            or not all(isinstance(x, int | float) and 0 <= x <= 100 for x in percentiles)
            or percentiles != sorted(percentiles)
        ):
            raise p.invalid("reward percentiles must be ascending numbers in [0, 100]")
        oldest = max(0, newest - count + 1)
        headers = [self._node.ledger.header_by_number(n) for n in range(oldest, newest + 1)]
        result: dict[str, Any] = {
            "oldestBlock": hex_int(oldest),
            "baseFeePerGas": ["0x0"] * (len(headers) + 1 if headers else 0),
            "gasUsedRatio": [h.gas_used / h.gas_limit if h else 0.0 for h in headers],
            "baseFeePerBlobGas": ["0x1"] * (len(headers) + 1 if headers else 0),
            "blobGasUsedRatio": [0.0 for _ in headers],
        }
        if percentiles is not None:
            result["reward"] = [["0x0"] * len(percentiles) for _ in headers]
        return result

    def web3_sha3(self, params: list[Any]) -> str:
        p.check_arity(params, 1)
        return hex_bytes(keccak(p.data(p.arg(params, 0, "data"), "data")))

    # ----------------------------------------------------------------- logs

    def _range(self, spec: dict[str, Any]) -> tuple[int, int]:
        head = self._node.ledger.head.block_number
        from_block = self._block_number(spec.get("fromBlock", "latest"))
        to_block = self._block_number(spec.get("toBlock", "latest"))
        from_block = head + 1 if from_block is None else from_block
        to_block = head if to_block is None else to_block
        return from_block, to_block

    def logs_in_range(self, from_block: int, to_block: int, criteria: LogCriteria) -> Any:
        if to_block - from_block + 1 > self._node.config.logs_max_block_range:
            raise RpcReplyError(
                LIMIT_EXCEEDED,
                f"query exceeds max block range {self._node.config.logs_max_block_range}",
            )
        limit = self._node.config.logs_max_results
        index = self._node.index
        everything = criteria.matches_all
        parts: list[str] = []
        for number in range(from_block, to_block + 1):
            for log in index.block_logs(number):
                if everything or criteria.matches_fields(log.address, log.topics):
                    parts.append(log.json)
            if len(parts) > limit:
                raise RpcReplyError(LIMIT_EXCEEDED, f"query returned more than {limit} results")
        return RawJson(("[" + ",".join(parts) + "]").encode())

    def eth_get_logs(self, params: list[Any]) -> Any:
        p.check_arity(params, 1)
        spec = p.arg(params, 0, "filter")
        if not isinstance(spec, dict):
            raise p.invalid("filter must be an object")
        criteria = parse_criteria(spec)
        if spec.get("blockHash") is not None:
            if "fromBlock" in spec or "toBlock" in spec:
                raise p.invalid("cannot specify both blockHash and fromBlock/toBlock")
            header = self._node.ledger.header_by_hash(p.hash32(spec["blockHash"], "blockHash"))
            if header is None:
                raise RpcReplyError(SERVER_ERROR, "unknown block")
            return self.logs_in_range(header.block_number, header.block_number, criteria)
        from_block, to_block = self._range(spec)
        if from_block > to_block:
            return []
        return self.logs_in_range(from_block, to_block, criteria)

    def eth_new_filter(self, params: list[Any]) -> str:
        p.check_arity(params, 1)
        spec = p.arg(params, 0, "filter")
        if not isinstance(spec, dict):
            raise p.invalid("filter must be an object")
        criteria = parse_criteria(spec)
        to_tag = spec.get("toBlock")
        to_block = None if to_tag in (None, "latest", "pending") else self._block_number(to_tag)
        from_tag = spec.get("fromBlock")
        from_block = (
            None if from_tag in (None, "latest", "pending") else self._block_number(from_tag)
        )
        return self._node.subscriptions.new_filter("logs", criteria, from_block, to_block)

    def eth_new_block_filter(self, params: list[Any]) -> str:
        return self._node.subscriptions.new_filter("block", LogCriteria(), None, None)

    def eth_new_pending_filter(self, params: list[Any]) -> str:
        return self._node.subscriptions.new_filter("pending", LogCriteria(), None, None)

    def _filter_id(self, params: list[Any]) -> str:
        p.check_arity(params, 1)
        filter_id = p.arg(params, 0, "filter id")
        if not isinstance(filter_id, str):
            raise p.invalid("filter id must be a string")
        return filter_id

    def eth_get_filter_changes(self, params: list[Any]) -> list[Any]:
        changes = self._node.subscriptions.changes(self._filter_id(params))
        if changes is None:
            raise RpcReplyError(SERVER_ERROR, "filter not found")
        return changes

    def eth_get_filter_logs(self, params: list[Any]) -> Any:
        f = self._node.subscriptions.filter(self._filter_id(params))
        if f is None or f.kind != "logs":
            raise RpcReplyError(SERVER_ERROR, "filter not found")
        head = self._node.ledger.head.block_number
        from_block = head if f.from_block is None else f.from_block
        to_block = head if f.to_block is None else min(f.to_block, head)
        return self.logs_in_range(from_block, to_block, f.criteria)

    def eth_uninstall_filter(self, params: list[Any]) -> bool:
        return self._node.subscriptions.uninstall(self._filter_id(params))
