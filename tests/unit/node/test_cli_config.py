"""``govchain node run --config node.toml`` reads the file once, through the node's reader.

A consortium file splits into node settings and its [p2p] section; with ``--dev`` the whole
file is node settings, so a [p2p] section there is refused as an unknown key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govchain_node import cli, tomlfile
from govchain_node.config import NodeConfig
from govchain_node.consensus.consortium import ConsortiumSpec, init_consortium
from govchain_node.errors import ConfigError


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    reads: list[Path] = []
    real = tomlfile.read

    def counting(path: Path) -> dict[str, object]:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(tomlfile, "read", counting)
    return reads


def test_a_consortium_node_toml_is_read_once_into_settings_and_p2p(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = ConsortiumSpec(validators=1, base_port=20000, chain_id=4242)
    consortium = init_consortium(tmp_path / "c", spec)
    path = consortium.directory / "node-0" / "node.toml"
    reads = _count_reads(monkeypatch)
    values, p2p = cli._read_config(path, dev=False)
    assert reads == [path]
    assert p2p is not None
    assert p2p.identity.address == consortium.nodes[0].address
    assert NodeConfig.load(None, values).chain_id == 4242


def test_dev_reads_the_whole_file_as_node_settings(tmp_path: Path) -> None:
    path = tmp_path / "node.toml"
    tomlfile.write(path, {"data_dir": str(tmp_path), "dev": True, "chain_id": 1337})
    values, p2p = cli._read_config(path, dev=True)
    assert p2p is None
    assert NodeConfig.load(None, values).chain_id == 1337
    tomlfile.write(path, {"data_dir": str(tmp_path), "p2p": {"port": 1}})
    values, _ = cli._read_config(path, dev=True)
    with pytest.raises(ConfigError, match="unknown config keys: p2p"):
        NodeConfig.load(None, values)


def test_no_config_file_means_no_settings_from_a_file() -> None:
    assert cli._read_config(None, dev=True) == ({}, None)
