"""Who a peer is: an Ethereum-style address and a role, bound into its TLS certificate.

The consortium CA writes the identity into the certificate's subjectAltName as a URI,
``govchain:validator:0x<40 hex>`` or ``govchain:member:0x<40 hex>``. Host names play no
part: nodes move between data centres, their address does not. After the TLS handshake the
transport reads this URI from the verified peer certificate; the signed hello then proves
that the peer also holds the secp256k1 key of that address (a stolen TLS key alone is not
enough to speak for a validator).
"""

from __future__ import annotations

import dataclasses
import enum

from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from govchain_node.p2p.errors import HandshakeError

URI_SCHEME = "govchain"
ADDRESS_LENGTH = 20


class Role(enum.Enum):
    """A validator seals blocks; a member follows the chain and serves JSON-RPC."""

    VALIDATOR = "validator"
    MEMBER = "member"


@dataclasses.dataclass(frozen=True, slots=True)
class NodeIdentity:
    """A node's address (20 bytes) and role."""

    address: bytes
    role: Role

    def __post_init__(self) -> None:
        if len(self.address) != ADDRESS_LENGTH:
            raise ValueError("a node address is 20 bytes")

    @property
    def uri(self) -> str:
        return f"{URI_SCHEME}:{self.role.value}:0x{self.address.hex()}"

    @property
    def hex_address(self) -> str:
        return "0x" + self.address.hex()


def parse_identity_uri(uri: str) -> NodeIdentity:
    """The identity in a ``govchain:<role>:0x…`` URI; :class:`HandshakeError` otherwise."""
    parts = uri.split(":")
    if len(parts) != 3 or parts[0] != URI_SCHEME:
        raise HandshakeError(f"not a govchain identity URI: {uri!r}")
    try:
        role = Role(parts[1])
        raw = bytes.fromhex(parts[2].removeprefix("0x"))
        return NodeIdentity(raw, role)
    except ValueError as exc:
        raise HandshakeError(f"malformed govchain identity URI {uri!r}: {exc}") from exc


def identity_from_certificate(certificate: x509.Certificate) -> NodeIdentity:
    """The single govchain identity in the certificate's subjectAltName."""
    try:
        san = certificate.extensions.get_extension_for_oid(
            ExtensionOID.SUBJECT_ALTERNATIVE_NAME
        ).value
    except x509.ExtensionNotFound as exc:
        raise HandshakeError("peer certificate has no subjectAltName") from exc
    assert isinstance(san, x509.SubjectAlternativeName)
    uris = [
        u
        for u in san.get_values_for_type(x509.UniformResourceIdentifier)
        if u.startswith(URI_SCHEME + ":")
    ]
    if len(uris) != 1:
        raise HandshakeError(f"peer certificate must bind exactly one identity, has {len(uris)}")
    return parse_identity_uri(uris[0])


def identity_from_der(der: bytes) -> NodeIdentity:
    """As :func:`identity_from_certificate`, for the DER bytes ``ssl`` hands out."""
    try:
        certificate = x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise HandshakeError(f"peer certificate does not parse: {exc}") from exc
    return identity_from_certificate(certificate)
