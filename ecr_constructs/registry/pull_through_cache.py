"""``PullThroughCacheRule``: caches an upstream registry's images in this registry
(``AWS::ECR::PullThroughCacheRule``).

aws-cdk-lib 2.275.0 has no L2 for pull through cache rules (``aws_ecr`` offers only ``CfnPullThroughCacheRule``),
so this wraps the L1. The rule's checks are ``ecr_spec.model.registry_settings``'s, the same the spec runs.
"""
from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_ecr as ecr
from constructs import Construct

from ecr_spec.core.errors import Problems
from ecr_spec.model.registry_settings import PullThroughCacheRule as Rule
from ecr_spec.model.registry_settings import check_pull_through_cache

from ..core.errors import PropsError
from ..core.tokens import is_token


def _concrete(value: str) -> str | None:
    return None if is_token(value) else value


class PullThroughCacheRule(Construct):
    """One pull through cache rule: pulling ``REGISTRY/ECR_PREFIX/NAME`` makes ECR fetch ``NAME`` from the
    upstream registry once, cache it in a repository of that name and keep it in step (the ECR user guide's
    "Sync an upstream registry with an Amazon ECR private registry").

    :param ecr_repository_prefix: the namespace in this registry (2..30 characters; ``ROOT`` for the whole
        registry). Required.
    :param upstream_registry_url: ``public.ecr.aws``, ``registry-1.docker.io``, ``ghcr.io``, ``registry.gitlab.com``,
        ``registry.k8s.io``, ``quay.io``, ``NAME.azurecr.io`` or another ECR private registry
        ``ACCOUNT.dkr.ecr.REGION.amazonaws.com``. Required.
    :param credential_arn: a Secrets Manager secret named ``ecr-pullthroughcache/...`` in this registry's account
        and region; required for Docker Hub, GitHub, GitLab and Azure, refused for an ECR upstream.
        Default: None.
    :param custom_role_arn: an IAM role in this registry's account that ECR assumes to pull from an ECR upstream;
        required when that upstream is in another account. Default: None.
    :param upstream_repository_prefix: only this namespace of an ECR upstream is cached (needs an
        ``ecr_repository_prefix`` other than ``ROOT``). Default: None, ECR's ``ROOT``.
    :raises PropsError: listing every problem with the props (values that are tokens are not checked).
    """

    def __init__(self, scope: Construct, construct_id: str, *, ecr_repository_prefix: str,
                 upstream_registry_url: str, credential_arn: str | None = None, custom_role_arn: str | None = None,
                 upstream_repository_prefix: str | None = None) -> None:
        super().__init__(scope, construct_id)
        rule = Rule(ecr_repository_prefix=ecr_repository_prefix, upstream_registry_url=upstream_registry_url,
                    credential_arn=credential_arn, custom_role_arn=custom_role_arn,
                    upstream_repository_prefix=upstream_repository_prefix)
        stack = Stack.of(self)
        problems = Problems()
        check_pull_through_cache(rule, account=_concrete(stack.account), region=_concrete(stack.region),
                                 problems=problems, is_token=is_token)
        if problems:
            raise PropsError(self.node.path, problems.lines)
        self.rule = rule
        upstream = rule.upstream
        self.resource = ecr.CfnPullThroughCacheRule(
            self, "Resource",
            ecr_repository_prefix=ecr_repository_prefix,
            upstream_registry_url=upstream_registry_url,
            upstream_registry=upstream.name if upstream else None,
            credential_arn=credential_arn,
            custom_role_arn=custom_role_arn,
            upstream_repository_prefix=upstream_repository_prefix,
        )
