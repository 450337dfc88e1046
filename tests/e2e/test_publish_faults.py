"""``image-pipeline publish`` under injected faults: the real engine, the sandbox's registries behind its TLS
front, moto; the faults come from the sandbox's fault injection (``ecr_sandbox.api.inject_fault``, see
docs/sandbox-faults.md).

For each fault: publish's report and exit code, and an independent check in the registries themselves (the
engine's ``inspect_distribution``, i.e. the registry's own answer for URI:TAG) and in ECR's API
(``describe_images``) that nothing reported ``pushed`` is missing and nothing reported ``failed`` moved half-way.
Each test prints one line ``FAULT | outcome | seconds`` (run with ``-s``) for the closing note's table; no
test asserts a time."""
from __future__ import annotations

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
DEV = ("111111111111", "us-east-1")


@pytest.fixture(scope="module")
def faults(deployed_sandbox):  # type: ignore[no-untyped-def]
    """The sandbox's fault API (``inject_fault``, ``clear_faults``), from the sandbox's fault proxy."""
    from ecr_sandbox import api
    from ecr_sandbox.api import Paths

    paths = Paths(deployed_sandbox.sandbox_dir)

    class Faults:
        def inject(self, target: str, kind: str, **options: object) -> None:
            api.inject_fault(target, kind, paths=paths, **options)

        def clear(self) -> None:
            api.clear_faults(paths)

    armed = Faults()
    yield armed
    armed.clear()


@pytest.fixture(autouse=True)
def disarm(faults):  # type: ignore[no-untyped-def]
    yield
    faults.clear()


def host(account: str, region: str) -> str:
    return f"{account}.dkr.ecr.{region}.amazonaws.com"


def make_context(tmp_path: Path, base_image: str, megabytes: int = 8) -> Path:
    context = tmp_path / f"context-{uuid.uuid4().hex[:8]}"
    context.mkdir()
    (context / "blob").write_bytes(os.urandom(megabytes * 1024 * 1024))
    (context / "Dockerfile").write_text(f"FROM {base_image}\nRUN echo {uuid.uuid4().hex} > /id\nCOPY blob /blob\n")
    return context


def publish(context: Path, tag: str, *extra: str) -> tuple[subprocess.CompletedProcess[str], dict, float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "image_pipeline", "publish", REPO, "--context", str(context),
                           "--tag", tag, "--json", *extra], cwd=ROOT, capture_output=True, text=True, timeout=900,
                          check=False)
    seconds = time.monotonic() - started
    assert "Traceback" not in done.stderr, done.stderr
    return done, (json.loads(done.stdout) if done.stdout.strip() else {}), seconds


def ecr_digest(client, tag: str, expected: str | None) -> str | None:  # type: ignore[no-untyped-def]
    """ECR's API view of ``tag`` (the sandbox mirrors pushes into moto asynchronously: waits a moment for
    ``expected``)."""
    digests: list[str] = []
    for _ in range(50):
        found = client.describe_images(repositoryName=REPO, filter={"tagStatus": "TAGGED"})["imageDetails"]
        digests = [i["imageDigest"] for i in found if tag in (i.get("imageTags") or [])]
        if (digests[0] if digests else None) == expected:
            break
        time.sleep(0.1)
    return digests[0] if digests else None


def assert_consistent(document: dict, tag: str, docker_client, ecr, ecr_password) -> None:  # type: ignore[no-untyped-def]
    """Nothing reported pushed is missing; nothing reported failed moved (except the tags it names)."""
    for row in document["destinations"]:
        held = registry_digest(docker_client, row["repository_uri"], tag, ecr_password(row["account"], row["region"]))
        if row["status"] in ("pushed", "unchanged") or tag in row["moved"]:
            assert held == row["digest"], row
            assert ecr_digest(ecr(row["account"], row["region"]), tag, row["digest"]) == row["digest"], row
        else:
            assert held is None, row


def report(fault: str, done: subprocess.CompletedProcess[str], document: dict, seconds: float) -> None:
    outcome = ", ".join(f"{r['region']}:{r['status']}" for r in document.get("destinations", []))
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    retried = [line for line in done.stderr.splitlines() if "retrying in" in line]
    retries = len(retried)
    if retried:
        print(f"\nFIRST RETRY | {retried[0][:300]}")
    print(f"\nFAULT | {fault} | exit {done.returncode}: {outcome} | {retries} retries | {seconds:.1f} s | "
          f"{errors[0] if errors else ''}")


