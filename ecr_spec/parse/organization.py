"""Reads the spec's ``organization`` section (the model and what it means: ``ecr_spec.model.organization``).

    "organization": {
      "environment": "management",          # required: the account that holds the StackSets (its stack)
      "region": "us-east-1",                # default: that environment's first region
      "call_as": "SELF",                    # SELF: the management account; DELEGATED_ADMIN: a delegated administrator
      "stack_sets": [{
        "name": "ecr-baseline",             # required: the StackSet's name
        "organizational_units": ["ou-ab12-cdefgh34"],   # required: OUs (or the root, r-ab12) it deploys to
        "regions": ["us-east-1", "eu-west-1"],          # required
        "repositories": [{"name": "platform/base"}],     # required: repositories as in `repositories`, minus
                                                         #   environments, replicate_to, replicate_by_prefix, kms_key_arn
        "max_concurrent": 10,               # accounts at a time: a count, or "25%"   (default: AWS's, 1)
        "failure_tolerance": 2,             # failed accounts per region: a count, or "10%" (default: AWS's, 0)
        "concurrency_mode": "SOFT_FAILURE_TOLERANCE",   # default: AWS's, STRICT_FAILURE_TOLERANCE
        "region_concurrency": "PARALLEL",   # default: AWS's, SEQUENTIAL (regions in the order listed)
        "retain_stacks_on_account_removal": false,      # default false: an account leaving the OU loses the stack
        "description": "..."}]}            # (its repositories stay: they are retained unless removal_policy says destroy)

Every rule comes from AWS's pages, cited in ``ecr_spec.core.limits`` and docs/organization.md.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Mapping

from ..core.errors import Problems
from ..core.limits import (MIN_FAILURE_TOLERANCE_COUNT, MIN_FAILURE_TOLERANCE_PERCENTAGE, MIN_MAX_CONCURRENT_COUNT,
                     MIN_MAX_CONCURRENT_PERCENTAGE)
from ..core.names import show
from ..core.shapes import as_list, as_object, check_home_region, check_keys, home_environment, objects
from ..model.organization import OperationPreferences, Organization, StackSet
from ..model.spec import Environment, Repository
from . import stack_set_checks
from .repository import first_definition, parse_repository

ORGANIZATION_KEYS = {"environment", "region", "call_as", "stack_sets"}
STACK_SET_KEYS = {"name", "organizational_units", "regions", "repositories", "max_concurrent", "failure_tolerance",
                  "concurrency_mode", "region_concurrency", "retain_stacks_on_account_removal", "description"}
# Repository keys that cannot hold in a template every account of an OU gets, with the reason.
NOT_IN_STACK_SETS = {
    "environments": "a StackSet's repositories go to every account of its organizational_units",
    "replicate_to": "replication is a registry's own configuration, declared by its environment's stack",
    "replicate_by_prefix": "replication is a registry's own configuration, declared by its environment's stack",
    "kms_key_arn": "a key ARN names one account's key; encryption 'KMS' gives each account a key of its own",
}
_PERCENTAGE = re.compile(r"^([0-9]{1,3})%$")


def parse_organization(raw: Any, environments: Mapping[str, Environment], defaults: Mapping[str, Any],
                       first_seen: dict[str, str], problems: Problems) -> tuple[Organization | None, list[Repository]]:
    """The ``organization`` section and the repositories its StackSets deliver (``Repository.stack_set`` set,
    ``environments`` the spec's environments in its OUs). ``first_seen`` maps every repository name read so far
    to its path; the StackSets' repositories are added (names are unique across the whole spec)."""
    if raw is None:
        return None, []
    body = as_object(raw, "organization", problems, "an object such as {\"environment\": \"management\", "
                                                     "\"stack_sets\": [...]}")
    if not body:
        return None, []
    before = problems.reported
    check_keys(body, ORGANIZATION_KEYS, "organization", problems)
    environment, region = _administrator(body, environments, problems)
    call_as = body.get("call_as", "SELF")
    stack_set_checks.call_as(call_as, "organization.call_as", problems)
    raw_sets = as_list(body.get("stack_sets"), "organization.stack_sets", problems)
    if not raw_sets and "stack_sets" not in body:
        problems.add("organization.stack_sets", "missing: list at least one StackSet")
    stack_sets: list[StackSet] = []
    repositories: list[Repository] = []
    for path, raw_set in objects(raw_sets, "organization.stack_sets", STACK_SET_KEYS, problems):
        parsed = _stack_set(raw_set, path, environments, defaults, first_seen, problems)
        if parsed is None:
            continue
        stack_set, delivered = parsed
        if any(s.name == stack_set.name for s in stack_sets):
            problems.add(f"{path}.name", f"{show(stack_set.name)} is the name of another StackSet: names are unique "
                         "in the administrator's region")
        stack_sets.append(stack_set)
        repositories += delivered
    if environment is not None and call_as == "SELF":
        _management_account_is_no_target(environment, stack_sets, environments, problems)
    _one_unit_per_account(environments, problems)
    if problems.reported > before or environment is None:
        return None, []
    return Organization(environment=environment.name, account=environment.account, region=region,
                        stack_sets=tuple(stack_sets), call_as=call_as), repositories


def _administrator(body: Mapping[str, Any], environments: Mapping[str, Environment],
                   problems: Problems) -> tuple[Environment | None, str]:
    environment = home_environment(body, "organization", environments, "missing: name the environment of the "
                                   "management account (or of a delegated administrator, with call_as "
                                   "DELEGATED_ADMIN) that holds the StackSets", problems)
    if environment is None:
        return None, ""
    region = body.get("region", environment.regions[0] if environment.regions else "")
    check_home_region(region, environment, "organization", problems)
    return environment, region


def _stack_set(raw: Mapping[str, Any], path: str, environments: Mapping[str, Environment],
               defaults: Mapping[str, Any], first_seen: dict[str, str],
               problems: Problems) -> tuple[StackSet, list[Repository]] | None:
    before = problems.reported
    for key in ("name", "organizational_units", "regions"):
        if raw.get(key) is None:
            problems.add(f"{path}.{key}", "missing: name the StackSet" if key == "name" else "missing: list at least one")
    name = raw.get("name")
    raw_units, raw_regions = raw.get("organizational_units"), raw.get("regions")
    units, regions = stack_set_checks.target(
        name, None if raw_units is None else as_list(raw_units, f"{path}.organizational_units", problems),
        None if raw_regions is None else as_list(raw_regions, f"{path}.regions", problems), path, problems)
    preferences = _preferences(raw, path, problems)
    retain = raw.get("retain_stacks_on_account_removal", False)
    if not isinstance(retain, bool):
        problems.add(f"{path}.retain_stacks_on_account_removal", f"{show(retain)} must be true or false")
    description = raw.get("description")
    stack_set_checks.description(description, f"{path}.description", problems)
    members = {n: e for n, e in environments.items() if e.organizational_unit in units}
    delivered = _repositories(raw.get("repositories"), f"{path}.repositories", str(name), members, defaults,
                              first_seen, problems)
    if problems.reported > before:
        return None
    return StackSet(name=str(name), organizational_units=units, regions=regions,
                    repositories=tuple(r.name for r in delivered), preferences=preferences,
                    retain_stacks_on_account_removal=retain, description=description), delivered


def _count_or_percentage(value: Any, path: str, minimum: int, minimum_percentage: int,
                         problems: Problems) -> tuple[int | None, int | None]:
    """(count, percentage) from ``3`` or ``"25%"``; (None, None) when absent or reported."""
    if value is None:
        return None, None
    if isinstance(value, int) and not isinstance(value, bool):
        if value < minimum:
            problems.add(path, f"{show(value)} must be at least {minimum}")
            return None, None
        return value, None
    match = _PERCENTAGE.match(value) if isinstance(value, str) else None
    if match and minimum_percentage <= int(match.group(1)) <= 100:
        return None, int(match.group(1))
    problems.add(path, f"{show(value)} must be a number of accounts (at least {minimum}) or a percentage from "
                 f"'{minimum_percentage}%' to '100%'")
    return None, None


def _preferences(raw: Mapping[str, Any], path: str, problems: Problems) -> OperationPreferences:
    max_count, max_percentage = _count_or_percentage(raw.get("max_concurrent"), f"{path}.max_concurrent",
                                                     MIN_MAX_CONCURRENT_COUNT, MIN_MAX_CONCURRENT_PERCENTAGE, problems)
    failure_count, failure_percentage = _count_or_percentage(raw.get("failure_tolerance"),
                                                             f"{path}.failure_tolerance", MIN_FAILURE_TOLERANCE_COUNT,
                                                             MIN_FAILURE_TOLERANCE_PERCENTAGE, problems)
    preferences = OperationPreferences(
        max_concurrent_count=max_count, max_concurrent_percentage=max_percentage,
        failure_tolerance_count=failure_count, failure_tolerance_percentage=failure_percentage,
        concurrency_mode=raw.get("concurrency_mode"), region_concurrency=raw.get("region_concurrency"))
    stack_set_checks.preferences(preferences, path, problems)
    return preferences


def _repositories(value: Any, path: str, stack_set: str, members: Mapping[str, Environment],
                  defaults: Mapping[str, Any], first_seen: dict[str, str], problems: Problems) -> list[Repository]:
    raw_list = as_list(value, path, problems)
    if not raw_list:
        problems.add(path, "missing: list the repositories every account of the organizational units gets"
                     if value is None else "[] is empty: list at least one repository")
        return []
    if "kms_key_arn" in defaults:
        problems.add("defaults.kms_key_arn", f"cannot apply to {path}: {NOT_IN_STACK_SETS['kms_key_arn']}")
    shared_defaults = {k: v for k, v in defaults.items() if k not in NOT_IN_STACK_SETS}
    delivered: list[Repository] = []
    for i, raw in enumerate(raw_list):
        item_path = f"{path}[{i}]"
        if isinstance(raw, dict):
            for key in [k for k in raw if k in NOT_IN_STACK_SETS]:
                problems.add(f"{item_path}.{key}", f"not for a StackSet's repository: {NOT_IN_STACK_SETS[key]}")
            raw = {k: v for k, v in raw.items() if k not in NOT_IN_STACK_SETS}
        repository = parse_repository(raw, item_path, shared_defaults, members, problems)
        if repository is not None and first_definition(repository.name, item_path, first_seen, problems):
            delivered.append(replace(repository, stack_set=stack_set))
    return delivered


def _management_account_is_no_target(administrator: Environment, stack_sets: list[StackSet],
                                     environments: Mapping[str, Environment], problems: Problems) -> None:
    """AWS API reference, DeploymentTargets: "StackSets doesn't deploy stack instances to the organization
    management account, even if the organization management account is in your organization or in an OU in your
    organization." With call_as SELF the administrator is the management account."""
    targeted = {unit for s in stack_sets for unit in s.organizational_units}
    for name, environment in environments.items():
        if environment.account == administrator.account and environment.organizational_unit in targeted:
            problems.add(f"environments.{name}.organizational_unit",
                         f"{show(environment.organizational_unit)}: {environment.account} is the management account "
                         f"(organization.environment {administrator.name}, call_as SELF), and StackSets never deploy "
                         "to the management account: declare its repositories in repositories instead")


def _one_unit_per_account(environments: Mapping[str, Environment], problems: Problems) -> None:
    """An account is in one OU: every environment of an account that names one names the same."""
    seen: dict[str, tuple[str, str]] = {}
    for name, environment in environments.items():
        unit = environment.organizational_unit
        if unit is None:
            continue
        first = seen.setdefault(environment.account, (name, unit))
        if first[1] != unit:
            problems.add(f"environments.{name}.organizational_unit",
                         f"{show(unit)}, but environments.{first[0]} (the same account {environment.account}) is in "
                         f"{show(first[1])}: an account belongs to one organizational unit")
