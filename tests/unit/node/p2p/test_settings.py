"""node.toml's [p2p] section, key files and the transport's validated bounds."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import pytest

from govchain_node.config import NodeConfig
from govchain_node.consensus.consortium import ConsortiumSpec, init_consortium
from govchain_node.p2p.errors import PeerSettingsError
from govchain_node.p2p.identity import Role
from govchain_node.p2p.settings import P2pSettings, read_node_key, read_node_toml, transport_config
from govchain_node.p2p.transport import TransportConfig, backoff_delays
from tests.support.p2p_material import config, make_ca, make_node, peer

ADDRESS = "0x" + "ab" * 20


def _section(**changes: Any) -> dict[str, Any]:
    section: dict[str, Any] = {
        "host": "10.0.0.1",
        "port": 30303,
        "address": ADDRESS,
        "role": "member",
        "peers": [{"address": "0x" + "cd" * 20, "role": "validator", "host": "h", "port": 1}],
    }
    section.update(changes)
    return section


def test_section_round_trips_with_paths_relative_to_the_node_dir(tmp_path: Path) -> None:
    settings = P2pSettings.from_mapping(_section(), tmp_path)
    assert settings.identity.role is Role.MEMBER
    assert settings.key_file == tmp_path / "validator.key"
    assert settings.tls.ca == tmp_path / "ca.pem"
    assert P2pSettings.from_mapping(settings.to_mapping(), tmp_path) == settings


@pytest.mark.parametrize(
    "changes",
    [
        {"port": 70000},
        {"port": "30303"},
        {"address": "0x1234"},
        {"role": "observer"},
        {"peers": [{"address": ADDRESS, "host": "h"}]},
    ],
)
def test_invalid_sections_name_the_problem(tmp_path: Path, changes: dict[str, Any]) -> None:
    with pytest.raises(PeerSettingsError, match=r"\[p2p\]"):
        P2pSettings.from_mapping(_section(**changes), tmp_path)


def test_node_key_must_be_private_and_well_formed(tmp_path: Path) -> None:
    path = tmp_path / "validator.key"
    path.write_text("0x" + "11" * 32 + "\n")
    path.chmod(0o644)
    with pytest.raises(PeerSettingsError, match="chmod 600"):
        read_node_key(path)
    path.chmod(0o600)
    assert read_node_key(path) == b"\x11" * 32
    path.write_text("0x1234")
    with pytest.raises(PeerSettingsError, match="32-byte"):
        read_node_key(path)
    with pytest.raises(PeerSettingsError):
        read_node_key(tmp_path / "missing.key")


def test_generated_node_toml_feeds_node_config_and_the_transport(tmp_path: Path) -> None:
    consortium = init_consortium(tmp_path / "c", ConsortiumSpec(validators=2, base_port=20000))
    node_toml = read_node_toml(consortium.directory / "node-1" / "node.toml")
    node_config = NodeConfig.load(None, node_toml.values)
    assert node_config.rpc_port == 20010
    assert node_config.data_dir == (consortium.directory / "node-1").resolve()
    assert node_toml.p2p is not None
    transport = transport_config(node_toml.p2p, node_config.chain_id)
    assert transport.identity == node_toml.p2p.identity
    assert [p.port for p in transport.peers] == [20002]
    # a key that does not match the certificate is refused before any socket opens
    other = consortium.directory / "node-0" / "validator.key"
    with pytest.raises(PeerSettingsError, match="differs"):
        transport_config(dataclasses.replace(node_toml.p2p, key_file=other), 1337)
    wrong_identity = dataclasses.replace(
        node_toml.p2p, identity=dataclasses.replace(node_toml.p2p.identity, role=Role.MEMBER)
    )
    with pytest.raises(PeerSettingsError, match="binds"):
        transport_config(wrong_identity, 1337)


def test_dev_config_without_p2p_section(tmp_path: Path) -> None:
    path = tmp_path / "node.toml"
    path.write_text('data_dir = "x"\n')
    assert read_node_toml(path).p2p is None
    path.write_text("p2p = 3\n")
    with pytest.raises(PeerSettingsError):
        read_node_toml(path)
    os.remove(path)
    with pytest.raises(PeerSettingsError):
        read_node_toml(path)


@pytest.mark.parametrize(
    "changes",
    [
        {"ping_interval": 5.0, "idle_timeout": 5.0},
        {"backoff_initial": 2.0, "backoff_max": 1.0},
        {"send_queue_frames": 0},
        {"max_frame_bytes": 100},
        {"handshake_timeout": 0},
    ],
)
def test_transport_bounds_are_validated_once(tmp_path: Path, changes: dict[str, Any]) -> None:
    node = make_node(tmp_path / "n", make_ca(tmp_path / "ca"))
    with pytest.raises(PeerSettingsError):
        config(node, **changes)


def test_peer_list_must_not_repeat_or_contain_self(tmp_path: Path) -> None:
    authority = make_ca(tmp_path / "ca")
    node = make_node(tmp_path / "n", authority)
    other = make_node(tmp_path / "o", authority)
    good = config(node, (peer(other, 1),))
    for peers in ((peer(other, 1), peer(other, 2)), (peer(node, 1),)):
        with pytest.raises(PeerSettingsError):
            TransportConfig(**{**_fields(good), "peers": peers})


def _fields(value: TransportConfig) -> dict[str, Any]:
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}


def test_backoff_doubles_up_to_the_cap_with_bounded_jitter() -> None:
    next_delay = backoff_delays(0.1, 1.0)
    delays = [next_delay() for _ in range(10)]
    for k, delay in enumerate(delays):
        nominal = min(0.1 * 2**k, 1.0)
        assert 0.75 * nominal <= delay <= min(1.25 * nominal, 1.0)
    assert max(delays) <= 1.0
