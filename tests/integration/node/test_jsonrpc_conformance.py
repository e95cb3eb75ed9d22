"""JSON-RPC conformance: one suite, run against the govchain node and the Hardhat node.

Every test runs on both nodes (fixture ``endpoint``). Where the nodes legitimately
differ, the test says so in one ``if endpoint.is_govchain`` branch and the difference
is listed here:

Differences (govchain vs Hardhat 3 / EDR), with reasons
--------------------------------------------------------
1. Fees: govchain has a zero base fee, ``eth_gasPrice`` / ``eth_maxPriorityFeePerGas``
   return 0 and ``eth_feeHistory`` reports zero base fees; Hardhat runs the EIP-1559
   fee market (1 gwei initial base fee). Reason: permissioned chain, gas price zero,
   DoS bounded by the block gas limit and the allow-list (DESIGN "Permissioning").
2. Permissioning: govchain refuses senders outside the allow-list with -32000
   "sender account not authorized to send transactions" (Besu's wording); Hardhat
   accepts any validly signed transaction.
3. extraData: govchain headers carry Besu's QBFT RLP ``[vanity, validators, vote,
   round, seals]`` (> 32 bytes), so web3.py needs ``ExtraDataToPOAMiddleware`` exactly
   as with a Besu QBFT network; Hardhat's extraData is short. mixHash is Besu's BFT
   constant instead of a prevRandao.
4. Mining: Hardhat automines one block per transaction; govchain seals blocks on its
   block period (``0`` = as soon as transactions are pending) and may put several
   transactions in one block. Tests wait for receipts instead of assuming automine.
5. Rejection texts: for a resubmitted pooled transaction govchain says "already known"
   (geth); Hardhat mines at once, so a resubmission is "nonce too low". For a wrong
   chain id govchain says "invalid chain id for signer: have X want Y" (geth); Hardhat
   says "Trying to send a raw transaction with an invalid chainId …". Both are -32000.
6. Error code for undecodable raw transactions: govchain -32000 "rlp: …" (geth);
   Hardhat -32602 / -32603 with its own text. Clients treat both as a rejection.
7. ``eth_call`` against a block: govchain executes in the context of the block after
   the requested one (py-evm's costless state; number = block + 1); only
   ``block.number`` and ``block.timestamp`` seen by the contract differ.
8. Unknown methods: govchain answers -32601 "method not found" (JSON-RPC 2.0, geth);
   Hardhat answers -32004 "method not supported".
9. Revert and funds messages: govchain uses geth's texts ("execution reverted: <reason>",
   "insufficient funds for gas * price + value"); Hardhat says "VM Exception while
   processing transaction: reverted with reason string '<reason>'" and "Sender doesn't
   have enough funds …". Codes (3 with revert data; -32000) and data are the same.
10. Addresses: govchain returns EIP-55 checksummed addresses (geth); Hardhat returns
   lower case. Clients compare case-insensitively.
11. eth_getProof storage keys: Hardhat requires 32-byte keys, govchain also accepts
   quantities ("0x0") like geth.
12. eth_getLogs range: govchain refuses ranges above 10,000 blocks and results above
   100,000 logs with -32005 (both configurable), a DoS bound as in geth/Besu; Hardhat
   has no limit. Tested in test_block_production.py (needs a chain longer than a
   small configured limit).
"""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_hash.auto import keccak

from tests.integration.node.conftest import Endpoint
from tests.support.node_contracts import anchor_call, selector
from tests.support.node_rpc import RpcFailureError

