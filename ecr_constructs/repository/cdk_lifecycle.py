"""aws-cdk ``ecr.LifecycleRule`` objects as the project's typed ``LifecycleRule``, so both go through one check.

An L2 rule can express: tag status, tag prefix or pattern lists, and exactly one of ``max_image_count``
(``imageCountMoreThan``) or ``max_image_age`` (``sinceImagePushed`` in days), always with the expire
action. Defaults and priorities follow the L2's own ``Repository.addLifecycleRule`` and
``orderedLifecycleRules`` (aws-cdk-lib 2.275, aws-ecr/lib/repository.ts): a missing tag status is ``tagged``
when a prefix or pattern list is given and ``any`` otherwise; rules without a priority get the next ones after
the highest given priority, in order, and the ``any`` rule comes last.
"""
from __future__ import annotations

from typing import Any, Sequence

from aws_cdk import Token
from aws_cdk import aws_ecr as ecr

from ecr_spec.core.errors import Problems
from ecr_spec.model.lifecycle import LifecycleRule

__all__ = ["typed_lifecycle_rules"]


def _days(age: Any, path: str, problems: Problems) -> int | None:
    try:
        days = age.to_days()
    except Exception as error:  # jsii raises the L2's own error for fractional days or tokens
        problems.add(f"{path}.max_image_age", f"must be a whole number of days ({str(error).splitlines()[0]})")
        return None
    if Token.is_unresolved(days):
        problems.add(f"{path}.max_image_age", "must be a concrete number of days, not a token")
        return None
    return int(days)


def _convert(rule: ecr.LifecycleRule, priority: int | None, path: str,
             problems: Problems) -> LifecycleRule | None:
    prefixes = tuple(rule.tag_prefix_list or ())
    patterns = tuple(rule.tag_pattern_list or ())
    if rule.tag_status is None:
        status = "tagged" if rule.tag_prefix_list is not None or rule.tag_pattern_list is not None else "any"
    else:
        status = rule.tag_status.name.lower()
    if (rule.max_image_age is None) == (rule.max_image_count is None):
        problems.add(path, "an aws-cdk LifecycleRule needs exactly one of max_image_age and max_image_count")
        return None
    if rule.max_image_count is not None:
        count_type, count_unit, number = "imageCountMoreThan", None, rule.max_image_count
    else:
        count_type, count_unit, number = "sinceImagePushed", "days", _days(rule.max_image_age, path, problems)
        if number is None:
            return None
    return LifecycleRule(rule_priority=priority if priority is not None else 0, tag_status=status,
                         count_type=count_type, count_unit=count_unit, count_number=number,
                         description=rule.description, tag_prefix_list=prefixes, tag_pattern_list=patterns)


def _is_any(rule: LifecycleRule | ecr.LifecycleRule) -> bool:
    if isinstance(rule, LifecycleRule):
        return rule.tag_status == "any"
    if rule.tag_status is None:
        return rule.tag_prefix_list is None and rule.tag_pattern_list is None
    return rule.tag_status == ecr.TagStatus.ANY


def typed_lifecycle_rules(rules: Sequence[LifecycleRule | ecr.LifecycleRule], path: str,
                          problems: Problems) -> tuple[LifecycleRule, ...]:
    """The rules as typed ``LifecycleRule``s; aws-cdk rules converted, priorities assigned as the L2 does.
    Rules that cannot be converted are reported under ``path[i]`` and left out."""
    if all(isinstance(r, LifecycleRule) for r in rules):
        return tuple(rules)  # the common case: nothing to convert
    given = [r.rule_priority for r in rules if not _is_any(r) and r.rule_priority is not None]
    next_priority = max(given, default=0) + 1
    order = sorted(range(len(rules)), key=lambda i: (_is_any(rules[i]), rules[i].rule_priority is None))
    result: list[LifecycleRule] = []
    for i in order:
        rule = rules[i]
        if isinstance(rule, LifecycleRule):
            result.append(rule)
            continue
        if not isinstance(rule, ecr.LifecycleRule):
            problems.add(f"{path}[{i}]", f"{rule!r} is neither an ecr_spec LifecycleRule nor an aws_ecr.LifecycleRule")
            continue
        priority = rule.rule_priority
        if priority is None:
            priority, next_priority = next_priority, next_priority + 1
        converted = _convert(rule, priority, f"{path}[{i}]", problems)
        if converted is not None:
            result.append(converted)
    return tuple(result)
