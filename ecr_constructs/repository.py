"""``EcrRepository``: one ECR repository with secure defaults, its permissions and its lifecycle policy."""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from aws_cdk import RemovalPolicy, Stack, Token
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from ecr_spec import names
from ecr_spec.errors import Problems
from ecr_spec.lifecycle import LifecycleRule
from ecr_spec.policy import MAX_POLICY_CHARS, policy_chars

from .errors import PropsError
from .lifecycle import DEFAULT_LIFECYCLE_RULES, apply_lifecycle_policy, check_lifecycle_rules, l2_lifecycle_rules
from .permissions import grant_accounts, grant_organization, grant_services

MAX_MUTABLE_TAG_FILTERS = 5


@lru_cache(maxsize=None)
def _encryption(kind: str) -> ecr.RepositoryEncryption:
    return ecr.RepositoryEncryption.KMS if kind == "KMS" else ecr.RepositoryEncryption.AES_256


def _is_token(value: object) -> bool:
    """Token.is_unresolved without a round trip to the jsii kernel for the common case: an unresolved string
    always carries CDK's '${Token[' marker, so only strings that have it are asked about."""
    return isinstance(value, str) and "${Token[" in value and Token.is_unresolved(value)


class EcrRepository(Construct):
    """An ECR repository wrapping the aws-cdk L2 ``Repository``.

    Every prop is keyword-only and optional except ``repository_name``:

    :param repository_name: the repository's name, e.g. ``team/app``.
    :param lifecycle_rules: ECR lifecycle rules, archive transitions included.
        Default: ``DEFAULT_LIFECYCLE_RULES`` (expire untagged images after 14 days, keep the newest 100).
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
                 lifecycle_rules: Sequence[LifecycleRule] = DEFAULT_LIFECYCLE_RULES,
                 mutable_tags: Sequence[str] = (), scan_on_push: bool = True,
                 encryption_key: kms.IKey | None = None, removal_policy: RemovalPolicy = RemovalPolicy.RETAIN,
                 pull_accounts: Sequence[str] = (), push_accounts: Sequence[str] = (),
                 pull_services: Sequence[str] = (), pull_organization_id: str | None = None) -> None:
        super().__init__(scope, construct_id)
        self._check(repository_name=repository_name, lifecycle_rules=lifecycle_rules, mutable_tags=mutable_tags,
                    pull_accounts=pull_accounts, push_accounts=push_accounts, pull_services=pull_services,
                    pull_organization_id=pull_organization_id)
        mutability = ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION if mutable_tags else ecr.TagMutability.IMMUTABLE
        l2_rules = l2_lifecycle_rules(lifecycle_rules)
        self.repository = ecr.Repository(
            self, "Resource",
            repository_name=repository_name,
            image_scan_on_push=scan_on_push,
            image_tag_mutability=mutability,
            image_tag_mutability_exclusion_filters=[ecr.ImageTagMutabilityExclusionFilter.wildcard(t)
                                                    for t in mutable_tags] or None,
            encryption=_encryption("KMS" if encryption_key else "AES256"),
            encryption_key=encryption_key,
            removal_policy=removal_policy,
            empty_on_delete=removal_policy == RemovalPolicy.DESTROY or None,
            lifecycle_rules=l2_rules,
        )
        if l2_rules is None:
            apply_lifecycle_policy(self.repository, lifecycle_rules)
        grant_accounts(self.repository, pull_accounts=pull_accounts, push_accounts=push_accounts,
                       encryption_key=encryption_key)
        if pull_services:
            grant_services(self.repository, pull_services)
        if pull_organization_id:
            grant_organization(self.repository, pull_organization_id)

    def _check(self, *, repository_name: str, lifecycle_rules: Sequence[LifecycleRule], mutable_tags: Sequence[str],
               pull_accounts: Sequence[str], push_accounts: Sequence[str], pull_services: Sequence[str],
               pull_organization_id: str | None) -> None:
        """Collects every problem with the props, then raises once. Values that are tokens are skipped."""
        problems = Problems()

        def each(prop: str, values: Sequence[str], check: object) -> None:
            for i, value in enumerate(values):
                problem = None if _is_token(value) else check(value)  # type: ignore[operator]
                if problem:
                    problems.add(f"{prop}[{i}]", problem)

        if not _is_token(repository_name):
            problem = names.repository_name(repository_name)
            if problem:
                problems.add("repository_name", problem)
        check_lifecycle_rules(lifecycle_rules, problems)
        each("mutable_tags", mutable_tags, names.mutable_tag_filter)
        if len(mutable_tags) > MAX_MUTABLE_TAG_FILTERS:
            problems.add("mutable_tags", f"{len(mutable_tags)} filters; ECR allows at most {MAX_MUTABLE_TAG_FILTERS}")
        each("pull_accounts", pull_accounts, names.account_id)
        each("push_accounts", push_accounts, names.account_id)
        each("pull_services", pull_services, names.service_principal)
        if pull_organization_id is not None and not _is_token(pull_organization_id):
            problem = names.organization_id(pull_organization_id)
            if problem:
                problems.add("pull_organization_id", problem)
        if not problems and not any(_is_token(v) for v in [*pull_accounts, *push_accounts]):
            chars = policy_chars(owner_account="123456789012", pull_accounts=pull_accounts,
                                 push_accounts=push_accounts, services=pull_services,
                                 organization_id=pull_organization_id)
            if chars > MAX_POLICY_CHARS:
                problems.add("pull_accounts", f"the repository policy would have {chars} characters; ECR allows "
                             f"{MAX_POLICY_CHARS}")
        if problems:
            raise PropsError(self.node.path, problems.lines)

    # The L2's grants, so callers need not reach into ``self.repository``.
    def grant_pull(self, grantee: iam.IGrantable) -> iam.Grant:
        """Pull for a same-account grantee (an ECS instance role, a CI role), ecr:GetAuthorizationToken included."""
        return self.repository.grant_pull(grantee)

    def grant_push(self, grantee: iam.IGrantable) -> iam.Grant:
        return self.repository.grant_push(grantee)

    def grant_pull_push(self, grantee: iam.IGrantable) -> iam.Grant:
        return self.repository.grant_pull_push(grantee)

    @property
    def repository_name(self) -> str:
        return self.repository.repository_name

    @property
    def repository_arn(self) -> str:
        return self.repository.repository_arn

    @property
    def repository_uri(self) -> str:
        return self.repository.repository_uri

    def repository_uri_for_tag(self, tag: str) -> str:
        return self.repository.repository_uri_for_tag(tag)

    @property
    def stack(self) -> Stack:
        return Stack.of(self)
