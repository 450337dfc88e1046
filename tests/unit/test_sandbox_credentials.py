"""The sandbox's ECR tokens (``ecr_sandbox.common.credentials``): they name the principal, its account and region and
expire; only the sandbox's secret makes one. GetAuthorizationToken (API reference): valid for 12 hours."""
from __future__ import annotations

import base64
import json

import pytest

from ecr_sandbox.common.credentials import BadCredentials, Credential, issue, read

SECRET = "s3cret"
ONE = Credential("arn:aws:sts::111111111111:assumed-role/sandbox/ci", "111111111111", "us-east-1", 2_000_000_000)


def test_a_token_reads_back_as_the_principal_account_region_and_expiry() -> None:
    assert read(SECRET, issue(SECRET, ONE)) == ONE


def test_two_tokens_for_the_same_principal_differ() -> None:
    assert issue(SECRET, ONE) != issue(SECRET, ONE)


def test_a_token_looks_like_ecrs_a_base64_document_with_payload_datakey_and_expiration() -> None:
    document = json.loads(base64.b64decode(issue(SECRET, ONE)))

    assert set(document) == {"payload", "datakey", "version", "type", "expiration"}
    assert document["expiration"] == ONE.expires_at


@pytest.mark.parametrize("password", ["wrong", "", base64.b64encode(b'{"payload": "x", "datakey": "y"}').decode()])
def test_anything_else_is_refused(password: str) -> None:
    with pytest.raises(BadCredentials):
        read(SECRET, password)


def test_a_token_changed_after_signing_is_refused() -> None:
    document = json.loads(base64.b64decode(issue(SECRET, ONE)))
    document["payload"] = document["payload"][:-2] + ("AA" if not document["payload"].endswith("AA") else "BB")

    with pytest.raises(BadCredentials):
        read(SECRET, base64.b64encode(json.dumps(document).encode()).decode())


def test_another_sandboxs_token_is_refused() -> None:
    with pytest.raises(BadCredentials):
        read("other secret", issue(SECRET, ONE))


def test_a_token_is_expired_from_its_expiry_on() -> None:
    assert not ONE.expired(ONE.expires_at - 1) and ONE.expired(ONE.expires_at)
