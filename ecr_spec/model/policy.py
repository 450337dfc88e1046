"""Repository-policy facts shared by the spec checks and the constructs: action lists and the size check.

ECR rejects a repository policy over 10,240 characters when the stack deploys, long after synth. The
constructs emit one statement per kind of access (see ecr_constructs/repository/permissions.py); ``policy_chars``
renders the same document as CloudFormation will hand it to ECR, so the limit is checked at synth.
"""
from __future__ import annotations

import json
from typing import Any, Sequence

from ..core.limits import MAX_REPOSITORY_POLICY_CHARS

PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage")
PUSH_ACTIONS = ("ecr:CompleteLayerUpload", "ecr:UploadLayerPart", "ecr:InitiateLayerUpload", "ecr:PutImage")
MAX_POLICY_CHARS = MAX_REPOSITORY_POLICY_CHARS  # the name other modules import; the value lives in limits.py


def partition_of(region: str) -> str:
    """The AWS partition of a region, as it appears in the policy's principal ARNs."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _principal(arns: Sequence[str]) -> Any:
    return arns[0] if len(arns) == 1 else list(arns)


def policy_document(*, owner_account: str, pull_accounts: Sequence[str] = (), push_accounts: Sequence[str] = (),
                    services: Sequence[str] = (), organization_id: str | None = None,
                    partition: str = "aws") -> dict[str, Any] | None:
    """The repository policy the constructs deploy for these grants, as ECR stores it (None if no grants)."""
    statements: list[dict[str, Any]] = []
    if pull_accounts:
        arns = [f"arn:{partition}:iam::{a}:root" for a in pull_accounts]
        statements.append({"Action": list(PULL_ACTIONS), "Effect": "Allow", "Principal": {"AWS": _principal(arns)}})
    if push_accounts:
        arns = [f"arn:{partition}:iam::{a}:root" for a in push_accounts]
        statements.append({"Action": list(PULL_ACTIONS + PUSH_ACTIONS), "Effect": "Allow",
                           "Principal": {"AWS": _principal(arns)}})
    for service in services:
        statements.append({"Action": list(PULL_ACTIONS), "Condition": {"StringEquals": {
            "aws:SourceAccount": owner_account}}, "Effect": "Allow", "Principal": {"Service": service}})
    if organization_id:
        statements.append({"Action": list(PULL_ACTIONS), "Condition": {"StringEquals": {
            "aws:PrincipalOrgID": organization_id}}, "Effect": "Allow", "Principal": {"AWS": "*"}})
    return {"Statement": statements, "Version": "2012-10-17"} if statements else None


def policy_chars(*, owner_account: str, pull_accounts: Sequence[str] = (), push_accounts: Sequence[str] = (),
                 services: Sequence[str] = (), organization_id: str | None = None, partition: str = "aws") -> int:
    """Characters of the repository policy the constructs would deploy for these grants (0 if none)."""
    document = policy_document(owner_account=owner_account, pull_accounts=pull_accounts, push_accounts=push_accounts,
                               services=services, organization_id=organization_id, partition=partition)
    return len(json.dumps(document, separators=(",", ":"))) if document else 0
