"""Cross-account access decided by the repository policy, as on ECR: pull only where the policy grants it."""

from __future__ import annotations

import json
import uuid

import docker
import pytest

OWNER, GRANTED, OTHER = "111111111111", "333333333333", "222222222222"
REGION = "us-east-1"
PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]


def _policy(principal: str, actions: list[str]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "CrossAccount", "Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions}]})


@pytest.fixture
def shared_image(sandbox, ecr, ecr_password, build_image, push_image, docker_client):
    """A repository in OWNER whose policy lets GRANTED pull, holding one pushed image (removed locally)."""
    if OWNER not in sandbox.accounts or GRANTED not in sandbox.accounts or OTHER not in sandbox.accounts:
        pytest.fail(f"the spec must name accounts {OWNER}, {GRANTED} and {OTHER}")
    name = f"sandbox-tests/shared-{uuid.uuid4().hex[:8]}"
    ecr(OWNER, REGION).create_repository(repositoryName=name)
    ecr(OWNER, REGION).set_repository_policy(
        repositoryName=name, policyText=_policy(f"arn:aws:iam::{GRANTED}:root", PULL))
    host = sandbox.registry(OWNER, REGION).host
    image_id = build_image()
    digest = push_image(image_id, host, name, "v1", ecr_password(OWNER))
    docker_client.images.remove(image_id, force=True)
    return host, name, digest


def _pull(docker_client, host: str, name: str, digest: str, password: str) -> str:
    reference = f"{host}/{name}@{digest}"
    image = docker_client.images.pull(reference, auth_config={"username": "AWS", "password": password})
    try:
        return next(d for d in image.attrs["RepoDigests"] if d.startswith(f"{host}/{name}@")).split("@")[1]
    finally:
        docker_client.images.remove(image.id, force=True)


def test_an_account_the_repository_policy_grants_pull_can_pull_the_image(shared_image, docker_client, ecr_password):
    host, name, digest = shared_image

    assert _pull(docker_client, host, name, digest, ecr_password(GRANTED)) == digest


def test_an_account_the_repository_policy_does_not_name_cannot_pull(shared_image, docker_client, ecr_password):
    host, name, digest = shared_image

    with pytest.raises(docker.errors.APIError) as refused:
        docker_client.images.pull(f"{host}/{name}@{digest}",
                                  auth_config={"username": "AWS", "password": ecr_password(OTHER)})

    assert "denied" in str(refused.value)


def test_an_account_granted_only_pull_cannot_push(shared_image, ecr_password, build_image, push_image):
    host, name, _ = shared_image

    with pytest.raises(push_image.Refused, match="denied"):
        push_image(build_image(), host, name, "from-granted", ecr_password(GRANTED))


def test_a_push_to_a_repository_that_does_not_exist_is_denied(sandbox, ecr_password, build_image, push_image):
    host = sandbox.registry(OWNER, REGION).host

    with pytest.raises(push_image.Refused, match="denied"):
        push_image(build_image(), host, f"sandbox-tests/missing-{uuid.uuid4().hex[:8]}", "v1", ecr_password(OWNER))


def test_an_organisation_wide_policy_lets_every_sandbox_account_pull(
    sandbox, ecr, ecr_password, build_image, push_image, docker_client
):
    name = f"sandbox-tests/org-{uuid.uuid4().hex[:8]}"
    ecr(OWNER, REGION).create_repository(repositoryName=name)
    org_policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Org", "Effect": "Allow", "Principal": "*", "Action": PULL,
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-sandbox"}}}]})
    ecr(OWNER, REGION).set_repository_policy(repositoryName=name, policyText=org_policy)
    host = sandbox.registry(OWNER, REGION).host
    digest = push_image(build_image(), host, name, "v1", ecr_password(OWNER))

    for account in (GRANTED, OTHER):
        found = docker_client.api.inspect_distribution(
            f"{host}/{name}:v1", auth_config={"username": "AWS", "password": ecr_password(account)})
        assert found["Descriptor"]["digest"] == digest, account


def test_the_token_of_another_account_asked_for_the_owners_registry_still_names_the_caller(sandbox, ecr):
    import base64

    data = ecr(OTHER, REGION).get_authorization_token(registryIds=[OWNER])["authorizationData"][0]

    assert base64.b64decode(data["authorizationToken"]).decode() == f"AWS:{OTHER}-auth-token"
    assert data["proxyEndpoint"] == f"https://{OWNER}.dkr.ecr.{REGION}.amazonaws.com"
