"""What ECR has that the project uses or offers (issue 17, point 6 and "Why" bullets 5, 6, 7 and 9), judged by the
AWS CLI, the docker CLI and curl:

- the OCI 1.1 referrers API and ``ListImageReferrers`` (OCI distribution spec 1.1 "Listing Referrers", "Pushing
  Manifests with Subject"; API reference ListImageReferrers);
- ``CREATE_ON_PUSH`` repository creation templates (API reference CreateRepositoryCreationTemplate, RCTAppliedFor);
- pull through cache from another ECR registry (user guide "Creating a pull through cache rule for an Amazon ECR
  upstream"; API reference CreatePullThroughCacheRule: ``upstreamRegistry`` ``ecr``, ``customRoleArn``,
  ``upstreamRepositoryPrefix``);
- ``lastRecordedPullTime`` and ECR's ``ImageDetail`` fields (API reference ImageDetail);
- cross-account replication needs the destination's registry policy (user guide "Granting registry permissions for
  cross account replication in Amazon ECR": "If neither is done, replication fails");
- replication backfill (API reference StartReplicationBackfill, DescribeReplicationBackfillResults), through boto3:
  the pinned AWS CLI v1 carries a botocore without those operations.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from ecr_sandbox import api

ROOT = Path(__file__).resolve().parents[2]
DEV, PROD = "111111111111", "222222222222"
REGION = "us-east-1"


class Cli:
    """The AWS CLI (JSON out) per account, the docker CLI with its own config, curl with the sandbox CA."""

    def __init__(self, sandbox, folder: Path) -> None:  # type: ignore[no-untyped-def]
        self.sandbox, self.folder, self.env = sandbox, folder, api.process_env(sandbox, ROOT)

    def aws(self, account: str, *args: str, region: str = REGION, check: bool = True) -> dict:
        done = subprocess.run([str(ROOT / ".venv/bin/aws"), "--profile", self.sandbox.profile(account), "--region",
                               region, "--output", "json", "ecr", *args], env=self.env, capture_output=True,
                              text=True, timeout=120)
        if check:
            assert done.returncode == 0, done.stderr
        return json.loads(done.stdout or "{}") if done.returncode == 0 else {"error": done.stderr}

    def password(self, account: str, region: str = REGION) -> str:
        done = subprocess.run([str(ROOT / ".venv/bin/aws"), "--profile", self.sandbox.profile(account), "--region",
                               region, "ecr", "get-login-password"], env=self.env, capture_output=True, text=True)
        return done.stdout.strip()

    def docker(self, account: str, *args: str, region: str = REGION) -> subprocess.CompletedProcess[str]:
        config = self.folder / f"docker-{account}-{region}"
        host = self.sandbox.registry(account, region).host
        if not config.exists():
            login = subprocess.run(["docker", "--config", str(config), "login", "-u", "AWS", "--password-stdin", host],
                                   input=self.password(account, region), env=self.env, capture_output=True, text=True)
            assert login.returncode == 0, login.stderr
        return subprocess.run(["docker", "--config", str(config), *args], env=self.env, capture_output=True,
                              text=True, timeout=300)

    def curl(self, account: str, method: str, url: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["curl", "-s", "-X", method, "--cacert", str(self.sandbox.sandbox_dir / "pki/ca.crt"),
                               "-u", f"AWS:{self.password(account)}", *args, url], capture_output=True, text=True,
                              timeout=60)


@pytest.fixture
def cli(sandbox, tmp_path) -> Cli:  # type: ignore[no-untyped-def]
    return Cli(sandbox, tmp_path)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def push(cli: Cli, account: str, name: str, tag: str, image_id: str, region: str = REGION) -> str:
    reference = f"{cli.sandbox.registry(account, region).host}/{name}:{tag}"
    assert cli.docker(account, "tag", image_id, reference, region=region).returncode == 0
    done = cli.docker(account, "push", reference, region=region)
    assert done.returncode == 0, done.stderr
    return done.stdout.split("digest: ", 1)[1].split()[0]


def wait(what: str, check, seconds: float = 20):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, what
        time.sleep(0.2)
    return found


def test_the_referrers_api_and_list_image_referrers_show_an_artifact_attached_to_an_image(cli, build_image):
    name = unique("sandbox-tests/referrers")
    cli.aws(DEV, "create-repository", "--repository-name", name)
    subject = push(cli, DEV, name, "v1", build_image(scratch=True))
    host = cli.sandbox.registry(DEV, REGION).host
    empty = b"{}"
    empty_digest = "sha256:" + hashlib.sha256(empty).hexdigest()
    started = cli.curl(DEV, "POST", f"https://{host}/v2/{name}/blobs/uploads/", "-D", "-", "-o", "/dev/null")
    location = next(line.split(":", 1)[1].strip() for line in started.stdout.splitlines()
                    if line.lower().startswith("location:"))
    separator = "&" if "?" in location else "?"
    assert cli.curl(DEV, "PUT", f"{location}{separator}digest={empty_digest}", "--data-binary", "{}", "-H",
                    "Content-Type: application/octet-stream").returncode == 0
    artifact = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "artifactType": "application/vnd.example.sbom.v1+json",
                           "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty_digest,
                                      "size": 2},
                           "layers": [{"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty_digest,
                                       "size": 2}],
                           "subject": {"mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                                       "digest": subject, "size": 524}})
    artifact_digest = "sha256:" + hashlib.sha256(artifact.encode()).hexdigest()

    put = cli.curl(DEV, "PUT", f"https://{host}/v2/{name}/manifests/{artifact_digest}", "-D", "-", "-o",
                   "/dev/null", "-H", "Content-Type: application/vnd.oci.image.manifest.v1+json", "--data-binary",
                   artifact)
    listed = wait("the referrer never showed in the registry", lambda: json.loads(
        cli.curl(DEV, "GET", f"https://{host}/v2/{name}/referrers/{subject}").stdout)["manifests"])
    api_listed = cli.aws(DEV, "list-image-referrers", "--repository-name", name, "--subject-id",
                         f"imageDigest={subject}")["referrers"]

    assert put.stdout.startswith("HTTP/1.1 201") and f"oci-subject: {subject}" in put.stdout.lower()
    assert [(m["digest"], m["artifactType"]) for m in listed] == [(artifact_digest,
                                                                   "application/vnd.example.sbom.v1+json")]
    assert [(r["digest"], r["artifactStatus"]) for r in api_listed] == [(artifact_digest, "ACTIVE")]
    filtered = cli.curl(DEV, "GET", f"https://{host}/v2/{name}/referrers/{subject}?artifactType=other", "-D", "-")
    assert "oci-filters-applied: artifacttype" in filtered.stdout.lower() and '"manifests": []' in filtered.stdout


def test_a_push_to_a_new_repository_under_a_create_on_push_template_creates_it_with_the_templates_settings(
        cli, build_image):
    prefix = unique("sbx-cop")
    cli.aws(DEV, "create-repository-creation-template", "--prefix", prefix, "--applied-for", "CREATE_ON_PUSH",
            "--image-tag-mutability", "IMMUTABLE")
    try:
        digest = push(cli, DEV, f"{prefix}/app", "v1", build_image(scratch=True))

        repository = cli.aws(DEV, "describe-repositories", "--repository-names", f"{prefix}/app")["repositories"][0]
        assert repository["imageTagMutability"] == "IMMUTABLE"
        assert wait("the push never reached the ECR API", lambda: cli.aws(
            DEV, "describe-images", "--repository-name", f"{prefix}/app")["imageDetails"])[0]["imageDigest"] == digest
    finally:
        cli.aws(DEV, "delete-repository-creation-template", "--prefix", prefix)


def test_a_push_to_a_new_repository_no_create_on_push_template_covers_is_name_unknown(cli, build_image):
    name = unique("sbx-none") + "/app"
    reference = f"{cli.sandbox.registry(DEV, REGION).host}/{name}:v1"
    cli.docker(DEV, "tag", build_image(scratch=True), reference)

    done = cli.docker(DEV, "push", reference)

    assert done.returncode != 0 and f"name unknown: The repository with name '{name}'" in done.stderr


@pytest.fixture
def upstream(cli, build_image):  # type: ignore[no-untyped-def]
    """An upstream repository in DEV whose policy lets PROD's pull through cache role pull; (prefix, name, digest)."""
    prefix = unique("sbx-up")
    name = f"{prefix}/base"
    cli.aws(DEV, "create-repository", "--repository-name", name)
    digest = push(cli, DEV, name, "v1", build_image(scratch=True))
    cli.aws(DEV, "set-repository-policy", "--repository-name", name, "--policy-text", json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                                                "Principal": {"AWS": f"arn:aws:iam::{PROD}:role/sbx-ptc"},
                                                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}))
    return prefix, name, digest


