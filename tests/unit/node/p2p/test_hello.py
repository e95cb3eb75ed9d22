"""The signed hello: binds the secp256k1 key to this connection's certificate and nonces."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

import pytest

from govchain_node.p2p.errors import HandshakeError
from govchain_node.p2p.hello import Hello, check_peer, sign_auth
from govchain_node.signing import Secp256k1Recoverer, Secp256k1Signer

CHAIN = 4242
ALICE = Secp256k1Signer(secrets.token_bytes(32))
BOB_FP = b"\xbb" * 32
ALICE_FP = b"\xaa" * 32


def _exchange() -> tuple[Hello, Hello, bytes]:
    """Alice's hello, Bob's hello and Alice's AUTH answering Bob."""
    alice = Hello.fresh(CHAIN, ALICE.address)
    bob = Hello.fresh(CHAIN, b"\x01" * 20)
    return alice, bob, sign_auth(ALICE, CHAIN, ALICE_FP, alice, bob)


def _check(alice: Hello, bob: Hello, signature: bytes, **changes: object) -> None:
    arguments: dict[str, object] = {
        "chain_id": CHAIN,
        "expected_address": ALICE.address,
        "peer_fingerprint": ALICE_FP,
        "own": bob,
        "peer": alice,
        "signature": signature,
    }
    arguments.update(changes)
    check_peer(Secp256k1Recoverer(), **arguments)  # type: ignore[arg-type]


def test_a_correct_auth_passes() -> None:
    _check(*_exchange())


def test_hello_encoding_round_trips_and_is_strict() -> None:
    alice, _, _ = _exchange()
    assert Hello.decode(alice.encode()) == alice
    with pytest.raises(HandshakeError):
        Hello.decode(alice.encode() + b"\x00")


def test_auth_by_another_key_is_refused() -> None:
    alice, bob, _ = _exchange()
    forged = sign_auth(Secp256k1Signer(secrets.token_bytes(32)), CHAIN, ALICE_FP, alice, bob)
    with pytest.raises(HandshakeError, match="not signed"):
        _check(alice, bob, forged)


def test_auth_replayed_on_another_connection_is_refused() -> None:
    alice, bob, signature = _exchange()
    other_bob = Hello.fresh(CHAIN, bob.address)
    with pytest.raises(HandshakeError):
        _check(alice, other_bob, signature, own=other_bob)


def test_auth_for_another_certificate_is_refused() -> None:
    with pytest.raises(HandshakeError):
        _check(*_exchange(), peer_fingerprint=b"\xcc" * 32)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("chain_id", 1, "chain"), ("version", 9, "protocol"), ("address", b"\x02" * 20, "address")],
)
def test_mismatched_hello_fields_are_refused(field: str, value: Any, message: str) -> None:
    alice, bob, signature = _exchange()
    changed: dict[str, Any] = {field: value}
    tampered = dataclasses.replace(alice, **changed)
    with pytest.raises(HandshakeError, match=message):
        _check(tampered, bob, signature)


def test_bad_signature_length_is_refused() -> None:
    alice, bob, signature = _exchange()
    with pytest.raises(HandshakeError):
        _check(alice, bob, signature[:64])
