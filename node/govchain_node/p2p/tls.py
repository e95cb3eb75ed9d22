"""Mutually authenticated TLS 1.3 contexts that trust only the consortium CA.

Both directions present a certificate and require one from the other side
(``CERT_REQUIRED`` on the server too). Host name checking is off on purpose: a peer is
identified by the address bound in its certificate (:mod:`identity`), which the transport
compares with the address it expected to reach. Expiry and the CA signature are checked
by OpenSSL during the handshake.
"""

from __future__ import annotations

import dataclasses
import hashlib
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from govchain_node.p2p.errors import CertificateError
from govchain_node.p2p.identity import NodeIdentity, identity_from_certificate


@dataclasses.dataclass(frozen=True)
class TlsFiles:
    """Paths of a node's TLS material (as written by ``consortium init``)."""

    certificate: Path
    private_key: Path
    ca: Path


@dataclasses.dataclass(frozen=True)
class TlsCredentials:
    """Contexts for both directions plus what the hello must bind: our certificate."""

    server: ssl.SSLContext
    client: ssl.SSLContext
    identity: NodeIdentity
    certificate_der: bytes

    @property
    def fingerprint(self) -> bytes:
        return certificate_fingerprint(self.certificate_der)


def certificate_fingerprint(der: bytes) -> bytes:
    """SHA-256 of a DER certificate; the hello signature covers it."""
    return hashlib.sha256(der).digest()


def _context(purpose: int, files: TlsFiles) -> ssl.SSLContext:
    context = ssl.SSLContext(purpose)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    if purpose == ssl.PROTOCOL_TLS_CLIENT:
        context.check_hostname = False
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cafile=str(files.ca))
    context.load_cert_chain(str(files.certificate), str(files.private_key))
    return context


def load_credentials(files: TlsFiles) -> TlsCredentials:
    """Build both contexts; :class:`CertificateError` if any file is missing or wrong."""
    try:
        certificate = x509.load_pem_x509_certificate(files.certificate.read_bytes())
        server = _context(ssl.PROTOCOL_TLS_SERVER, files)
        client = _context(ssl.PROTOCOL_TLS_CLIENT, files)
    except (OSError, ValueError, ssl.SSLError) as exc:
        raise CertificateError(f"cannot load TLS material {files}: {exc}") from exc
    der = certificate.public_bytes(serialization.Encoding.DER)
    try:
        identity = identity_from_certificate(certificate)
    except Exception as exc:
        raise CertificateError(f"{files.certificate} binds no govchain identity: {exc}") from exc
    return TlsCredentials(server, client, identity, der)