@pytest.fixture
def cache_rule(cli):  # type: ignore[no-untyped-def]
    """Makes ECR-to-ECR pull through cache rules in PROD whose upstream is DEV's ``prefix``, pulling as ``role``;
    deletes them afterwards, so the deployed registry's rules are as the spec made them."""
    made: list[str] = []

    def make(prefix: str, role: str) -> str:
        cache = unique("sbx-cache")
        cli.aws(PROD, "create-pull-through-cache-rule", "--ecr-repository-prefix", cache, "--upstream-registry", "ecr",
                "--upstream-registry-url", cli.sandbox.registry(DEV, REGION).host, "--custom-role-arn",
                f"arn:aws:iam::{PROD}:role/{role}", "--upstream-repository-prefix", prefix)
        made.append(cache)
        return cache

    yield make
    for cache in made:
        cli.aws(PROD, "delete-pull-through-cache-rule", "--ecr-repository-prefix", cache)


def test_a_pull_through_an_ecr_to_ecr_cache_rule_imports_the_upstream_image(cli, upstream, cache_rule):
    prefix, _, digest = upstream
    cache = cache_rule(prefix, role="sbx-ptc")
    reference = f"{cli.sandbox.registry(PROD, REGION).host}/{cache}/base:v1"

    done = cli.docker(PROD, "pull", reference)

    assert done.returncode == 0, done.stderr
    assert f"Digest: {digest}" in done.stdout
    cached = wait("the cached image never reached the ECR API", lambda: cli.aws(
        PROD, "describe-images", "--repository-name", f"{cache}/base")["imageDetails"])
    assert cached[0]["imageDigest"] == digest


