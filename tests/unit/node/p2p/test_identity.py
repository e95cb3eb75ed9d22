"""Identities in certificates: one govchain URI per certificate, strictly parsed."""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from govchain_node.p2p.errors import HandshakeError
from govchain_node.p2p.identity import (
    NodeIdentity,
    Role,
    identity_from_certificate,
    parse_identity_uri,
)

ADDRESS = bytes(range(20))


def test_uri_round_trip() -> None:
    for role in Role:
        identity = NodeIdentity(ADDRESS, role)
        assert identity.uri == f"govchain:{role.value}:0x{ADDRESS.hex()}"
        assert parse_identity_uri(identity.uri) == identity


@pytest.mark.parametrize(
    "uri",
    [
        "https://example.org",
        "govchain:validator",
        "govchain:observer:0x" + ADDRESS.hex(),
        "govchain:validator:0x" + ADDRESS.hex()[:-2],
        "govchain:validator:0xzz" + ADDRESS.hex()[2:],
        "govchain:validator:0x" + ADDRESS.hex() + ":extra",
    ],
)
def test_malformed_uris_are_refused(uri: str) -> None:
    with pytest.raises(HandshakeError):
        parse_identity_uri(uri)


def _certificate(names: list[x509.GeneralName]) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "x")])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(key, hashes.SHA256())


def test_certificate_must_bind_exactly_one_identity() -> None:
    one = x509.UniformResourceIdentifier(NodeIdentity(ADDRESS, Role.MEMBER).uri)
    other = x509.UniformResourceIdentifier(NodeIdentity(bytes(20), Role.VALIDATOR).uri)
    dns = x509.DNSName("node0.example")
    assert identity_from_certificate(_certificate([dns, one])).role is Role.MEMBER
    cases: list[list[x509.GeneralName]] = [[], [dns], [one, other]]
    for names in cases:
        with pytest.raises(HandshakeError):
            identity_from_certificate(_certificate(names))
