"""``RegistryStack``: every repository of one (environment, region), plus that registry's own settings."""
from __future__ import annotations

from typing import Any, Sequence

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from constructs import Construct

from ecr_spec.model import ReplicationRule, Repository, Target
from ecr_spec.registry_settings import RegistrySettings

from ecr_spec.creation_templates import CreationTemplate

from .creation_template import creation_template, replica_settings
from .outputs import repository_output
from .registry import RegistryReplication, ReplicationRegistryPolicy
from .registry_settings import add_registry_settings
from .repository import EcrRepository

_REMOVAL = {"retain": cdk.RemovalPolicy.RETAIN, "destroy": cdk.RemovalPolicy.DESTROY}


def construct_id(repository_name: str) -> str:
    """A stable construct id from the repository name alone, so adding or removing other repositories never
    changes a repository's logical id. '/' is not allowed in ids and '--' cannot occur in ECR names."""
    return repository_name.replace("/", "--")


class RegistryStack(cdk.Stack):
    """One stack per (environment, region).

    :param target: the environment, account and region; the stack's ``env`` is this concrete account and region.
    :param repositories: the repositories to create here.
    :param replication_rules: this registry's replication configuration. Default: none.
    :param replication_sources: accounts allowed to replicate into this registry. Default: none.
    :param scan_type: registry scanning, ``BASIC`` or ``ENHANCED``, or None to leave it alone. Default: ``BASIC``.
    :param replicas: repositories replicated into this registry from others, declared here with their own
        settings so ECR's replication finds them instead of creating them with ECR's defaults. Default: none.
    :param creation_templates: repository creation templates of this registry. Default: none.
    :param registry_settings: scanning rules, pull through cache rules and signing rules of the spec's
        ``registry`` section (each rule limited to its environments). Default: none, and scanning derived from
        ``scan_type`` and the repositories' ``scan_on_push``.
    """

    def __init__(self, scope: Construct, *, target: Target, repositories: Sequence[Repository],
                 replication_rules: Sequence[ReplicationRule] = (), replication_sources: Sequence[str] = (),
                 scan_type: str | None = "BASIC", replicas: Sequence[Repository] = (),
                 creation_templates: Sequence[CreationTemplate] = (),
                 registry_settings: RegistrySettings | None = None, **stack_props: Any) -> None:
        super().__init__(scope, target.stack_name, stack_name=target.stack_name,
                         env=cdk.Environment(account=target.account, region=target.region),
                         description=f"ECR repositories of {target.environment} in {target.region}",
                         **stack_props)
        self.target = target
        self.repositories: dict[str, EcrRepository] = {}
        replicas = [replica_settings(r, target.account, target.region) for r in replicas]
        key = self._shared_key([*repositories, *replicas])
        for repository in [*repositories, *replicas]:
            self.repositories[repository.name] = self._repository(repository, key)
        for template in creation_templates:
            creation_template(self, template)
        if replication_rules:
            RegistryReplication(self, "Replication", rules=replication_rules)
        if replication_sources:
            ReplicationRegistryPolicy(self, "ReplicationPolicy", source_accounts=replication_sources)
        add_registry_settings(self, environment=target.environment, repositories=repositories, scan_type=scan_type,
                              settings=registry_settings or RegistrySettings())

    def _shared_key(self, repositories: Sequence[Repository]) -> kms.Key | None:
        """One customer-managed key for the repositories that ask for KMS without naming a key."""
        if not any(r.encryption == "KMS" and not r.kms_key_arn for r in repositories):
            return None
        return kms.Key(self, "RepositoryKey", enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.RETAIN,
                       description=f"Encrypts ECR repositories of {self.target.environment} in {self.target.region}")

    def _repository(self, repository: Repository, shared_key: kms.Key | None) -> EcrRepository:
        cid = construct_id(repository.name)
        key: kms.IKey | None = None
        if repository.kms_key_arn:
            key = kms.Key.from_key_arn(self, f"{cid}-Key", repository.kms_key_arn)
        elif repository.encryption == "KMS":
            key = shared_key
        construct = EcrRepository(
            self, cid,
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
                      value=repository_output(account=self.target.account, region=self.target.region,
                                              repository_name=repository.name))
        return construct
