"""Send permission follows the IssuerRegistry: issuers voted in may send, voted out may not.

Real dev node, real contracts; the registries are deployed and the issuer registered
by the sole consortium member, exactly as ``govchain up`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account as EthAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import Web3RPCError
from web3.types import TxParams, Wei

from govchain_contracts import load
from govchain_node.dev import DevNodeHandle, start_dev_node
from govchain_notary.devchain import deploy_dev_registries, web3_for

NOT_AUTHORIZED = "not authorized"


@pytest.fixture
def node(tmp_path: Path) -> Iterator[DevNodeHandle]:
    with start_dev_node(tmp_path / "node", port=0, block_period=0.2) as handle:
        yield handle


def send_from(web3: Web3, key: bytes, nonce: int) -> HexBytes:
    account = EthAccount.from_key(key)
    signed = account.sign_transaction(
        {
            "to": account.address,
            "value": 0,
            "gas": 21_000,
            "gasPrice": Wei(0),
            "nonce": nonce,
            "chainId": web3.eth.chain_id,
        }
    )
    return web3.eth.send_raw_transaction(signed.raw_transaction)


def test_only_active_issuers_of_the_configured_registry_may_send(node: DevNodeHandle) -> None:
    web3 = web3_for(node.rpc_url)
    outsider_key = bytes(range(1, 33))
    outsider = EthAccount.from_key(outsider_key).address

    with pytest.raises(Web3RPCError, match=NOT_AUTHORIZED):
        send_from(web3, outsider_key, 0)

    member_key = node.dev_accounts[0].private_key
    registries = deploy_dev_registries(node.rpc_url, member_key, outsider)
    with pytest.raises(Web3RPCError, match=NOT_AUTHORIZED):
        send_from(web3, outsider_key, 0)  # registered, but the node does not know the registry

    node.set_issuer_registry(registries.issuer)
    tx_hash = send_from(web3, outsider_key, 0)
    assert web3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)["status"] == 1

    registry = web3.eth.contract(
        address=Web3.to_checksum_address(registries.issuer), abi=list(load("IssuerRegistry").abi)
    )
    member = EthAccount.from_key(member_key)
    params: TxParams = {
        "from": member.address,
        "gasPrice": Wei(0),
        "nonce": web3.eth.get_transaction_count(member.address),
    }
    removal = registry.functions.proposeRemoveIssuer(outsider).build_transaction(params)
    signed = member.sign_transaction(removal)
    receipt = web3.eth.wait_for_transaction_receipt(
        web3.eth.send_raw_transaction(signed.raw_transaction), timeout=30
    )
    assert receipt["status"] == 1
    assert registry.functions.isActive(outsider).call() is False
    with pytest.raises(Web3RPCError, match=NOT_AUTHORIZED):
        send_from(web3, outsider_key, 1)


def test_a_broken_registry_admits_nobody(node: DevNodeHandle) -> None:
    web3 = web3_for(node.rpc_url)
    node.set_issuer_registry("0x" + "42" * 20)  # no code there: the call returns nothing
    with pytest.raises(Web3RPCError, match=NOT_AUTHORIZED):
        send_from(web3, bytes(range(2, 34)), 0)
