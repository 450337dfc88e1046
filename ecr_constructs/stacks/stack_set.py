"""``RepositoryStackSet``: repositories every account of some organizational units gets, as one
``AWS::CloudFormation::StackSet`` with service-managed permissions (AWS Organizations).

CloudFormation deploys the template (``ecr_constructs.stacks.stack_set_template``) to every account of the OUs and
their child OUs, in each region, and, with automatic deployment (always on here), to every account that joins
them later; an account that leaves loses its stack instance (its repositories stay unless their removal policy
is ``destroy``, or all of it with ``retain_stacks_on_account_removal``). The StackSet lives in the organization's
management account (``call_as`` ``SELF``) or a delegated administrator's (``DELEGATED_ADMIN``). Limits, and when to
choose this over ``cdk deploy --all --concurrency``: docs/organization.md.
"""
from __future__ import annotations

from typing import Sequence

from aws_cdk import aws_cloudformation as cloudformation
from constructs import Construct

from ecr_spec.parse import stack_set_checks
from ecr_spec.core.errors import Problems
from ecr_spec.model.spec import Repository
from ecr_spec.model.organization import OperationPreferences

from ..core.errors import PropsError
from .stack_set_template import template_body


class RepositoryStackSet(Construct):
    """One StackSet of ECR repositories for organizational units.

    :param stack_set_name: the StackSet's name, unique in the administrator's region.
    :param organizational_units: the OUs (``ou-ab12-cdefgh34``) or the root (``r-ab12``) it deploys to.
    :param regions: the regions of every account it deploys to.
    :param repositories: the repositories (``ecr_spec`` ``Repository`` values) each account and region gets.
    :param call_as: ``SELF`` in the management account, ``DELEGATED_ADMIN`` in a delegated administrator's.
        Default: ``SELF``.
    :param preferences: accounts at a time, failures tolerated, concurrency and region modes. Default: AWS's (one
        account at a time, none may fail, STRICT_FAILURE_TOLERANCE, one region after another). They do not apply to
        automatic deployments.
    :param retain_stacks_on_account_removal: keep the stack (not only its retained repositories) when an account
        leaves the OUs. Default: False.
    :param description: the StackSet's description, 1 to 1,024 characters. Default: one naming the OUs.
    :raises PropsError: listing every problem with the props, the template's size among them.
    """

    def __init__(self, scope: Construct, construct_id: str, *, stack_set_name: str,
                 organizational_units: Sequence[str], regions: Sequence[str], repositories: Sequence[Repository],
                 call_as: str = "SELF", preferences: OperationPreferences = OperationPreferences(),
                 retain_stacks_on_account_removal: bool = False, description: str | None = None) -> None:
        super().__init__(scope, construct_id)
        problems = Problems()
        stack_set_checks.target(stack_set_name, organizational_units, regions, "", problems,
                                name_key="stack_set_name")
        stack_set_checks.preferences(preferences, "", problems, max_key="preferences.max_concurrent",
                                     failure_key="preferences.failure_tolerance")
        stack_set_checks.call_as(call_as, "call_as", problems)
        if not repositories:
            problems.add("repositories", "[] is empty: a StackSet needs at least one repository")
        description = description or f"ECR repositories of every account of {', '.join(organizational_units)}"
        stack_set_checks.description(description, "description", problems)
        body = template_body(repositories, description=description) if not problems else ""
        stack_set_checks.template_size(body, "repositories", problems)
        if problems:
            raise PropsError(self.node.path, problems.lines)
        self.template_body = body
        self.resource = cloudformation.CfnStackSet(
            self, "Resource",
            stack_set_name=stack_set_name,
            permission_model="SERVICE_MANAGED",
            call_as=call_as,
            description=description,
            auto_deployment=cloudformation.CfnStackSet.AutoDeploymentProperty(
                enabled=True, retain_stacks_on_account_removal=retain_stacks_on_account_removal),
            operation_preferences=_operation_preferences(preferences, regions),
            stack_instances_group=[cloudformation.CfnStackSet.StackInstancesProperty(
                deployment_targets=cloudformation.CfnStackSet.DeploymentTargetsProperty(
                    organizational_unit_ids=list(organizational_units)),
                regions=list(regions))],
            template_body=body,
        )


def _operation_preferences(preferences: OperationPreferences,
                           regions: Sequence[str]) -> cloudformation.CfnStackSet.OperationPreferencesProperty:
    """AWS's property; the regions' order is the spec's (followed one after another, unless PARALLEL)."""
    return cloudformation.CfnStackSet.OperationPreferencesProperty(
        max_concurrent_count=preferences.max_concurrent_count,
        max_concurrent_percentage=preferences.max_concurrent_percentage,
        failure_tolerance_count=preferences.failure_tolerance_count,
        failure_tolerance_percentage=preferences.failure_tolerance_percentage,
        concurrency_mode=preferences.concurrency_mode,
        region_concurrency_type=preferences.region_concurrency,
        region_order=list(regions))
