"""``consortium init``: complete layout, private files 0600, genesis and configs consistent."""

from __future__ import annotations

import json
import stat
import tomllib
from pathlib import Path
from typing import Any

import pytest
import typer
from cryptography import x509
from typer.testing import CliRunner

from govchain_node.codec.extra_data import decode_extra_data
from govchain_node.consensus.consortium import (
    Consortium,
    ConsortiumError,
    ConsortiumSpec,
    init_consortium,
)
from govchain_node.consensus.consortium_cli import register
from govchain_node.genesis import GenesisSpec
from govchain_node.keys import load_dev_accounts, load_or_create_validator_key
from govchain_node.p2p.identity import Role, identity_from_certificate
from govchain_node.p2p.settings import P2pSettings

NODE_FILES = {"node.toml", "validator.key", "tls.pem", "tls.key", "ca.pem", "genesis.json"}
PRIVATE = ["ca/ca.key", "dev-accounts.json"] + [
    f"node-{i}/{name}" for i in range(6) for name in ("validator.key", "tls.key")
]


@pytest.fixture
def consortium(tmp_path: Path) -> Consortium:
    spec = ConsortiumSpec(validators=4, members=2, chain_id=4711, base_port=20000)
    return init_consortium(tmp_path / "c", spec)


def test_every_file_is_there_and_private_ones_are_0600(consortium: Consortium) -> None:
    root = consortium.directory
    for top in ("genesis.json", "consortium.json", "dev-accounts.json", "ca/ca.pem", "ca/ca.key"):
        assert (root / top).is_file(), top
    for i in range(6):
        assert {p.name for p in (root / f"node-{i}").iterdir()} == NODE_FILES
    for name in PRIVATE:
        assert stat.S_IMODE((root / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE((root / "node-0").stat().st_mode) & 0o077 == 0


def test_genesis_extra_data_lists_exactly_the_validators(consortium: Consortium) -> None:
    document = json.loads((consortium.directory / "genesis.json").read_text())
    extra = decode_extra_data(bytes.fromhex(document["extra_data"].removeprefix("0x")))
    validator_keys = [
        load_or_create_validator_key(consortium.directory / f"node-{i}").address for i in range(4)
    ]
    assert extra.validators == tuple(sorted(validator_keys))
    assert extra.round == 0
    assert extra.seals == ()
    genesis = GenesisSpec.from_json(document)
    assert genesis.extra_data() == bytes.fromhex(document["extra_data"][2:])
    assert genesis.chain_id == 4711
    accounts = load_dev_accounts(consortium.directory)
    assert genesis.allow_list == tuple(a.address for a in accounts)
    for i in range(6):  # each data dir carries the same genesis
        node_genesis = json.loads((consortium.directory / f"node-{i}/genesis.json").read_text())
        assert node_genesis == document


def test_node_configs_parse_and_point_at_each_other(consortium: Consortium) -> None:
    root = consortium.directory
    settings = []
    for i in range(6):
        node_dir = root / f"node-{i}"
        document = tomllib.loads((node_dir / "node.toml").read_text())
        assert Path(document["data_dir"]) == node_dir.resolve()
        assert document["chain_id"] == 4711
        assert document["rpc_port"] == 20000 + 10 * i
        assert document["ws_port"] == 20001 + 10 * i
        p2p = P2pSettings.from_mapping(document["p2p"], node_dir)
        assert p2p.port == 20002 + 10 * i
        assert p2p.identity.address == load_or_create_validator_key(node_dir).address
        assert p2p.identity.role is (Role.VALIDATOR if i < 4 else Role.MEMBER)
        certificate = x509.load_pem_x509_certificate(p2p.tls.certificate.read_bytes())
        assert identity_from_certificate(certificate) == p2p.identity
        settings.append(p2p)
    where = {(s.host, s.port): s.identity for s in settings}
    for own in settings:
        assert len(own.peers) == 5
        for spec in own.peers:
            assert where[(spec.host, spec.port)] == spec.identity  # the address lives there
        assert own.identity not in {p.identity for p in own.peers}


def test_summary_lists_nodes_roles_and_urls(consortium: Consortium) -> None:
    loaded = Consortium.load(consortium.directory)
    assert loaded == consortium
    summary = json.loads((consortium.directory / "consortium.json").read_text())
    assert [n["role"] for n in summary["nodes"]] == ["validator"] * 4 + ["member"] * 2
    assert summary["nodes"][1]["rpc_url"] == "http://127.0.0.1:20010"
    assert len(summary["validators"]) == 4


def test_an_existing_consortium_is_never_overwritten(consortium: Consortium) -> None:
    before = (consortium.directory / "node-0" / "validator.key").read_text()
    with pytest.raises(ConsortiumError, match="already"):
        init_consortium(consortium.directory, ConsortiumSpec(validators=1))
    assert (consortium.directory / "node-0" / "validator.key").read_text() == before


@pytest.mark.parametrize(
    "changes",
    [{"validators": 0}, {"members": -1}, {"block_period": 0}, {"base_port": 65530}],
)
def test_invalid_choices_are_refused(changes: dict[str, Any]) -> None:
    choices: dict[str, Any] = {"validators": 4, **changes}
    with pytest.raises(ConsortiumError):
        ConsortiumSpec(**choices)


def test_cli_init_and_status_of_a_stopped_consortium(tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    out = tmp_path / "cli"
    result = runner.invoke(
        app,
        [
            "consortium",
            "init",
            "--validators",
            "4",
            "--members",
            "1",
            "--out",
            str(out),
            "--base-port",
            "21000",
            "--chain-id",
            "99",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("validator") == 4
    assert (out / "node-4" / "node.toml").is_file()
    again = runner.invoke(app, ["consortium", "init", "--validators", "1", "--out", str(out)])
    assert again.exit_code == 2
    status = runner.invoke(app, ["consortium", "status", "--dir", str(out), "--timeout", "1"])
    assert status.exit_code == 0, status.output
    assert status.output.count("not running") == 5
    missing = runner.invoke(app, ["consortium", "status", "--dir", str(tmp_path / "none")])
    assert missing.exit_code == 2


ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - what a container config must say


def test_container_layout_binds_everywhere_and_names_peers_by_host(tmp_path: Path) -> None:
    spec = ConsortiumSpec(
        validators=3, host="govchain-node-{i}", bind=ALL_INTERFACES, base_port=20000
    )
    consortium = init_consortium(tmp_path / "c", spec)
    summary = json.loads((consortium.directory / "consortium.json").read_text())
    assert summary["nodes"][2]["rpc_url"] == "http://govchain-node-2:20020"
    document = tomllib.loads((consortium.directory / "node-1" / "node.toml").read_text())
    assert document["rpc_host"] == ALL_INTERFACES
    assert (document["rpc_gas_cap"], document["rpc_evm_timeout"]) == (50_000_000, 5.0)
    assert document["p2p"]["host"] == ALL_INTERFACES
    assert [p["host"] for p in document["p2p"]["peers"]] == ["govchain-node-0", "govchain-node-2"]
    certificate = x509.load_pem_x509_certificate(
        (consortium.directory / "node-1" / "tls.pem").read_bytes()
    )
    san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "govchain-node-1" in san.get_values_for_type(x509.DNSName)
    with pytest.raises(ConsortiumError, match="template"):
        ConsortiumSpec(validators=1, host="node-{index}")
