"""Checks for single values: account ids, repository names, regions, principals, ARNs.

Each check returns ``None`` when the value is fine, or the message to report after the field's path.
The rules and their sources are in shared/reference/ecr-rules.md.
"""
from __future__ import annotations

import re
from difflib import get_close_matches
from typing import Any, Iterable

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
# AWS CloudFormation API Reference, DeploymentTargets ``OrganizationalUnitIds`` and CreateStackSet ``StackSetName``
# (botocore ``OrganizationalUnitId``; the AWS::CloudFormation::StackSet resource schema): see ecr_spec.core.limits.
_ORGANIZATIONAL_UNIT = re.compile(r"^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$")
_STACK_SET_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{0,127}$")


def show(value: Any) -> str:
    """How a bad value is echoed in a message: strings quoted, everything else as JSON would show it."""
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def not_text(value: Any) -> str | None:
    """The type check that comes before every check of a text value: a JSON number (``"account": 222222222222``)
    must be quoted, anything else that is not a string is named as what it is."""
    if isinstance(value, str):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{show(value)} must be a quoted string (\"{value}\")"
    return f"{show(value)} must be a string"


def _text_matching(value: Any, pattern: re.Pattern[str], problem: str) -> str | None:
    """The type check, then ``pattern``; ``problem`` follows the echoed value when it does not match."""
    return not_text(value) or (None if pattern.match(value) else f"{show(value)} {problem}")


def did_you_mean(value: Any, choices: Iterable[str]) -> str:
    """`` (did you mean 'eu-west-1'?)`` for the closest of ``choices`` (difflib's ratio of at least 0.6), or "".
    Among the closest three, one with exactly the same letters wins: two swapped letters are the likeliest typo
    (``us-esat-2`` is ``us-east-2``, though difflib rates ``us-west-2`` as close)."""
    if not isinstance(value, str):
        return ""
    close = get_close_matches(value, sorted(choices), n=3)
    swapped = [c for c in close if sorted(c) == sorted(value)]
    best = (swapped or close or [None])[0]
    return f" (did you mean {best!r}?)" if best else ""


def account_id(value: Any, organization_field: str = "pull.organization_id") -> str | None:
    """``organization_field`` names where organisation-wide access is given (the spec's key, or a construct's prop)."""
    if value == "*":
        return ("'*' would let every AWS account in (cdk-nag AwsSolutions-ECR1); "
                f"use {organization_field} for organisation-wide access")
    return _text_matching(value, _ACCOUNT, "is not a 12-digit account id")


def repository_name(value: Any) -> str | None:
    problem = not_text(value)
    if problem:
        return problem
    if not MIN_REPOSITORY_NAME_CHARS <= len(value) <= MAX_REPOSITORY_NAME_CHARS:
        return (f"{show(value)} must be {MIN_REPOSITORY_NAME_CHARS} to {MAX_REPOSITORY_NAME_CHARS} characters long "
                f"(it has {len(value)})")
    if not _REPOSITORY.match(value):
        return (f"{show(value)} is not a valid ECR repository name: lowercase letters and digits, "
                "separated by single '.', '_', '-' or '/'")
    return None


def region(value: Any) -> str | None:
    problem = not_text(value)
    if problem:
        return problem
    if value not in REGIONS:
        return f"{show(value)} is not an AWS region with Amazon ECR{did_you_mean(value, REGIONS)}"
    return None


def environment_name(value: str) -> str | None:
    if not _ENVIRONMENT.match(value):
        return (f"{show(value)} is not a valid environment name: a letter, then letters, digits or '-' "
                "(at most 40; it becomes part of stack names)")
    return None


def service_principal(value: Any) -> str | None:
    if value == "*":
        return "'*' is not a service principal (cdk-nag AwsSolutions-ECR1)"
    return _text_matching(value, _SERVICE, "is not an AWS service principal such as 'codebuild.amazonaws.com'")


def organization_id(value: Any) -> str | None:
    return _text_matching(value, _ORGANIZATION, "is not an AWS Organizations id such as 'o-a1b2c3d4e5'")


def mutable_tag_filter(value: Any) -> str | None:
    return _text_matching(value, _MUTABLE_TAG_FILTER, "is not a tag filter: 1 to 128 of letters, digits, '.', '_', "
                                                      "'-' and '*' (ECR image tag mutability exclusion filter)")


def kms_key_region(value: Any) -> tuple[str | None, str | None]:
    """Returns (region of the key, problem)."""
    if not_text(value):
        return None, not_text(value)
    match = _KMS_KEY_ARN.match(value)
    if not match:
        return None, f"{show(value)} is not a KMS key ARN such as 'arn:aws:kms:us-east-1:111111111111:key/ID'"
    return match.group(1), None


def role_arn(value: Any) -> str | None:
    return _text_matching(value, _ROLE_ARN, "is not an IAM role ARN such as 'arn:aws:iam::111111111111:role/publisher'")


def organizational_unit_id(value: Any) -> str | None:
    """An organizational unit (``ou-ab12-cdefgh34``) or the organization's root (``r-ab12``)."""
    return _text_matching(value, _ORGANIZATIONAL_UNIT, "is not an organizational unit id such as "
                                                       "'ou-ab12-cdefgh34' (or a root id such as 'r-ab12')")


def stack_set_name(value: Any) -> str | None:
    return _text_matching(value, _STACK_SET_NAME, "is not a StackSet name: a letter, then letters, digits or '-', "
                                                  "at most 128 characters")
