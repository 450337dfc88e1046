"""Lifecycle rules: the typed rule, its checks, the shorthands and ECR's policy JSON.

A rule is written in ECR's own JSON (``rulePriority``, ``description``, ``selection``, ``action``) so
rules can be pasted from the AWS documentation. Checks follow the ECR user guide to the letter: "Lifecycle
policy properties in Amazon ECR", the evaluation rules on "Automate the cleanup of images by using lifecycle
policies in Amazon ECR", the notes on "Examples of lifecycle policies in Amazon ECR" and "Archiving an image"
(docs/lifecycle.md lists every rule with its page and every choice made where the pages are ambiguous).
The evaluator is ``ecr_spec.model.lifecycle_evaluation``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from ..core.errors import Problems, SpecError
from ..core.limits import ARCHIVE_MIN_DAYS  # ECR's limits are named once, in limits.py; the old names stay importable
from ..core.limits import MAX_LIFECYCLE_POLICY_CHARS as MAX_POLICY_CHARS
from ..core.limits import MAX_LIFECYCLE_RULES as MAX_RULES
from ..core.limits import MAX_TAG_PATTERN_WILDCARDS as MAX_WILDCARDS
from ..core.limits import MIN_LIFECYCLE_POLICY_CHARS as MIN_POLICY_CHARS
from ..core.names import show

TAG_STATUSES = ("tagged", "untagged", "any")
COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
ACTIONS = ("expire", "transition")
STORAGE_CLASSES = ("standard", "archive")

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
    """Parses one rule in ECR's JSON, adding every problem found; None if it cannot be used.
    Each check cites the ECR user guide page it comes from (docs/lifecycle.md lists them)."""
    if not isinstance(raw, dict):
        problems.add(path, f"{show(raw)} must be an object with rulePriority, selection and action")
        return None
    before = problems.reported
    _unknown_keys(raw, _RULE_KEYS, path, problems)
    priority = raw.get("rulePriority")
    if not _positive_int(priority):  # API reference: LifecyclePolicyRulePriority, min 1
        problems.add(f"{path}.rulePriority", f"{show(priority)} must be a positive integer")
    description = raw.get("description")
    if description is not None and not isinstance(description, str):
        problems.add(f"{path}.description", f"{show(description)} must be a string")
    selection = raw.get("selection")
    action = raw.get("action")
    if not isinstance(selection, dict):
        problems.add(f"{path}.selection", f"{show(selection)} must be an object (tagStatus, countType, ...)")
        selection = {}
    if not isinstance(action, dict):
        problems.add(f"{path}.action", f"{show(action)} must be an object such as {{\"type\": \"expire\"}}")
        action = {"type": "expire"}  # said once; the rule is dropped anyway
    _unknown_keys(selection, _SELECTION_KEYS, f"{path}.selection", problems)
    _unknown_keys(action, _ACTION_KEYS, f"{path}.action", problems)
    rule = _parse_selection_and_action(selection, action, f"{path}.selection", f"{path}.action", problems)
    if problems.reported > before:
        return None
    return LifecycleRule(rule_priority=priority, description=description, **rule)


def _parse_tags(sel: Mapping[str, Any], spath: str, problems: Problems) -> dict[str, Any]:
    """tagStatus and the tag lists (properties page: "Tag status", "Tag pattern list", "Tag prefix list";
    evaluation rules: one list per rule, lists only with 'tagged', at most four wildcards)."""
    tag_status = sel.get("tagStatus")
    if tag_status not in TAG_STATUSES:
        problems.add(f"{spath}.tagStatus", f"{show(tag_status)} must be one of {', '.join(TAG_STATUSES)}")
    prefixes = _string_list(sel["tagPrefixList"], f"{spath}.tagPrefixList", problems) \
        if "tagPrefixList" in sel else ()
    patterns = _string_list(sel["tagPatternList"], f"{spath}.tagPatternList", problems) \
        if "tagPatternList" in sel else ()
    if tag_status == "tagged":
        if "tagPrefixList" in sel and "tagPatternList" in sel:
            problems.add(spath, "tagStatus 'tagged' takes tagPrefixList or tagPatternList, not both")
        elif not prefixes and not patterns:
            problems.add(spath, "tagStatus 'tagged' needs a non-empty tagPrefixList or tagPatternList")
    elif tag_status in ("untagged", "any") and ("tagPrefixList" in sel or "tagPatternList" in sel):
        problems.add(spath, f"tagStatus {show(tag_status)} takes no tagPrefixList or tagPatternList "
                            "(they are only used with 'tagged')")
    for i, pattern in enumerate(patterns):
        if pattern.count("*") > MAX_WILDCARDS:
            problems.add(f"{spath}.tagPatternList[{i}]",
                         f"{show(pattern)} has {pattern.count('*')} wildcards; ECR allows at most {MAX_WILDCARDS}")
    return {"tag_status": tag_status, "tag_prefix_list": prefixes, "tag_pattern_list": patterns}


def _parse_selection_and_action(sel: Mapping[str, Any], act: Mapping[str, Any], spath: str, apath: str,
                                problems: Problems) -> dict[str, Any]:
    tags = _parse_tags(sel, spath, problems)
    count_type = sel.get("countType")
    count_unit = sel.get("countUnit")
    count_number = sel.get("countNumber")
    storage_class = sel.get("storageClass")
    if count_type not in COUNT_TYPES:  # properties page, "Count type"
        problems.add(f"{spath}.countType", f"{show(count_type)} must be one of {', '.join(COUNT_TYPES)}")
    elif count_type == "imageCountMoreThan":  # "Count unit": an error if given with any other count type
        if "countUnit" in sel:
            problems.add(f"{spath}.countUnit", f"{show(count_unit)} is not allowed with countType imageCountMoreThan")
    elif count_unit != "days":
        problems.add(f"{spath}.countUnit", f"{show(count_unit)}: countType {count_type} needs countUnit 'days'")
    if not _positive_int(count_number):  # "Count number": positive integers, 0 is not accepted
        problems.add(f"{spath}.countNumber", f"{show(count_number)} must be a positive integer")
    # "Storage class": standard when omitted; required and 'archive' with sinceImageTransitioned, 'standard'
    # with every other count type.
    if storage_class is not None and storage_class not in STORAGE_CLASSES:
        problems.add(f"{spath}.storageClass", f"{show(storage_class)} must be one of {', '.join(STORAGE_CLASSES)}")
    elif count_type == "sinceImageTransitioned" and storage_class != "archive":
        problems.add(f"{spath}.storageClass", f"{show(storage_class)}: countType sinceImageTransitioned needs "
                                             "storageClass 'archive'")
    elif count_type in COUNT_TYPES and count_type != "sinceImageTransitioned" and storage_class == "archive":
        problems.add(f"{spath}.storageClass", f"'archive' is only allowed with countType sinceImageTransitioned "
                                             f"(countType {count_type} selects 'standard' images)")
    action = act.get("type")
    target = act.get("targetStorageClass")
    if action not in ACTIONS:  # properties page, "Action"
        problems.add(f"{apath}.type", f"{show(action)} must be one of {', '.join(ACTIONS)}")
    elif action == "transition":
        if target != "archive":
            problems.add(f"{apath}.targetStorageClass", f"{show(target)}: a transition needs targetStorageClass 'archive'")
        if count_type == "sinceImageTransitioned":  # examples page: sinceImageTransitioned must expire
            problems.add(f"{spath}.countType", "sinceImageTransitioned selects archived images: its action must be "
                                               "'expire'")
    else:
        if "targetStorageClass" in act:
            problems.add(f"{apath}.targetStorageClass", f"{show(target)} is only allowed with action type 'transition'")
        if count_type == "sinceImagePulled":  # examples page, "Filtering on last pulled time"
            problems.add(f"{spath}.countType", "sinceImagePulled can only transition images to archive, not expire them")
    if count_type == "sinceImageTransitioned" and _positive_int(count_number) and count_number < ARCHIVE_MIN_DAYS:
        # archive page: archived images have a minimum storage duration of 90 days
        problems.add(f"{spath}.countNumber", f"{count_number}: an archived image cannot be expired within "
                     f"{ARCHIVE_MIN_DAYS} days of archiving")
    return {**tags, "count_type": count_type, "count_unit": count_unit, "count_number": count_number,
            "action": action, "target_storage_class": target, "storage_class": storage_class}


def rule_storage_class(rule: LifecycleRule) -> str:
    """The storage class a rule selects: ``standard`` when omitted (properties page, "Storage class")."""
    return rule.storage_class or "standard"


SPEC_ADVICE = "set untagged_expire_days, keep_last or rules"  # what the spec's ``lifecycle`` takes


def check_rules(rules: Sequence[tuple[str, LifecycleRule]], path: str, problems: Problems,
                advice: str = SPEC_ADVICE) -> None:
    """Checks that apply across a policy's rules. ``rules`` pairs each rule with the path it came from;
    ``advice`` says how to add a rule where they came from (the spec's keys, or a construct's props).

    Priorities are unique across the policy. The `any` rule comes last, at most one rule selects untagged
    images and the tag prefix sets are unique **per storage class** (evaluation rules page; the examples
    page's "Combining archive and expire rules" has an `any` rule for each storage class)."""
    if not rules:
        problems.add(path, f"a repository needs at least one lifecycle rule (Security Hub ECR.3); {advice}")
        return
    if len(rules) > MAX_RULES:
        problems.add(path, f"{len(rules)} rules; ECR allows at most {MAX_RULES}")
    seen: dict[int, str] = {}
    for rpath, rule in rules:
        if rule.rule_priority in seen:
            problems.add(f"{rpath}.rulePriority", f"{rule.rule_priority} is already used by {seen[rule.rule_priority]}")
        else:
            seen[rule.rule_priority] = rpath
    for storage in STORAGE_CLASSES:
        _check_storage_class(storage, [(p, r) for p, r in rules if rule_storage_class(r) == storage], problems)
    text = policy_text([r for _, r in rules])
    if not MIN_POLICY_CHARS <= len(text) <= MAX_POLICY_CHARS:
        problems.add(path, f"the policy text has {len(text)} characters; ECR takes {MIN_POLICY_CHARS} to "
                           f"{MAX_POLICY_CHARS}")


def _check_storage_class(storage: str, rules: Sequence[tuple[str, LifecycleRule]], problems: Problems) -> None:
    if not rules:
        return
    where = f"storageClass '{storage}'"
    any_rules = [(p, r) for p, r in rules if r.tag_status == "any"]
    for rpath, _ in any_rules[1:]:
        problems.add(rpath, f"only one rule selecting {where} may have tagStatus 'any' ({any_rules[0][0]} has it "
                            "already)")
    if any_rules:
        rpath, rule = any_rules[0]
        later = max(r.rule_priority for _, r in rules if r.tag_status != "any") if len(any_rules) < len(rules) else 0
        if later > rule.rule_priority:
            problems.add(f"{rpath}.rulePriority", f"{rule.rule_priority}: the rule with tagStatus 'any' must have the "
                         f"highest rulePriority of the rules selecting {where} (another has {later})")
    untagged = [p for p, r in rules if r.tag_status == "untagged"]
    for rpath in untagged[1:]:
        problems.add(rpath, f"only one rule selecting {where} may select untagged images ({untagged[0]} does already)")
    prefix_sets: dict[frozenset[str], str] = {}
    for rpath, rule in rules:
        if not rule.tag_prefix_list:
            continue
        key = frozenset(rule.tag_prefix_list)
        if key in prefix_sets:
            problems.add(f"{rpath}.selection.tagPrefixList", f"{show(list(rule.tag_prefix_list))}: the same tag "
                         f"prefixes as {prefix_sets[key]}; the rules selecting {where} need a unique set of prefixes")
        else:
            prefix_sets[key] = rpath


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
