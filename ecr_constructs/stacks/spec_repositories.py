"""Spec repositories (``ecr_spec.Repository``) as ``EcrRepository`` constructs with their stack outputs: what a
registry's stack (``RegistryStack``) and a StackSet's template (``RepositoryStackSetTemplate``) both declare.

Each repository gets the construct id of its name (``construct_id``) and one output, ``{"name", "arn", "uri",
"dualstack_uri"}`` (``ecr_constructs.core.outputs``). The repositories that ask for KMS without naming a key share one
customer-managed, rotating key per stack.
"""
from __future__ import annotations

from typing import Sequence

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from constructs import Construct

from ecr_spec.model.spec import Repository

from ..core.dualstack import dualstack_host
from ..core.outputs import repository_output
from ..repository.ecr_repository import EcrRepository

_REMOVAL = {"retain": cdk.RemovalPolicy.RETAIN, "destroy": cdk.RemovalPolicy.DESTROY}


def construct_id(repository_name: str) -> str:
    """A stable construct id from the repository name alone, so adding or removing other repositories never
    changes a repository's logical id. '/' is not allowed in ids and '--' cannot occur in ECR names."""
    return repository_name.replace("/", "--")


def add_repositories(scope: Construct, repositories: Sequence[Repository], *,
                     key_description: str) -> dict[str, EcrRepository]:
    """Adds every repository of ``repositories`` to ``scope`` (a stack), each with its output; returns them by name.

    :param key_description: the description of the shared KMS key, when a repository asks for one.
    """
    key = _shared_key(scope, repositories, key_description)
    host = dualstack_host(scope)  # once per stack: a few crossings into jsii
    return {r.name: _repository(scope, r, key, host) for r in repositories}


def _shared_key(scope: Construct, repositories: Sequence[Repository], description: str) -> kms.Key | None:
    """One customer-managed key for the repositories that ask for KMS without naming a key."""
    if not any(r.encryption == "KMS" and not r.kms_key_arn for r in repositories):
        return None
    return kms.Key(scope, "RepositoryKey", enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.RETAIN,
                   description=description)


def _repository(scope: Construct, repository: Repository, shared_key: kms.Key | None,
                host: str | None) -> EcrRepository:
    cid = construct_id(repository.name)
    key: kms.IKey | None = None
    if repository.kms_key_arn:
        key = kms.Key.from_key_arn(scope, f"{cid}-Key", repository.kms_key_arn)
    elif repository.encryption == "KMS":
        key = shared_key
    construct = EcrRepository(
        scope, cid,
        repository_name=repository.name,
        lifecycle_rules=repository.lifecycle_rules,
        mutable_tags=repository.mutable_tags,
        scan_on_push=repository.scan_on_push,
        encryption_key=key,
        removal_policy=_REMOVAL[repository.removal_policy],
        pull_accounts=repository.pull.accounts,
        push_accounts=repository.push.accounts,
        pull_services=repository.pull.services,
        pull_organization_id=repository.pull.organization_id,
    )
    cdk.CfnOutput(construct, "Output", description=f"ECR repository {repository.name}: name, ARN and URIs",
                  value=repository_output(construct, repository_name=repository.name, dualstack_host=host))
    return construct
