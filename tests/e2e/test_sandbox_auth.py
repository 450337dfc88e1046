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


def _token(realm: str, service: str, user: str, password: str, ca_file: str) -> str:
    import json

    url = f"{realm}?{urllib.parse.urlencode({'service': service})}"
    request = urllib.request.Request(url)
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
    with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=ca_file), timeout=10) as response:
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

    wrong = _token(realm, registry.host, "AWS", "not-the-password", ca_file)
    right = _token(realm, registry.host, "AWS", ecr_password(registry.account), ca_file)

    assert _registry_status(registry.host, ca_file, None) == 401
    assert _registry_status(registry.host, ca_file, wrong) == 401
    assert _registry_status(registry.host, ca_file, right) == 200


def test_each_registry_serves_tls_for_its_real_ecr_host_name(sandbox):
    ca_file = str(sandbox.sandbox_dir / "pki" / "ca.crt")
    for registry in sandbox.registries:
        assert registry.host == f"{registry.account}.dkr.ecr.{registry.region}.amazonaws.com"
        status = _registry_status(registry.host, ca_file, None)
        assert status == 401, registry.host


def _gateway(sandbox) -> str:  # type: ignore[no-untyped-def]
    import json

    return f"http://127.0.0.1:{json.loads((sandbox.sandbox_dir / 'state.json').read_text())['gateway_port']}"


def test_the_token_realm_is_https_on_the_registrys_own_host(sandbox):
    registry = sandbox.registries[0]

    realm = _realm(registry.host, str(sandbox.sandbox_dir / "pki" / "ca.crt"))

    assert realm == f"https://{registry.host}/token"


def test_the_gateway_refuses_token_requests_over_plain_http(sandbox, ecr_password):
    registry = sandbox.registries[0]

    with pytest.raises(urllib.error.HTTPError) as refused:
        _token(f"{_gateway(sandbox)}/token", registry.host, "AWS", ecr_password(registry.account),
               str(sandbox.sandbox_dir / "pki" / "ca.crt"))

    assert refused.value.code == 403
    assert "plain http is refused" in refused.value.read().decode()


def test_the_notification_endpoint_refuses_events_without_the_sandbox_secret(sandbox):
    registry = sandbox.registries[0]
    request = urllib.request.Request(f"{_gateway(sandbox)}/events/{registry.account}/{registry.region}",
                                     data=b'{"events": []}', method="POST",
                                     headers={"Content-Type": "application/json", "X-Sandbox-Secret": "guess"})

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)

    assert refused.value.code == 401


def test_the_sandbox_secret_and_the_configs_holding_it_are_readable_by_root_only(sandbox):
    secret = sandbox.sandbox_dir / "secret"
    configs = [sandbox.sandbox_dir / "gateway.json",
               *sorted((sandbox.sandbox_dir / "registries").glob("*/config.yml"))]

    modes = {str(path): oct(path.stat().st_mode & 0o777) for path in [secret, *configs]}

    assert set(modes.values()) == {"0o600"}, modes
