"""ECR authorization tokens: one per registry host (account + region), fetched once and reused until
5 minutes before it expires (ECR: 12 hours after it was issued, ``GetAuthorizationToken``'s ``expiresAt``), and
fetched again when a registry refuses it (``EcrCredentials.renew``). The password is never logged: ``repr``
shows ``<hidden>``."""
from __future__ import annotations

import base64
import binascii
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import botocore.exceptions

from ..core.errors import AuthError
from .aws import describe_error

REFRESH_MARGIN = timedelta(minutes=5)
LIFETIME = timedelta(hours=12)  # API reference, GetAuthorizationToken: "valid for 12 hours"
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Token:
    username: str
    password: str = field(repr=False)
    proxy_endpoint: str
    expires_at: datetime
    fetched_at: datetime

    def __repr__(self) -> str:
        return (f"Token(username={self.username!r}, password=<hidden>, proxy_endpoint={self.proxy_endpoint!r}, "
                f"expires_at={self.expires_at.isoformat()})")

    def auth_config(self, host: str) -> dict[str, str]:
        """What docker-py's push/pull/inspect_distribution take for ``host``."""
        return {"username": self.username, "password": self.password, "serveraddress": host}

    def usable(self, now: datetime) -> bool:
        return now + REFRESH_MARGIN < self.expires_at


def host_of(endpoint: str) -> str:
    """``https://1111.dkr.ecr.us-east-1.amazonaws.com/`` -> the bare host docker-py wants."""
    return endpoint.removeprefix("https://").removeprefix("http://").rstrip("/")


def fetch_token(ecr: Any, where: str, clock: Clock = utcnow) -> Token:
    """Asks ECR (``ecr`` is a botocore client of the right account and region) for a token."""
    try:
        data = ecr.get_authorization_token()["authorizationData"][0]
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
        raise AuthError(f"cannot get an ECR authorization token for {where}: {describe_error(error)}") from error
    try:
        username, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise AuthError(f"ECR returned an unreadable authorization token for {where}") from error
    expires = data.get("expiresAt") or clock() + LIFETIME  # ECR documents 12 hours when it does not say
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=timezone.utc)
    return Token(username, password, host_of(data.get("proxyEndpoint", "")), expires, clock())


class TokenCache:
    """Tokens per key (any hashable: we use (account, region)). Thread-safe; one fetch per key at a time."""

    def __init__(self, fetch: Callable[[Any], Token], clock: Clock = utcnow) -> None:
        self._fetch = fetch
        self._clock = clock
        self._tokens: dict[Any, Token] = {}
        self._locks: dict[Any, threading.Lock] = {}
        self._guard = threading.Lock()
        self.fetches = 0

    def get(self, key: Any) -> Token:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            token = self._tokens.get(key)
            if token is None or not token.usable(self._clock()):
                token = self._fetch(key)
                self.fetches += 1
                self._tokens[key] = token
            return token

    def renew(self, key: Any, stale: tuple[str, str]) -> bool:
        """The registry refused the credentials ``stale``: fetch a fresh token unless another thread already
        did. False when the fresh one is the same (ECR gave back what it refused: retrying cannot help)."""
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            current = self._tokens.get(key)
            if current is not None and (current.username, current.password) != stale:
                return True  # someone renewed it meanwhile
            token = self._fetch(key)
            self.fetches += 1
            self._tokens[key] = token
            return (token.username, token.password) != stale


class EcrCredentials:
    """The registry credentials of one registry (account + region) for ``oci.client``: the cached token now,
    and, when the registry refuses it, a fresh one (once per refusal; a token that the registry refused is
    never handed out again)."""

    def __init__(self, cache: TokenCache, key: Any) -> None:
        self._cache, self._key = cache, key

    def __repr__(self) -> str:
        return f"EcrCredentials({self._key!r}, <hidden>)"

    def current(self) -> tuple[str, str]:
        token = self._cache.get(self._key)
        return token.username, token.password

    def renew(self, stale: tuple[str, str]) -> bool:
        return self._cache.renew(self._key, stale)
