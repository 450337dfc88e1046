"""Unit tests never talk to a running sandbox: when the e2e tests ran first in the same pytest session, their
session fixture left the sandbox's ``AWS_ENDPOINT_URL`` (and profile files) in ``os.environ``, and boto3 clients
under ``moto.mock_aws`` would then reach the sandbox's moto server instead of the in-process mock."""
from __future__ import annotations

import os
from typing import Iterator

import pytest


@pytest.fixture(autouse=True)
def _no_sandbox_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key in [k for k in os.environ if k.startswith("AWS_ENDPOINT_URL")]:
        monkeypatch.delenv(key)
    yield
