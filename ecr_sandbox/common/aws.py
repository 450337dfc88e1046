"""boto3 clients for the sandbox's moto, scoped to one account by moto's ``x-moto-account-id`` header."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=2, read_timeout=30)


def moto_client(service: str, endpoint_url: str, account: str, region: str) -> Any:
    """A client whose every request moto attributes to ``account`` in ``region``."""
    session = boto3.session.Session(
        aws_access_key_id="sandbox", aws_secret_access_key="sandbox", region_name=region
    )
    client = session.client(service, endpoint_url=endpoint_url, config=_CONFIG)

    def add_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account

    client.meta.events.register("before-sign", add_account)
    return client
