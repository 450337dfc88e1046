"""boto3 clients for the sandbox's moto, scoped to one account by moto's ``x-moto-account-id`` header.

With the per-sandbox ``secret`` the calls are the sandbox's own (the gateway recording a push, replicating, reading a
repository's settings): moto's authorization (``ecr_sandbox.moto_ext.access``) lets them through, and what they change
is not mirrored back into the registries (they come from there)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from ecr_sandbox.common.faults import SECRET_HEADER
from ecr_sandbox.model.names import ECR_TARGET

_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=2, read_timeout=30)


def moto_client(service: str, endpoint_url: str, account: str, region: str, secret: str | None = None) -> Any:
    """A client whose every request moto attributes to ``account`` in ``region``."""
    session = boto3.session.Session(
        aws_access_key_id="sandbox", aws_secret_access_key="sandbox", region_name=region
    )
    client = session.client(service, endpoint_url=endpoint_url, config=_CONFIG)

    def add_headers(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account
        if secret:
            request.headers[SECRET_HEADER] = secret

    client.meta.events.register("before-sign", add_headers)
    return client


def sandbox_call(moto_url: str, secret: str, account: str, region: str, action: str,
                 body: dict[str, Any]) -> dict[str, Any]:
    """One of the sandbox's own ECR actions on its moto (``SandboxRecordPull``, ``SandboxImageStatus``, ...): the ECR
    JSON protocol with a target botocore does not know, carrying the per-sandbox secret."""
    import json
    import urllib.request

    request = urllib.request.Request(moto_url.rstrip("/") + "/", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/x-amz-json-1.1",
                                              "X-Amz-Target": ECR_TARGET + action,
                                              "x-moto-account-id": account, SECRET_HEADER: secret,
                                              "Authorization": f"AWS4-HMAC-SHA256 Credential=sandbox/20200101/{region}"
                                                               "/ecr/aws4_request, SignedHeaders=host, Signature=0"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the sandbox's loopback moto
        return json.loads(response.read() or b"{}")
