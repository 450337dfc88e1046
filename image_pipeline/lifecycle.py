"""A lifecycle policy evaluator that follows ECR's evaluation rules (ecr-rules.md), for registries
without ECR's own preview API (the sandbox: moto answers it with HTTP 500).

- All rules are evaluated together, then applied by priority (lowest number first).
- An image is acted on by at most one rule.
- An image that matches the selection (tag status, tags, storage class) of a higher-priority rule is
  shielded from every lower-priority rule, even when that rule keeps it; lower rules still count it.
- Within a rule the oldest images (by push time) go first: imageCountMoreThan N keeps the N newest
  matching images; since* N days selects images whose reference time is more than N days ago.
- tagPrefixList / tagPatternList: every entry must match one of the image's tags (AND); ``*`` matches
  any run of characters.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from ecr_spec import LifecycleRule

from .targets import wildcard_match


@dataclass(frozen=True)
class Image:
    digest: str
    tags: tuple[str, ...]
    pushed_at: datetime
    last_pulled_at: datetime | None = None
    storage_class: str = "standard"
    transitioned_at: datetime | None = None


@dataclass(frozen=True)
class Verdict:
    image: Image
    action: str  # "keep" | "expire" | "transition"
    rule: LifecycleRule | None

    @property
    def rule_priority(self) -> int | None:
        return self.rule.rule_priority if self.rule else None


def matches_tags(rule: LifecycleRule, tags: Sequence[str]) -> bool:
    if rule.tag_status == "untagged":
        return not tags
    if rule.tag_status == "any":
        return True
    if not tags:
        return False
    prefixes_ok = all(any(t.startswith(p) for t in tags) for p in rule.tag_prefix_list)
    patterns_ok = all(any(wildcard_match(p, t) for t in tags) for p in rule.tag_pattern_list)
    return prefixes_ok and patterns_ok


def selected_storage_class(rule: LifecycleRule) -> str:
    if rule.storage_class:
        return rule.storage_class
    return "archive" if rule.count_type == "sinceImageTransitioned" else "standard"


def matches(rule: LifecycleRule, image: Image) -> bool:
    """The rule's selection without its count: the images the rule 'sees'."""
    return image.storage_class == selected_storage_class(rule) and matches_tags(rule, image.tags)


def reference_time(rule: LifecycleRule, image: Image) -> datetime | None:
    if rule.count_type == "sinceImagePulled":
        return image.last_pulled_at or image.pushed_at  # never pulled: counts from the push
    if rule.count_type == "sinceImageTransitioned":
        return image.transitioned_at
    return image.pushed_at


def candidates(rule: LifecycleRule, images: Sequence[Image], now: datetime) -> list[Image]:
    """The images ``rule`` would act on by itself, oldest first."""
    seen = sorted((i for i in images if matches(rule, i)), key=lambda i: (i.pushed_at, i.digest))
    if rule.count_type == "imageCountMoreThan":
        return seen[:max(len(seen) - rule.count_number, 0)]
    cutoff = now - timedelta(days=rule.count_number)
    chosen = []
    for image in seen:
        moment = reference_time(rule, image)
        if moment is not None and moment < cutoff:
            chosen.append(image)
    return chosen


def evaluate(rules: Sequence[LifecycleRule], images: Sequence[Image], now: datetime) -> list[Verdict]:
    """Every image with what the policy does to it and which rule decides; in push order, newest first."""
    ordered = sorted(rules, key=lambda r: r.rule_priority)
    picks = {rule.rule_priority: {i.digest for i in candidates(rule, images, now)} for rule in ordered}
    verdicts = []
    for image in sorted(images, key=lambda i: (i.pushed_at, i.digest), reverse=True):
        decided: Verdict = Verdict(image, "keep", None)
        for rule in ordered:
            if image.digest in picks[rule.rule_priority]:
                decided = Verdict(image, rule.action, rule)
                break
            if matches(rule, image):
                decided = Verdict(image, "keep", rule)
                break  # seen by a higher-priority rule that keeps it: shielded from the rest
        verdicts.append(decided)
    return verdicts
