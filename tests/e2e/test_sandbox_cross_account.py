"""Access decided as IAM decides (issue 17, "Why" bullet 4): the repository policy grants another account what it
names, an explicit deny stops the owner too, aws:PrincipalOrgID is evaluated against the sandbox's organization, and
a refusal carries IAM's sentence (IAM user guide "Policy evaluation logic", "Cross-account policy evaluation logic",
"Troubleshooting access denied error messages"; ECR user guide "Troubleshooting Amazon ECR error messages", HTTP 403
"User [arn] is not authorized to perform [operation]" and HTTP 404 "Repository Does Not Exist")."""

from __future__ import annotations

import base64
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


def test_a_push_to_a_repository_that_does_not_exist_is_name_unknown(sandbox, ecr_password, build_image, push_image):
    host = sandbox.registry(OWNER, REGION).host
    name = f"sandbox-tests/missing-{uuid.uuid4().hex[:8]}"

    with pytest.raises(push_image.Refused) as refused:
        push_image(build_image(), host, name, "v1", ecr_password(OWNER))

    assert str(refused.value) == (f"name unknown: The repository with name '{name}' does not exist in the registry "
                                  f"with id '{OWNER}'")


def test_a_refused_pull_names_the_user_the_action_and_the_repository(shared_image, docker_client, ecr_password):
    host, name, digest = shared_image

    with pytest.raises(docker.errors.APIError) as refused:
        docker_client.images.pull(f"{host}/{name}@{digest}",
                                  auth_config={"username": "AWS", "password": ecr_password(OTHER)})

    assert (f"denied: User: arn:aws:sts::{OTHER}:assumed-role/sandbox/" in str(refused.value)
            and f"is not authorized to perform: ecr:BatchGetImage on resource: "
                f"arn:aws:ecr:{REGION}:{OWNER}:repository/{name} because no resource-based policy allows the "
                f"ecr:BatchGetImage action" in str(refused.value))


def test_an_explicit_deny_of_put_image_to_everyone_stops_the_owners_push(
        sandbox, ecr, ecr_password, build_image, push_image):
    name = f"sandbox-tests/deny-{uuid.uuid4().hex[:8]}"
    ecr(OWNER, REGION).create_repository(repositoryName=name)
    ecr(OWNER, REGION).set_repository_policy(repositoryName=name, policyText=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "ecr:PutImage"}]}))
    host = sandbox.registry(OWNER, REGION).host

    with pytest.raises(push_image.Refused, match="ecr:PutImage .*with an explicit deny in a resource-based policy"):
        push_image(build_image(), host, name, "v1", ecr_password(OWNER))


def test_an_organisation_condition_lets_the_organizations_accounts_pull_and_no_other(
    sandbox, ecr, ecr_password, build_image, push_image, docker_client
):
    """The sandbox's organization holds the spec's environment accounts (docs/sandbox.md); 333333333333 is only
    granted pulls elsewhere in the spec, so it is outside."""
    organization, members = sandbox.organization
    assert OTHER in members and GRANTED not in members
    name = f"sandbox-tests/org-{uuid.uuid4().hex[:8]}"
    ecr(OWNER, REGION).create_repository(repositoryName=name)
    org_policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Org", "Effect": "Allow", "Principal": "*", "Action": PULL,
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": organization}}}]})
    ecr(OWNER, REGION).set_repository_policy(repositoryName=name, policyText=org_policy)
    host = sandbox.registry(OWNER, REGION).host
    digest = push_image(build_image(), host, name, "v1", ecr_password(OWNER))

    found = docker_client.api.inspect_distribution(
        f"{host}/{name}:v1", auth_config={"username": "AWS", "password": ecr_password(OTHER)})
    assert found["Descriptor"]["digest"] == digest
    with pytest.raises(docker.errors.APIError, match="denied"):
        docker_client.api.inspect_distribution(
            f"{host}/{name}:v1", auth_config={"username": "AWS", "password": ecr_password(GRANTED)})


def test_the_token_of_another_account_names_its_own_principal_whatever_registry_it_asks_for(sandbox, ecr):
    data = ecr(OTHER, REGION).get_authorization_token(registryIds=[OWNER])["authorizationData"][0]

    assert base64.b64decode(data["authorizationToken"]).decode().startswith("AWS:")
    assert data["proxyEndpoint"] == f"https://{OWNER}.dkr.ecr.{REGION}.amazonaws.com"


def test_another_account_reads_through_the_ecr_api_only_what_the_policy_grants(shared_image, ecr):
    _, name, digest = shared_image

    found = ecr(GRANTED, REGION).batch_get_image(registryId=OWNER, repositoryName=name,
                                                 imageIds=[{"imageDigest": digest}])["images"]
    assert [i["imageId"]["imageDigest"] for i in found] == [digest]
    with pytest.raises(ecr(OTHER, REGION).exceptions.ClientError, match="AccessDeniedException"):
        ecr(OTHER, REGION).batch_get_image(registryId=OWNER, repositoryName=name, imageIds=[{"imageDigest": digest}])


def test_a_policy_change_decides_the_very_next_registry_request(shared_image, ecr, docker_client, ecr_password):
    """The gateway remembers repositories and policies only while moto's state is unchanged
    (``ecr_sandbox.common.generation``): a grant opens the next request, and removing it closes the one after."""
    host, name, digest = shared_image
    auth = {"username": "AWS", "password": ecr_password(OTHER)}

    def digest_seen() -> str:
        return docker_client.api.inspect_distribution(f"{host}/{name}@{digest}", auth_config=auth)["Descriptor"]["digest"]

    with pytest.raises(docker.errors.APIError, match="denied"):
        digest_seen()
    ecr(OWNER, REGION).set_repository_policy(repositoryName=name, policyText=_policy(f"arn:aws:iam::{OTHER}:root", PULL))
    assert digest_seen() == digest
    ecr(OWNER, REGION).delete_repository_policy(repositoryName=name)
    with pytest.raises(docker.errors.APIError, match="denied"):
        digest_seen()
