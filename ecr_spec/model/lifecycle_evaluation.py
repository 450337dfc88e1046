"""ECR's lifecycle policy evaluator, in pure Python: the one evaluator behind ``image-pipeline
lifecycle-preview`` (where ECR's preview API is missing) and the sandbox's StartLifecyclePolicyPreview /
GetLifecyclePolicyPreview.

Calling it::

    from ecr_spec.model.lifecycle import parse_policy_text
    from ecr_spec.model.lifecycle_evaluation import Image, evaluate, image_from_detail, preview_results, preview_summary

    rules = parse_policy_text(lifecycle_policy_text)           # checked, typed rules
    images = [image_from_detail(d) for d in image_details]       # DescribeImages imageDetails (status ANY)
    verdicts = evaluate(rules, images, now)                      # now: an aware datetime
    results = preview_results(verdicts)                          # LifecyclePolicyPreviewResult dicts
    summary = preview_summary(verdicts)                          # LifecyclePolicyPreviewSummary dict

``evaluate(rules, images, now) -> list[Verdict]``: one verdict per image, newest first. An image
(``Image``) carries ``digest``, ``tags``, ``pushed_at``, ``last_pulled_at`` (ImageDetail
``lastRecordedPullTime``), ``storage_class`` (``standard`` | ``archive`` | ``activating``, from
``imageStatus`` ACTIVE | ARCHIVED | ACTIVATING), ``archived_at`` (``lastArchivedAt``), ``activated_at``
(``lastActivatedAt``), ``manifests`` (for a manifest list / image index: the digests it references) and
``subject`` (for a reference artifact: its subject's digest, ``subjectManifestDigest``). A ``Verdict`` has
``action`` (``keep`` | ``expire`` | ``transition``), ``rule`` (the rule that acts on the image, or the
higher-priority rule that identified and so shields it; None when no rule selects it) and ``reason``.

The rules, from the ECR user guide page "Automate the cleanup of images by using lifecycle policies in
Amazon ECR" (section "Lifecycle policy evaluation rules"); docs/lifecycle.md lists each with its choices:

- All rules are evaluated at the same time, then applied by priority (1 first).
- An image is expired or archived by exactly one or zero rules.
- An image that matches a rule's selection (tag requirements, in the rule's storage class) cannot be
  expired or archived by a lower-priority rule; lower rules still identify (count) it.
- An image referenced by a manifest list is not expired or archived while that list is not archived.
- imageCountMoreThan sorts youngest to oldest by push time (``last_activated_at`` for a restored image) and
  acts on every image past the count; sinceImagePushed acts on images pushed more than N days ago;
  sinceImagePulled on images last pulled more than N days ago (never pulled: the push; restored and not
  pulled since: the restore); sinceImageTransitioned on archived images archived more than N days ago.
- tagPrefixList / tagPatternList: every entry must match one of the image's tags; ``*`` matches any run.
- Reference artifacts follow their subject image when it is expired or archived.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping, Sequence

from ..core.tags import wildcard_match
from .lifecycle import LifecycleRule

STANDARD, ARCHIVE, ACTIVATING = "standard", "archive", "activating"
_STATUS_TO_CLASS = {"ACTIVE": STANDARD, "ARCHIVED": ARCHIVE, "ACTIVATING": ACTIVATING}
INDEX_MEDIA_TYPES = ("application/vnd.docker.distribution.manifest.list.v2+json",
                     "application/vnd.oci.image.index.v1+json")


@dataclass(frozen=True)
class Image:
    """One image (manifest) in a repository, with the ImageDetail fields the evaluation rules use."""

    digest: str
    tags: tuple[str, ...]
    pushed_at: datetime
    last_pulled_at: datetime | None = None
    storage_class: str = STANDARD
    archived_at: datetime | None = None
    activated_at: datetime | None = None
    manifests: tuple[str, ...] = ()
    subject: str | None = None

    @property
    def order_time(self) -> datetime:
        """What ages and orders the image for imageCountMoreThan: the restore if it was ever restored."""
        return self.activated_at or self.pushed_at


@dataclass(frozen=True)
class Verdict:
    image: Image
    action: str  # "keep" | "expire" | "transition"
    rule: LifecycleRule | None
    reason: str = ""

    @property
    def rule_priority(self) -> int | None:
        return self.rule.rule_priority if self.rule else None


def image_from_detail(detail: Mapping[str, Any], manifests: Sequence[str] = ()) -> Image:
    """An ``Image`` from one DescribeImages ``imageDetails`` entry (boto3 shape, datetimes as given).
    ``manifests``: for a manifest list, the digests it references (read from the manifest itself)."""
    return Image(digest=detail["imageDigest"], tags=tuple(detail.get("imageTags") or ()),
                 pushed_at=detail["imagePushedAt"], last_pulled_at=detail.get("lastRecordedPullTime"),
                 storage_class=_STATUS_TO_CLASS.get(detail.get("imageStatus", "ACTIVE"), STANDARD),
                 archived_at=detail.get("lastArchivedAt"), activated_at=detail.get("lastActivatedAt"),
                 manifests=tuple(manifests), subject=detail.get("subjectManifestDigest"))


def matches_tags(rule: LifecycleRule, tags: Sequence[str]) -> bool:
    """The rule's tag requirements: every prefix / pattern of the rule matches one of the image's tags."""
    if rule.tag_status == "any":
        return True
    if rule.tag_status == "untagged":
        return not tags
    if not tags:
        return False
    return (all(any(t.startswith(p) for t in tags) for p in rule.tag_prefix_list)
            and all(any(wildcard_match(p, t) for t in tags) for p in rule.tag_pattern_list))


def selected_storage_class(rule: LifecycleRule) -> str:
    """``storageClass``, ``standard`` when omitted (properties page, "Storage class")."""
    return rule.storage_class or STANDARD


def matches(rule: LifecycleRule, image: Image) -> bool:
    """The rule's selection without its count: the images the rule identifies."""
    return image.storage_class == selected_storage_class(rule) and matches_tags(rule, image.tags)


