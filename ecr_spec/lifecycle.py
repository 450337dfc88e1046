"""Lifecycle rules: the typed rule, its checks, the shorthands and ECR's policy JSON.

A rule is written in ECR's own JSON (``rulePriority``, ``description``, ``selection``, ``action``) so
rules can be pasted from the AWS documentation. Checks follow the ECR user guide's lifecycle policy
parameters and evaluation rules (see shared/reference/ecr-rules.md).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .errors import Problems, SpecError
from .names import show

TAG_STATUSES = ("tagged", "untagged", "any")
COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
ACTIONS = ("expire", "transition")
STORAGE_CLASSES = ("standard", "archive")
MAX_RULES = 50
MIN_POLICY_CHARS = 100
MAX_POLICY_CHARS = 30_720
MAX_WILDCARDS = 4
ARCHIVE_MIN_DAYS = 90

_RULE_KEYS = {"rulePriority", "description", "selection", "action"}
_SELECTION_KEYS = {"tagStatus", "tagPrefixList", "tagPatternList", "countType", "countUnit", "countNumber",
                   "storageClass"}
_ACTION_KEYS = {"type", "targetStorageClass"}


@dataclass(frozen=True)
class LifecycleRule:
    """One ECR lifecycle rule. Field names follow ECR's JSON keys in snake case."""

    rule_priority: int
    tag_status: str
    count_type: str
    count_number: int
    action: str = "expire"
    description: str | None = None
    tag_prefix_list: tuple[str, ...] = ()
    tag_pattern_list: tuple[str, ...] = ()
    count_unit: str | None = None
    target_storage_class: str | None = None
    storage_class: str | None = None

    def to_json(self) -> dict[str, Any]:
        selection: dict[str, Any] = {"tagStatus": self.tag_status}
        if self.tag_prefix_list:
            selection["tagPrefixList"] = list(self.tag_prefix_list)
        if self.tag_pattern_list:
            selection["tagPatternList"] = list(self.tag_pattern_list)
        if self.storage_class:
            selection["storageClass"] = self.storage_class
        selection["countType"] = self.count_type
        if self.count_unit:
            selection["countUnit"] = self.count_unit
        selection["countNumber"] = self.count_number
        action: dict[str, Any] = {"type": self.action}
        if self.target_storage_class:
            action["targetStorageClass"] = self.target_storage_class
        rule: dict[str, Any] = {"rulePriority": self.rule_priority}
        if self.description:
            rule["description"] = self.description
        rule["selection"] = selection
        rule["action"] = action
        return rule


def untagged_rule(priority: int, days: int) -> LifecycleRule:
    """The ``untagged_expire_days`` shorthand: expire untagged images N days after push."""
    return LifecycleRule(rule_priority=priority, description=f"Expire untagged images after {days} days",
                         tag_status="untagged", count_type="sinceImagePushed", count_unit="days",
                         count_number=days)


def keep_last_rule(priority: int, count: int) -> LifecycleRule:
    """The ``keep_last`` shorthand: keep the newest N images, expire the rest."""
    return LifecycleRule(rule_priority=priority, description=f"Keep only the newest {count} images",
                         tag_status="any", count_type="imageCountMoreThan", count_number=count)


DEFAULT_RULES: tuple[LifecycleRule, ...] = (untagged_rule(1, 14), keep_last_rule(2, 100))
"""What a repository gets when nothing says otherwise: expire untagged images after 14 days, keep the newest 100."""


def policy_text(rules: Sequence[LifecycleRule]) -> str:
    """ECR's lifecycle policy document for these rules, in priority order."""
    ordered = sorted(rules, key=lambda r: r.rule_priority)
    return json.dumps({"rules": [r.to_json() for r in ordered]}, separators=(",", ":"))


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _string_list(value: Any, path: str, problems: Problems) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.add(path, f"{show(value)} must be a list of non-empty strings")
        return ()
    return tuple(value)


def _unknown_keys(obj: Mapping[str, Any], allowed: set[str], path: str, problems: Problems) -> None:
    for key in obj:
        if key not in allowed:
            problems.add(f"{path}.{key}", f"unknown key (allowed: {', '.join(sorted(allowed))})")


