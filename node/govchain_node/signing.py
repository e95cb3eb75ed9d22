"""Signing and hashing: keccak-256 and secp256k1 behind two small interfaces, with a real
and a fake implementation. Shared by the QBFT core, the header codec and the p2p handshake
(which imports nothing else of :mod:`govchain_node.consensus`, an import-linter contract).

The core never touches a private key: it receives a :class:`Signer` (its own key) and a
:class:`Recoverer` (who signed this hash?) at construction. Production uses secp256k1
through eth-keys with the coincurve backend (signatures are Besu's 65-byte ``r ‖ s ‖ v``
with ``v`` in {0, 1}); unit tests and the simulator use :class:`FakeKeyring`, which is
thousands of times faster and still unforgeable *inside* the simulation because each
tag is keyed by a secret only the keyring and the key's owner know.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol

from eth_hash.auto import keccak
from eth_keys.backends.coincurve import CoinCurveECCBackend
from eth_keys.datatypes import PrivateKey, Signature
from eth_keys.exceptions import BadSignature
from eth_utils.exceptions import ValidationError

from govchain_node.errors import ConfigError

SIGNATURE_LENGTH = 65
ADDRESS_LENGTH = 20


def keccak256(data: bytes) -> bytes:
    """Keccak-256, the hash of every signature and block hash in QBFT."""
    return bytes(keccak(data))


class Signer(Protocol):
    """A validator's signing key."""

    @property
    def address(self) -> bytes:
        """The 20-byte address derived from the public key."""

    def sign(self, digest: bytes) -> bytes:
        """A 65-byte signature over the 32-byte ``digest``."""


class Recoverer(Protocol):
    """Recovers signers; never raises on malformed input."""

    def recover(self, digest: bytes, signature: bytes) -> bytes | None:
        """The address that produced ``signature`` over ``digest``, or ``None``."""


class Secp256k1Signer:
    """secp256k1 signing via eth-keys (coincurve backend)."""

    def __init__(self, private_key: bytes) -> None:
        if len(private_key) != 32:
            raise ConfigError("a secp256k1 private key is 32 bytes")
        self._key = PrivateKey(private_key, backend=CoinCurveECCBackend())
        self._address = bytes(self._key.public_key.to_canonical_address())

    @property
    def address(self) -> bytes:
        return self._address

    def sign(self, digest: bytes) -> bytes:
        return bytes(self._key.sign_msg_hash(digest).to_bytes())


class Secp256k1Recoverer:
    """secp256k1 public-key recovery via eth-keys (coincurve backend)."""

    def __init__(self) -> None:
        self._backend = CoinCurveECCBackend()

    def recover(self, digest: bytes, signature: bytes) -> bytes | None:
        if len(signature) != SIGNATURE_LENGTH or len(digest) != 32:
            return None
        try:
            sig = Signature(signature, backend=self._backend)
            public_key = sig.recover_public_key_from_msg_hash(digest)
        except (BadSignature, ValidationError, ValueError):
            return None
        return bytes(public_key.to_canonical_address())


@dataclasses.dataclass(frozen=True)
class FakeSigner:
    """A test signer: ``address ‖ keccak(secret ‖ digest) ‖ zero padding`` (65 bytes)."""

    secret: bytes
    address: bytes

    def sign(self, digest: bytes) -> bytes:
        tag = keccak256(self.secret + digest)
        return self.address + tag + bytes(SIGNATURE_LENGTH - ADDRESS_LENGTH - len(tag))


class FakeKeyring:
    """Issues :class:`FakeSigner` keys and recovers their signatures (tests only)."""

    def __init__(self) -> None:
        self._secrets: dict[bytes, bytes] = {}

    def new_signer(self, seed: bytes) -> FakeSigner:
        """A deterministic key for ``seed``; the address is the hash's last 20 bytes."""
        secret = keccak256(b"govchain-fake-key" + seed)
        address = keccak256(secret)[-ADDRESS_LENGTH:]
        self._secrets[address] = secret
        return FakeSigner(secret, address)

    def recover(self, digest: bytes, signature: bytes) -> bytes | None:
        if len(signature) != SIGNATURE_LENGTH:
            return None
        address = signature[:ADDRESS_LENGTH]
        secret = self._secrets.get(address)
        if secret is None or FakeSigner(secret, address).sign(digest) != signature:
            return None
        return address
