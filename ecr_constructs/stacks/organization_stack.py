"""``OrganizationStack``: the spec's ``organization`` section, one stack in the administrator's account and region
holding a ``RepositoryStackSet`` per StackSet, next to the per-account registry stacks (``RegistryStack``)."""
from __future__ import annotations

from typing import Any, Sequence

import aws_cdk as cdk
from constructs import Construct

from ecr_spec.model.spec import Repository
from ecr_spec.model.organization import Organization

from .stack_set import RepositoryStackSet


class OrganizationStack(cdk.Stack):
    """The organization's StackSets, named ``ecr-organization-ENVIRONMENT-REGION``.

    :param organization: the spec's ``organization`` section (``ecr_spec`` ``Organization``).
    :param repositories: the spec's repositories; each StackSet takes those whose ``stack_set`` is its name.
    """

    def __init__(self, scope: Construct, *, organization: Organization, repositories: Sequence[Repository],
                 **stack_props: Any) -> None:
        super().__init__(scope, organization.stack_name, stack_name=organization.stack_name,
                         env=cdk.Environment(account=organization.account, region=organization.region),
                         description=f"ECR StackSets for organizational units, administered from "
                                     f"{organization.environment}", **stack_props)
        by_name = {r.name: r for r in repositories}
        self.stack_sets = [
            RepositoryStackSet(self, stack_set.name, stack_set_name=stack_set.name,
                               organizational_units=stack_set.organizational_units, regions=stack_set.regions,
                               repositories=[by_name[name] for name in stack_set.repositories],
                               call_as=organization.call_as, preferences=stack_set.preferences,
                               retain_stacks_on_account_removal=stack_set.retain_stacks_on_account_removal,
                               description=stack_set.description)
            for stack_set in organization.stack_sets]
