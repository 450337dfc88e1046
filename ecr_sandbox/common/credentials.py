"""The sandbox's registry passwords: what the moto process hands out as ECR authorization tokens and the registry
fronts check. A password names the principal, its account, the region it is good for and when it expires
(``ecr_sandbox.model.tokens``), signed with the per-sandbox secret (HMAC-SHA256), so only the sandbox's moto can make
one and a changed byte is refused.

Shape, after real ECR passwords (a base64 JSON document with ``payload``, ``datakey``, ``version``, ``type`` and
``expiration``): ``base64(json({"payload": base64url(claims), "datakey": base64url(hmac), "version": "2",
"type": "DATA_KEY", "expiration": epoch}))``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass


class BadCredentials(ValueError):
    """Not a password this sandbox issued (or one changed since)."""


@dataclass(frozen=True)
class Credential:
    principal: str  # the caller's ARN
    account: str
    region: str
    expires_at: float  # epoch seconds

    def expired(self, now: float) -> bool:
        return now >= self.expires_at


def b64url(data: bytes) -> str:
    """Unpadded base64url (JWT and the password's parts)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return b64url(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def issue(secret: str, credential: Credential) -> str:
    claims = {"p": credential.principal, "a": credential.account, "r": credential.region,
              "e": int(credential.expires_at), "n": secrets.token_hex(8)}
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    document = {"payload": payload, "datakey": _mac(secret, payload), "version": "2", "type": "DATA_KEY",
                "expiration": int(credential.expires_at)}
    return base64.b64encode(json.dumps(document, separators=(",", ":")).encode()).decode()


def read(secret: str, password: str) -> Credential:
    """The credential in ``password``; ``BadCredentials`` when the sandbox did not sign it."""
    try:
        document = json.loads(base64.b64decode(password, validate=True))
        payload, signature = str(document["payload"]), str(document["datakey"])
    except (ValueError, KeyError, TypeError) as exc:
        raise BadCredentials("not an ECR token of this sandbox") from exc
    if not secret or not hmac.compare_digest(signature, _mac(secret, payload)):
        raise BadCredentials("the token's signature does not match")
    try:
        claims = json.loads(_unb64url(payload))
        return Credential(str(claims["p"]), str(claims["a"]), str(claims["r"]), float(claims["e"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise BadCredentials("unreadable token") from exc