def parse_rule(raw: Any, path: str, problems: Problems) -> LifecycleRule | None:
    """Parses one rule in ECR's JSON, adding every problem found; None if it cannot be used."""
    if not isinstance(raw, dict):
        problems.add(path, f"{show(raw)} must be an object with rulePriority, selection and action")
        return None
    before = problems.reported
    _unknown_keys(raw, _RULE_KEYS, path, problems)
    priority = raw.get("rulePriority")
    if not _positive_int(priority):
        problems.add(f"{path}.rulePriority", f"{show(priority)} must be a positive integer")
    description = raw.get("description")
    if description is not None and not isinstance(description, str):
        problems.add(f"{path}.description", f"{show(description)} must be a string")
    selection = raw.get("selection")
    action = raw.get("action", {"type": "expire"})
    if not isinstance(selection, dict):
        problems.add(f"{path}.selection", f"{show(selection)} must be an object (tagStatus, countType, ...)")
        selection = {}
    if not isinstance(action, dict):
        problems.add(f"{path}.action", f"{show(action)} must be an object such as {{\"type\": \"expire\"}}")
        action = {}
    _unknown_keys(selection, _SELECTION_KEYS, f"{path}.selection", problems)
    _unknown_keys(action, _ACTION_KEYS, f"{path}.action", problems)
    rule = _parse_selection_and_action(selection, action, f"{path}.selection", f"{path}.action", problems)
    if problems.reported > before:
        return None
    return LifecycleRule(rule_priority=priority, description=description, **rule)


def _parse_selection_and_action(sel: Mapping[str, Any], act: Mapping[str, Any], spath: str, apath: str,
                                problems: Problems) -> dict[str, Any]:
    tag_status = sel.get("tagStatus")
    if tag_status not in TAG_STATUSES:
        problems.add(f"{spath}.tagStatus", f"{show(tag_status)} must be one of {', '.join(TAG_STATUSES)}")
    prefixes = _string_list(sel["tagPrefixList"], f"{spath}.tagPrefixList", problems) \
        if "tagPrefixList" in sel else ()
    patterns = _string_list(sel["tagPatternList"], f"{spath}.tagPatternList", problems) \
        if "tagPatternList" in sel else ()
    if tag_status == "tagged":
        if prefixes and patterns:
            problems.add(spath, "tagStatus 'tagged' takes tagPrefixList or tagPatternList, not both")
        elif not prefixes and not patterns:
            problems.add(spath, "tagStatus 'tagged' needs a non-empty tagPrefixList or tagPatternList")
    elif tag_status in ("untagged", "any") and ("tagPrefixList" in sel or "tagPatternList" in sel):
        problems.add(spath, f"tagStatus {show(tag_status)} takes no tagPrefixList or tagPatternList")
    for i, pattern in enumerate(patterns):
        if pattern.count("*") > MAX_WILDCARDS:
            problems.add(f"{spath}.tagPatternList[{i}]",
                         f"{show(pattern)} has {pattern.count('*')} wildcards; ECR allows at most {MAX_WILDCARDS}")
    count_type = sel.get("countType")
    count_unit = sel.get("countUnit")
    count_number = sel.get("countNumber")
    if count_type not in COUNT_TYPES:
        problems.add(f"{spath}.countType", f"{show(count_type)} must be one of {', '.join(COUNT_TYPES)}")
    elif count_type == "imageCountMoreThan":
        if count_unit is not None:
            problems.add(f"{spath}.countUnit", f"{show(count_unit)} is not allowed with countType imageCountMoreThan")
    elif count_unit != "days":
        problems.add(f"{spath}.countUnit", f"{show(count_unit)}: countType {count_type} needs countUnit 'days'")
    if not _positive_int(count_number):
        problems.add(f"{spath}.countNumber", f"{show(count_number)} must be a positive integer")
    storage_class = sel.get("storageClass")
    if storage_class is not None and storage_class not in STORAGE_CLASSES:
        problems.add(f"{spath}.storageClass", f"{show(storage_class)} must be one of {', '.join(STORAGE_CLASSES)}")
    action = act.get("type")
    target = act.get("targetStorageClass")
    if action not in ACTIONS:
        problems.add(f"{apath}.type", f"{show(action)} must be one of {', '.join(ACTIONS)}")
    elif action == "transition":
        if target != "archive":
            problems.add(f"{apath}.targetStorageClass", f"{show(target)}: a transition needs targetStorageClass 'archive'")
        if storage_class == "archive":
            problems.add(f"{spath}.storageClass", "images already in 'archive' cannot be transitioned again")
        if count_type == "sinceImageTransitioned":
            problems.add(f"{spath}.countType", "sinceImageTransitioned selects archived images; they can only expire")
    else:
        if target is not None:
            problems.add(f"{apath}.targetStorageClass", f"{show(target)} is only allowed with action type 'transition'")
        if count_type == "sinceImagePulled":
            problems.add(f"{spath}.countType", "sinceImagePulled can only transition images to archive, not expire them")
    if count_type == "sinceImageTransitioned":
        if storage_class not in (None, "archive"):
            problems.add(f"{spath}.storageClass", "sinceImageTransitioned selects archived images: use 'archive'")
        if _positive_int(count_number) and count_number < ARCHIVE_MIN_DAYS:
            problems.add(f"{spath}.countNumber", f"{count_number}: an archived image cannot be expired within "
                         f"{ARCHIVE_MIN_DAYS} days of archiving")
    return {"tag_status": tag_status, "tag_prefix_list": prefixes, "tag_pattern_list": patterns,
            "count_type": count_type, "count_unit": count_unit, "count_number": count_number,
            "action": action, "target_storage_class": target, "storage_class": storage_class}


