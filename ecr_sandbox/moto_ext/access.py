"""Who calls, and what they may do, in the sandbox's moto: ECR's authorization tokens and IAM's decision on every
ECR API call.

- ``GetAuthorizationToken`` answers as ECR (``ecr_sandbox.model.tokens``): a password naming the calling principal
  (its ARN, from moto's STS: the role session the caller's credentials came from), its account and the region of
  the endpoint asked, signed with the per-sandbox secret (``ecr_sandbox.common.credentials``); ``expiresAt`` is
  12 hours ahead (``LIFETIME_SECONDS``), or the sandbox setting ``token_seconds`` (``ECR_SANDBOX_TOKEN_SECONDS``
  when moto starts; ``POST /_sandbox/settings`` while it runs), so tests can watch a token expire. ``proxyEndpoint``
  names each requested registry (moto's own). moto put the *requested* ``registryIds`` into a fixed password.
- Every ECR API call that names a repository is decided by ``ecr_sandbox.model.iam`` against that repository's
  policy: an explicit deny wins for the owner too, another account (``registryId``) gets only what the policy
  grants, conditions are evaluated (``aws:PrincipalOrgID`` against the sandbox's organization in
  ``gateway.json``). A refusal is ECR's ``AccessDeniedException`` (HTTP 400, IAM's sentence). An allowed call on
  another account's registry is served from that account's moto backend (moto itself would look in the caller's).
  Registry-wide calls (``registryId`` of another account) are refused: no registry policy grants them.
- Calls carrying the per-sandbox secret (``X-Sandbox-Secret``: the gateway's own) pass unchecked.
- The token lifetime is also a setting the sandbox's admin call ``/_sandbox/settings`` reads and changes
  (``Sandbox.settings``, routed by ``ecr_sandbox.moto_ext.server``).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from base64 import b64encode
from pathlib import Path
from typing import Any, Callable, Iterable

from ecr_sandbox.common import credentials
from ecr_sandbox.common.faults import SECRET_HEADER, authorized, read_secret
from ecr_sandbox.model import iam, tokens
from ecr_sandbox.model.names import ECR_TARGET, repository_arn
from ecr_sandbox.moto_ext import store

log = logging.getLogger("ecr_sandbox.moto_ext.access")
TOKEN_ENV = "ECR_SANDBOX_TOKEN_SECONDS"


class Sandbox:
    """What the moto process knows of the sandbox that started it: its folder (secret, organization) and settings."""

    def __init__(self, state_dir: Path, environ: Any = os.environ) -> None:
        self.state_dir = state_dir
        text = environ.get(TOKEN_ENV, "")
        self.token_seconds = float(text) if text.replace(".", "", 1).isdigit() else float(tokens.LIFETIME_SECONDS)
        self._lock = threading.Lock()

    @property
    def secret_file(self) -> Path:
        return self.state_dir / "secret"

    def secret(self) -> str:
        return read_secret(self.secret_file)

    def organization(self) -> tuple[str, list[str]] | None:
        try:
            found = json.loads((self.state_dir / "gateway.json").read_text()).get("organization")
        except (OSError, ValueError):
            return None
        return (found["id"], list(found["accounts"])) if found else None

    def settings(self, method: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """``POST {"token_seconds": N}`` changes the token lifetime (``null``: ECR's 12 hours); ``GET`` reads it."""
        if method == "POST":
            try:
                wanted = json.loads(body or b"{}").get("token_seconds")
                seconds = float(tokens.LIFETIME_SECONDS) if wanted is None else float(wanted)
            except (ValueError, TypeError, AttributeError) as exc:
                return 400, {"error": f"token_seconds must be a number of seconds: {exc}"}
            if seconds <= 0:
                return 400, {"error": "token_seconds must be positive"}
            with self._lock:
                self.token_seconds = seconds
        return 200, {"token_seconds": self.token_seconds}


SANDBOX: Sandbox | None = None


def caller_arn(access_key: str, region: str) -> str:
    """The ARN moto's STS gives the holder of ``access_key`` (an assumed role's session, an IAM user, or moto's
    default user)."""
    from moto.utilities.utils import get_partition
    from moto.iam.models import get_account_id_from
    from moto.sts.models import sts_backends

    account = get_account_id_from(access_key)
    return str(sts_backends[account][get_partition(region)].get_caller_identity(access_key, region)[1])


def patch_authorization_token() -> None:
    from moto.ecr.responses import ECRResponse

    if getattr(ECRResponse, "_sandbox_tokens", False):
        return
    original = ECRResponse.get_authorization_token

    def get_authorization_token(self):  # type: ignore[no-untyped-def]
        result = original(self)
        sandbox = SANDBOX
        lifetime = sandbox.token_seconds if sandbox else float(tokens.LIFETIME_SECONDS)
        expires = time.time() + lifetime
        principal = caller_arn(self.get_access_key(), self.region)
        password = credentials.issue(sandbox.secret() if sandbox else "",
                                     credentials.Credential(principal, self.current_account, self.region, expires))
        token = b64encode(f"{tokens.USER}:{password}".encode()).decode()
        for entry in result.result["authorizationData"]:
            entry["authorizationToken"] = token
            entry["expiresAt"] = expires
        return result

    ECRResponse.get_authorization_token = get_authorization_token  # type: ignore[method-assign]
    ECRResponse._sandbox_tokens = True  # type: ignore[attr-defined]


def _access_denied(start_response: Callable[..., Any], message: str) -> Iterable[bytes]:
    data = json.dumps({"__type": "AccessDeniedException", "message": message}).encode()
    start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.1"),
                                       ("Content-Length", str(len(data)))])
    return [data]


