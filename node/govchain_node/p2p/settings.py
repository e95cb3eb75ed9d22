"""The ``[p2p]`` section of a consortium node's ``node.toml`` and what it loads.

Written by ``govchain consortium init``; relative paths are relative to the file's
directory, so a node directory can be moved or mounted into a container as a whole::

    [p2p]
    host = "127.0.0.1"            # listen address
    port = 30303
    address = "0x…"               # this node, as bound in tls.pem
    role = "validator"            # or "member"
    key_file = "validator.key"    # secp256k1, hex, mode 0600
    tls_certificate = "tls.pem"
    tls_key = "tls.key"           # mode 0600
    ca_certificate = "ca.pem"

    [[p2p.peers]]
    address = "0x…"
    role = "validator"
    host = "127.0.0.1"
    port = 30304

:func:`transport_config` turns it into a :class:`TransportConfig` (keys loaded, contexts
built); the node service only has to add its handlers and start the transport.
"""

from __future__ import annotations

import dataclasses
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from govchain_node import tomlfile
from govchain_node.errors import ConfigError
from govchain_node.p2p.errors import P2pError, PeerSettingsError
from govchain_node.p2p.identity import NodeIdentity, Role
from govchain_node.p2p.tls import TlsFiles, load_credentials
from govchain_node.p2p.transport import PeerSpec, TransportConfig
from govchain_node.signing import Secp256k1Signer

DEFAULT_P2P_PORT = 30303


@dataclasses.dataclass(frozen=True)
class P2pSettings:
    """The parsed ``[p2p]`` section (paths already resolved)."""

    identity: NodeIdentity
    host: str
    port: int
    key_file: Path
    tls: TlsFiles
    peers: tuple[PeerSpec, ...]

    @classmethod
    def from_mapping(cls, section: Mapping[str, Any], base_dir: Path) -> P2pSettings:
        """Parse and validate; :class:`PeerSettingsError` names the offending key."""
        try:
            identity = _identity(section)
            peers = tuple(
                PeerSpec(_identity(p), str(p["host"]), _port(p["port"]))
                for p in section.get("peers", [])
            )
            return cls(
                identity=identity,
                host=str(section.get("host", "127.0.0.1")),
                port=_port(section.get("port", DEFAULT_P2P_PORT)),
                key_file=base_dir / str(section.get("key_file", "validator.key")),
                tls=TlsFiles(
                    certificate=base_dir / str(section.get("tls_certificate", "tls.pem")),
                    private_key=base_dir / str(section.get("tls_key", "tls.key")),
                    ca=base_dir / str(section.get("ca_certificate", "ca.pem")),
                ),
                peers=peers,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PeerSettingsError(f"invalid [p2p] section: {exc!r}") from exc

    def to_mapping(self) -> dict[str, Any]:
        """The section as written to ``node.toml`` (paths relative to the node dir)."""
        return {
            "host": self.host,
            "port": self.port,
            "address": self.identity.hex_address,
            "role": self.identity.role.value,
            "key_file": self.key_file.name,
            "tls_certificate": self.tls.certificate.name,
            "tls_key": self.tls.private_key.name,
            "ca_certificate": self.tls.ca.name,
            "peers": [
                {
                    "address": p.identity.hex_address,
                    "role": p.identity.role.value,
                    "host": p.host,
                    "port": p.port,
                }
                for p in self.peers
            ],
        }


@dataclasses.dataclass(frozen=True)
class NodeToml:
    """A consortium ``node.toml`` split in two: node settings and the ``[p2p]`` section.

    ``values`` are :class:`~govchain_node.config.NodeConfig` fields, so the node can use
    ``NodeConfig.load(None, node_toml.values)`` unchanged; ``p2p`` is ``None`` for a
    file without a ``[p2p]`` section (a ``--dev`` config).
    """

    values: dict[str, Any]
    p2p: P2pSettings | None


def read_node_toml(path: Path) -> NodeToml:
    """Read ``path``; :class:`PeerSettingsError` if unreadable or ``[p2p]`` is invalid."""
    try:
        document = tomlfile.read(path)
    except ConfigError as exc:
        raise PeerSettingsError(str(exc)) from exc
    section = document.pop("p2p", None)
    if section is not None and not isinstance(section, dict):
        raise PeerSettingsError(f"{path}: p2p must be a table")
    p2p = None if section is None else P2pSettings.from_mapping(section, path.parent)
    return NodeToml(document, p2p)


def _identity(entry: Mapping[str, Any]) -> NodeIdentity:
    raw = bytes.fromhex(str(entry["address"]).removeprefix("0x"))
    return NodeIdentity(raw, Role(str(entry.get("role", "validator"))))


def _port(value: object) -> int:
    if not isinstance(value, int) or not 0 <= value <= 65535:
        raise ValueError(f"not a TCP port: {value!r}")
    return value


def read_node_key(path: Path) -> bytes:
    """The 32-byte secp256k1 key in ``path`` (hex); refused if group/other may read it."""
    try:
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise PeerSettingsError(f"{path} is accessible by group/others; chmod 600 it")
        key = bytes.fromhex(path.read_text(encoding="utf-8").strip().removeprefix("0x"))
    except (OSError, ValueError) as exc:
        raise PeerSettingsError(f"cannot read node key {path}: {exc}") from exc
    if len(key) != 32:
        raise PeerSettingsError(f"{path} does not hold a 32-byte key")
    return key


def transport_config(settings: P2pSettings, chain_id: int, **overrides: Any) -> TransportConfig:
    """Load key and TLS material and build the transport's config.

    ``overrides`` are further :class:`TransportConfig` fields (timeouts, queue bounds).
    """
    try:
        signer = Secp256k1Signer(read_node_key(settings.key_file))
    except ConfigError as exc:
        raise PeerSettingsError(f"invalid node key {settings.key_file}: {exc}") from exc
    credentials = load_credentials(settings.tls)
    if credentials.identity != settings.identity:
        raise PeerSettingsError(
            f"{settings.tls.certificate} binds {credentials.identity.uri}, "
            f"node.toml says {settings.identity.uri}"
        )
    try:
        return TransportConfig(
            chain_id=chain_id,
            signer=signer,
            credentials=credentials,
            listen_host=settings.host,
            listen_port=settings.port,
            peers=settings.peers,
            **overrides,
        )
    except TypeError as exc:
        raise PeerSettingsError(str(exc)) from exc


__all__ = [
    "NodeToml",
    "P2pError",
    "P2pSettings",
    "read_node_key",
    "read_node_toml",
    "transport_config",
]
