"""The repository checks shared by the spec (``parse.py``) and the constructs' props (``EcrRepository``).

One function per kind of field; each writes one line per problem into ``problems`` under the path it is
given (``repositories[2].pull.accounts[0]`` for the spec, ``pull_accounts[0]`` for props), so both report
the same messages against the same limits (``ecr_spec.core.limits``). ``skip`` tells which values must not be
checked: the constructs pass a test for unresolved CDK tokens, the spec has none.
"""
from __future__ import annotations

from functools import lru_cache
from collections.abc import Sequence
from typing import Any, Callable

from ..core import names
from ..core.errors import Problems
from ..core.limits import MAX_MUTABLE_TAG_FILTERS, MAX_REPOSITORY_POLICY_CHARS
from ..core.names import show
from ..core.shapes import as_list, not_a_list
from .lifecycle import LifecycleRule, check_rules, parse_rule
from .policy import policy_chars

Check = Callable[[Any], "str | None"]
Skip = Callable[[Any], bool]


def never(_value: Any) -> bool:
    return False


def one(value: Any, path: str, check: Check, problems: Problems, skip: Skip = never) -> bool:
    """Checks one value; True when it is fine (or skipped)."""
    if skip(value):
        return True
    problem = check(value)
    if problem:
        problems.add(path, problem)
        return False
    return True


def each(values: Sequence[Any], path: str, check: Check, problems: Problems,
         skip: Skip = never) -> tuple[Any, ...]:
    """Checks every item of a list and reports repeats; returns the good items, first occurrence only. A value
    that is not a list (a string is a sequence of characters, but not the list meant) is reported once."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        if not skip(values):
            problems.add(path, not_a_list(values))
        return ()
    good: list[Any] = []
    for i, item in enumerate(values):
        if not one(item, f"{path}[{i}]", check, problems, skip):
            continue
        if item in good:
            problems.add(f"{path}[{i}]", f"{show(item)} is listed twice")
        else:
            good.append(item)
    return tuple(good)


def optional(value: Any, path: str, check: Check, problems: Problems) -> Any:
    """An optional value: None stays None; otherwise the value when it passes ``check``, else None (reported)."""
    if value is None:
        return None
    return value if one(value, path, check, problems) else None


def each_of(value: Any, path: str, check: Check, problems: Problems) -> tuple[Any, ...]:
    """A JSON value that must be a list (None is an empty one), each item checked as ``each`` does."""
    return each(as_list(value, path, problems), path, check, problems)


def repository_name(value: Any, path: str, problems: Problems, skip: Skip = never) -> bool:
    return one(value, path, names.repository_name, problems, skip)


def mutable_tags(values: Sequence[Any], path: str, problems: Problems, skip: Skip = never) -> tuple[Any, ...]:
    """Tag filters that stay mutable: each a valid filter, at most ``MAX_MUTABLE_TAG_FILTERS``."""
    good = each(values, path, names.mutable_tag_filter, problems, skip)
    if len(good) > MAX_MUTABLE_TAG_FILTERS:
        problems.add(path, f"{len(good)} filters; ECR allows at most {MAX_MUTABLE_TAG_FILTERS}")
    return good


def accounts(values: Sequence[Any], path: str, problems: Problems, skip: Skip = never,
             organization_field: str = "pull.organization_id") -> tuple[Any, ...]:
    """Account ids; ``organization_field`` is where the caller grants a whole organisation (a '*' is pointed there)."""
    return each(values, path, lambda value: names.account_id(value, organization_field), problems, skip)


def services(values: Sequence[Any], path: str, problems: Problems, skip: Skip = never) -> tuple[Any, ...]:
    return each(values, path, names.service_principal, problems, skip)


def organization_id(value: Any, path: str, problems: Problems, skip: Skip = never) -> Any:
    """The organisation id when given and good, else None."""
    if value is None:
        return None
    return value if one(value, path, names.organization_id, problems, skip) else None


def repository_policy_size(path: str, problems: Problems, *, owner_account: str | None,
                           pull_accounts: Sequence[str], push_accounts: Sequence[str], services: Sequence[str],
                           organization_id: str | None, partition: str = "aws", advice: str = "") -> None:
    """The repository policy the grants produce fits ECR's limit.

    ``owner_account`` is the repository's own account (it appears in each service statement's
    ``aws:SourceAccount`` condition); pass None when it is not known yet (a token): the check then runs only
    when no statement depends on it.
    """
    if owner_account is None and services:
        return
    chars = policy_chars(owner_account=owner_account or "", pull_accounts=pull_accounts,
                         push_accounts=push_accounts, services=services, organization_id=organization_id,
                         partition=partition)
    if chars > MAX_REPOSITORY_POLICY_CHARS:
        problems.add(path, f"the repository policy would have {chars} characters; ECR allows "
                     f"{MAX_REPOSITORY_POLICY_CHARS}{advice}")


@lru_cache(maxsize=4096)
def _rule_problems(rule: LifecycleRule, path: str) -> tuple[str, ...]:
    """The spec's per-rule checks on a typed rule: its ECR JSON through the spec's own ``parse_rule``.
    Cached: the rules of a parsed spec are shared by many repositories."""
    problems = Problems()
    parse_rule(rule.to_json(), path, problems)
    return tuple(problems.lines)


def lifecycle_rules(rules: Sequence[LifecycleRule], path: str, problems: Problems) -> None:
    """Typed rules built in code (not parsed from a spec) get every check a spec rule gets: each rule's own
    checks, then, when those pass, the checks across the policy (priorities, ``any`` last, size, count)."""
    before = problems.reported
    for i, rule in enumerate(rules):
        try:
            lines = _rule_problems(rule, f"{path}[{i}]")
        except TypeError:  # a rule built with lists instead of tuples is not hashable: check it uncached
            lines = _rule_problems.__wrapped__(rule, f"{path}[{i}]")
        for line in lines:
            problems.add("", line)
    if problems.reported == before:
        check_rules([(f"{path}[{i}]", rule) for i, rule in enumerate(rules)], path, problems,
                    advice=f"give {path} at least one rule, such as DEFAULT_LIFECYCLE_RULES")
