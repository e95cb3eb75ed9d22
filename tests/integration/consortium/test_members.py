"""A member (non-validator) node follows the consortium's chain and serves JSON-RPC.

Four validators and one member, all real processes from ``consortium init --members 1``:
the member imports every block (seal-checked sync and gossip), a transaction sent to
it reaches the validators and is mined, and it never appears as a block's proposer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account as EthAccount

from govchain_node.consensus.consortium import Consortium
from govchain_node.keys import load_dev_accounts
from tests.support.consortium_processes import (
    all_at,
    block_hash,
    height,
    init_local_consortium,
    rpc,
    running_nodes,
)
from tests.support.node_process import NodeProcess
from tests.support.waiting import wait_until

VALIDATORS = 4
MEMBERS = 1


@pytest.fixture
def consortium_dir(tmp_path: Path) -> Path:
    return init_local_consortium(tmp_path / "consortium", VALIDATORS, MEMBERS)


@pytest.fixture
def nodes(consortium_dir: Path) -> Iterator[list[NodeProcess]]:
    with running_nodes(consortium_dir, VALIDATORS + MEMBERS) as started:
        yield started


def test_member_follows_the_chain_and_relays_transactions(
    consortium_dir: Path, nodes: list[NodeProcess]
) -> None:
    consortium = Consortium.load(consortium_dir)
    validators = {"0x" + address.hex() for address in consortium.validators}
    member = nodes[VALIDATORS].rpc_url
    member_address = "0x" + consortium.nodes[VALIDATORS].address.hex()
    assert member_address not in validators
    urls = [node.rpc_url for node in nodes]

    wait_until("every node at height 3", lambda: all_at(3, urls), 45)
    assert len({block_hash(url, 3) for url in urls}) == 1
    # Every node sees all four others (the member is a peer of every validator).
    wait_until(
        "every node connected to the four others",
        lambda: all(int(rpc(url, "net_peerCount"), 16) == VALIDATORS for url in urls),
        30,
    )

    # Sent to the member, which cannot propose: gossip must carry it to the validators.
    sender = load_dev_accounts(consortium_dir)[0]
    recipient = "0x" + "22" * 20
    tx = {"to": recipient, "value": 7, "gas": 21_000, "gasPrice": 0, "nonce": 0, "chainId": 1337}
    signed = EthAccount.sign_transaction(tx, sender.private_key)
    tx_hash = rpc(member, "eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex()])

    def mined_everywhere() -> bool:
        receipts = [rpc(url, "eth_getTransactionReceipt", [tx_hash]) for url in urls]
        return all(r is not None and r["status"] == "0x1" for r in receipts)

    wait_until("the member's transaction mined on every node", mined_everywhere, 30)
    assert rpc(member, "eth_getBalance", [recipient, "latest"]) == "0x7"

    top = height(member) or 0
    assert top >= 4
    for number in range(1, top + 1):
        block = rpc(member, "eth_getBlockByNumber", [hex(number), False])
        assert block["miner"].lower() in validators, (number, block["miner"])
    assert block_hash(member, top) == block_hash(urls[0], top)
