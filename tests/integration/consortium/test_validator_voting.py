"""Validator changes by header votes, with real processes and transactions flowing.

Four validators and one member from ``consortium init --validators 4 --members 1``. While
a client keeps sending anchor transactions, the validators vote the member in
(``qbft_proposeValidatorVote``); it then proposes and seals blocks. Then one original
validator is voted out; it keeps following the chain. Throughout, every transaction is
mined exactly once, every node holds the same block hashes, and
``qbft_getValidatorsByBlockNumber`` reports each set from the block after the vote that
completed the change. Restarted, the new validator rebuilds the set from its chain
and proposes again.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_hash.auto import keccak

from govchain_node.consensus.consortium import Consortium
from govchain_node.consensus.qbft.validators import quorum
from govchain_node.consensus.seals import recover_sealers
from govchain_node.keys import load_dev_accounts
from govchain_node.vm import GovchainBlockHeader
from tests.support.consortium_processes import (
    all_at,
    block_hash,
    height,
    init_local_consortium,
    rpc,
    running_nodes,
    start_consortium_node,
)
from tests.support.node_contracts import anchor_call, anchor_like
from tests.support.node_process import NodeProcess
from tests.support.node_rpc import RpcClient, RpcFailureError, local_account
from tests.support.waiting import wait_until

VALIDATORS = 4
MEMBERS = 1
CHAIN_ID = 1337


@pytest.fixture
def consortium_dir(tmp_path: Path) -> Path:
    return init_local_consortium(tmp_path / "consortium", VALIDATORS, MEMBERS)


@pytest.fixture
def nodes(consortium_dir: Path) -> Iterator[list[NodeProcess]]:
    with running_nodes(consortium_dir, VALIDATORS + MEMBERS) as started:
        yield started


class AnchorLoad:
    """One sender anchoring through every node in turn until stopped."""

    def __init__(self, urls: list[str], key: bytes, contract: str) -> None:
        self._clients = [RpcClient(url, timeout=10) for url in urls]
        self._account = local_account(key)
        self._contract = contract
        self.sent: list[str] = []
        self.errors: list[str] = []
        self.stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def finish(self) -> None:
        self.stop.set()
        self._thread.join(timeout=30)
        for client in self._clients:
            client.close()

    def _run(self) -> None:
        first = self._clients[0]
        nonce = int(first.call("eth_getTransactionCount", self._account.address, "pending"), 16)
        for client in itertools.cycle(self._clients):
            if self.stop.is_set():
                return
            data = anchor_call(keccak(os.urandom(32)), keccak(b"voting"))
            raw = client.sign(
                self._account,
                CHAIN_ID,
                to=self._contract,
                data=data,
                nonce=nonce,
                gas=120_000,
                fee=0,
            )
            try:
                self.sent.append(client.send(raw))
            except RpcFailureError as exc:
                self.errors.append(exc.message)
                return
            nonce += 1
            time.sleep(0.1)


def validators_at(url: str, number: int | str) -> list[str]:
    tag = number if isinstance(number, str) else hex(number)
    return [str(v) for v in rpc(url, "qbft_getValidatorsByBlockNumber", [tag])]


def first_block_with(url: str, condition: object, top: int) -> int:
    """The lowest block whose validator list satisfies ``condition``."""
    assert callable(condition)
    return next(n for n in range(1, top + 1) if condition(validators_at(url, n)))


def header_of(block: dict[str, Any]) -> GovchainBlockHeader:
    """The header rebuilt from its JSON-RPC fields (to check its hash and seals)."""

    def raw(name: str) -> bytes:
        return bytes.fromhex(str(block[name])[2:])

    def number(name: str) -> int:
        return int(block[name], 16)

    fields: dict[str, Any] = {
        "parent_hash": raw("parentHash"),
        "uncles_hash": raw("sha3Uncles"),
        "coinbase": raw("miner"),
        "state_root": raw("stateRoot"),
        "transaction_root": raw("transactionsRoot"),
        "receipt_root": raw("receiptsRoot"),
        "bloom": int.from_bytes(raw("logsBloom"), "big"),
        "difficulty": number("difficulty"),
        "block_number": number("number"),
        "gas_limit": number("gasLimit"),
        "gas_used": number("gasUsed"),
        "timestamp": number("timestamp"),
        "extra_data": raw("extraData"),
        "mix_hash": raw("mixHash"),
        "nonce": raw("nonce"),
        "base_fee_per_gas": number("baseFeePerGas"),
        "withdrawals_root": raw("withdrawalsRoot"),
        "blob_gas_used": number("blobGasUsed"),
        "excess_blob_gas": number("excessBlobGas"),
        "parent_beacon_block_root": raw("parentBeaconBlockRoot"),
        "requests_hash": raw("requestsHash"),
    }
    return GovchainBlockHeader(**fields)


def miner(url: str, tag: str) -> str:
    return str(rpc(url, "eth_getBlockByNumber", [tag, False])["miner"]).lower()


def deploy(url: str, key: bytes) -> str:
    client = RpcClient(url)
    try:
        account = local_account(key)
        raw = client.sign(account, CHAIN_ID, to=None, data=anchor_like().bytecode, gas=1_000_000)
        receipt = client.wait_receipt(client.send(raw), timeout=30)
        assert receipt["status"] == "0x1"
        return str(receipt["contractAddress"])
    finally:
        client.close()


def test_member_voted_in_then_validator_voted_out_while_transactions_flow(
    consortium_dir: Path, nodes: list[NodeProcess]
) -> None:
    consortium = Consortium.load(consortium_dir)
    urls = [node.rpc_url for node in nodes]
    member = "0x" + consortium.nodes[VALIDATORS].address.hex()
    leaving_index = 3
    leaving = "0x" + consortium.nodes[leaving_index].address.hex()
    original = ["0x" + v.hex() for v in consortium.validators]
    wait_until("every node at height 2", lambda: all_at(2, urls), 45)
    assert validators_at(urls[0], "latest") == original

    key = load_dev_accounts(consortium_dir)[0].private_key
    contract = deploy(urls[0], key)
    load = AnchorLoad(urls, key, contract)
    load.start()
    try:
        # Vote the member in: 3 of 4 votes are needed (more than half).
        for url in urls[:VALIDATORS]:
            assert rpc(url, "qbft_proposeValidatorVote", [member, True]) is True
        assert rpc(urls[0], "qbft_getPendingVotes") == {member: True}
        wait_until(
            "the member in the validator set",
            lambda: member in validators_at(urls[0], "latest"),
            60,
        )
        wait_until(
            "a block proposed by the member",
            lambda: miner(urls[0], "latest") == member,
            60,
        )
        for url in urls[:VALIDATORS]:
            rpc(url, "qbft_discardValidatorVote", [member])

        # Vote an original validator out: 3 of the 5 validators now.
        voters = [url for index, url in enumerate(urls) if index != leaving_index]
        for url in voters:
            assert rpc(url, "qbft_proposeValidatorVote", [leaving, False]) is True
        wait_until(
            "the validator voted out",
            lambda: leaving not in validators_at(urls[0], "latest"),
            60,
        )
        after = height(urls[0]) or 0
        wait_until("three more blocks", lambda: all_at(after + 3, urls), 45)
    finally:
        load.finish()
    assert load.errors == []
    assert len(load.sent) > 20

    def all_mined() -> bool:
        return all(
            rpc(urls[0], "eth_getTransactionReceipt", [tx]) is not None for tx in load.sent[-5:]
        )

    wait_until("the last transactions mined", all_mined, 30)
    top = height(urls[0]) or 0
    wait_until("every node at the same height", lambda: all_at(top, urls), 30)

    # Every node holds the same chain.
    for number in range(1, top + 1):
        hashes = {block_hash(url, number) for url in urls}
        assert len(hashes) == 1, (number, hashes)

    # Every transaction is in exactly one block.
    mined: list[str] = []
    for number in range(1, top + 1):
        mined.extend(rpc(urls[0], "eth_getBlockByNumber", [hex(number), False])["transactions"])
    assert len(mined) == len(set(mined))
    assert set(load.sent) <= set(mined)
    for tx in load.sent:
        receipt = rpc(urls[2], "eth_getTransactionReceipt", [tx])
        assert receipt is not None
        assert receipt["status"] == "0x1"

    # The sets per height, the same on every node, and each block sealed by its own set.
    joined = first_block_with(urls[0], lambda v: member in v, top)
    left = first_block_with(urls[0], lambda v: leaving not in v and member in v, top)
    assert validators_at(urls[0], joined - 1) == original
    assert validators_at(urls[0], joined) == sorted([*original, member])
    assert validators_at(urls[0], left) == sorted(v for v in [*original, member] if v != leaving)
    for url in urls[1:]:
        for number in (joined - 1, joined, left - 1, left, top):
            assert validators_at(url, number) == validators_at(urls[0], number)
    proposed: set[str] = set()
    sealed: set[str] = set()
    for number in range(1, top + 1):
        block = rpc(urls[0], "eth_getBlockByNumber", [hex(number), False])
        header = header_of(block)
        assert "0x" + header.hash.hex() == block["hash"], number  # seal-free hash
        validators = validators_at(urls[0], number)
        _extra, sealers = recover_sealers(header)
        signers = {"0x" + s.hex() for s in sealers}
        assert signers <= set(validators), number
        assert len(signers) == len(sealers) >= quorum(len(validators)), number
        assert str(block["miner"]).lower() in validators, number
        if number >= left:
            proposed.add(str(block["miner"]).lower())
            sealed |= signers
    assert member in proposed
    assert member in sealed
    assert leaving not in proposed | sealed
    # The validator voted out still follows the chain.
    beyond = (height(urls[0]) or 0) + 2
    wait_until("the former validator to follow", lambda: all_at(beyond, [urls[leaving_index]]), 30)
    assert block_hash(urls[leaving_index], beyond) == block_hash(urls[0], beyond)

    # Restarted, the new validator rebuilds the set from the chain and proposes again.
    nodes[VALIDATORS].terminate()
    nodes[VALIDATORS] = start_consortium_node(consortium_dir / f"node-{VALIDATORS}")
    restart = height(urls[0]) or 0

    def proposes_again() -> bool:
        top = height(urls[0]) or 0
        return any(miner(urls[0], hex(n)) == member for n in range(restart + 1, top + 1))

    wait_until("a block proposed by the restarted member", proposes_again, 60)
