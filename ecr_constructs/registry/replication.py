"""Per-registry (account and region) resources: replication and the registry policy (scanning: scanning.py).

The aws-cdk L2 has no constructs for these, so they are L1 resources. ECR allows one of each per registry;
``RegistryStack`` creates them once per stack.
"""
from __future__ import annotations

from typing import Sequence

from aws_cdk import Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from constructs import Construct

from ecr_spec.core.errors import Problems
from ecr_spec.model.spec import ReplicationRule
from ecr_spec.plan.replication import MAX_DESTINATIONS_PER_RULE, MAX_FILTERS_PER_RULE, MAX_RULES

from ..core.errors import PropsError


REPLICATION_ACTIONS = ("ecr:CreateRepository", "ecr:ReplicateImage")


class RegistryReplication(Construct):
    """The registry's replication configuration: each rule sends the named repositories to its destinations.

    :param rules: the registry's rules, as ``ecr_spec.plan.replication.plan_rules`` merges and splits them. Repository
        filters are ECR's PREFIX_MATCH on each full repository name (a name also matches longer names).
        At most 10 rules, each with 1..100 destinations and at most 100 filters (ECR API Reference).
    """

    def __init__(self, scope: Construct, construct_id: str, *, rules: Sequence[ReplicationRule]) -> None:
        super().__init__(scope, construct_id)
        problems = Problems()
        if len(rules) > MAX_RULES:
            problems.add("rules", f"{len(rules)} rules; ECR allows {MAX_RULES} per registry")
        for i, rule in enumerate(rules):
            if not 1 <= len(rule.destinations) <= MAX_DESTINATIONS_PER_RULE:
                problems.add(f"rules[{i}].destinations", f"{len(rule.destinations)} destinations; ECR allows 1 to "
                             f"{MAX_DESTINATIONS_PER_RULE}")
            if len(rule.repositories) > MAX_FILTERS_PER_RULE:
                problems.add(f"rules[{i}].repositories", f"{len(rule.repositories)} filters; ECR allows "
                             f"{MAX_FILTERS_PER_RULE} per rule (ecr_spec.plan.replication.plan_rules splits them)")
        if problems:
            raise PropsError(self.node.path, problems.lines)
        self.resource = ecr.CfnReplicationConfiguration(
            self, "Resource",
            replication_configuration=ecr.CfnReplicationConfiguration.ReplicationConfigurationProperty(rules=[
                ecr.CfnReplicationConfiguration.ReplicationRuleProperty(
                    destinations=[ecr.CfnReplicationConfiguration.ReplicationDestinationProperty(
                        region=d.region, registry_id=d.account) for d in rule.destinations],
                    repository_filters=[ecr.CfnReplicationConfiguration.RepositoryFilterProperty(
                        filter=name, filter_type="PREFIX_MATCH") for name in rule.repositories],
                ) for rule in rules
            ]),
        )


class ReplicationRegistryPolicy(Construct):
    """The registry policy that lets other accounts replicate into this registry.

    :param source_accounts: account ids whose registries replicate here.
    """

    def __init__(self, scope: Construct, construct_id: str, *, source_accounts: Sequence[str]) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        document = iam.PolicyDocument(statements=[iam.PolicyStatement(
            sid="ReplicationFromOtherAccounts",
            principals=[iam.AccountPrincipal(a) for a in source_accounts],
            actions=list(REPLICATION_ACTIONS),
            resources=[stack.format_arn(service="ecr", resource="repository", resource_name="*")],
        )])
        self.resource = ecr.CfnRegistryPolicy(self, "Resource", policy_text=document)
