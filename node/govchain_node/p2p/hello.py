"""The signed hello: proof that the TLS peer also holds its address's secp256k1 key.

A TLS key proves only that the CA once issued the certificate. Consensus messages are
signed with the validator key, so the transport asks for the same key up front and turns
away a peer that cannot sign: a leaked TLS key alone opens no connection.

Each side sends ``HELLO``, then after reading the other's ``AUTH``, then after checking the
other's AUTH an empty ``READY`` (the transport's part)::

    HELLO  version(1) ‖ chain_id(8) ‖ address(20) ‖ nonce(32)
    AUTH   signature(65) over keccak(DOMAIN ‖ chain_id ‖ address ‖ sha256(own cert)
                                     ‖ peer nonce ‖ own nonce)

The peer's fresh nonce makes an AUTH unusable on any other connection; the certificate
fingerprint ties the key to the TLS identity presented on *this* connection.
"""

from __future__ import annotations

import dataclasses
import secrets
import struct

from govchain_node.p2p.errors import HandshakeError
from govchain_node.signing import Recoverer, Signer, keccak256

PROTOCOL_VERSION = 1
DOMAIN = b"govchain-p2p-hello-v1"
NONCE_LENGTH = 32
_HELLO = struct.Struct(">BQ20s32s")
SIGNATURE_LENGTH = 65


@dataclasses.dataclass(frozen=True, slots=True)
class Hello:
    """The first frame on every connection."""

    version: int
    chain_id: int
    address: bytes
    nonce: bytes

    @classmethod
    def fresh(cls, chain_id: int, address: bytes) -> Hello:
        return cls(PROTOCOL_VERSION, chain_id, address, secrets.token_bytes(NONCE_LENGTH))

    def encode(self) -> bytes:
        return _HELLO.pack(self.version, self.chain_id, self.address, self.nonce)

    @classmethod
    def decode(cls, data: bytes) -> Hello:
        if len(data) != _HELLO.size:
            raise HandshakeError(f"hello must be {_HELLO.size} bytes, got {len(data)}")
        version, chain_id, address, nonce = _HELLO.unpack(data)
        return cls(version, chain_id, address, nonce)


def auth_digest(
    chain_id: int, signer: bytes, signer_fingerprint: bytes, peer_nonce: bytes, own_nonce: bytes
) -> bytes:
    """What AUTH signs; both sides compute it from the same five values."""
    return keccak256(
        DOMAIN + chain_id.to_bytes(8, "big") + signer + signer_fingerprint + peer_nonce + own_nonce
    )


def sign_auth(
    signer: Signer, chain_id: int, own_fingerprint: bytes, own: Hello, peer: Hello
) -> bytes:
    """Our AUTH payload answering ``peer``'s hello."""
    return signer.sign(
        auth_digest(chain_id, signer.address, own_fingerprint, peer.nonce, own.nonce)
    )


def check_peer(
    recoverer: Recoverer,
    *,
    chain_id: int,
    expected_address: bytes,
    peer_fingerprint: bytes,
    own: Hello,
    peer: Hello,
    signature: bytes,
) -> None:
    """Raise :class:`HandshakeError` unless ``peer`` proved ``expected_address``.

    ``expected_address`` comes from the peer's verified certificate.
    """
    if peer.version != PROTOCOL_VERSION:
        raise HandshakeError(f"peer speaks protocol {peer.version}, we speak {PROTOCOL_VERSION}")
    if peer.chain_id != chain_id:
        raise HandshakeError(f"peer is on chain {peer.chain_id}, we are on {chain_id}")
    if peer.address != expected_address:
        raise HandshakeError("hello address differs from the certificate's address")
    if peer.nonce == own.nonce:
        raise HandshakeError("peer echoed our nonce")
    if len(signature) != SIGNATURE_LENGTH:
        raise HandshakeError("auth signature must be 65 bytes")
    digest = auth_digest(chain_id, peer.address, peer_fingerprint, own.nonce, peer.nonce)
    if recoverer.recover(digest, signature) != expected_address:
        raise HandshakeError("hello is not signed by the certificate's address key")
