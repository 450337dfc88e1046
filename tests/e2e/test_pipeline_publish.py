"""image-pipeline publish/pull end to end: the real Docker engine, the sandbox's registries and moto, no mocks.

Each test builds its own image (unique content) and uses its own tags, so tests do not see each other."""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from .registry_checks import registry_digest

ROOT = Path(__file__).resolve().parents[2]
REPO = "docker-in-aws/todobackend"


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "image_pipeline", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})}, check=False)


def make_context(tmp_path: Path, base_image: str, extra: str = "", megabytes: int = 0) -> Path:
    """A build context FROM the sandbox base image with unique content (so the image is new)."""
    context = tmp_path / f"context-{uuid.uuid4().hex[:8]}"
    context.mkdir()
    lines = [f"FROM {base_image}", f"RUN echo {uuid.uuid4().hex} > /id"]
    if megabytes:
        (context / "blob").write_bytes(os.urandom(megabytes * 1024 * 1024))
        lines.append("COPY blob /blob")
    (context / "Dockerfile").write_text("\n".join(lines + [extra]) + "\n")
    return context


def unique_tag() -> str:
    return "t-" + uuid.uuid4().hex[:10]


def publish_json(context: Path, *tags: str, extra: tuple[str, ...] = ()) -> tuple[subprocess.CompletedProcess[str], dict]:
    args = ["publish", REPO, "--context", str(context), "--json", *extra]
    for tag in tags:
        args += ["--tag", tag]
    done = run_cli(*args)
    return done, json.loads(done.stdout) if done.stdout.strip() else {}


def error_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("error: ")]