def test_a_pull_through_cache_whose_role_the_upstream_does_not_grant_is_denied(cli, upstream, cache_rule):
    prefix, _, _ = upstream
    cache = cache_rule(prefix, role="someone-else")

    done = cli.docker(PROD, "pull", f"{cli.sandbox.registry(PROD, REGION).host}/{cache}/base:v1")

    assert done.returncode != 0 and "is not authorized to perform: ecr:BatchGetImage" in done.stderr


def test_a_docker_pull_is_recorded_as_last_recorded_pull_time_with_ecrs_image_detail_fields(cli, build_image):
    name = unique("sandbox-tests/pulled")
    cli.aws(DEV, "create-repository", "--repository-name", name)
    push(cli, DEV, name, "v1", build_image(scratch=True))
    before = wait("no image", lambda: cli.aws(DEV, "describe-images", "--repository-name", name)["imageDetails"])[0]
    reference = f"{cli.sandbox.registry(DEV, REGION).host}/{name}:v1"
    cli.docker(DEV, "rmi", reference)

    assert cli.docker(DEV, "pull", reference).returncode == 0

    after = wait("the pull was never recorded", lambda: [d for d in cli.aws(
        DEV, "describe-images", "--repository-name", name)["imageDetails"] if "lastRecordedPullTime" in d])[0]
    assert "lastRecordedPullTime" not in before
    assert {"registryId", "repositoryName", "imageDigest", "imageTags", "imageSizeInBytes", "imagePushedAt",
            "imageManifestMediaType", "artifactMediaType", "imageStatus", "lastRecordedPullTime"} <= set(after)
    assert after["imageStatus"] == "ACTIVE"