def reference_time(rule: LifecycleRule, image: Image) -> datetime | None:
    """The moment a since* rule measures its days from."""
    if rule.count_type == "sinceImageTransitioned":
        return image.archived_at
    if rule.count_type == "sinceImagePulled":
        pulled = image.last_pulled_at
        if image.activated_at and (pulled is None or pulled < image.activated_at):
            return image.activated_at  # restored and not pulled since
        return pulled or image.pushed_at  # never pulled: the push
    return image.pushed_at  # sinceImagePushed: pushed_at_time, as the page says (docs/lifecycle.md)


def candidates(rule: LifecycleRule, images: Sequence[Image], now: datetime) -> list[Image]:
    """The images ``rule`` marks on its own, as if no other rule existed."""
    seen = [i for i in images if matches(rule, i)]
    if rule.count_type == "imageCountMoreThan":
        youngest_first = sorted(seen, key=lambda i: (i.order_time, i.digest), reverse=True)
        return youngest_first[rule.count_number:]
    cutoff = now - timedelta(days=rule.count_number)
    return [i for i in seen if (moment := reference_time(rule, i)) is not None and moment < cutoff]


def _referenced(images: Sequence[Image]) -> dict[str, str]:
    """Digest of each image referenced by a manifest list that is not archived -> that list's digest."""
    return {child: image.digest for image in images if image.storage_class != ARCHIVE for child in image.manifests}


def evaluate(rules: Sequence[LifecycleRule], images: Sequence[Image], now: datetime) -> list[Verdict]:
    """What the policy does to every image and which rule decides; newest first (see the module docstring)."""
    ordered = sorted(rules, key=lambda r: r.rule_priority)
    marked = [(rule, {i.digest for i in candidates(rule, images, now)}) for rule in ordered]
    referenced = _referenced(images)
    decided: dict[str, Verdict] = {}
    for image in images:
        verdict = Verdict(image, "keep", None)
        for rule, digests in marked:
            if not matches(rule, image):
                continue
            if image.digest not in digests:
                verdict = Verdict(image, "keep", rule, "identified by a higher-priority rule that keeps it")
            elif image.digest in referenced:
                verdict = Verdict(image, "keep", rule, f"referenced by the manifest list {referenced[image.digest]}")
            else:
                verdict = Verdict(image, rule.action, rule)
            break  # the first rule that identifies the image decides; lower rules cannot act on it
        decided[image.digest] = verdict
    for image in images:  # reference artifacts follow their subject
        subject = decided.get(image.subject or "")
        if subject and subject.action != "keep" and decided[image.digest].action == "keep":
            decided[image.digest] = Verdict(image, subject.action, subject.rule, f"follows its subject {image.subject}")
    return sorted(decided.values(), key=lambda v: (v.image.order_time, v.image.digest), reverse=True)


def preview_results(verdicts: Sequence[Verdict]) -> list[dict[str, Any]]:
    """The images acted on, in the API's LifecyclePolicyPreviewResult shape (ECR API reference)."""
    results = []
    for v in verdicts:
        if v.action == "keep" or v.rule is None:
            continue
        action: dict[str, Any] = {"type": v.action.upper()}
        if v.action == "transition":
            action["targetStorageClass"] = "ARCHIVE"
        result: dict[str, Any] = {"imageTags": list(v.image.tags)} if v.image.tags else {}  # ECR omits an empty list
        result.update(imageDigest=v.image.digest, imagePushedAt=v.image.pushed_at, action=action,
                      appliedRulePriority=v.rule.rule_priority,
                      storageClass="ARCHIVE" if v.image.storage_class == ARCHIVE else "STANDARD")
        results.append(result)
    return results


def preview_summary(verdicts: Sequence[Verdict]) -> dict[str, Any]:
    """LifecyclePolicyPreviewSummary: expiring count, and transitioning counts only when some image transitions."""
    summary: dict[str, Any] = {"expiringImageTotalCount": sum(v.action == "expire" for v in verdicts)}
    transitioning = sum(v.action == "transition" for v in verdicts)
    if transitioning:
        summary["transitioningImageTotalCounts"] = [{"targetStorageClass": "ARCHIVE", "imageTotalCount": transitioning}]
    return summary