def test_a_5xx_on_blob_upload_is_retried_and_the_publish_succeeds(deployed_sandbox, faults, tmp_path,
                                                                  docker_client, ecr, ecr_password):
    tag = "f-" + uuid.uuid4().hex[:10]
    faults.inject(host(*DEV), "blob-5xx", count=1, status=503)

    done, document, seconds = publish(make_context(tmp_path, deployed_sandbox.base_image), tag, "--env", "dev")

    report("503 on a blob upload", done, document, seconds)
    assert done.returncode == 0, done.stderr
    assert [r["status"] for r in document["destinations"]] == ["pushed"]
    assert_consistent(document, tag, docker_client, ecr, ecr_password)


def test_a_connection_reset_mid_blob_is_retried_and_the_publish_succeeds(deployed_sandbox, faults, tmp_path,
                                                                         docker_client, ecr, ecr_password):
    tag = "f-" + uuid.uuid4().hex[:10]
    faults.inject(host(*DEV), "reset", count=1)

    done, document, seconds = publish(make_context(tmp_path, deployed_sandbox.base_image), tag, "--env", "dev")

    report("connection reset mid-blob", done, document, seconds)
    assert done.returncode == 0, done.stderr
    assert_consistent(document, tag, docker_client, ecr, ecr_password)


def test_a_stalled_registry_fails_its_destination_at_the_timeout_and_moves_nothing(deployed_sandbox, faults,
                                                                                   tmp_path, docker_client, ecr,
                                                                                   ecr_password):
    tag = "f-" + uuid.uuid4().hex[:10]
    faults.inject(host(*DEV), "stall", count=20, seconds=300)

    done, document, seconds = publish(make_context(tmp_path, deployed_sandbox.base_image), tag, "--env", "dev",
                                      "--timeout", "20")

    report("registry stalls every blob upload (--timeout 20)", done, document, seconds)
    (row,) = document["destinations"]
    assert done.returncode == 1 and row["status"] == "failed" and row["moved"] == []
    faults.clear()
    assert_consistent(document, tag, docker_client, ecr, ecr_password)


def test_throttling_from_the_ecr_api_is_retried_and_the_publish_succeeds(deployed_sandbox, faults, tmp_path,
                                                                         docker_client, ecr, ecr_password):
    tag = "f-" + uuid.uuid4().hex[:10]
    faults.inject("api", "throttle", count=6, operation="BatchGetImage")

    done, document, seconds = publish(make_context(tmp_path, deployed_sandbox.base_image), tag)

    report("429 ThrottlingException from BatchGetImage x6", done, document, seconds)
    assert done.returncode == 0, done.stderr
    assert {r["status"] for r in document["destinations"]} == {"pushed"}
    assert_consistent(document, tag, docker_client, ecr, ecr_password)


def test_a_token_that_expires_mid_push_ends_in_success_or_one_clear_failure_never_half_moved(
        deployed_sandbox, faults, tmp_path, docker_client, ecr, ecr_password):
    tag = "f-" + uuid.uuid4().hex[:10]
    faults.inject(host(*DEV), "token-expiry", count=3)

    done, document, seconds = publish(make_context(tmp_path, deployed_sandbox.base_image), tag, "--env", "dev")

    report("registry token expires after the first blob", done, document, seconds)
    assert done.returncode == 0, done.stderr
    assert [r["status"] for r in document["destinations"]] == ["pushed"]
    assert_consistent(document, tag, docker_client, ecr, ecr_password)


def test_a_registry_killed_mid_push_fails_that_destination_only_and_moves_nothing_there(
        deployed_sandbox, faults, tmp_path, docker_client, ecr, ecr_password):
    from ecr_sandbox import api
    from ecr_sandbox.api import Paths
    from ecr_sandbox.control import registry_process

    tag = "f-" + uuid.uuid4().hex[:10]
    victim = host(*DEV)
    paths = Paths(deployed_sandbox.sandbox_dir)
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "image_pipeline", "publish", REPO, "--context",
                                str(make_context(tmp_path, deployed_sandbox.base_image, megabytes=120)), "--env", "dev",
                                "--tag", tag, "--json"], cwd=ROOT, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if "[dev/us-east-1] pushing" in line:
                break
        time.sleep(0.3)
        registry_process.stop(paths, victim)
        stdout, stderr = process.communicate(timeout=600)
    finally:
        api.ensure_up(cdk_json=ROOT / "cdk.json", paths=paths)
    seconds = time.monotonic() - started
    document = json.loads(stdout)

    report("registry killed mid-push", subprocess.CompletedProcess([], process.returncode, stdout, stderr), document,
           seconds)
    (row,) = document["destinations"]
    assert process.returncode == 1 and row["status"] == "failed" and "Traceback" not in stderr
    assert_consistent(document, tag, docker_client, ecr, ecr_password)


