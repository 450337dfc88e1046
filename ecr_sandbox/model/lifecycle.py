"""Lifecycle policies as the sandbox reads them: the policy text, and what it does to a repository's images.

Pages (ECR user guide):

- PROPS "Lifecycle policy properties in Amazon ECR"
  (https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html);
- EVAL "Automate the cleanup of images by using lifecycle policies in Amazon ECR", "Lifecycle policy evaluation
  rules" (https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html);
- EXAMPLES "Examples of lifecycle policies in Amazon ECR"
  (https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html).

How a policy acts (EVAL), as this module applies it in ``decide``:

1. Every rule looks at the images of its storage class (PROPS "Storage class", ``standard`` when omitted) whose
   tags meet its selection ("tagged" with a prefix or pattern list: every entry matches one of the image's tags;
   "untagged": no tag; "any": all). Those images are what the rule *identifies*.
2. Each rule marks, among what it identifies and as if no other rule existed: with ``imageCountMoreThan`` every
   image after the newest N ("sorted from youngest to oldest based on pushed_at_time", the restore time for an
   image restored from the archive); with ``sinceImagePushed`` those pushed more than N days ago; with
   ``sinceImagePulled`` those last pulled more than N days ago (never pulled: the push; restored and not pulled
   since: the restore); with ``sinceImageTransitioned`` archived images archived more than N days ago.
3. "All rules are evaluated at the same time ... then applied based on rule priority": an image's fate is set by
   the first rule, by priority, that identifies it ("an image that matches the tagging requirements of a rule
   cannot be expired or archived by a rule with a lower priority"); lower rules still count it. It is acted on
   when that rule marked it, so "an image is expired or archived by exactly one or zero rules".
4. "If an image is referenced by a manifest list, it cannot be expired or archived without the manifest list
   being deleted or archived first": while a list that is not archived names it, it stays.
5. Reference artifacts (a ``subject``) go with their subject.

Where the pages leave room, the sandbox reads them as docs/lifecycle.md records (the same AWS-documented cases,
``tests/ecr_cases/lifecycle.py``, hold both this reading and the product's): "more than N days" is strict; equal
push times are ordered by digest (the greater counts as newer); an image being restored (``ACTIVATING``) is in
no storage class; a manifest list expired in the same evaluation still holds its manifests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Sequence

from ecr_sandbox.model import limits
from ecr_sandbox.model.tags import wildcard_matches

TAG_STATUSES = ("tagged", "untagged", "any")
COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
STANDARD, ARCHIVE, ACTIVATING = "standard", "archive", "activating"
KEEP, EXPIRE, TRANSITION = "keep", "expire", "transition"


class PolicyError(ValueError):
    """The policy text breaks a rule of PROPS; the message names the rule and the value."""


@dataclass(frozen=True)
class Rule:
    priority: int
    tag_status: str
    count_type: str
    count_number: int
    action: str = EXPIRE
    prefixes: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    storage_class: str = STANDARD


@dataclass(frozen=True)
class Image:
    """One manifest of a repository, with the ``ImageDetail`` facts the rules look at."""

    digest: str
    tags: tuple[str, ...]
    pushed_at: datetime
    last_pulled_at: datetime | None = None
    storage_class: str = STANDARD  # standard | archive | activating (imageStatus ACTIVE | ARCHIVED | ACTIVATING)
    archived_at: datetime | None = None
    activated_at: datetime | None = None
    children: tuple[str, ...] = ()  # a manifest list's manifests
    subject: str | None = None  # a reference artifact's subject

    @property
    def youth(self) -> tuple[datetime, str]:
        """Sort key, newest greatest: the restore time of a restored image, else the push; then the digest."""
        return (self.activated_at or self.pushed_at, self.digest)


@dataclass(frozen=True)
class Decision:
    image: Image
    action: str  # keep | expire | transition
    priority: int | None  # the rule that acts, or that identified and so kept the image


def _need(condition: bool, message: str) -> None:
    if not condition:
        raise PolicyError(message)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    _need(isinstance(value, list) and value and all(isinstance(v, str) and v for v in value),
          f"{where} must be a non-empty list of non-empty strings")
    return tuple(value)


def _read_rule(raw: Any, index: int) -> Rule:
    where = f"rules[{index}]"
    _need(isinstance(raw, dict), f"{where} must be an object")
    priority = raw.get("rulePriority")
    _need(type(priority) is int and priority >= 1, f"{where}.rulePriority {priority!r} must be an integer of 1 or more")
    selection, action = raw.get("selection"), raw.get("action")
    _need(isinstance(selection, dict), f"{where}.selection must be an object")
    _need(isinstance(action, dict), f"{where}.action must be an object")
    status = selection.get("tagStatus")
    _need(status in TAG_STATUSES, f"{where}.selection.tagStatus {status!r} is not one of {', '.join(TAG_STATUSES)}")
    prefixes = _strings(selection["tagPrefixList"], f"{where}.selection.tagPrefixList") \
        if "tagPrefixList" in selection else ()
    patterns = _strings(selection["tagPatternList"], f"{where}.selection.tagPatternList") \
        if "tagPatternList" in selection else ()
    if status == "tagged":
        _need(bool(prefixes) != bool(patterns), f"{where}: tagStatus tagged takes one of tagPrefixList and "
                                                "tagPatternList")
    else:
        _need(not prefixes and not patterns, f"{where}: tagStatus {status} takes no tag list")
    for pattern in patterns:
        _need(pattern.count("*") <= limits.LIFECYCLE_PATTERN_WILDCARDS,
              f"{where}: pattern {pattern!r} has more than {limits.LIFECYCLE_PATTERN_WILDCARDS} wildcards")
    count_type, number, unit = selection.get("countType"), selection.get("countNumber"), selection.get("countUnit")
    _need(count_type in COUNT_TYPES, f"{where}.selection.countType {count_type!r} is not one of {', '.join(COUNT_TYPES)}")
    _need(type(number) is int and number >= 1, f"{where}.selection.countNumber {number!r} must be a positive integer")
    if count_type == "imageCountMoreThan":
        _need("countUnit" not in selection, f"{where}: countUnit is not allowed with imageCountMoreThan")
    else:
        _need(unit == "days", f"{where}: countType {count_type} needs countUnit days")
    storage = selection.get("storageClass", STANDARD)
    _need(storage in (STANDARD, ARCHIVE), f"{where}.selection.storageClass {storage!r} is not standard or archive")
    _need((storage == ARCHIVE) == (count_type == "sinceImageTransitioned"),
          f"{where}: storageClass archive goes with countType sinceImageTransitioned, and only with it")
    kind = action.get("type")
    _need(kind in (EXPIRE, TRANSITION), f"{where}.action.type {kind!r} is not expire or transition")
    if kind == TRANSITION:
        _need(action.get("targetStorageClass") == ARCHIVE, f"{where}: a transition needs targetStorageClass archive")
        _need(storage == STANDARD, f"{where}: only standard images can be transitioned")
    else:
        _need("targetStorageClass" not in action, f"{where}: targetStorageClass is only for a transition")
        _need(count_type != "sinceImagePulled", f"{where}: sinceImagePulled can only transition images")
    return Rule(priority, status, count_type, number, kind, prefixes, patterns, storage)


def read_policy(text: str) -> tuple[Rule, ...]:
    """The rules of an ECR lifecycle policy document, by priority; ``PolicyError`` when PROPS refuses it."""
    low, high = limits.LIFECYCLE_POLICY_CHARS
    _need(low <= len(text) <= high, f"the policy text has {len(text)} characters; ECR takes {low} to {high}")
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise PolicyError(f"the policy text is not JSON: {exc}") from exc
    raw_rules = document.get("rules") if isinstance(document, dict) else None
    _need(isinstance(raw_rules, list) and 1 <= len(raw_rules) <= limits.LIFECYCLE_RULES,
          f"a policy holds a list 'rules' of 1 to {limits.LIFECYCLE_RULES} rules")
    rules = sorted((_read_rule(raw, i) for i, raw in enumerate(raw_rules)), key=lambda r: r.priority)
    priorities = [r.priority for r in rules]
    _need(len(set(priorities)) == len(priorities), "every rulePriority must be unique")
    for storage in (STANDARD, ARCHIVE):
        own = [r for r in rules if r.storage_class == storage]
        anys = [r for r in own if r.tag_status == "any"]
        _need(not anys or anys == own[-1:], f"the tagStatus any rule must come last among the {storage} rules")
        _need(sum(r.tag_status == "untagged" for r in own) <= 1, f"only one {storage} rule may select untagged images")
    return tuple(rules)


def _tags_meet(rule: Rule, tags: Sequence[str]) -> bool:
    if rule.tag_status == "any":
        return True
    if rule.tag_status == "untagged":
        return not tags
    return bool(tags) and all(any(t.startswith(p) for t in tags) for p in rule.prefixes) and all(
        any(wildcard_matches(p, t) for t in tags) for p in rule.patterns)


def identifies(rule: Rule, image: Image) -> bool:
    return image.storage_class == rule.storage_class and _tags_meet(rule, image.tags)


def _since(rule: Rule, image: Image) -> datetime | None:
    if rule.count_type == "sinceImagePushed":
        return image.pushed_at
    if rule.count_type == "sinceImageTransitioned":
        return image.archived_at
    if image.activated_at is not None and (image.last_pulled_at is None or image.last_pulled_at < image.activated_at):
        return image.activated_at
    return image.last_pulled_at or image.pushed_at


def marks(rule: Rule, images: Iterable[Image], now: datetime) -> set[str]:
    """The digests ``rule`` marks on its own."""
    seen = [i for i in images if identifies(rule, i)]
    if rule.count_type == "imageCountMoreThan":
        newest_first = sorted(seen, key=lambda i: i.youth, reverse=True)
        return {i.digest for i in newest_first[rule.count_number:]}
    limit = now - timedelta(days=rule.count_number)
    return {i.digest for i in seen if (moment := _since(rule, i)) is not None and moment < limit}


def decide(rules: Sequence[Rule], images: Sequence[Image], now: datetime) -> list[Decision]:
    """What the policy does to each image, newest first."""
    by_priority = sorted(rules, key=lambda r: r.priority)
    marked = {rule.priority: marks(rule, images, now) for rule in by_priority}
    held = {child for i in images if i.storage_class != ARCHIVE for child in i.children}
    fate: dict[str, Decision] = {}
    for image in images:
        rule = next((r for r in by_priority if identifies(r, image)), None)
        acts = rule is not None and image.digest in marked[rule.priority] and image.digest not in held
        fate[image.digest] = Decision(image, rule.action if acts and rule else KEEP, rule.priority if rule else None)
    for image in images:
        subject = fate.get(image.subject or "")
        if subject is not None and subject.action != KEEP and fate[image.digest].action == KEEP:
            fate[image.digest] = Decision(image, subject.action, subject.priority)
    return sorted(fate.values(), key=lambda d: d.image.youth, reverse=True)
