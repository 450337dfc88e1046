"""Registry login against the sandbox: the ECR token's password works, anything else is refused with 401."""

from __future__ import annotations

import base64
import ssl
import urllib.error
import urllib.parse
import urllib.request

import docker
import pytest


def _registry_status(host: str, ca_file: str, token: str | None) -> int:
    request = urllib.request.Request(f"https://{host}/v2/")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    context = ssl.create_default_context(cafile=ca_file)
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _token(realm: str, service: str, user: str, password: str) -> str:
    import json

    url = f"{realm}?{urllib.parse.urlencode({'service': service})}"
    request = urllib.request.Request(url)
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["token"]


def _realm(host: str, ca_file: str) -> str:
    request = urllib.request.Request(f"https://{host}/v2/")
    try:
        urllib.request.urlopen(request, context=ssl.create_default_context(cafile=ca_file), timeout=10)
    except urllib.error.HTTPError as exc:
        challenge = exc.headers["WWW-Authenticate"]
        return challenge.split('realm="', 1)[1].split('"', 1)[0]
    raise AssertionError("the registry did not ask for authentication")


def test_docker_login_with_the_ecr_token_succeeds(sandbox, docker_client, ecr_password):
    registry = sandbox.registries[0]

    result = docker_client.login(username="AWS", password=ecr_password(registry.account),
                                 registry=registry.host, reauth=True)

    assert result["Status"] == "Login Succeeded"


def test_a_wrong_password_is_refused_with_401(sandbox, docker_client):
    registry = sandbox.registries[0]

    with pytest.raises(docker.errors.APIError) as refused:
        docker_client.api.inspect_distribution(
            f"{registry.host}/any/repository:latest", auth_config={"username": "AWS", "password": "wrong"}
        )

    assert refused.value.status_code == 401


def test_the_registry_answers_401_to_a_wrong_password_and_200_to_the_right_one(sandbox, ecr_password):
    registry = sandbox.registries[0]
    ca_file = str(sandbox.sandbox_dir / "pki" / "ca.crt")
    realm = _realm(registry.host, ca_file)

    wrong = _token(realm, registry.host, "AWS", "not-the-password")
    right = _token(realm, registry.host, "AWS", ecr_password(registry.account))

    assert _registry_status(registry.host, ca_file, None) == 401
    assert _registry_status(registry.host, ca_file, wrong) == 401
    assert _registry_status(registry.host, ca_file, right) == 200


def test_each_registry_serves_tls_for_its_real_ecr_host_name(sandbox):
    ca_file = str(sandbox.sandbox_dir / "pki" / "ca.crt")
    for registry in sandbox.registries:
        assert registry.host == f"{registry.account}.dkr.ecr.{registry.region}.amazonaws.com"
        status = _registry_status(registry.host, ca_file, None)
        assert status == 401, registry.host
