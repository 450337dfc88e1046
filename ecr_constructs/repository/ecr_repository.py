"""``EcrRepository``: the aws-cdk L2 ``Repository`` with secure defaults, permissions and a lifecycle policy.

It *is* an ``aws_ecr.IRepository``, so every aws-cdk API that takes a repository takes it directly:
``ecs.ContainerImage.from_ecr_repository(repo)``, ``lambda_.DockerImageCode.from_ecr(repo)``,
``codebuild.LinuxBuildImage.from_ecr_repository(repo)``, ``repo.grant_pull(role)``.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from constructs import Construct

from ecr_spec.model import checks
from ecr_spec.core.errors import Problems
from ecr_spec.model.lifecycle import LifecycleRule
from ecr_spec.model.policy import partition_of

from ..core.errors import PropsError
from ..core.logical_ids import keep_wrapped_logical_id
from ..core.tokens import is_token
from .cdk_lifecycle import typed_lifecycle_rules
from .lifecycle import DEFAULT_LIFECYCLE_RULES, apply_lifecycle_policy, l2_lifecycle_rules
from .permissions import grant_accounts, grant_organization, grant_services


@lru_cache(maxsize=None)
def _encryption(kind: str) -> ecr.RepositoryEncryption:
    return ecr.RepositoryEncryption.KMS if kind == "KMS" else ecr.RepositoryEncryption.AES_256


@lru_cache(maxsize=None)
def _mutable_tag_filter(tag_filter: str) -> ecr.ImageTagMutabilityExclusionFilter:
    """One filter object per tag filter, shared by every repository: a value the L2 only reads."""
    return ecr.ImageTagMutabilityExclusionFilter.wildcard(tag_filter)


def _stack_of(scope: Construct) -> Stack:
    return scope if isinstance(scope, Stack) else Stack.of(scope)


def _owner(scope: Construct) -> tuple[str | None, str]:
    """The stack's account (None while it is a token) and the partition of its region ('aws' while unknown).
    Cached on the stack object: one kernel round trip per stack, not per repository."""
    stack = _stack_of(scope)
    cached = getattr(stack, "_ecr_constructs_owner", None)
    if cached is None:
        account, region = stack.account, stack.region
        cached = (None if is_token(account) else account, "aws" if is_token(region) else partition_of(region))
        try:
            stack._ecr_constructs_owner = cached  # type: ignore[attr-defined]
        except AttributeError:
            pass
    return cached


class EcrRepository(ecr.Repository):
    """An ECR repository: the aws-cdk L2 ``Repository`` (so an ``aws_ecr.IRepository``) with secure defaults.

    Every prop is keyword-only and optional except ``repository_name``. Props are checked by the same
    functions that check the registry spec (``ecr_spec.model.checks``); every problem is collected and raised once as
    ``PropsError`` before anything is created. Values that are unresolved tokens are not checked.

    :param repository_name: the repository's name, e.g. ``team/app``.
    :param lifecycle_rules: ECR lifecycle rules, archive transitions included: ``ecr_spec`` ``LifecycleRule``s,
        or aws-cdk ``aws_ecr.LifecycleRule``s (expire by count or by age since push; converted to the typed rule
        and checked the same way). Default: ``DEFAULT_LIFECYCLE_RULES`` (expire untagged images after 14 days,
        keep the newest 100).
    :param mutable_tags: tag filters (``*`` wildcards) that stay mutable; every other tag is immutable.
        Default: none, every tag is immutable.
    :param scan_on_push: scan each image when it is pushed. Default: True.
    :param encryption_key: a customer-managed KMS key; pull and push accounts get decrypt on it.
        Default: None, AES256 encryption by ECR.
    :param removal_policy: what happens on stack deletion; DESTROY also empties the repository.
        Default: RemovalPolicy.RETAIN.
    :param pull_accounts: 12-digit account ids allowed to pull through the repository policy. Default: none.
    :param push_accounts: account ids allowed to push and pull. Default: none.
    :param pull_services: AWS service principals (``codebuild.amazonaws.com``) allowed to pull on behalf of
        this stack's account. Default: none.
    :param pull_organization_id: an AWS Organizations id whose identities may all pull. Default: None.
    """

    def __init__(self, scope: Construct, construct_id: str, *, repository_name: str,
                 lifecycle_rules: Sequence[LifecycleRule | ecr.LifecycleRule] = DEFAULT_LIFECYCLE_RULES,
                 mutable_tags: Sequence[str] = (), scan_on_push: bool = True,
                 encryption_key: kms.IKey | None = None, removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
                 pull_accounts: Sequence[str] = (), push_accounts: Sequence[str] = (),
                 pull_services: Sequence[str] = (), pull_organization_id: str | None = None) -> None:
        rules = _check(scope, construct_id, repository_name=repository_name, lifecycle_rules=lifecycle_rules,
                       mutable_tags=mutable_tags, pull_accounts=pull_accounts, push_accounts=push_accounts,
                       pull_services=pull_services, pull_organization_id=pull_organization_id)
        mutability = ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION if mutable_tags else ecr.TagMutability.IMMUTABLE
        l2_rules = l2_lifecycle_rules(rules)
        super().__init__(
            scope, construct_id,
            repository_name=repository_name,
            image_scan_on_push=scan_on_push,
            image_tag_mutability=mutability,
            image_tag_mutability_exclusion_filters=[_mutable_tag_filter(t) for t in mutable_tags] or None,
            encryption=_encryption("KMS" if encryption_key else "AES256"),
            encryption_key=encryption_key,
            removal_policy=removal_policy,
            empty_on_delete=removal_policy == RemovalPolicy.DESTROY or None,
            lifecycle_rules=l2_rules,
        )
        keep_wrapped_logical_id(self, scope, construct_id)
        if l2_rules is None:
            apply_lifecycle_policy(self, rules)
        grant_accounts(self, pull_accounts=pull_accounts, push_accounts=push_accounts, encryption_key=encryption_key)
        if pull_services:
            grant_services(self, pull_services)
        if pull_organization_id:
            grant_organization(self, pull_organization_id)

    @property
    def repository(self) -> ecr.Repository:
        """This repository. Kept for code written when ``EcrRepository`` wrapped the L2 instead of being it."""
        return self


def _check(scope: Construct, construct_id: str, *, repository_name: str,
           lifecycle_rules: Sequence[LifecycleRule | ecr.LifecycleRule], mutable_tags: Sequence[str],
           pull_accounts: Sequence[str], push_accounts: Sequence[str], pull_services: Sequence[str],
           pull_organization_id: str | None) -> tuple[LifecycleRule, ...]:
    """Checks the props with ``ecr_spec.model.checks``; returns the typed lifecycle rules or raises ``PropsError``."""
    problems = Problems()
    checks.repository_name(repository_name, "repository_name", problems, is_token)
    before = problems.reported
    rules = typed_lifecycle_rules(lifecycle_rules, "lifecycle_rules", problems)
    if problems.reported == before:  # checked only when every rule converted
        checks.lifecycle_rules(rules, "lifecycle_rules", problems)
    checks.mutable_tags(mutable_tags, "mutable_tags", problems, is_token)
    checks.accounts(pull_accounts, "pull_accounts", problems, is_token, organization_field="pull_organization_id")
    checks.accounts(push_accounts, "push_accounts", problems, is_token, organization_field="pull_organization_id")
    checks.services(pull_services, "pull_services", problems, is_token)
    checks.organization_id(pull_organization_id, "pull_organization_id", problems, is_token)
    grants = [*pull_accounts, *push_accounts, *pull_services, *([pull_organization_id] if pull_organization_id else [])]
    if not problems and grants and not any(is_token(v) for v in grants):
        account, partition = _owner(scope)
        checks.repository_policy_size(
            "pull_accounts", problems, owner_account=account, pull_accounts=pull_accounts,
            push_accounts=push_accounts, services=pull_services, organization_id=pull_organization_id,
            partition=partition, advice=": grant an organisation (pull_organization_id) instead of many accounts")
    if problems:
        parent = scope.node.path
        raise PropsError(f"{parent}/{construct_id}" if parent else construct_id, problems.lines)
    return rules
