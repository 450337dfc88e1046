"""Checks for single values: account ids, repository names, regions, principals, ARNs.

Each check returns ``None`` when the value is fine, or the message to report after the field's path.
The rules and their sources are in shared/reference/ecr-rules.md.
"""
from __future__ import annotations

import re
from typing import Any

from .limits import MAX_REPOSITORY_NAME_CHARS, MIN_REPOSITORY_NAME_CHARS
from .regions import REGIONS

_ACCOUNT = re.compile(r"^[0-9]{12}$")
_REPOSITORY = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")
_ENVIRONMENT = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,39}$")
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(?:\.cn)?$")
_ORGANIZATION = re.compile(r"^o-[a-z0-9]{10,32}$")
_MUTABLE_TAG_FILTER = re.compile(r"^[0-9a-zA-Z._*-]{1,128}$")
_KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):[0-9]{12}:key/[A-Za-z0-9-]+$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$")


def show(value: Any) -> str:
    """How a bad value is echoed in a message: strings quoted, everything else as JSON would show it."""
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def account_id(value: Any) -> str | None:
    if value == "*":
        return ("'*' would let every AWS account in (cdk-nag AwsSolutions-ECR1); "
                "use pull.organization_id for organisation-wide access")
    if not isinstance(value, str) or not _ACCOUNT.match(value):
        return f"{show(value)} is not a 12-digit account id"
    return None


def repository_name(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"{show(value)} is not a string"
    if not MIN_REPOSITORY_NAME_CHARS <= len(value) <= MAX_REPOSITORY_NAME_CHARS:
        return (f"{show(value)} must be {MIN_REPOSITORY_NAME_CHARS} to {MAX_REPOSITORY_NAME_CHARS} characters long "
                f"(it has {len(value)})")
    if not _REPOSITORY.match(value):
        return (f"{show(value)} is not a valid ECR repository name: lowercase letters and digits, "
                "separated by single '.', '_', '-' or '/'")
    return None


def region(value: Any) -> str | None:
    if not isinstance(value, str) or value not in REGIONS:
        return f"{show(value)} is not an AWS region with Amazon ECR"
    return None


def environment_name(value: str) -> str | None:
    if not _ENVIRONMENT.match(value):
        return (f"{show(value)} is not a valid environment name: a letter, then letters, digits or '-' "
                "(at most 40; it becomes part of stack names)")
    return None


def service_principal(value: Any) -> str | None:
    if value == "*":
        return "'*' is not a service principal (cdk-nag AwsSolutions-ECR1)"
    if not isinstance(value, str) or not _SERVICE.match(value):
        return f"{show(value)} is not an AWS service principal such as 'codebuild.amazonaws.com'"
    return None


def organization_id(value: Any) -> str | None:
    if not isinstance(value, str) or not _ORGANIZATION.match(value):
        return f"{show(value)} is not an AWS Organizations id such as 'o-a1b2c3d4e5'"
    return None


def mutable_tag_filter(value: Any) -> str | None:
    if not isinstance(value, str) or not _MUTABLE_TAG_FILTER.match(value):
        return (f"{show(value)} is not a tag filter: 1 to 128 of letters, digits, '.', '_', '-' and '*' "
                "(ECR image tag mutability exclusion filter)")
    return None


def kms_key_region(value: Any) -> tuple[str | None, str | None]:
    """Returns (region of the key, problem)."""
    match = _KMS_KEY_ARN.match(value) if isinstance(value, str) else None
    if not match:
        return None, f"{show(value)} is not a KMS key ARN such as 'arn:aws:kms:us-east-1:111111111111:key/ID'"
    return match.group(1), None


def role_arn(value: Any) -> str | None:
    if not isinstance(value, str) or not _ROLE_ARN.match(value):
        return f"{show(value)} is not an IAM role ARN such as 'arn:aws:iam::111111111111:role/publisher'"
    return None
