"""The registries' token server: who may pull or push which repository, decided the way ECR would.

Each registry runs distribution's ``auth: token`` mode. A client sends Basic credentials (user ``AWS``,
the password from the sandbox's ``ecr.get_authorization_token``: ``<account>-auth-token``) to the
realm; this module checks them, then grants per requested repository:

- nothing when the repository does not exist in moto (ECR refuses pushes to missing repositories);
- pull and push to the registry's own account;
- to another account, what the repository policy's Allow statements give it (principal ``*``,
  the bare account id, or any ``arn:aws:iam::ACCOUNT:...``), minus its Deny statements.
  Pull needs ``ecr:BatchGetImage`` and ``ecr:GetDownloadUrlForLayer``; push needs the five push actions.

Wrong or missing credentials get a token for an audience no registry accepts, so the registry itself
answers 401 (the Docker engine passes that on as 401, as with ECR's basic auth).

Tokens are JWTs signed RS256 by the sandbox's token signer; the ``x5c`` header carries its certificate,
which the registries verify against the sandbox CA (their ``rootcertbundle``).
"""

from __future__ import annotations

import base64
import fnmatch
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

ISSUER = "ecr-sandbox"
TOKEN_SECONDS = 12 * 3600
REJECTED_AUDIENCE = "ecr-sandbox:rejected-credentials"  # no registry accepts tokens for this audience
PULL_ACTIONS = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
PUSH_ACTIONS = (
    "ecr:PutImage",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:BatchCheckLayerAvailability",
)
REGISTRY_ACTIONS = {"pull": PULL_ACTIONS, "push": PUSH_ACTIONS}


class Unauthorized(Exception):
    """The Basic credentials are missing or wrong (HTTP 401)."""


def caller_account(authorization: str | None, accounts: Iterable[str]) -> str:
    """The sandbox account whose ECR password is in this ``Authorization: Basic`` header."""
    if not authorization or not authorization.lower().startswith("basic "):
        raise Unauthorized("basic credentials required")
    try:
        user, _, password = base64.b64decode(authorization[6:].strip()).decode().partition(":")
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unauthorized("malformed basic credentials") from exc
    return account_for_password(user, password, accounts)


def account_for_password(user: str, password: str, accounts: Iterable[str]) -> str:
    for account in accounts:
        if user == "AWS" and secrets.compare_digest(password, f"{account}-auth-token"):
            return account
    raise Unauthorized("wrong user name or password")


def _listify(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _names_account(statement: dict[str, Any], account: str) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for entry in _listify(principal.get("AWS")):
        entry = str(entry)
        if entry in ("*", account) or entry.startswith(f"arn:aws:iam::{account}:"):
            return True
    return False


def _actions_of(statement: dict[str, Any], wanted: Iterable[str]) -> set[str]:
    patterns = [str(a).lower() for a in _listify(statement.get("Action"))]
    return {w for w in wanted if any(fnmatch.fnmatchcase(w.lower(), p) for p in patterns)}


def policy_grants(policy_text: str | None, account: str) -> set[str]:
    """Registry actions (``pull``/``push``) a repository policy gives ``account``.

    Every sandbox account counts as a member of the organisation, so ``*`` with an aws:PrincipalOrgID
    condition grants; other conditions are not evaluated.
    """
    if not policy_text:
        return set()
    try:
        statements = _listify(json.loads(policy_text).get("Statement"))
    except (ValueError, AttributeError):
        return set()
    every = {a for actions in REGISTRY_ACTIONS.values() for a in actions}
    allowed: set[str] = set()
    denied: set[str] = set()
    for statement in statements:
        if not isinstance(statement, dict) or not _names_account(statement, account):
            continue
        target = allowed if statement.get("Effect") == "Allow" else denied
        target |= _actions_of(statement, every)
    effective = allowed - denied
    return {name for name, needed in REGISTRY_ACTIONS.items() if set(needed) <= effective}


@dataclass(frozen=True)
class Scope:
    type: str
    name: str
    actions: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> "Scope | None":
        kind, _, rest = text.partition(":")
        name, _, actions = rest.rpartition(":")
        if not kind or not name:
            return None
        return cls(kind, name, tuple(a for a in actions.split(",") if a))


# (owner account, region, repository name) -> (exists, policy text)
RepositoryLookup = Callable[[str, str, str], tuple[bool, str | None]]


def grant(caller: str, owner: str, region: str, scopes: Iterable[Scope], lookup: RepositoryLookup) -> list[dict[str, Any]]:
    """The ``access`` claim: for each repository scope, the requested actions this caller may take."""
    access = []
    for scope in scopes:
        if scope.type != "repository":
            continue
        exists, policy = lookup(owner, region, scope.name)
        if not exists:
            allowed: set[str] = set()
        elif caller == owner:
            allowed = set(scope.actions)
        else:
            allowed = policy_grants(policy, caller)
        actions = [a for a in scope.actions if a in allowed]
        access.append({"type": "repository", "name": scope.name, "actions": actions})
    return access


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class Signer:
    """Signs registry tokens with the token signer's RSA key."""

    key: Any
    cert_der: bytes

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
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url(signature)}"