def test_a_token_that_expires_mid_upload_in_every_registry_is_renewed_and_every_destination_is_pushed(
        deployed_sandbox, faults, tmp_path, docker_client, ecr, ecr_password):
    tag = "f-" + uuid.uuid4().hex[:10]
    for registry in deployed_sandbox.registries:
        faults.inject(registry.host, "token-expiry", count=3)

    done, document, seconds = publish(make_context(tmp_path, deployed_sandbox.base_image), tag)

    report("token expires after the first blob, in all three registries", done, document, seconds)
    assert done.returncode == 0, done.stderr
    assert [r["status"] for r in document["destinations"]] == ["pushed", "pushed", "pushed"]
    assert_consistent(document, tag, docker_client, ecr, ecr_password)


def test_a_reset_in_one_registry_is_retried_and_every_destination_is_pushed(
        deployed_sandbox, faults, tmp_path, docker_client, ecr, ecr_password):
    tag = "f-" + uuid.uuid4().hex[:10]
    faults.inject(host(*DEV), "reset", count=1)

    done, document, seconds = publish(make_context(tmp_path, deployed_sandbox.base_image, megabytes=24), tag)

    report("connection reset mid-part in one of three registries", done, document, seconds)
    assert done.returncode == 0, done.stderr
    assert [r["status"] for r in document["destinations"]] == ["pushed", "pushed", "pushed"]
    assert "[dev/us-east-1] layer" in done.stderr and "retrying" in done.stderr
    assert_consistent(document, tag, docker_client, ecr, ecr_password)


def test_a_tampered_manifest_from_the_registry_that_holds_the_image_never_gets_a_tag(
        deployed_sandbox, faults, tmp_path, docker_client, ecr, ecr_password):
    tag = "f-" + uuid.uuid4().hex[:10]
    context = make_context(tmp_path, deployed_sandbox.base_image)
    first, _, _ = publish(context, tag, "--env", "dev")  # dev holds the image: the others copy from it
    assert first.returncode == 0, first.stderr
    faults.inject(host(*DEV), "tamper", count=5)

    done, document, seconds = publish(context, tag)

    report("the source registry serves a tampered manifest", done, document, seconds)
    rows = {r["region"] + "/" + r["account"]: r for r in document["destinations"]}
    assert done.returncode == 1 and rows["us-east-1/111111111111"]["status"] == "unchanged"
    for key in ("us-east-1/222222222222", "eu-west-1/222222222222"):
        assert rows[key]["status"] == "failed" and "refusing them" in rows[key]["error"], rows[key]
    faults.clear()


def test_a_publish_outliving_its_ecr_token_renews_it_and_pushes(
        deployed_sandbox, faults, tmp_path, docker_client, ecr, ecr_password):
    """A real expiry, not an injected one: the sandbox hands out tokens that live 4 seconds (``set_token_lifetime``,
    ECR's 12 hours shortened) and the first blob upload stalls 6 seconds, so the token the push started with has
    expired when the next request goes out; the registry answers as ECR answers an expired token (HTTP 403
    ``denied: Your authorization token has expired``). The registry client (``image_pipeline.oci.client``) asks
    for a fresh token once and sends the request again, so the push ends as if nothing happened."""
    from ecr_sandbox import api

    tag = "f-" + uuid.uuid4().hex[:10]
    paths = api.Paths(deployed_sandbox.sandbox_dir)
    api.set_token_lifetime(4, paths=paths)
    faults.inject(host(*DEV), "stall", seconds=6)
    try:
        done, document, seconds = publish(make_context(tmp_path, deployed_sandbox.base_image), tag, "--env", "dev")
    finally:
        api.set_token_lifetime(None, paths=paths)

    report("registry token outlived (4 s tokens, first blob stalls 6 s)", done, document, seconds)
    assert done.returncode == 0, done.stderr
    assert [r["status"] for r in document["destinations"]] == ["pushed"]
    assert_consistent(document, tag, docker_client, ecr, ecr_password)
