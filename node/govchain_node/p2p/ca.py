"""The consortium's own certificate authority and the node certificates it issues.

One CA per consortium, made at ``govchain consortium init``: every node's TLS certificate
is signed by it and every node trusts only it, so no public CA can let an outsider into
the validator mesh. Keys are EC P-256 (every TLS 1.3 stack supports them); private keys
are written with mode 0600 from the moment the file exists.

Validity: the CA for ten years, node certificates for two; rotate by issuing a new node
certificate from the same CA (``issue_node_certificate``) and restarting the node.
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from govchain_node.p2p.errors import CertificateError
from govchain_node.p2p.identity import NodeIdentity

CA_VALIDITY = datetime.timedelta(days=3650)
NODE_VALIDITY = datetime.timedelta(days=730)
#: Clock skew between municipal servers we tolerate on a fresh certificate.
BACKDATE = datetime.timedelta(minutes=5)


@dataclasses.dataclass(frozen=True)
class IssuedCertificate:
    """A certificate and its private key."""

    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def create_ca(
    name: str = "govchain consortium CA", validity: datetime.timedelta = CA_VALIDITY
) -> IssuedCertificate:
    """A self-signed CA that may sign end-entity certificates only (path length 0)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = _now() - BACKDATE
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + validity)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return IssuedCertificate(certificate, key)


def issue_node_certificate(
    ca: IssuedCertificate,
    identity: NodeIdentity,
    *,
    hosts: tuple[str, ...] = (),
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
) -> IssuedCertificate:
    """A TLS certificate binding ``identity`` (SAN URI), usable as client and server.

    ``hosts`` adds DNS names or IP addresses for operators' tools; peers never check them.
    ``not_before``/``not_after`` override the default window (tests make expired ones).
    """
    key = ec.generate_private_key(ec.SECP256R1())
    start = not_before or _now() - BACKDATE
    end = not_after or start + NODE_VALIDITY
    names: list[x509.GeneralName] = [x509.UniformResourceIdentifier(identity.uri)]
    names.extend(_host_name(h) for h in hosts)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, identity.hex_address),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, identity.role.value),
        ]
    )
    ca_ski = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca.private_key, hashes.SHA256())
    )
    return IssuedCertificate(certificate, key)


def _host_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a file created with mode 0600 (never briefly world-readable)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def write_public(path: Path, data: bytes) -> None:
    """Write a certificate (public) with mode 0644."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o644)
    os.replace(tmp, path)


def save(issued: IssuedCertificate, cert_path: Path, key_path: Path) -> None:
    """Certificate as PEM (0644) and key as unencrypted PKCS#8 PEM (0600)."""
    write_private(key_path, issued.key_pem())
    write_public(cert_path, issued.certificate_pem())


def load(cert_path: Path, key_path: Path) -> IssuedCertificate:
    """Read a certificate and its EC key (e.g. the CA, to issue more node certificates)."""
    try:
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise CertificateError(f"cannot load {cert_path} / {key_path}: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise CertificateError(f"{key_path} is not an EC private key")
    return IssuedCertificate(certificate, key)
