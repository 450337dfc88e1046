"""The sandbox's small PKI: one CA, a TLS certificate per registry host, and the token signer.

The CA is made once and reused (``pki/ca.crt``); the Docker engine trusts it per host through
``/etc/docker/certs.d/HOST/ca.crt``. The token signer's certificate is issued by the same CA, so the
registries' ``rootcertbundle`` is just ``ca.crt`` and each token carries the signer in its ``x5c`` header.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ecr_sandbox.control import files

VALIDITY = dt.timedelta(days=825)
CA_NAME = "ECR sandbox CA"  # every sandbox CA's subject common name


def _write_key(path: Path, key) -> None:  # type: ignore[no-untyped-def]
    """Private keys are 0600 from the moment the file exists (never written readable, then chmod'ed)."""
    files.write_private(
        path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def _pki_dir(pki: Path) -> None:
    pki.mkdir(mode=0o700, parents=True, exist_ok=True)
    if pki.stat().st_mode & 0o077:  # made by an older version: narrow it (never widened)
        pki.chmod(0o700)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ECR sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def ensure_ca(pki: Path) -> tuple[Path, Path]:
    """Create the CA under ``pki`` unless it exists; return (cert path, key path)."""
    _pki_dir(pki)
    cert_path, key_path = pki / "ca.crt", pki / "ca.key"
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(CA_NAME))
        .issuer_name(_name(CA_NAME))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False, key_agreement=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(key_path, key)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def _load_ca(pki: Path):  # type: ignore[no-untyped-def]
    cert_path, key_path = ensure_ca(pki)
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    return cert, key


def _issue(pki: Path, name: str, common_name: str, key, usage: ExtendedKeyUsageOID, sans: list[str]) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    ca_cert, ca_key = _load_ca(pki)
    now = dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()), critical=False
        )
    )
    if sans:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False
        )
    cert = builder.sign(ca_key, hashes.SHA256())
    cert_path, key_path = pki / f"{name}.crt", pki / f"{name}.key"
    _write_key(key_path, key)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def _issued_by_current_ca(pki: Path, cert_path: Path) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        ca = x509.load_pem_x509_certificate((pki / "ca.crt").read_bytes())
    except (OSError, ValueError):
        return False
    return cert.issuer == ca.subject and cert.not_valid_after_utc > dt.datetime.now(dt.timezone.utc)


def ensure_host_cert(pki: Path, host: str) -> tuple[Path, Path]:
    """A TLS server certificate whose subjectAltName is ``host`` (made once, reused)."""
    cert_path, key_path = pki / f"{host}.crt", pki / f"{host}.key"
    if key_path.exists() and _issued_by_current_ca(pki, cert_path):
        return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    return _issue(pki, host, host, key, ExtendedKeyUsageOID.SERVER_AUTH, [host])


def ensure_token_signer(pki: Path) -> tuple[Path, Path]:
    """The RSA key and certificate the token server signs registry tokens with (RS256)."""
    cert_path, key_path = pki / "token-signer.crt", pki / "token-signer.key"
    if key_path.exists() and _issued_by_current_ca(pki, cert_path):
        return cert_path, key_path
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _issue(pki, "token-signer", "ECR sandbox token signer", key, ExtendedKeyUsageOID.CODE_SIGNING, [])
