"""The front's own tokens for the registries behind it.

Each registry runs distribution's ``auth: token`` mode and trusts tokens signed by the sandbox's token signer (the
``x5c`` header carries its certificate, which the registries verify against the sandbox CA, their
``rootcertbundle``). Only the TLS front mints them, after it has authenticated the client's ECR token and the
gateway has decided the request (``ecr_sandbox.registry.front``): a token grants pull, push and delete on the
repositories of one request, so nothing reaches a registry that the front did not let through.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from ecr_sandbox.common.credentials import b64url

ISSUER = "ecr-sandbox"
TOKEN_SECONDS = 3600
FRONT_ACTIONS = ["pull", "push", "delete"]


@dataclass
class Signer:
    """Signs registry tokens with the token signer's RSA key; keeps each repository set's token until it is old."""

    key: Any
    cert_der: bytes
    _cache: dict[tuple[str, tuple[str, ...]], tuple[float, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, cert_path: str, key_path: str) -> "Signer":
        with open(cert_path, "rb") as fh:
            cert = x509.load_pem_x509_certificate(fh.read())
        with open(key_path, "rb") as fh:
            key = serialization.load_pem_private_key(fh.read(), password=None)
        return cls(key, cert.public_bytes(serialization.Encoding.DER))

    def token(self, subject: str, audience: str, access: list[dict[str, Any]]) -> str:
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(self.cert_der).decode()]}
        claims = {
            "iss": ISSUER, "sub": subject, "aud": audience, "iat": now, "nbf": now - 5,
            "exp": now + TOKEN_SECONDS, "jti": secrets.token_hex(12), "access": access,
        }
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64url(signature)}"

    def front_token(self, audience: str, repositories: tuple[str, ...]) -> str:
        """A token for the front's request to the registry ``audience`` on ``repositories`` (cached half its life)."""
        key = (audience, repositories)
        with self._lock:
            found = self._cache.get(key)
            if found and found[0] > time.time():
                return found[1]
        token = self.token("ecr-sandbox-front", audience,
                           [{"type": "repository", "name": name, "actions": FRONT_ACTIONS} for name in repositories])
        with self._lock:
            self._cache[key] = (time.time() + TOKEN_SECONDS / 2, token)
        return token
