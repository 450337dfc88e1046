"""The spec's ``organization`` section as typed values: repositories that every account of an organizational unit
(OU) gets, delivered by CloudFormation StackSets with service-managed permissions (read by
``ecr_spec.parse.organization``; turned into ``AWS::CloudFormation::StackSet`` resources by
``ecr_constructs.stacks.stack_set``).

A StackSet deploys one template to every account of its OUs (and their child OUs), in each of its regions, and,
with automatic deployment, to every account that joins them later. Its repositories are part of the spec's
``repositories`` (``Repository.stack_set`` names the StackSet), so everything that looks repositories up by name
finds them; their targets are the spec's environments that declare one of the StackSet's OUs
(``environments.NAME.organizational_unit``), in the regions the environment shares with the StackSet. Accounts of
the OU that the spec does not name get the repositories too; they are not publish targets until named.
"""
from __future__ import annotations

from dataclasses import dataclass

CALL_AS = ("SELF", "DELEGATED_ADMIN")
CONCURRENCY_MODES = ("STRICT_FAILURE_TOLERANCE", "SOFT_FAILURE_TOLERANCE")
REGION_CONCURRENCY = ("SEQUENTIAL", "PARALLEL")


@dataclass(frozen=True)
class OperationPreferences:
    """How CloudFormation rolls a StackSet operation out (``OperationPreferences``); None leaves AWS's default:
    one account at a time, no failure tolerated, STRICT_FAILURE_TOLERANCE, one region after the other. They do not
    apply to automatic deployments to accounts that join an OU later (AWS API reference,
    StackSetOperationPreferences)."""

    max_concurrent_count: int | None = None
    max_concurrent_percentage: int | None = None
    failure_tolerance_count: int | None = None
    failure_tolerance_percentage: int | None = None
    concurrency_mode: str | None = None
    region_concurrency: str | None = None


@dataclass(frozen=True)
class StackSet:
    """One StackSet: its repositories go to every account of ``organizational_units`` in ``regions``."""

    name: str
    organizational_units: tuple[str, ...]
    regions: tuple[str, ...]
    repositories: tuple[str, ...]
    preferences: OperationPreferences = OperationPreferences()
    retain_stacks_on_account_removal: bool = False
    description: str | None = None


@dataclass(frozen=True)
class Organization:
    """Where the StackSets live (the organization's management account, or a delegated administrator, with
    ``call_as`` ``DELEGATED_ADMIN``) and the StackSets themselves."""

    environment: str
    account: str
    region: str
    stack_sets: tuple[StackSet, ...]
    call_as: str = "SELF"

    @property
    def stack_name(self) -> str:
        return f"ecr-organization-{self.environment}-{self.region}"

    def stack_set(self, name: str) -> StackSet:
        for stack_set in self.stack_sets:
            if stack_set.name == name:
                return stack_set
        raise KeyError(name)