REQUIRED_BLOCK_FIELDS = {
    "number",
    "hash",
    "parentHash",
    "nonce",
    "sha3Uncles",
    "logsBloom",
    "transactionsRoot",
    "stateRoot",
    "receiptsRoot",
    "miner",
    "difficulty",
    "extraData",
    "size",
    "gasLimit",
    "gasUsed",
    "timestamp",
    "transactions",
    "uncles",
    "mixHash",
    "baseFeePerGas",
    "withdrawals",
    "withdrawalsRoot",
    "blobGasUsed",
    "excessBlobGas",
    "parentBeaconBlockRoot",
    "requestsHash",
}
REQUIRED_RECEIPT_FIELDS = {
    "transactionHash",
    "transactionIndex",
    "blockHash",
    "blockNumber",
    "from",
    "to",
    "cumulativeGasUsed",
    "gasUsed",
    "effectiveGasPrice",
    "contractAddress",
    "logs",
    "logsBloom",
    "type",
    "status",
}
REQUIRED_TX_FIELDS = {
    "blockHash",
    "blockNumber",
    "from",
    "gas",
    "gasPrice",
    "maxFeePerGas",
    "maxPriorityFeePerGas",
    "hash",
    "input",
    "nonce",
    "to",
    "transactionIndex",
    "value",
    "type",
    "accessList",
    "chainId",
    "v",
    "r",
    "s",
}
ANCHORED_TOPIC = "0x" + keccak(b"Anchored(bytes32,bytes32,address)").hex()


def unique_key(endpoint: Endpoint, label: str) -> bytes:
    nonce = endpoint.rpc.call("eth_getTransactionCount", endpoint.account.address, "pending")
    return keccak(f"{endpoint.name}:{label}:{nonce}".encode())


def is_hex_quantity(value: object) -> bool:
    return (
        isinstance(value, str)
        and value.startswith("0x")
        and (value == "0x0" or (len(value) > 2 and value[2] != "0"))
    )


# --------------------------------------------------------------------- identity


def test_chain_id_and_net_version_agree(endpoint: Endpoint) -> None:
    chain_id = endpoint.rpc.call("eth_chainId")
    assert int(chain_id, 16) == endpoint.chain_id
    assert endpoint.rpc.call("net_version") == str(endpoint.chain_id)
    assert isinstance(endpoint.rpc.call("web3_clientVersion"), str)
    assert endpoint.rpc.call("eth_syncing") is False


def test_block_number_and_tags(endpoint: Endpoint) -> None:
    number = endpoint.rpc.call("eth_blockNumber")
    assert is_hex_quantity(number)
    for tag in ("latest", "pending", "safe", "finalized", "earliest"):
        block = endpoint.rpc.call("eth_getBlockByNumber", tag, False)
        assert block is not None, tag
        assert set(block) >= REQUIRED_BLOCK_FIELDS, tag
    assert endpoint.rpc.call("eth_getBlockByNumber", "earliest", False)["number"] == "0x0"
    future = hex(int(endpoint.rpc.call("eth_blockNumber"), 16) + 1000)
    assert endpoint.rpc.call("eth_getBlockByNumber", future, False) is None


def test_block_by_hash_equals_block_by_number(endpoint: Endpoint) -> None:
    by_number = endpoint.rpc.call("eth_getBlockByNumber", "latest", False)
    by_hash = endpoint.rpc.call("eth_getBlockByHash", by_number["hash"], False)
    assert by_hash == by_number
    unknown = "0x" + "ab" * 32
    assert endpoint.rpc.call("eth_getBlockByHash", unknown, False) is None


def test_fee_methods(endpoint: Endpoint) -> None:
    gas_price = int(endpoint.rpc.call("eth_gasPrice"), 16)
    tip = int(endpoint.rpc.call("eth_maxPriorityFeePerGas"), 16)
    history = endpoint.rpc.call("eth_feeHistory", "0x2", "latest", [25, 75])
    assert {"oldestBlock", "baseFeePerGas", "gasUsedRatio", "reward"} <= set(history)
    assert len(history["baseFeePerGas"]) == len(history["gasUsedRatio"]) + 1
    assert all(len(r) == 2 for r in history["reward"])
    if endpoint.is_govchain:
        assert gas_price == 0
        assert tip == 0
        assert set(history["baseFeePerGas"]) == {"0x0"}
    else:
        assert gas_price > 0