@pytest.fixture
def replication_to_prod(cli):  # type: ignore[no-untyped-def]
    """DEV us-east-1 replicating ``sbx-repl-*`` to PROD us-east-1 (another account); the deployed configuration and
    PROD's registry policy are put back afterwards."""
    saved = cli.aws(DEV, "describe-registry").get("replicationConfiguration") or {"rules": []}
    policy = cli.aws(PROD, "get-registry-policy", check=False).get("policyText")
    prefix = unique("sbx-repl")
    rules = [*saved.get("rules", []), {"destinations": [{"region": REGION, "registryId": PROD}],
                                        "repositoryFilters": [{"filter": prefix, "filterType": "PREFIX_MATCH"}]}]
    cli.aws(DEV, "put-replication-configuration", "--replication-configuration", json.dumps({"rules": rules}))
    if policy:
        cli.aws(PROD, "delete-registry-policy")
    yield prefix
    cli.aws(DEV, "put-replication-configuration", "--replication-configuration", json.dumps(saved))
    if policy:
        cli.aws(PROD, "put-registry-policy", "--policy-text", policy)
    else:
        cli.aws(PROD, "delete-registry-policy", check=False)


def grant_replication(cli: Cli) -> None:
    cli.aws(PROD, "put-registry-policy", "--policy-text", json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "ReplicationAccessCrossAccount", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEV}:root"},
        "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"],
        "Resource": f"arn:aws:ecr:{REGION}:{PROD}:repository/*"}]}))


def replication_status(cli: Cli, name: str, digest: str) -> dict:
    return cli.aws(DEV, "describe-image-replication-status", "--repository-name", name, "--image-id",
                   f"imageDigest={digest}")["replicationStatuses"][-1]


def test_replication_to_another_account_fails_unless_its_registry_policy_grants_it(cli, build_image,
                                                                                   replication_to_prod):
    name = f"{replication_to_prod}/app"
    cli.aws(DEV, "create-repository", "--repository-name", name)

    refused = push(cli, DEV, name, "v1", build_image(scratch=True))
    failed = wait("no FAILED status", lambda: (s := replication_status(cli, name, refused))["status"] == "FAILED"
                  and s)
    grant_replication(cli)
    granted = push(cli, DEV, name, "v2", build_image(scratch=True))
    complete = wait("no COMPLETE status", lambda: (s := replication_status(cli, name, granted))["status"] ==
                    "COMPLETE" and s)

    assert failed == {"region": REGION, "registryId": PROD, "status": "FAILED",
                      "failureCode": "REPLICATION_ACCESS_DENIED"}
    assert complete["registryId"] == PROD
    assert [d["imageDigest"] for d in cli.aws(PROD, "describe-images", "--repository-name", name)[
        "imageDetails"]] == [granted]


def test_a_backfill_replicates_images_pushed_before_the_rule(cli, ecr, build_image, replication_to_prod):
    """The pinned AWS CLI (v1, its own botocore 1.43) has no backfill commands yet: the calls go through boto3 (the
    AWS SDK, botocore 1.44), the images through the docker CLI."""
    name = f"{replication_to_prod}/old"
    cli.aws(DEV, "create-repository", "--repository-name", name)
    saved = cli.aws(DEV, "describe-registry")["replicationConfiguration"]
    cli.aws(DEV, "put-replication-configuration", "--replication-configuration",
            json.dumps({"rules": saved["rules"][:-1]}))  # the image goes up before the rule exists
    digest = push(cli, DEV, name, "v1", build_image(scratch=True))
    cli.aws(DEV, "put-replication-configuration", "--replication-configuration", json.dumps(saved))
    grant_replication(cli)
    source = ecr(DEV, REGION)

    started = source.start_replication_backfill(destination={"region": REGION, "registryId": PROD})
    done = wait("the backfill never ended", lambda: (r := source.describe_replication_backfill_results(
        replicationBackfillId=started["replicationBackfillId"]))["status"] == "COMPLETE" and r, seconds=60)

    assert started["status"] in ("PREPARING", "IN_PROGRESS")
    mine = [r for r in done["results"] if r["repositoryName"] == name]
    assert mine == [{"repositoryName": name, "imageId": {"imageDigest": digest, "imageTag": "v1"},
                     "status": "COMPLETE"}]
    assert wait("the backfilled image never arrived", lambda: cli.aws(
        PROD, "describe-images", "--repository-name", name, check=False).get("imageDetails"))[0]["imageDigest"] == digest