def assert_one_clear_failure(done: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    errors = error_lines(done)
    assert errors, done.stderr
    assert any(all(f in line for f in fragments) for line in errors), errors


@pytest.fixture(scope="module")
def deployed(deployed_sandbox):  # type: ignore[no-untyped-def]
    return deployed_sandbox


def test_publish_then_an_independent_pull_by_digest_from_another_account_returns_the_image(deployed, tmp_path,
                                                                                            ecr, docker_client):
    tag = unique_tag()
    done, document = publish_json(make_context(tmp_path, deployed.base_image), tag)

    assert done.returncode == 0, done.stderr
    rows = document["destinations"]
    assert {(r["account"], r["region"]) for r in rows} == {("111111111111", "us-east-1"),
                                                          ("222222222222", "us-east-1"),
                                                          ("222222222222", "eu-west-1")}
    assert {r["status"] for r in rows} == {"pushed"} and all(r["error"] is None for r in rows)
    prod = next(r for r in rows if r["account"] == "222222222222" and r["region"] == "us-east-1")

    # Independent check: the docker CLI, a fresh config, account 333333333333's own token, pull by digest.
    data = ecr("333333333333", "us-east-1").get_authorization_token()["authorizationData"][0]
    password = base64.b64decode(data["authorizationToken"]).decode().split(":", 1)[1]
    host = prod["repository_uri"].split("/", 1)[0]
    config = tmp_path / "docker-config"
    env = {**os.environ, "DOCKER_CONFIG": str(config)}
    login = subprocess.run(["docker", "login", "--username", "AWS", "--password-stdin", host], input=password,
                           capture_output=True, text=True, env=env, check=False)
    assert login.returncode == 0, login.stderr
    image_id = docker_client.api.inspect_image(f"{prod['repository_uri']}:{tag}")["Id"]
    docker_client.api.remove_image(image_id, force=True)
    reference = f"{prod['repository_uri']}@{prod['digest']}"
    pulled = subprocess.run(["docker", "pull", reference], capture_output=True, text=True, env=env, check=False)

    assert pulled.returncode == 0, pulled.stderr
    assert f"Digest: {prod['digest']}" in pulled.stdout
    assert reference in docker_client.api.inspect_image(reference)["RepoDigests"]
    assert docker_client.api.inspect_image(reference)["Id"] == image_id


def test_every_destination_reports_the_same_digest_as_describe_images(deployed, tmp_path, ecr):
    tag = unique_tag()
    done, document = publish_json(make_context(tmp_path, deployed.base_image), tag)

    assert done.returncode == 0, done.stderr
    for row in document["destinations"]:
        client = ecr(row["account"], row["region"])
        for _ in range(50):  # the sandbox mirrors pushes into moto asynchronously
            found = client.describe_images(repositoryName=REPO, filter={"tagStatus": "TAGGED"})["imageDetails"]
            if any(tag in (i.get("imageTags") or []) for i in found):
                break
            time.sleep(0.1)
        assert [i["imageDigest"] for i in found if tag in (i.get("imageTags") or [])] == [row["digest"]]


def test_republishing_an_unchanged_image_reports_unchanged_for_every_destination(deployed, tmp_path):
    context, tag = make_context(tmp_path, deployed.base_image), unique_tag()
    first, before = publish_json(context, tag, "latest")
    assert first.returncode == 0, first.stderr

    again, after = publish_json(context, tag, "latest")

    assert again.returncode == 0, again.stderr
    assert {r["status"] for r in after["destinations"]} == {"unchanged"}
    assert [r["digest"] for r in after["destinations"]] == [r["digest"] for r in before["destinations"]]


def test_dry_run_shows_destinations_and_tags_without_building(deployed, tmp_path, docker_client):
    context = make_context(tmp_path, deployed.base_image, extra="RUN exit 3")
    images_before = len(docker_client.api.images(all=True))

    done, document = publish_json(context, "would-be", extra=("--dry-run",))

    assert done.returncode == 0, done.stderr
    assert {r["status"] for r in document["destinations"]} == {"planned"}
    assert all(r["repository_uri"].endswith("/" + REPO) and r["tags"] == ["would-be"]
               for r in document["destinations"])
    assert len(docker_client.api.images(all=True)) == images_before


def test_env_limits_the_destinations(deployed, tmp_path):
    done, document = publish_json(make_context(tmp_path, deployed.base_image), unique_tag(),
                                  extra=("--env", "dev"))

    assert done.returncode == 0, done.stderr
    assert [(r["environment"], r["region"]) for r in document["destinations"]] == [("dev", "us-east-1")]


def test_an_immutable_tag_at_another_digest_is_a_clear_error_naming_tag_repository_and_digests(deployed, tmp_path):
    tag = unique_tag()
    first, published = publish_json(make_context(tmp_path, deployed.base_image), tag, extra=("--env", "dev"))
    assert first.returncode == 0, first.stderr

    clash, document = publish_json(make_context(tmp_path, deployed.base_image), tag, extra=("--env", "dev"))

    existing = published["destinations"][0]["digest"]
    assert_one_clear_failure(clash, f"tag '{tag}'", f"immutable repository {published['destinations'][0]['repository_uri']}",
                             existing, "this image is sha256:")
    assert document["destinations"][0]["status"] == "failed"


def wait_for_tag(client, tag: str) -> str:  # type: ignore[no-untyped-def]
    """The sandbox mirrors registry pushes into moto asynchronously; wait until ECR's API shows ``tag``."""
    for _ in range(100):
        found = client.describe_images(repositoryName=REPO, filter={"tagStatus": "TAGGED"})["imageDetails"]
        digests = [i["imageDigest"] for i in found if tag in (i.get("imageTags") or [])]
        if digests:
            return str(digests[0])
        time.sleep(0.1)
    raise AssertionError(f"{tag} never appeared in describe_images")


def test_an_immutable_tag_conflict_in_one_destination_leaves_every_destination_as_it_was(
        deployed, tmp_path, ecr, ecr_password, build_image, push_image, docker_client):
    """ECR user guide, "Image tag mutability": with immutable tags, pushing a tag that is already in the
    repository fails (ImageTagAlreadyExistsException). Pre-flight sees it before anything is pushed."""
    tag = unique_tag()
    eu_host = "222222222222.dkr.ecr.eu-west-1.amazonaws.com"
    other = push_image(build_image(), eu_host, REPO, tag, ecr_password("222222222222", "eu-west-1"))
    assert wait_for_tag(ecr("222222222222", "eu-west-1"), tag) == other

    done, document = publish_json(make_context(tmp_path, deployed.base_image), tag)

    assert_one_clear_failure(done, f"tag '{tag}'", f"immutable repository {eu_host}/{REPO}", other)
    assert len(error_lines(done)) == 1
    rows = {(r["account"], r["region"]): r for r in document["destinations"]}
    assert {k: r["status"] for k, r in rows.items()} == {("111111111111", "us-east-1"): "skipped",
                                                        ("222222222222", "us-east-1"): "skipped",
                                                        ("222222222222", "eu-west-1"): "failed"}
    assert all(r["moved"] == [] and r["digest"] is None for r in rows.values())
    # Independent checks, in the registries themselves: the tag is still absent where it was, and still at
    # the other image where it was there.
    for (account, region), row in rows.items():
        uri = f"{account}.dkr.ecr.{region}.amazonaws.com/{REPO}"
        expected = other if region == "eu-west-1" and account == "222222222222" else None
        assert registry_digest(docker_client, uri, tag, ecr_password(account, region)) == expected, uri


def test_allow_partial_publishes_where_it_can_and_reports_the_conflict(deployed, tmp_path, ecr, ecr_password,
                                                                      build_image, push_image, docker_client):
    tag = unique_tag()
    eu_host = "222222222222.dkr.ecr.eu-west-1.amazonaws.com"
    other = push_image(build_image(), eu_host, REPO, tag, ecr_password("222222222222", "eu-west-1"))
    wait_for_tag(ecr("222222222222", "eu-west-1"), tag)

    done, document = publish_json(make_context(tmp_path, deployed.base_image), tag, extra=("--allow-partial",))

    assert_one_clear_failure(done, f"tag '{tag}'", f"immutable repository {eu_host}/{REPO}")
    rows = {(r["account"], r["region"]): r for r in document["destinations"]}
    assert rows[("222222222222", "eu-west-1")]["status"] == "failed"
    for key in (("111111111111", "us-east-1"), ("222222222222", "us-east-1")):
        row = rows[key]
        assert row["status"] == "pushed" and row["moved"] == [tag]
        assert registry_digest(docker_client, row["repository_uri"], tag, ecr_password(*key)) == row["digest"]
    assert registry_digest(docker_client, f"{eu_host}/{REPO}", tag, ecr_password("222222222222", "eu-west-1")) == other


def test_a_build_failure_is_one_clear_line_and_nothing_is_reported_as_pushed(deployed, tmp_path):
    context = make_context(tmp_path, deployed.base_image, extra="RUN echo broken && exit 7")

    done, document = publish_json(context, unique_tag())

    assert_one_clear_failure(done, "build failed", "returned a non-zero code: 7")
    assert len(error_lines(done)) == 1
    assert {r["status"] for r in document["destinations"]} == {"failed"}
    assert all(r["digest"] is None for r in document["destinations"])


def test_a_repository_that_is_not_deployed_is_a_clear_error_naming_repository_account_and_region(deployed, tmp_path):
    spec = json.loads((ROOT / "cdk.json").read_text())["context"]["ecr"]
    spec["repositories"].append({"name": "team/never-deployed", "environments": ["dev"]})
    override = tmp_path / "spec.json"
    override.write_text(json.dumps(spec))

    done = run_cli("--spec", str(override), "publish", "team/never-deployed", "--context",
                   str(make_context(tmp_path, deployed.base_image)), "--tag", unique_tag())

    assert_one_clear_failure(done, "repository 'team/never-deployed' is not deployed in account 111111111111 "
                                   "region us-east-1")


def test_a_wrong_registry_password_fails_and_is_never_reported_as_success(deployed, tmp_path):
    from datetime import datetime, timedelta, timezone

    from image_pipeline.commands import runtime
    from image_pipeline.ecr import tokens as auth
    from image_pipeline.cli.progress import PlainProgress
    from image_pipeline.commands.publish import publish
    from image_pipeline.commands.settings import (BuildSettings, CredentialSettings, PublishSettings, RetryPolicy,
                                         SpecSource)
    import io

    credentials = CredentialSettings(profile_template=os.environ.get("IMAGE_PIPELINE_PROFILE_TEMPLATE"))
    real = runtime.create(SpecSource(ROOT / "cdk.json"), credentials, PlainProgress(io.StringIO()))
    now = datetime.now(timezone.utc)
    real.tokens = auth.TokenCache(lambda key: auth.Token("AWS", "not-the-password", "", now + timedelta(hours=1), now))
    settings = PublishSettings(repository=REPO, build=BuildSettings(make_context(tmp_path, deployed.base_image)),
                               environments=("dev",), tags=(unique_tag(),),
                               retry=RetryPolicy(attempts=2, first_delay=0.1))

    result = publish(settings, real)

    assert not result.ok
    (row,) = result.destinations
    assert row.status == "failed" and row.digest is None
    assert "unauthorized" in row.error.lower() or "authentication required" in row.error.lower()
    assert "not-the-password" not in row.error


def test_an_unreachable_registry_is_one_clear_line_and_a_failure(deployed, tmp_path):
    from ecr_sandbox import api
    from ecr_sandbox.api import Paths
    from ecr_sandbox.control import registry_process

    host = deployed.registry("222222222222", "eu-west-1").host
    registry_process.stop(Paths(deployed.sandbox_dir), host)
    try:
        done, document = publish_json(make_context(tmp_path, deployed.base_image), unique_tag())
    finally:
        api.ensure_up(cdk_json=ROOT / "cdk.json", paths=Paths(deployed.sandbox_dir))

    assert_one_clear_failure(done, host)
    statuses = {(r["region"], r["account"]): r["status"] for r in document["destinations"]}
    assert statuses[("eu-west-1", "222222222222")] == "failed"
    assert statuses[("us-east-1", "111111111111")] == "pushed"


def test_pull_checks_the_digest_against_the_registry_with_another_accounts_credentials(deployed, tmp_path):
    tag = unique_tag()
    done, document = publish_json(make_context(tmp_path, deployed.base_image), tag, extra=("--env", "prod"))
    assert done.returncode == 0, done.stderr
    digest = document["destinations"][0]["digest"]

    pulled = run_cli("pull", f"{REPO}:{tag}", "--env", "prod", "--region", "eu-west-1",
                     "--profile", deployed.profile("333333333333"))

    assert pulled.returncode == 0, pulled.stderr
    assert digest in pulled.stdout and "matches the registry" in pulled.stdout


def test_pulling_a_tag_that_does_not_exist_is_a_clear_error(deployed):
    done = run_cli("pull", f"{REPO}:no-such-tag-{uuid.uuid4().hex[:6]}", "--env", "dev")

    assert_one_clear_failure(done, "no-such-tag", "is not in the registry")
