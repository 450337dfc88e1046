"""ECR tokens and IAM's decision on ECR API calls in the sandbox's moto (``ecr_sandbox.moto_ext.access``), through
boto3 against a moto server in this process, with credentials from moto's STS as the sandbox's profiles get them.

Sources: API reference GetAuthorizationToken ("valid for 12 hours"), AuthorizationData (``expiresAt``); IAM user
guide "Cross-account policy evaluation logic" and "Policy evaluation logic" (explicit deny wins); API reference
"Common Errors" (``AccessDeniedException``, HTTP 400)."""
from __future__ import annotations

import base64
import json
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from botocore.config import Config

from ecr_sandbox.common import admin, credentials, generation
from ecr_sandbox.moto_ext import access
from ecr_sandbox.moto_ext.server import install_faults

OWNER, OTHER = "111111111111", "333333333333"
PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
                                  "digest": "sha256:" + "c" * 64}, "layers": []})


@pytest.fixture(scope="module")
def state(tmp_path_factory: Any) -> Path:
    return Path(tmp_path_factory.mktemp("sandbox"))


@pytest.fixture(scope="module")
def moto_url(state: Path) -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    (state / "secret").write_text("unit-secret\n")
    (state / "gateway.json").write_text(json.dumps({"organization": {"id": "o-a1b2c3d4e5", "accounts": [OWNER]}}))
    access.install(str(state))
    install_faults(str(state))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def client(moto_url: str, account: str, session: str = "ci", region: str = "us-east-1") -> Any:
    sts = boto3.client("sts", endpoint_url=moto_url, region_name=region, aws_access_key_id="x",
                       aws_secret_access_key="y")
    found = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/sandbox", RoleSessionName=session)["Credentials"]
    return boto3.client("ecr", endpoint_url=moto_url, region_name=region, aws_access_key_id=found["AccessKeyId"],
                        aws_secret_access_key=found["SecretAccessKey"], aws_session_token=found["SessionToken"],
                        config=Config(retries={"total_max_attempts": 1}))


def password(ecr: Any) -> tuple[str, Any]:
    data = ecr.get_authorization_token()["authorizationData"][0]
    user, _, secret = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    assert user == "AWS"
    return secret, data


def test_a_token_lives_12_hours_and_names_the_principal_and_region(moto_url: str) -> None:
    secret, data = password(client(moto_url, OWNER, "alice"))

    credential = credentials.read("unit-secret", secret)

    assert abs(data["expiresAt"].timestamp() - (time.time() + 12 * 3600)) < 60
    assert credential == credentials.Credential(f"arn:aws:sts::{OWNER}:assumed-role/sandbox/alice", OWNER,
                                                "us-east-1", credential.expires_at)


def test_each_principal_and_region_gets_its_own_token(moto_url: str) -> None:
    alice, bob = password(client(moto_url, OWNER, "alice"))[0], password(client(moto_url, OWNER, "bob"))[0]
    west = password(client(moto_url, OWNER, "alice", "eu-west-1"))[0]

    assert credentials.read("unit-secret", bob).principal.endswith("/bob")
    assert credentials.read("unit-secret", west).region == "eu-west-1"
    assert alice != bob


def test_the_token_lifetime_is_a_sandbox_setting(moto_url: str) -> None:
    assert access.SANDBOX is not None
    access.SANDBOX.settings("POST", b'{"token_seconds": 5}')
    try:
        _, data = password(client(moto_url, OWNER))
    finally:
        access.SANDBOX.settings("POST", b'{"token_seconds": null}')

    assert abs(data["expiresAt"].timestamp() - (time.time() + 5)) < 3


@pytest.fixture
def shared(moto_url: str) -> Iterator[str]:
    """A repository of OWNER whose policy lets OTHER pull, with one image."""
    name = f"team/app-{time.monotonic_ns()}"
    owner = client(moto_url, OWNER)
    owner.create_repository(repositoryName=name)
    owner.set_repository_policy(repositoryName=name, policyText=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": PULL}]}))
    owner.put_image(repositoryName=name, imageManifest=MANIFEST, imageTag="v1")
    yield name


def test_another_account_reads_what_the_repository_policy_grants_it(moto_url: str, shared: str) -> None:
    images = client(moto_url, OTHER).batch_get_image(registryId=OWNER, repositoryName=shared,
                                                     imageIds=[{"imageTag": "v1"}])["images"]

    assert [i["imageId"]["imageTag"] for i in images] == ["v1"]


def test_what_the_policy_does_not_grant_is_access_denied_with_iams_sentence(moto_url: str, shared: str) -> None:
    other = client(moto_url, OTHER, "bob")

    with pytest.raises(other.exceptions.ClientError) as refused:
        other.put_image(registryId=OWNER, repositoryName=shared, imageManifest=MANIFEST, imageTag="v2")

    error = refused.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"] == (
        f"User: arn:aws:sts::{OTHER}:assumed-role/sandbox/bob is not authorized to perform: ecr:PutImage on "
        f"resource: arn:aws:ecr:us-east-1:{OWNER}:repository/{shared} because no resource-based policy allows the "
        f"ecr:PutImage action")


def test_an_explicit_deny_in_the_repository_policy_stops_the_owner(moto_url: str, shared: str) -> None:
    owner = client(moto_url, OWNER)
    owner.set_repository_policy(repositoryName=shared, policyText=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "ecr:PutImage"}]}))

    with pytest.raises(owner.exceptions.ClientError, match="with an explicit deny in a resource-based policy"):
        owner.put_image(repositoryName=shared, imageManifest=MANIFEST, imageTag="v2")
    assert owner.describe_images(repositoryName=shared)["imageDetails"]


def test_another_accounts_registry_settings_are_refused(moto_url: str) -> None:
    other = client(moto_url, OTHER)

    with pytest.raises(other.exceptions.ClientError, match="AccessDenied"):
        other.describe_pull_through_cache_rules(registryId=OWNER)


def test_moto_writes_a_new_generation_after_a_change_and_none_after_a_read(moto_url: str, state: Path) -> None:
    ecr = client(moto_url, OWNER)
    name = f"gen/{time.time_ns()}"
    before = generation.read(state / generation.FILE)

    ecr.create_repository(repositoryName=name)
    changed = generation.read(state / generation.FILE)
    ecr.describe_repositories(repositoryNames=[name])
    ecr.get_authorization_token()

    assert before is not None and changed not in (None, before)
    assert generation.read(state / generation.FILE) == changed


@pytest.mark.parametrize("path", [admin.MOTO_FAULTS, admin.MOTO_SETTINGS, admin.MOTO_LIFECYCLE])
def test_an_admin_call_to_moto_without_the_sandbox_secret_is_refused(moto_url: str, path: str) -> None:
    request = urllib.request.Request(moto_url + path, method="POST", data=b"{}", headers={"X-Sandbox-Secret": "guess"})

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)

    assert refused.value.code == 401
    assert json.loads(refused.value.read()) == {"error": "X-Sandbox-Secret must carry the sandbox's secret"}


def test_an_admin_call_with_the_sandbox_secret_reads_the_token_lifetime(moto_url: str) -> None:
    request = urllib.request.Request(moto_url + admin.MOTO_SETTINGS, headers={"X-Sandbox-Secret": "unit-secret"})

    with urllib.request.urlopen(request, timeout=10) as answer:
        assert json.loads(answer.read()) == {"token_seconds": 43200.0}
