"""The StackSet rules shared by the spec's ``organization`` section (``organization_parse``) and the
``RepositoryStackSet`` construct's props, one line per problem under the path each caller gives.

Sources: AWS CloudFormation Template Reference, AWS::CloudFormation::StackSet (and its resource schema):
``StackSetName``, ``TemplateBody`` at most 51,200 bytes; API Reference, DeploymentTargets (OU ids) and
StackSetOperationPreferences (ranges; "MaxConcurrentCount is at most one more than the FailureToleranceCount if
you're using STRICT_FAILURE_TOLERANCE"); User Guide, "Prerequisites for using CloudFormation StackSets" (no
trusted access with AWS Organizations in the China regions). Limits: ``ecr_spec.core.limits``.
"""
from __future__ import annotations

from typing import Any, Sequence

from ..core import names
from ..core.errors import Problems
from ..core.limits import (MAX_STACK_SET_DESCRIPTION_CHARS, MAX_STACK_SET_ORGANIZATIONAL_UNITS,
                     MAX_STACK_SET_TEMPLATE_BODY_BYTES, MIN_FAILURE_TOLERANCE_COUNT,
                     MIN_FAILURE_TOLERANCE_PERCENTAGE, MIN_MAX_CONCURRENT_COUNT, MIN_MAX_CONCURRENT_PERCENTAGE)
from ..core.names import show
from ..model import checks
from ..model.organization import CALL_AS, CONCURRENCY_MODES, REGION_CONCURRENCY, OperationPreferences

# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-prereqs.html
NO_SERVICE_MANAGED_REGIONS = ("cn-",)


def target(name: Any, units: Sequence[Any] | None, regions: Sequence[Any] | None, path: str, problems: Problems, *,
           name_key: str = "name", units_key: str = "organizational_units",
           regions_key: str = "regions") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The StackSet's name (None: not checked, the caller reports it missing), OUs and regions (each list at least
    one item; None: not checked, reported missing by the caller); returns the good OUs and regions."""
    prefix = f"{path}." if path else ""
    if name is not None:
        checks.one(name, f"{prefix}{name_key}", names.stack_set_name, problems)
    good_units = () if units is None else checks.each(units, f"{prefix}{units_key}", names.organizational_unit_id,
                                                        problems)
    good_regions = () if regions is None else checks.each(regions, f"{prefix}{regions_key}", names.region, problems)
    for key, items in ((units_key, units), (regions_key, regions)):
        if items is not None and not items:
            problems.add(f"{prefix}{key}", "[] is empty: list at least one")
    if len(good_units) > MAX_STACK_SET_ORGANIZATIONAL_UNITS:
        problems.add(f"{prefix}{units_key}", f"{len(good_units)} organizational units; CloudFormation creates stack "
                     f"instances for at most {MAX_STACK_SET_ORGANIZATIONAL_UNITS} at once: target their parent OU")
    for i, region in enumerate(regions or ()):
        if isinstance(region, str) and region.startswith(NO_SERVICE_MANAGED_REGIONS):
            problems.add(f"{prefix}{regions_key}[{i}]", f"{show(region)}: StackSets cannot use AWS Organizations "
                         "(trusted access) in the China regions")
    return good_units, good_regions


def preferences(value: OperationPreferences, path: str, problems: Problems, *, max_key: str = "max_concurrent",
                failure_key: str = "failure_tolerance") -> None:
    """Ranges, a count or a percentage (not both), the modes, and the STRICT_FAILURE_TOLERANCE cap."""
    prefix = f"{path}." if path else ""
    for key, count, percentage, minimum, minimum_percentage in (
            (max_key, value.max_concurrent_count, value.max_concurrent_percentage, MIN_MAX_CONCURRENT_COUNT,
             MIN_MAX_CONCURRENT_PERCENTAGE),
            (failure_key, value.failure_tolerance_count, value.failure_tolerance_percentage,
             MIN_FAILURE_TOLERANCE_COUNT, MIN_FAILURE_TOLERANCE_PERCENTAGE)):
        if count is not None and percentage is not None:
            problems.add(f"{prefix}{key}", "a count or a percentage, not both")
        elif count is not None and count < minimum:
            problems.add(f"{prefix}{key}", f"{show(count)} must be at least {minimum}")
        elif percentage is not None and not minimum_percentage <= percentage <= 100:
            problems.add(f"{prefix}{key}", f"{percentage}% must be from {minimum_percentage}% to 100%")
    if value.concurrency_mode is not None and value.concurrency_mode not in CONCURRENCY_MODES:
        problems.add(f"{prefix}concurrency_mode", f"{show(value.concurrency_mode)} must be "
                     f"{' or '.join(CONCURRENCY_MODES)}")
    if value.region_concurrency is not None and value.region_concurrency not in REGION_CONCURRENCY:
        problems.add(f"{prefix}region_concurrency", f"{show(value.region_concurrency)} must be "
                     f"{' or '.join(REGION_CONCURRENCY)}")
    count, tolerated = value.max_concurrent_count, value.failure_tolerance_count or 0
    strict = value.concurrency_mode in (None, "STRICT_FAILURE_TOLERANCE")
    if strict and count is not None and count > tolerated + 1 and value.failure_tolerance_percentage is None:
        problems.add(f"{prefix}{max_key}", f"{count} accounts at a time with {failure_key} {tolerated}: "
                     f"STRICT_FAILURE_TOLERANCE (the default concurrency_mode) runs at most {tolerated + 1}; set "
                     f"{failure_key} to {count - 1}, or concurrency_mode to SOFT_FAILURE_TOLERANCE")


def call_as(value: Any, path: str, problems: Problems) -> None:
    """``SELF`` (the management account) or ``DELEGATED_ADMIN`` (a delegated administrator)."""
    if value not in CALL_AS:
        problems.add(path, f"{show(value)} must be {' or '.join(CALL_AS)}")


def description(value: Any, path: str, problems: Problems) -> None:
    """The StackSet's ``Description``: text of 1 to 1,024 characters (None: not given, nothing to check)."""
    if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= MAX_STACK_SET_DESCRIPTION_CHARS):
        problems.add(path, f"{show(value)} must be text of 1 to {MAX_STACK_SET_DESCRIPTION_CHARS} characters")


def template_size(body: str, path: str, problems: Problems) -> None:
    """A StackSet's ``TemplateBody`` holds at most 51,200 bytes."""
    size = len(body.encode("utf-8"))
    if size > MAX_STACK_SET_TEMPLATE_BODY_BYTES:
        problems.add(path, f"the StackSet's template is {size:,} bytes; TemplateBody holds at most "
                     f"{MAX_STACK_SET_TEMPLATE_BODY_BYTES:,} (AWS::CloudFormation::StackSet): move some repositories "
                     "to another StackSet (organization.stack_sets)")