def check_rules(rules: Sequence[tuple[str, LifecycleRule]], path: str, problems: Problems) -> None:
    """Checks that apply across a policy's rules. ``rules`` pairs each rule with the path it came from."""
    if not rules:
        problems.add(path, "a repository needs at least one lifecycle rule (Security Hub ECR.3); "
                           "set untagged_expire_days, keep_last or rules")
        return
    if len(rules) > MAX_RULES:
        problems.add(path, f"{len(rules)} rules; ECR allows at most {MAX_RULES}")
    seen: dict[int, str] = {}
    for rpath, rule in rules:
        if rule.rule_priority in seen:
            problems.add(f"{rpath}.rulePriority", f"{rule.rule_priority} is already used by {seen[rule.rule_priority]}")
        else:
            seen[rule.rule_priority] = rpath
    highest = max(rule.rule_priority for _, rule in rules)
    any_rules = [(p, r) for p, r in rules if r.tag_status == "any"]
    for rpath, rule in any_rules[1:]:
        problems.add(rpath, f"only one rule may have tagStatus 'any' ({any_rules[0][0]} has it already)")
    for rpath, rule in any_rules:
        if rule.rule_priority != highest:
            problems.add(f"{rpath}.rulePriority", f"{rule.rule_priority}: the rule with tagStatus 'any' must have "
                         f"the highest rulePriority (another rule has {highest})")
    untagged = [p for p, r in rules if r.tag_status == "untagged"]
    for rpath in untagged[1:]:
        problems.add(rpath, f"only one rule may select untagged images ({untagged[0]} does already)")
    text = policy_text([r for _, r in rules])
    if not MIN_POLICY_CHARS <= len(text) <= MAX_POLICY_CHARS:
        problems.add(path, f"the policy text has {len(text)} characters; ECR takes {MIN_POLICY_CHARS} to "
                           f"{MAX_POLICY_CHARS}")


def parse_policy_text(text: str) -> tuple[LifecycleRule, ...]:
    """Reads an ECR lifecycle policy document (as ECR returns it) into typed rules, checking every rule."""
    problems = Problems()
    try:
        document = json.loads(text)
    except ValueError as error:
        raise SpecError([f"lifecycle policy: not JSON ({error})"]) from error
    raw_rules = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(raw_rules, list):
        raise SpecError(["lifecycle policy: needs a 'rules' list"])
    parsed = [(f"rules[{i}]", parse_rule(raw, f"rules[{i}]", problems)) for i, raw in enumerate(raw_rules)]
    rules = [(p, r) for p, r in parsed if r is not None]
    if not problems:
        check_rules(rules, "rules", problems)
    problems.raise_if_any()
    return tuple(sorted((r for _, r in rules), key=lambda r: r.rule_priority))
