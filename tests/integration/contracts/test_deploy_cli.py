"""``govchain contracts deploy | propose-issuer | vote`` against real nodes: the
project's own ``--dev`` node (zero gas price) and the Hardhat reference node (a
fee-paying chain, standing in for any other EVM endpoint such as Besu)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from eth_account import Account
from typer.testing import CliRunner, Result
from web3 import Web3

from govchain_contracts import Role, load
from govchain_contracts.cli import register
from govchain_contracts.deploy import web3_for
from govchain_core.deployment import Deployment
from govchain_node.keys import load_dev_accounts
from tests.support.hardhat_node import HardhatNode, hardhat_keys, start_hardhat
from tests.support.node_process import NodeProcess, start_node_process

runner = CliRunner()


def govchain(*args: str) -> Result:
    app = typer.Typer()
    register(app)
    return runner.invoke(app, ["contracts", *args])


@pytest.fixture(scope="module")
def dev_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NodeProcess, Path]]:
    data_dir = tmp_path_factory.mktemp("dev-node")
    node = start_node_process(data_dir, "--dev-accounts", "2", "--block-period", "0")
    try:
        yield node, data_dir
    finally:
        node.terminate()


@pytest.fixture(scope="module")
def hardhat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HardhatNode]:
    node = start_hardhat(tmp_path_factory.mktemp("hardhat"))
    try:
        yield node
    finally:
        node.stop()


def key_files(directory: Path, keys: list[str]) -> list[Path]:
    paths = []
    for index, key in enumerate(keys):
        path = directory / f"member-{index}.key"
        path.write_text(key + "\n")
        paths.append(path)
    return paths


def registry(rpc_url: str, deployment: Deployment) -> object:
    return web3_for(rpc_url).eth.contract(
        address=Web3.to_checksum_address(deployment.issuer_registry),
        abi=list(load("IssuerRegistry").abi),
    )


def assert_deployed(rpc_url: str, out: Path, members: list[str]) -> Deployment:
    deployment = Deployment.load(out)
    web3 = web3_for(rpc_url)
    assert deployment.chain_id == web3.eth.chain_id
    for address in (
        deployment.issuer_registry,
        deployment.anchor_registry,
        deployment.status_registry,
    ):
        assert len(web3.eth.get_code(Web3.to_checksum_address(address))) > 0
    issuers = registry(rpc_url, deployment)
    on_chain = [a.lower() for a in issuers.functions.members().call()]  # type: ignore[attr-defined]
    assert on_chain == [m.lower() for m in members]
    return deployment


def test_deploy_with_two_members_then_an_issuer_by_majority_vote(
    dev_node: tuple[NodeProcess, Path], tmp_path: Path
) -> None:
    node, data_dir = dev_node
    accounts = load_dev_accounts(data_dir)
    keys = key_files(tmp_path, ["0x" + a.private_key.hex() for a in accounts])
    members = ["0x" + a.address.hex() for a in accounts]
    out = tmp_path / "deployment.json"

    result = govchain(
        "deploy", "--rpc-url", node.rpc_url, "--key-file", str(keys[0]), "--out", str(out),
        "--member", members[0], "--member", members[1],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    deployment = assert_deployed(node.rpc_url, out, members)

    issuer = Account.create().address
    common = ["--rpc-url", node.rpc_url, "--deployment", str(out)]
    result = govchain(
        "propose-issuer", *common, "--key-file", str(keys[0]), "--issuer", issuer,
        "--name", "Stadt Musterstadt", "--ags", "05315000", "--roles", "certificate,iot",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "waiting for more member votes" in result.output  # 1 of 2 is no majority
    issuers = registry(node.rpc_url, deployment)
    assert not issuers.functions.isActive(issuer).call()  # type: ignore[attr-defined]

    proposal = result.output.split("proposal ")[1].split()[0]
    result = govchain("vote", *common, "--key-file", str(keys[1]), proposal)
    assert result.exit_code == 0, result.output
    assert issuers.functions.isActive(issuer).call()  # type: ignore[attr-defined]
    info = issuers.functions.getIssuer(issuer).call()  # type: ignore[attr-defined]
    assert info[:3] == ("Stadt Musterstadt", "05315000", int(Role.CERTIFICATE | Role.IOT))


def test_deploy_on_a_fee_paying_reference_node(hardhat: HardhatNode, tmp_path: Path) -> None:
    (key,) = key_files(tmp_path, hardhat_keys(1))
    out = tmp_path / "deployment.json"
    result = govchain(
        "deploy", "--rpc-url", hardhat.rpc_url, "--key-file", str(key), "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    deployer = Account.from_key(key.read_text().strip()).address
    assert_deployed(hardhat.rpc_url, out, [deployer])  # default: the deployer is the member

    again = govchain(
        "deploy", "--rpc-url", hardhat.rpc_url, "--key-file", str(key), "--out", str(out)
    )
    assert again.exit_code == 2
    assert "exists" in again.output


def test_keystore_key_file_needs_its_password(
    hardhat: HardhatNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = bytes.fromhex(hardhat_keys(2)[1].removeprefix("0x"))
    keystore = tmp_path / "deployer.json"
    keystore.write_text(json.dumps(Account.encrypt(key, "s3cret")))
    out = tmp_path / "deployment.json"
    args = ["deploy", "--rpc-url", hardhat.rpc_url, "--key-file", str(keystore), "--out", str(out)]

    monkeypatch.delenv("GOVCHAIN_DEPLOYER_PASSWORD", raising=False)
    missing = govchain(*args)
    assert missing.exit_code == 2
    assert "GOVCHAIN_DEPLOYER_PASSWORD" in missing.output

    monkeypatch.setenv("GOVCHAIN_DEPLOYER_PASSWORD", "wrong")
    wrong = govchain(*args)
    assert wrong.exit_code == 2
    assert "keystore" in wrong.output
    assert not out.exists()

    monkeypatch.setenv("GOVCHAIN_DEPLOYER_PASSWORD", "s3cret")
    right = govchain(*args)
    assert right.exit_code == 0, right.output
    assert Deployment.load(out).chain_id == 31337


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--member", "0x1234"], "not a 20-byte"),
        (["--rpc-url", "http://127.0.0.1:9"], "no JSON-RPC node answers"),
    ],
)
def test_bad_deploy_input_is_refused_with_one_line(
    tmp_path: Path, args: list[str], message: str
) -> None:
    (key,) = key_files(tmp_path, [Account.create().key.hex()])
    base = {"--rpc-url": "http://127.0.0.1:9", "--key-file": str(key)}
    pairs = dict(zip(args[::2], args[1::2], strict=True))
    merged = [item for pair in {**base, **pairs}.items() for item in pair]
    result = govchain("deploy", *merged, "--out", str(tmp_path / "d.json"))
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "d.json").exists()


def test_a_key_file_that_is_not_a_key_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.key"
    bad.write_text("not a key")
    result = govchain("deploy", "--rpc-url", "http://127.0.0.1:9", "--key-file", str(bad))
    assert result.exit_code == 2
    assert "neither a hex private key nor a keystore" in result.output
