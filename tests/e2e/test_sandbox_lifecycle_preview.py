"""ECR's lifecycle policy preview API in the sandbox, with the AWS CLI (`.venv/bin/aws`).

API reference: "StartLifecyclePolicyPreview", "GetLifecyclePolicyPreview" (status IN_PROGRESS then
COMPLETE, previewResults with action.type and appliedRulePriority, summary.expiringImageTotalCount)."""
from __future__ import annotations

import hashlib
import json
import subprocess
import uuid
from pathlib import Path

from ecr_sandbox import api

ROOT = Path(__file__).resolve().parents[2]
KEEP_ONE = {"rules": [{"rulePriority": 1, "description": "keep the newest image",
                       "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
                       "action": {"type": "expire"}}]}


def _aws(sandbox, account: str, *args: str) -> dict:  # type: ignore[no-untyped-def]
    done = subprocess.run([str(ROOT / ".venv/bin/aws"), "--profile", sandbox.profile(account), "--output", "json",
                           "ecr", *args], env=api.process_env(sandbox, ROOT), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout or "{}")


def test_the_aws_cli_starts_and_reads_a_lifecycle_policy_preview(sandbox, ecr):  # type: ignore[no-untyped-def]
    registry = sandbox.registries[0]
    client = ecr(registry.account, registry.region)
    name = f"sandbox-tests/preview-{uuid.uuid4().hex[:8]}"
    client.create_repository(repositoryName=name)
    for tag in ("old", "new"):
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                               "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
                                          "digest": "sha256:" + hashlib.sha256(tag.encode()).hexdigest()},
                               "layers": []})
        client.put_image(repositoryName=name, imageManifest=manifest, imageTag=tag,
                         imageDigest="sha256:" + hashlib.sha256(manifest.encode()).hexdigest())

    started = _aws(sandbox, registry.account, "start-lifecycle-policy-preview", "--region", registry.region,
                   "--repository-name", name, "--lifecycle-policy-text", json.dumps(KEEP_ONE))
    got = _aws(sandbox, registry.account, "get-lifecycle-policy-preview", "--region", registry.region,
               "--repository-name", name)

    assert started["status"] == "IN_PROGRESS" and got["status"] == "COMPLETE"
    assert got["summary"]["expiringImageTotalCount"] == 1
    [result] = got["previewResults"]
    assert result["action"]["type"] == "EXPIRE" and result["appliedRulePriority"] == 1
    assert result["imageTags"] in (["old"], ["new"])
