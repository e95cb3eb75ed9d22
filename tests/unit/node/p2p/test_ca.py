"""Consortium CA: constraints a verifier relies on, and private keys never world-readable."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec

from govchain_node.p2p import ca
from govchain_node.p2p.errors import CertificateError
from govchain_node.p2p.identity import NodeIdentity, Role, identity_from_certificate

IDENTITY = NodeIdentity(bytes(range(20)), Role.VALIDATOR)


def test_ca_may_only_sign_end_entities() -> None:
    authority = ca.create_ca()
    constraints = authority.certificate.extensions.get_extension_for_class(
        x509.BasicConstraints
    ).value
    assert constraints.ca
    assert constraints.path_length == 0


def test_node_certificate_is_signed_by_the_ca_and_binds_the_identity() -> None:
    authority = ca.create_ca()
    issued = ca.issue_node_certificate(authority, IDENTITY)
    issued.certificate.verify_directly_issued_by(authority.certificate)
    assert identity_from_certificate(issued.certificate) == IDENTITY
    usage = issued.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert {u.dotted_string for u in usage} == {"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"}
    other = ca.create_ca()
    with pytest.raises(InvalidSignature):
        issued.certificate.verify_directly_issued_by(other.certificate)


def test_saved_keys_are_0600_and_load_back(tmp_path: Path) -> None:
    authority = ca.create_ca()
    ca.save(authority, tmp_path / "ca.pem", tmp_path / "ca.key")
    assert stat.S_IMODE((tmp_path / "ca.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "ca.pem").stat().st_mode) == 0o644
    loaded = ca.load(tmp_path / "ca.pem", tmp_path / "ca.key")
    assert loaded.certificate == authority.certificate
    assert isinstance(loaded.private_key, ec.EllipticCurvePrivateKey)
    assert loaded.private_key.private_numbers() == authority.private_key.private_numbers()


def test_missing_or_garbage_files_raise_certificate_error(tmp_path: Path) -> None:
    with pytest.raises(CertificateError):
        ca.load(tmp_path / "nope.pem", tmp_path / "nope.key")
    (tmp_path / "bad.pem").write_text("not a certificate")
    (tmp_path / "bad.key").write_text("not a key")
    with pytest.raises(CertificateError):
        ca.load(tmp_path / "bad.pem", tmp_path / "bad.key")
