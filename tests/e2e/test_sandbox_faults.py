"""The sandbox's fault injection (docs/sandbox-faults.md): each mode reaches the next request, then disarms.

Requests go through the real TLS front to the real registry (and to the real moto server for the API
fault), with ECR's basic credentials: user AWS and a password from GetAuthorizationToken."""
from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import ssl
import urllib.parse
import urllib.request
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from ecr_sandbox import api
from ecr_sandbox.api import Paths, SandboxError


@pytest.fixture
def site(sandbox, ecr, ecr_password):  # type: ignore[no-untyped-def]
    """(host, address, repository, token, paths) for a fresh repository in the first registry."""
    registry = sandbox.registries[0]
    name = f"sandbox-tests/faults-{uuid.uuid4().hex[:8]}"
    ecr(registry.account, registry.region).create_repository(repositoryName=name)
    paths = Paths(sandbox.sandbox_dir)
    yield registry, name, lambda: _token(sandbox, registry.host, name, ecr_password(registry.account)), paths
    api.clear_faults(paths)


def _context(sandbox) -> ssl.SSLContext:  # type: ignore[no-untyped-def]
    return ssl.create_default_context(cafile=str(sandbox.sandbox_dir / "pki" / "ca.crt"))


def _token(sandbox, host: str, repository: str, password: str) -> str:  # type: ignore[no-untyped-def]
    """The Authorization header of ECR's basic credentials (a fresh password each time)."""
    return "Basic " + base64.b64encode(f"AWS:{password}".encode()).decode()


def _request(sandbox, host: str, method: str, path: str, token: str, body: bytes | None = None,  # type: ignore[no-untyped-def]
             timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPSConnection(host, 443, context=_context(sandbox), timeout=timeout)
    try:
        headers = {"Authorization": token}
        if body is not None:
            headers["Content-Type"] = "application/octet-stream"
        conn.request(method, path, body=body, headers=headers)
        answer = conn.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        conn.close()


def _upload(sandbox, host: str, repository: str, token: str, data: bytes, timeout: float = 30) -> int:  # type: ignore[no-untyped-def]
    """A monolithic blob upload (POST, then PUT with the bytes); the PUT's status."""
    status, headers, _ = _request(sandbox, host, "POST", f"/v2/{repository}/blobs/uploads/", token, timeout=timeout)
    assert status == 202, status
    location = urllib.parse.urlsplit(headers["Location"])
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    path = f"{location.path}?{location.query}&digest={digest}"
    return _request(sandbox, host, "PUT", path, token, data, timeout=timeout)[0]


def test_blob_5xx_answers_the_next_blob_upload_with_500_then_disarms(sandbox, site):  # type: ignore[no-untyped-def]
    registry, name, token, paths = site
    api.inject_fault(registry.host, "blob-5xx", count=1, paths=paths)
    credentials = token()

    first = _request(sandbox, registry.host, "POST", f"/v2/{name}/blobs/uploads/", credentials)
    second = _request(sandbox, registry.host, "POST", f"/v2/{name}/blobs/uploads/", credentials)

    assert first[0] == 500 and b"injected fault" in first[2]
    assert second[0] == 202


def test_reset_cuts_the_connection_in_the_middle_of_a_blob(sandbox, site):  # type: ignore[no-untyped-def]
    registry, name, token, paths = site
    api.inject_fault(registry.host, "reset", paths=paths)
    credentials = token()

    with pytest.raises((ConnectionError, http.client.HTTPException, ssl.SSLError)):
        _upload(sandbox, registry.host, name, credentials, os.urandom(4 << 20))

    assert _upload(sandbox, registry.host, name, credentials, os.urandom(1 << 20)) == 201


def test_stall_sends_no_byte_of_the_answer_for_the_given_seconds(sandbox, site):  # type: ignore[no-untyped-def]
    registry, name, token, paths = site
    api.inject_fault(registry.host, "stall", seconds=5, paths=paths)
    credentials = token()

    with pytest.raises(TimeoutError):
        _request(sandbox, registry.host, "POST", f"/v2/{name}/blobs/uploads/", credentials, timeout=1)

    assert _request(sandbox, registry.host, "POST", f"/v2/{name}/blobs/uploads/", credentials, timeout=10)[0] == 202


def test_token_expiry_answers_as_ecr_answers_an_expired_token_after_the_first_blob_and_a_new_token_works(
        sandbox, site):  # type: ignore[no-untyped-def]
    registry, name, token, paths = site
    api.inject_fault(registry.host, "token-expiry", count=1, paths=paths)
    credentials = token()
    assert _upload(sandbox, registry.host, name, credentials, b"first blob") == 201

    status, _, body = _request(sandbox, registry.host, "POST", f"/v2/{name}/blobs/uploads/", credentials)

    assert status == 403 and json.loads(body)["errors"][0] == {
        "code": "DENIED", "message": "Your authorization token has expired. Reauthenticate and try again.",
        "detail": None}
    assert _upload(sandbox, registry.host, name, token(), b"second blob") == 201


def test_tamper_serves_the_next_manifest_with_bytes_that_do_not_hash_to_its_digest(sandbox, site):  # type: ignore[no-untyped-def]
    registry, name, token, paths = site
    credentials = token()
    config = b"{}"
    assert _upload(sandbox, registry.host, name, credentials, config) == 201
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
                                      "digest": "sha256:" + hashlib.sha256(config).hexdigest()},
                           "layers": []}).encode()
    conn = http.client.HTTPSConnection(registry.host, 443, context=_context(sandbox), timeout=30)
    conn.request("PUT", f"/v2/{name}/manifests/v1", body=manifest, headers={
        "Authorization": credentials, "Content-Type": "application/vnd.docker.distribution.manifest.v2+json"})
    assert conn.getresponse().status == 201
    conn.close()
    digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
    api.inject_fault(registry.host, "tamper", paths=paths)

    status, headers, body = _request(sandbox, registry.host, "GET", f"/v2/{name}/manifests/{digest}", credentials)
    again = _request(sandbox, registry.host, "GET", f"/v2/{name}/manifests/{digest}", credentials)[2]

    assert status == 200 and headers["Docker-Content-Digest"] == digest
    assert "sha256:" + hashlib.sha256(body).hexdigest() != digest
    assert again == manifest


