"""Registry authentication as ECR's, judged by the AWS CLI and the docker CLI (issue 17, "Why" bullet 1).

Sources:
- API reference GetAuthorizationToken (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html):
  "The authorization token is valid for 12 hours"; user guide "Private registry authentication in Amazon ECR":
  the token's scope "matches that of the IAM principal used to retrieve" it, ``docker login --username AWS``.
- user guide "Troubleshooting Docker commands and issues when using Amazon ECR", HTTP 403 errors (an expired token:
  ``denied: Your authorization token has expired. Reauthenticate and try again.``);
- a token of another region: ``login attempt ... failed with status: 400 Bad Request`` (aws/aws-cli#5317, reproduced
  by an AWS CLI maintainer); a wrong password: ``... failed with status: 401 Unauthorized``.
"""

from __future__ import annotations

import base64
import json
import os
import ssl
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from ecr_sandbox import api
from ecr_sandbox.api import Paths

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT, REGION = "111111111111", "us-east-1"


def aws(sandbox, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([str(ROOT / ".venv" / "bin" / "aws"), *args], env=env or api.process_env(sandbox, ROOT),
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def docker_cli(sandbox, tmp_path):  # type: ignore[no-untyped-def]
    """The docker CLI with a config folder of its own (the user's ~/.docker stays untouched)."""

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["docker", "--config", str(tmp_path / "docker"), *args], input=stdin,
                              env=api.process_env(sandbox, ROOT), capture_output=True, text=True, timeout=120)

    return run


def login_password(sandbox, account: str = ACCOUNT, region: str = REGION) -> str:  # type: ignore[no-untyped-def]
    done = aws(sandbox, "ecr", "get-login-password", "--profile", sandbox.profile(account), "--region", region)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_get_authorization_token_expires_12_hours_ahead_as_the_aws_cli_shows(sandbox):
    done = aws(sandbox, "ecr", "get-authorization-token", "--profile", sandbox.profile(ACCOUNT), "--output", "json")

    data = json.loads(done.stdout)["authorizationData"][0]
    expires = data["expiresAt"]
    moment = float(expires) if isinstance(expires, (int, float)) else datetime.fromisoformat(expires).timestamp()
    assert abs(moment - (time.time() + 12 * 3600)) < 120
    assert data["proxyEndpoint"] == f"https://{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
    assert base64.b64decode(data["authorizationToken"]).decode().startswith("AWS:")


def test_each_principal_gets_its_own_password(sandbox):
    """Another role session of the same account (AWS CLI sts assume-role) gets another password."""
    assumed = aws(sandbox, "sts", "assume-role", "--profile", sandbox.profile(ACCOUNT), "--role-arn",
                  f"arn:aws:iam::{ACCOUNT}:role/sandbox", "--role-session-name", "second-principal", "--output", "json")
    creds = json.loads(assumed.stdout)["Credentials"]
    env = {**api.process_env(sandbox, ROOT), "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
           "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"], "AWS_SESSION_TOKEN": creds["SessionToken"]}

    second = aws(sandbox, "ecr", "get-login-password", env=env).stdout.strip()

    assert second and second != login_password(sandbox)


def test_docker_login_with_the_password_succeeds(sandbox, docker_cli):
    host = sandbox.registry(ACCOUNT, REGION).host

    done = docker_cli("login", "--username", "AWS", "--password-stdin", host, stdin=login_password(sandbox))

    assert done.returncode == 0 and "Login Succeeded" in done.stdout


def test_a_wrong_password_fails_docker_login_with_401(sandbox, docker_cli):
    host = sandbox.registry(ACCOUNT, REGION).host

    done = docker_cli("login", "--username", "AWS", "--password-stdin", host, stdin="not-the-password")

    assert done.returncode != 0
    assert f"login attempt to https://{host}/v2/ failed with status: 401 Unauthorized" in done.stderr


def test_a_token_of_another_region_fails_docker_login_with_400(sandbox, docker_cli):
    host = sandbox.registry(ACCOUNT, REGION).host

    done = docker_cli("login", "--username", "AWS", "--password-stdin", host,
                      stdin=login_password(sandbox, region="eu-west-1"))

    assert done.returncode != 0
    assert f"login attempt to https://{host}/v2/ failed with status: 400 Bad Request" in done.stderr


def test_an_expired_token_is_denied_with_ecrs_message(sandbox, ecr, docker_cli):
    host = sandbox.registry(ACCOUNT, REGION).host
    name = f"sandbox-tests/expiry-{uuid.uuid4().hex[:8]}"
    ecr(ACCOUNT, REGION).create_repository(repositoryName=name)
    api.set_token_lifetime(3, paths=Paths(sandbox.sandbox_dir))
    try:
        password = login_password(sandbox)
    finally:
        api.set_token_lifetime(None, paths=Paths(sandbox.sandbox_dir))
    assert docker_cli("login", "--username", "AWS", "--password-stdin", host, stdin=password).returncode == 0
    time.sleep(4)

    done = docker_cli("pull", f"{host}/{name}:v1")

    assert done.returncode != 0
    assert "denied: Your authorization token has expired. Reauthenticate and try again." in done.stderr


def _status(host: str, ca_file: str, authorization: str | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(f"https://{host}/v2/")
    if authorization:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=ca_file), timeout=10) as done:
            return done.status, dict(done.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


def test_each_registry_serves_tls_for_its_real_ecr_host_name_and_asks_for_basic_credentials(sandbox):
    ca_file = str(sandbox.sandbox_dir / "pki" / "ca.crt")
    for registry in sandbox.registries:
        assert registry.host == f"{registry.account}.dkr.ecr.{registry.region}.amazonaws.com"
        status, headers = _status(registry.host, ca_file)
        assert status == 401, registry.host
        assert headers["WWW-Authenticate"] == f'Basic realm="https://{registry.host}/",service="ecr.amazonaws.com"'


def test_the_token_authenticates_as_basic_credentials_of_user_aws(sandbox):
    host = sandbox.registry(ACCOUNT, REGION).host
    header = "Basic " + base64.b64encode(f"AWS:{login_password(sandbox)}".encode()).decode()

    assert _status(host, str(sandbox.sandbox_dir / "pki" / "ca.crt"), header)[0] == 200


def _gateway(sandbox) -> str:  # type: ignore[no-untyped-def]
    return f"http://127.0.0.1:{json.loads((sandbox.sandbox_dir / 'state.json').read_text())['gateway_port']}"


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
    assert os.geteuid() == 0