# --------------------------------------------------------------------- envelope


def test_unknown_method(endpoint: Endpoint) -> None:
    response = endpoint.rpc.raw("eth_noSuchMethod")
    assert response["error"]["code"] == (-32601 if endpoint.is_govchain else -32004)
    assert response["jsonrpc"] == "2.0"


def test_parse_error(endpoint: Endpoint) -> None:
    response = endpoint.rpc.post(b'{"jsonrpc": "2.0", "method": ').json()
    assert response["error"]["code"] == -32700
    assert response["id"] is None


def test_invalid_params(endpoint: Endpoint) -> None:
    response = endpoint.rpc.raw("eth_getBalance", "not-an-address", "latest")
    assert response["error"]["code"] == -32602
    response = endpoint.rpc.raw("eth_getBlockByNumber", "0x0")
    assert response["error"]["code"] == -32602


def test_batch(endpoint: Endpoint) -> None:
    batch = [
        {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
        {"jsonrpc": "2.0", "id": "two", "method": "eth_blockNumber", "params": []},
        {"jsonrpc": "2.0", "id": 3, "method": "eth_noSuchMethod", "params": []},
    ]
    responses = endpoint.rpc.post(batch).json()
    by_id = {r["id"]: r for r in responses}
    assert set(by_id) == {1, "two", 3}
    assert int(by_id[1]["result"], 16) == endpoint.chain_id
    assert is_hex_quantity(by_id["two"]["result"])
    assert by_id[3]["error"]["code"] in (-32601, -32004)


# --------------------------------------------------------------------- state


def test_balance_nonce_code_storage(endpoint: Endpoint) -> None:
    address = endpoint.account.address
    assert int(endpoint.rpc.call("eth_getBalance", address, "latest"), 16) > 10**18
    latest = int(endpoint.rpc.call("eth_getTransactionCount", address, "latest"), 16)
    pending = int(endpoint.rpc.call("eth_getTransactionCount", address, "pending"), 16)
    assert pending >= latest >= 1
    code = endpoint.rpc.call("eth_getCode", endpoint.contract, "latest")
    assert len(code) > 2
    assert endpoint.rpc.call("eth_getCode", "0x" + "11" * 20, "latest") == "0x"
    key, root = unique_key(endpoint, "storage"), keccak(b"root")
    receipt = endpoint.transact(anchor_call(key, root), endpoint.contract)
    slot = "0x" + keccak(key + (0).to_bytes(32, "big")).hex()
    stored = endpoint.rpc.call("eth_getStorageAt", endpoint.contract, slot, receipt["blockNumber"])
    assert stored == "0x" + root.hex()
    earlier = hex(int(str(receipt["blockNumber"]), 16) - 1)
    assert (
        endpoint.rpc.call("eth_getStorageAt", endpoint.contract, slot, earlier) == "0x" + "00" * 32
    )


def test_get_proof_links_to_state_root(endpoint: Endpoint) -> None:
    block = endpoint.rpc.call("eth_getBlockByNumber", "latest", False)
    proof = endpoint.rpc.call(
        "eth_getProof", endpoint.contract, ["0x" + "00" * 32], block["number"]
    )
    assert {
        "address",
        "accountProof",
        "balance",
        "codeHash",
        "nonce",
        "storageHash",
        "storageProof",
    } <= set(proof)
    first_node = bytes.fromhex(proof["accountProof"][0][2:])
    assert "0x" + keccak(first_node).hex() == block["stateRoot"]
    assert proof["storageProof"][0]["value"] == "0x0"


# --------------------------------------------------------------------- transactions


def test_deploy_call_and_logs(endpoint: Endpoint) -> None:
    key, root = unique_key(endpoint, "logs"), keccak(b"logs-root")
    receipt = endpoint.transact(anchor_call(key, root), endpoint.contract)
    assert set(receipt) >= REQUIRED_RECEIPT_FIELDS
    assert receipt["status"] == "0x1"
    assert len(receipt["logs"]) == 1
    log = receipt["logs"][0]
    assert log["topics"][0] == ANCHORED_TOPIC
    assert log["topics"][1] == "0x" + key.hex()
    assert log["transactionHash"] == receipt["transactionHash"]
    result = endpoint.rpc.call(
        "eth_call",
        {"to": endpoint.contract, "data": "0x" + (selector("roots(bytes32)") + key).hex()},
        "latest",
    )
    assert result == "0x" + root.hex()
    logs = endpoint.rpc.call(
        "eth_getLogs",
        {
            "fromBlock": receipt["blockNumber"],
            "toBlock": receipt["blockNumber"],
            "address": endpoint.contract,
            "topics": [ANCHORED_TOPIC, "0x" + key.hex()],
        },
    )
    assert logs == receipt["logs"]
    by_block_hash = endpoint.rpc.call(
        "eth_getLogs", {"blockHash": receipt["blockHash"], "topics": [None, "0x" + key.hex()]}
    )
    assert by_block_hash == receipt["logs"]
    other_topic = endpoint.rpc.call(
        "eth_getLogs",
        {"fromBlock": "earliest", "toBlock": "latest", "topics": ["0x" + "00" * 32]},
    )
    assert other_topic == []


def test_transaction_lookups(endpoint: Endpoint) -> None:
    key = unique_key(endpoint, "lookup")
    receipt = endpoint.transact(anchor_call(key, keccak(key)), endpoint.contract)
    tx_hash = receipt["transactionHash"]
    tx = endpoint.rpc.call("eth_getTransactionByHash", tx_hash)
    assert set(tx) >= REQUIRED_TX_FIELDS
    if endpoint.is_govchain:
        assert tx["yParity"] == tx["v"]  # geth adds yParity to typed transactions
    assert tx["hash"] == tx_hash
    assert tx["blockHash"] == receipt["blockHash"]
    assert tx["from"].lower() == endpoint.account.address.lower()
    assert tx["type"] == "0x2"
    same = endpoint.rpc.call(
        "eth_getTransactionByBlockNumberAndIndex",
        receipt["blockNumber"],
        receipt["transactionIndex"],
    )
    assert same == tx
    same = endpoint.rpc.call(
        "eth_getTransactionByBlockHashAndIndex", receipt["blockHash"], receipt["transactionIndex"]
    )
    assert same == tx
    count = endpoint.rpc.call("eth_getBlockTransactionCountByHash", receipt["blockHash"])
    assert int(count, 16) >= 1
    assert count == endpoint.rpc.call(
        "eth_getBlockTransactionCountByNumber", receipt["blockNumber"]
    )
    block = endpoint.rpc.call("eth_getBlockByHash", receipt["blockHash"], True)
    assert tx in block["transactions"]
    assert endpoint.rpc.call("eth_getTransactionByHash", "0x" + "00" * 32) is None
    assert endpoint.rpc.call("eth_getTransactionReceipt", "0x" + "00" * 32) is None


def test_estimate_gas_is_sufficient(endpoint: Endpoint) -> None:
    key = unique_key(endpoint, "estimate")
    call = {
        "from": endpoint.account.address,
        "to": endpoint.contract,
        "data": "0x" + anchor_call(key, keccak(b"x")).hex(),
    }
    estimate = int(endpoint.rpc.call("eth_estimateGas", call), 16)
    assert 21_000 < estimate < 200_000
    receipt = endpoint.transact(anchor_call(key, keccak(b"x")), endpoint.contract, gas=estimate)
    assert receipt["status"] == "0x1"


def test_revert_reason_and_data(endpoint: Endpoint) -> None:
    data = selector("mustBePositive(uint256)") + abi_encode(["uint256"], [0])
    with pytest.raises(RpcFailureError) as failure:
        endpoint.rpc.call("eth_call", {"to": endpoint.contract, "data": "0x" + data.hex()})
    assert failure.value.code == 3
    assert "x must be positive" in failure.value.message
    if endpoint.is_govchain:
        assert failure.value.message == "execution reverted: x must be positive"
    revert = bytes.fromhex(str(failure.value.data)[2:])
    assert revert[:4] == selector("Error(string)")
    assert abi_decode(["string"], revert[4:]) == ("x must be positive",)


def test_custom_error_revert_data(endpoint: Endpoint) -> None:
    key = unique_key(endpoint, "custom")
    endpoint.transact(anchor_call(key, keccak(b"first")), endpoint.contract)
    call = {
        "from": endpoint.account.address,
        "to": endpoint.contract,
        "data": "0x" + anchor_call(key, keccak(b"second")).hex(),
    }
    for method in ("eth_call", "eth_estimateGas"):
        with pytest.raises(RpcFailureError) as failure:
            endpoint.rpc.call(method, call)
        assert failure.value.code == 3, method
        expected = selector("AlreadyAnchored(bytes32)") + key
        assert failure.value.data == "0x" + expected.hex(), method


def test_nonce_too_low(endpoint: Endpoint) -> None:
    raw = endpoint.rpc.sign(
        endpoint.account, endpoint.chain_id, to=endpoint.account.address, nonce=0, gas=21_000
    )
    with pytest.raises(RpcFailureError) as failure:
        endpoint.rpc.send(raw)
    assert failure.value.code == -32000
    assert "nonce too low" in failure.value.message.lower()


def test_resubmitted_transaction(endpoint: Endpoint) -> None:
    raw = endpoint.rpc.sign(
        endpoint.account, endpoint.chain_id, to=endpoint.account.address, gas=21_000
    )
    tx_hash = endpoint.rpc.send(raw)
    if endpoint.is_govchain:
        # Pooled ("already known") or already mined ("nonce too low"): the producer
        # with block period 0 may have sealed it in between.
        with pytest.raises(RpcFailureError) as again:
            endpoint.rpc.send(raw)
        assert again.value.code == -32000
        assert again.value.message == "already known" or "nonce too low" in again.value.message
    endpoint.rpc.wait_receipt(tx_hash)
    with pytest.raises(RpcFailureError) as failure:
        endpoint.rpc.send(raw)
    assert failure.value.code == -32000
    assert "nonce too low" in failure.value.message.lower() or "known" in failure.value.message


def test_wrong_chain_id(endpoint: Endpoint) -> None:
    raw = endpoint.rpc.sign(
        endpoint.account, endpoint.chain_id + 1, to=endpoint.account.address, gas=21_000
    )
    with pytest.raises(RpcFailureError) as failure:
        endpoint.rpc.send(raw)
    assert failure.value.code in (-32000, -32602)
    assert "chain" in failure.value.message.lower()


def test_gas_above_block_limit(endpoint: Endpoint) -> None:
    limit = int(endpoint.rpc.call("eth_getBlockByNumber", "latest", False)["gasLimit"], 16)
    raw = endpoint.rpc.sign(
        endpoint.account, endpoint.chain_id, to=endpoint.account.address, gas=limit + 1
    )
    with pytest.raises(RpcFailureError) as failure:
        endpoint.rpc.send(raw)
    assert failure.value.code in (-32000, -32603)
    assert "gas limit" in failure.value.message.lower()


def test_garbage_raw_transaction(endpoint: Endpoint) -> None:
    response = endpoint.rpc.raw("eth_sendRawTransaction", "0xdeadbeef")
    assert response["error"]["code"] in (-32000, -32602, -32603)


def test_insufficient_funds(endpoint: Endpoint) -> None:
    raw = endpoint.rpc.sign(
        endpoint.account, endpoint.chain_id, to=endpoint.account.address, gas=21_000, value=10**40
    )
    with pytest.raises(RpcFailureError) as failure:
        endpoint.rpc.send(raw)
    assert failure.value.code == -32000
    if endpoint.is_govchain:
        assert "insufficient funds for gas * price + value" in failure.value.message
    else:
        assert "enough funds" in failure.value.message


# --------------------------------------------------------------------- subscriptions


def test_subscribe_new_heads_and_logs(endpoint: Endpoint) -> None:
    async def scenario() -> tuple[dict[str, object], dict[str, object]]:
        async with websockets.connect(endpoint.ws_url) as ws:
            await ws.send(
                json.dumps(
                    {"jsonrpc": "2.0", "id": 1, "method": "eth_subscribe", "params": ["newHeads"]}
                )
            )
            heads_id = json.loads(await ws.recv())["result"]
            await ws.send(
                json.dumps(
                    {
                        "jsonrpc": "2.0",
                        "id": 2,
                        "method": "eth_subscribe",
                        "params": [
                            "logs",
                            {"address": endpoint.contract, "topics": [ANCHORED_TOPIC]},
                        ],
                    }
                )
            )
            logs_id = json.loads(await ws.recv())["result"]
            key = unique_key(endpoint, "ws")
            raw = endpoint.rpc.sign(
                endpoint.account,
                endpoint.chain_id,
                to=endpoint.contract,
                data=anchor_call(key, keccak(key)),
            )
            await asyncio.to_thread(endpoint.rpc.send, raw)
            head: dict[str, object] = {}
            log: dict[str, object] = {}
            while not (head and log):
                message = json.loads(await asyncio.wait_for(ws.recv(), timeout=20))
                params = message.get("params", {})
                if params.get("subscription") == heads_id:
                    head = params["result"]
                elif (
                    params.get("subscription") == logs_id
                    and params["result"]["topics"][1] == "0x" + key.hex()
                ):
                    log = params["result"]
            await ws.send(
                json.dumps(
                    {"jsonrpc": "2.0", "id": 3, "method": "eth_unsubscribe", "params": [heads_id]}
                )
            )
            while True:
                reply = json.loads(await asyncio.wait_for(ws.recv(), timeout=20))
                if reply.get("id") == 3:
                    assert reply["result"] is True
                    break
            return head, log

    head, log = asyncio.run(scenario())
    assert {"number", "hash", "parentHash", "stateRoot", "timestamp"} <= set(head)
    assert str(log["address"]).lower() == endpoint.contract.lower()


def test_block_filter_polling(endpoint: Endpoint) -> None:
    filter_id = endpoint.rpc.call("eth_newBlockFilter")
    key = unique_key(endpoint, "filter")
    receipt = endpoint.transact(anchor_call(key, keccak(key)), endpoint.contract)
    changes = endpoint.rpc.call("eth_getFilterChanges", filter_id)
    assert receipt["blockHash"] in changes
    assert endpoint.rpc.call("eth_uninstallFilter", filter_id) is True


def test_websocket_errors_are_json_rpc(endpoint: Endpoint) -> None:
    async def scenario() -> list[dict[str, object]]:
        async with websockets.connect(endpoint.ws_url) as ws:
            replies = []
            for message in ("{not json", '{"jsonrpc":"2.0","id":5,"method":"eth_noSuchMethod"}'):
                await ws.send(message)
                replies.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=20)))
            await ws.send('{"jsonrpc":"2.0","id":6,"method":"eth_chainId"}')
            replies.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=20)))
            return replies

    parse_error, unknown, chain_id = asyncio.run(scenario())
    assert parse_error["error"]["code"] == -32700  # type: ignore[index]
    assert unknown["error"]["code"] in (-32601, -32004)  # type: ignore[index]
    assert int(str(chain_id["result"]), 16) == endpoint.chain_id