def test_throttle_answers_the_next_ecr_api_call_with_429_throttling_exception(sandbox, site):  # type: ignore[no-untyped-def]
    registry, name, _, paths = site
    api.inject_fault("api", "throttle", count=1, operation="DescribeRepositories", paths=paths)
    session = boto3.Session(profile_name=sandbox.profile(registry.account), region_name=registry.region)
    client = session.client("ecr", config=Config(retries={"total_max_attempts": 1, "mode": "standard"}))

    with pytest.raises(ClientError) as raised:
        client.describe_repositories(repositoryNames=[name])

    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert client.describe_repositories(repositoryNames=[name])["repositories"][0]["repositoryName"] == name


def test_a_fault_admin_call_without_the_sandbox_secret_is_refused(sandbox):  # type: ignore[no-untyped-def]
    port = json.loads((sandbox.sandbox_dir / "state.json").read_text())["gateway_port"]
    request = urllib.request.Request(f"http://127.0.0.1:{port}/admin/faults", method="POST",
                                     data=json.dumps({"target": "api", "kind": "throttle"}).encode(),
                                     headers={"X-Sandbox-Secret": "guess"})

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)

    assert refused.value.code == 401


def test_an_unknown_fault_kind_is_refused_with_the_kinds_named(sandbox):  # type: ignore[no-untyped-def]
    with pytest.raises(SandboxError) as refused:
        api.inject_fault(sandbox.registries[0].host, "meteor", paths=Paths(sandbox.sandbox_dir))

    assert "blob-5xx, reset, stall, token-expiry" in str(refused.value)
