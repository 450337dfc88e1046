"""``RegistryStack``: every repository of one (environment, region), plus that registry's own settings."""
from __future__ import annotations

from typing import Any, Sequence

import aws_cdk as cdk
from constructs import Construct

from ecr_spec.model.spec import ReplicationRule, Repository, Target
from ecr_spec.model.registry_settings import RegistrySettings

from ecr_spec.parse.creation_templates import CreationTemplate

from ..registry.creation_template import creation_template, replica_settings
from ..registry.replication import RegistryReplication, ReplicationRegistryPolicy
from ..registry.settings import add_registry_settings
from ..repository.ecr_repository import EcrRepository
from .spec_repositories import add_repositories, construct_id  # noqa: F401  (construct_id: importable from here too)


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
    :param delivered: repositories an organization StackSet delivers to this registry (``ecr_spec``'s
        ``RegistrySpec.delivered_in``): not declared here, but the registry's default scanning rule covers them.
        Default: none.
    """

    def __init__(self, scope: Construct, *, target: Target, repositories: Sequence[Repository],
                 replication_rules: Sequence[ReplicationRule] = (), replication_sources: Sequence[str] = (),
                 scan_type: str | None = "BASIC", replicas: Sequence[Repository] = (),
                 creation_templates: Sequence[CreationTemplate] = (),
                 registry_settings: RegistrySettings | None = None, delivered: Sequence[Repository] = (),
                 **stack_props: Any) -> None:
        super().__init__(scope, target.stack_name, stack_name=target.stack_name,
                         env=cdk.Environment(account=target.account, region=target.region),
                         description=f"ECR repositories of {target.environment} in {target.region}",
                         **stack_props)
        self.target = target
        replicas = [replica_settings(r, target.account, target.region) for r in replicas]
        self.repositories: dict[str, EcrRepository] = add_repositories(
            self, [*repositories, *replicas],
            key_description=f"Encrypts ECR repositories of {target.environment} in {target.region}")
        for template in creation_templates:
            creation_template(self, template)
        if replication_rules:
            RegistryReplication(self, "Replication", rules=replication_rules)
        if replication_sources:
            ReplicationRegistryPolicy(self, "ReplicationPolicy", source_accounts=replication_sources)
        add_registry_settings(self, environment=target.environment, repositories=[*repositories, *delivered],
                              scan_type=scan_type, settings=registry_settings or RegistrySettings())