def _repository_policy(account: str, region: str, name: str) -> tuple[bool, str | None]:
    from moto.ecr.models import ecr_backends

    repository = ecr_backends[account][region].repositories.get(name)
    return (repository is not None, repository.policy if repository is not None else None)


def decide(environ: dict[str, Any], body: dict[str, Any], operation: str) -> tuple[str | None, str | None]:
    """(the account whose backend serves the call, or None for the caller's own; a refusal message or None)."""
    from moto.core.responses import BaseResponse

    authorization = environ.get("HTTP_AUTHORIZATION", "")
    match = BaseResponse.access_key_regex.search(authorization)
    region_match = BaseResponse.region_regex.search(authorization)
    region = region_match.group(1) if region_match else "us-east-1"
    pinned = environ.get("HTTP_X_MOTO_ACCOUNT_ID")  # moto serves that account, whatever the credentials say
    caller = iam.Caller(f"arn:aws:iam::{pinned}:user/moto" if pinned else
                        caller_arn(match.group(1) if match else "AKIAEXAMPLE", region))
    owner = str(body.get("registryId") or caller.account)
    name = body.get("repositoryName")
    action = f"ecr:{operation}"
    sandbox = SANDBOX
    organization = sandbox.organization() if sandbox else None
    if not name:
        if owner == caller.account:
            return None, None
        resource = f"arn:aws:ecr:{region}:{owner}:registry"
        request = iam.Request(caller, action, resource, iam.context_for(caller, region, owner, organization))
        return None, iam.denial_message(request, iam.Decision(iam.IMPLICIT_DENY, "resource-based"))
    request = iam.Request(caller, action, repository_arn(owner, region, str(name)),
                          iam.context_for(caller, region, owner, organization))
    exists, policy = _repository_policy(owner, region, str(name))
    if not exists and owner != caller.account:
        return None, iam.denial_message(request, iam.Decision(iam.IMPLICIT_DENY, "resource-based"))
    decision = iam.evaluate(request, policy)
    if not decision.allowed:
        return None, iam.denial_message(request, decision)
    return (owner if owner != caller.account else None), None


def middleware(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """Wraps moto's WSGI app: IAM's decision on each ECR call."""
    import io

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        sandbox = SANDBOX
        header = environ.get("HTTP_" + SECRET_HEADER.upper().replace("-", "_"))
        trusted = sandbox is not None and authorized(header, sandbox.secret_file)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        store.mark(trusted)
        if not target.startswith(ECR_TARGET) or trusted:
            return app(environ, start_response)
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(raw)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return app(environ, start_response)
        owner, refusal = decide(environ, body if isinstance(body, dict) else {}, target[len(ECR_TARGET):])
        if refusal:
            log.info("refused: %s", refusal)
            return _access_denied(start_response, refusal)
        if owner is not None:
            environ["HTTP_X_MOTO_ACCOUNT_ID"] = owner  # served from the owner's registry
        return app(environ, start_response)

    return wrapped


def install(state_dir: str | None) -> None:
    global SANDBOX
    SANDBOX = Sandbox(Path(state_dir or ".sandbox"))
    store.STATE_DIR = SANDBOX.state_dir
    patch_authorization_token()
