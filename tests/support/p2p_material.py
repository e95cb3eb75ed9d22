"""Consortium key and certificate material for p2p tests, made fresh in a temp dir.

Shared by the unit and integration suites; EC P-256 keys take a millisecond, so every
test gets its own CA and nobody shares state.
"""

from __future__ import annotations

import dataclasses
import datetime
import secrets
from pathlib import Path
from typing import Any

from govchain_node.p2p import ca
from govchain_node.p2p.identity import NodeIdentity, Role
from govchain_node.p2p.tls import TlsFiles, load_credentials
from govchain_node.p2p.transport import PeerSpec, TransportConfig
from govchain_node.signing import Secp256k1Signer, Signer

#: Timeouts small enough for quick tests, large enough for a loaded 2-core machine.
FAST: dict[str, Any] = {
    "connect_timeout": 2.0,
    "handshake_timeout": 3.0,
    "ping_interval": 0.5,
    "idle_timeout": 3.0,
    "backoff_initial": 0.05,
    "backoff_max": 0.4,
}


@dataclasses.dataclass(frozen=True)
class NodeMaterial:
    """One node's keys and TLS files."""

    identity: NodeIdentity
    signing_key: bytes
    files: TlsFiles

    @property
    def address(self) -> bytes:
        return self.identity.address


def new_signing_key(below: bytes | None = None, above: bytes | None = None) -> bytes:
    """A secp256k1 key whose address sorts below/above the given ones (dial direction)."""
    while True:
        key = secrets.token_bytes(32)
        address = Secp256k1Signer(key).address
        if (below is None or address < below) and (above is None or address > above):
            return key


def make_ca(directory: Path) -> ca.IssuedCertificate:
    authority = ca.create_ca("test consortium CA")
    directory.mkdir(parents=True, exist_ok=True)
    ca.save(authority, directory / "ca.pem", directory / "ca.key")
    return authority


def make_node(
    directory: Path,
    authority: ca.IssuedCertificate,
    *,
    role: Role = Role.VALIDATOR,
    signing_key: bytes | None = None,
    certified_key: bytes | None = None,
    trust: Path | None = None,
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
) -> NodeMaterial:
    """A node whose certificate binds ``certified_key``'s address (default: its own key).

    ``trust`` is the CA file the node trusts (default: ``authority``'s).
    """
    signing_key = signing_key or new_signing_key()
    address = Secp256k1Signer(certified_key or signing_key).address
    identity = NodeIdentity(address, role)
    directory.mkdir(parents=True, exist_ok=True)
    issued = ca.issue_node_certificate(
        authority, identity, not_before=not_before, not_after=not_after
    )
    ca.save(issued, directory / "tls.pem", directory / "tls.key")
    if trust is None:
        trust = directory / "ca.pem"
        ca.write_public(trust, authority.certificate_pem())
    return NodeMaterial(
        identity, signing_key, TlsFiles(directory / "tls.pem", directory / "tls.key", trust)
    )


def make_pair(directory: Path) -> tuple[NodeMaterial, NodeMaterial]:
    """Two nodes of one consortium, ``(low, high)``; ``low`` sorts first and therefore dials."""
    authority = make_ca(directory / "ca")
    high = make_node(directory / "high", authority)
    low = make_node(directory / "low", authority, signing_key=new_signing_key(below=high.address))
    return low, high


@dataclasses.dataclass(frozen=True)
class ImpostorSigner:
    """Claims ``address`` (e.g. with a stolen TLS key) but signs with another key."""

    address: bytes
    real_key: bytes

    def sign(self, digest: bytes) -> bytes:
        return Secp256k1Signer(self.real_key).sign(digest)


def peer(material: NodeMaterial, port: int, host: str = "127.0.0.1") -> PeerSpec:
    return PeerSpec(material.identity, host, port)


def config(
    material: NodeMaterial,
    peers: tuple[PeerSpec, ...] = (),
    *,
    chain_id: int = 4242,
    port: int = 0,
    signer: Signer | None = None,
    **overrides: Any,
) -> TransportConfig:
    settings = {**FAST, **overrides}
    return TransportConfig(
        chain_id=chain_id,
        signer=signer or Secp256k1Signer(material.signing_key),
        credentials=load_credentials(material.files),
        listen_port=port,
        peers=peers,
        **settings,
    )
