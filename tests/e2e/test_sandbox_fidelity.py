"""Rows of the fidelity table (docs/sandbox.md) judged by clients the project did not write: skopeo (Debian's), the
AWS CLI and the docker CLI.

Sources: containers/skopeo as a registry client of the OCI distribution API; API reference ImageDetail
(``imageSizeInBytes``: "the size, in bytes, of the image in the repository"), DescribeImages; user guide
"Troubleshooting Amazon ECR error messages" (HTTP 429 / ThrottlingException), "Troubleshooting Docker commands and
issues when using Amazon ECR" (HTTP 403: the expired token), "Private registry authentication in Amazon ECR".
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from ecr_sandbox import api

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT, REGION = "111111111111", "us-east-1"
OTHER = ("222222222222", "us-east-1")


def run(sandbox, *argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run(list(argv), env={**api.process_env(sandbox, ROOT), **(env or {})}, capture_output=True,
                          text=True, timeout=300)


def aws(sandbox, *args: str, account: str = ACCOUNT, region: str = REGION,  # type: ignore[no-untyped-def]
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run(sandbox, str(ROOT / ".venv/bin/aws"), "--profile", sandbox.profile(account), "--region", region,
               "--output", "json", "ecr", *args, env=env)


def password(sandbox, account: str = ACCOUNT, region: str = REGION) -> str:  # type: ignore[no-untyped-def]
    return aws(sandbox, "get-login-password", account=account, region=region).stdout.strip()


@pytest.fixture
def local_image(sandbox, build_image, docker_client):  # type: ignore[no-untyped-def]
    """A one-layer image in the engine, tagged for skopeo's docker-daemon transport."""
    reference = f"sandbox-tests/skopeo:{uuid.uuid4().hex[:8]}"
    repository, tag = reference.split(":")
    docker_client.api.tag(build_image(scratch=True), repository, tag)
    yield reference
    docker_client.api.remove_image(reference, force=True)


@pytest.fixture
def repository(sandbox):  # type: ignore[no-untyped-def]
    name = f"sandbox-tests/fidelity-{uuid.uuid4().hex[:8]}"
    for account, region in ((ACCOUNT, REGION), OTHER):
        assert aws(sandbox, "create-repository", "--repository-name", name, account=account,
                   region=region).returncode == 0
    return name


def skopeo_copy(sandbox, local: str, name: str, tag: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    host = sandbox.registry(ACCOUNT, REGION).host
    return run(sandbox, "skopeo", "copy", "--dest-creds", f"AWS:{password(sandbox)}", f"docker-daemon:{local}",
               f"docker://{host}/{name}:{tag}")


def wait_for_images(sandbox, name: str) -> list[dict]:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 10
    while True:
        found = json.loads(aws(sandbox, "describe-images", "--repository-name", name).stdout)["imageDetails"]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_skopeo_copy_shows_in_that_account_and_regions_describe_images_with_skopeos_digest_only_there(
        sandbox, local_image, repository):
    copied = skopeo_copy(sandbox, local_image, repository, "v1")
    host = sandbox.registry(ACCOUNT, REGION).host
    inspected = run(sandbox, "skopeo", "inspect", "--creds", f"AWS:{password(sandbox)}",
                    f"docker://{host}/{repository}:v1")

    assert copied.returncode == 0, copied.stderr
    digest = json.loads(inspected.stdout)["Digest"]
    assert [d["imageDigest"] for d in wait_for_images(sandbox, repository)] == [digest]
    elsewhere = json.loads(aws(sandbox, "describe-images", "--repository-name", repository, account=OTHER[0],
                               region=OTHER[1]).stdout)["imageDetails"]
    assert elsewhere == []


def test_image_size_in_bytes_is_the_sum_of_the_layers_skopeo_reads_from_the_manifest(
        sandbox, local_image, repository):
    assert skopeo_copy(sandbox, local_image, repository, "v1").returncode == 0
    host = sandbox.registry(ACCOUNT, REGION).host
    manifest = json.loads(run(sandbox, "skopeo", "inspect", "--raw", "--creds", f"AWS:{password(sandbox)}",
                              f"docker://{host}/{repository}:v1").stdout)

    [detail] = wait_for_images(sandbox, repository)

    assert detail["imageSizeInBytes"] == sum(layer["size"] for layer in manifest["layers"])


def test_skopeo_with_a_wrong_password_is_unauthorized(sandbox, repository):
    host = sandbox.registry(ACCOUNT, REGION).host

    done = run(sandbox, "skopeo", "inspect", "--creds", "AWS:not-the-password", f"docker://{host}/{repository}:v1")

    assert done.returncode != 0 and "unauthorized" in done.stderr.lower()


def test_a_throttled_ecr_api_call_is_throttling_exception_in_the_aws_cli(sandbox, repository):
    api.inject_fault("api", "throttle", operation="DescribeImages", paths=api.Paths(sandbox.sandbox_dir))
    try:
        done = aws(sandbox, "describe-images", "--repository-name", repository,
                   env={"AWS_MAX_ATTEMPTS": "1", "AWS_RETRY_MODE": "standard"})
    finally:
        api.clear_faults(api.Paths(sandbox.sandbox_dir))

    assert done.returncode != 0 and "(ThrottlingException)" in done.stderr and "Rate exceeded" in done.stderr


def test_the_token_expiry_fault_stops_a_docker_cli_push_with_ecrs_expired_token_answer(
        sandbox, build_image, repository, tmp_path):
    host = sandbox.registry(ACCOUNT, REGION).host
    config = ["docker", "--config", str(tmp_path / "docker")]
    login = subprocess.run([*config, "login", "-u", "AWS", "--password-stdin", host], input=password(sandbox),
                           env=api.process_env(sandbox, ROOT), capture_output=True, text=True)
    assert login.returncode == 0, login.stderr
    reference = f"{host}/{repository}:v1"
    assert run(sandbox, *config, "tag", build_image(), reference).returncode == 0
    api.inject_fault(host, "token-expiry", count=50, paths=api.Paths(sandbox.sandbox_dir))
    try:
        done = run(sandbox, *config, "push", reference)
    finally:
        api.clear_faults(api.Paths(sandbox.sandbox_dir))

    assert done.returncode != 0
    # The engine's next request after the first blob is a HEAD, whose 403 has no body to read ECR's sentence from;
    # with ECR the docker CLI prints the same (aws/aws-toolkit-azure-devops#311); a GET or PUT gets the sentence.
    assert ("denied: Your authorization token has expired. Reauthenticate and try again." in done.stderr
            or 'error parsing HTTP 403 response body: unexpected end of JSON input: ""' in done.stderr), done.stderr
