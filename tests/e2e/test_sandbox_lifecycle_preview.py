"""ECR's lifecycle policy preview API in the sandbox, with the AWS CLI (`.venv/bin/aws`).

API reference: "StartLifecyclePolicyPreview", "GetLifecyclePolicyPreview" (status IN_PROGRESS then
COMPLETE, previewResults with action.type and appliedRulePriority, summary.expiringImageTotalCount)."""
from __future__ import annotations

import time
import json
import subprocess
import uuid
from pathlib import Path

from ecr_sandbox import api

ROOT = Path(__file__).resolve().parents[2]
KEEP_ONE = {"rules": [{"rulePriority": 1, "description": "keep the newest image",
                       "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
                       "action": {"type": "expire"}}]}


def _wait_for_images(client, name: str, count: int) -> None:  # type: ignore[no-untyped-def]
    """The registry tells moto of a push just after answering it (docs/sandbox.md, "Push bridge")."""
    deadline = time.monotonic() + 10
    while len(client.describe_images(repositoryName=name)["imageDetails"]) < count:
        assert time.monotonic() < deadline, "the pushes never reached the ECR API"
        time.sleep(0.1)


def _aws(sandbox, account: str, *args: str) -> dict:  # type: ignore[no-untyped-def]
    done = subprocess.run([str(ROOT / ".venv/bin/aws"), "--profile", sandbox.profile(account), "--output", "json",
                           "ecr", *args], env=api.process_env(sandbox, ROOT), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout or "{}")


def test_the_aws_cli_starts_and_reads_a_lifecycle_policy_preview(sandbox, ecr, ecr_password, build_image,
                                                                 push_image):  # type: ignore[no-untyped-def]
    registry = sandbox.registries[0]
    client = ecr(registry.account, registry.region)
    name = f"sandbox-tests/preview-{uuid.uuid4().hex[:8]}"
    client.create_repository(repositoryName=name)
    for tag in ("old", "new"):
        push_image(build_image(scratch=True), registry.host, name, tag, ecr_password(registry.account,
                                                                                     registry.region))
    _wait_for_images(client, name, 2)

    started = _aws(sandbox, registry.account, "start-lifecycle-policy-preview", "--region", registry.region,
                   "--repository-name", name, "--lifecycle-policy-text", json.dumps(KEEP_ONE))
    got = _aws(sandbox, registry.account, "get-lifecycle-policy-preview", "--region", registry.region,
               "--repository-name", name)

    assert started["status"] == "IN_PROGRESS" and got["status"] == "COMPLETE"
    assert got["summary"]["expiringImageTotalCount"] == 1
    [result] = got["previewResults"]
    assert result["action"]["type"] == "EXPIRE" and result["appliedRulePriority"] == 1
    assert result["imageTags"] in (["old"], ["new"])


def test_the_aws_cli_gets_preview_not_found_before_a_start_and_pages_the_results(sandbox, ecr, ecr_password,
                                                                                build_image, push_image):  # type: ignore[no-untyped-def]
    """GetLifecyclePolicyPreview before any StartLifecyclePolicyPreview: LifecyclePolicyPreviewNotFoundException;
    ``--max-results`` / ``--next-token`` page the results (API reference GetLifecyclePolicyPreview)."""
    registry = sandbox.registries[0]
    client = ecr(registry.account, registry.region)
    name = f"sandbox-tests/preview-{uuid.uuid4().hex[:8]}"
    client.create_repository(repositoryName=name)
    before = subprocess.run([str(ROOT / ".venv/bin/aws"), "--profile", sandbox.profile(registry.account), "--region",
                             registry.region, "ecr", "get-lifecycle-policy-preview", "--repository-name", name],
                            env=api.process_env(sandbox, ROOT), capture_output=True, text=True, timeout=120)
    for tag in ("a", "b", "c"):
        push_image(build_image(scratch=True), registry.host, name, tag, ecr_password(registry.account,
                                                                                     registry.region))
    _wait_for_images(client, name, 3)
    _aws(sandbox, registry.account, "start-lifecycle-policy-preview", "--region", registry.region,
         "--repository-name", name, "--lifecycle-policy-text", json.dumps(KEEP_ONE))

    first = _aws(sandbox, registry.account, "get-lifecycle-policy-preview", "--region", registry.region,
                 "--repository-name", name, "--max-results", "1", "--no-paginate")
    second = _aws(sandbox, registry.account, "get-lifecycle-policy-preview", "--region", registry.region,
                  "--repository-name", name, "--max-results", "1", "--no-paginate", "--next-token",
                  first["nextToken"])

    assert before.returncode != 0 and "(LifecyclePolicyPreviewNotFoundException)" in before.stderr
    assert len(first["previewResults"]) == len(second["previewResults"]) == 1
    assert first["previewResults"][0]["imageDigest"] != second["previewResults"][0]["imageDigest"]
