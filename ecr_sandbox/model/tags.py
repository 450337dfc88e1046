"""Which tags can be moved: wildcard filters and ECR's four tag mutability settings.

Sources:

- User guide, "Preventing image tags from being overwritten in Amazon ECR"
  (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html): ``IMMUTABLE`` makes every
  tag immutable, ``MUTABLE`` none; with ``IMMUTABLE_WITH_EXCLUSION`` the exclusion filters name the tags that stay
  mutable, with ``MUTABLE_WITH_EXCLUSION`` the tags that are immutable.
- API reference, ImageTagMutabilityExclusionFilter
  (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageTagMutabilityExclusionFilter.html):
  ``filterType`` ``WILDCARD``, ``filter`` matching ``^[0-9a-zA-Z._*-]{1,128}$``.
- User guide, "Lifecycle policy properties" (tagPatternList,
  https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html): "if a filter of
  prod* is applied, it would match image tags whose name begins with prod, such as prod, prod1, or
  production-team1. Similarly, if a filter of *prod* is applied, it would match image tags whose name contains
  prod such as repo-production or prod-team." The same ``*`` is read here for exclusion filters: ``*`` stands
  for any run of characters (none too), every other character for itself, and the filter covers the whole tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FILTER_PATTERN = re.compile(r"[0-9a-zA-Z._*-]{1,128}")
MUTABILITIES = ("MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION")


def wildcard_matches(pattern: str, tag: str) -> bool:
    """Whether ``tag`` is covered by ``pattern``: the pieces between the ``*`` appear in order, the first at the
    start of the tag and the last at its end."""
    pieces = pattern.split("*")
    if len(pieces) == 1:
        return tag == pattern
    head, *middle, tail = pieces
    if not tag.startswith(head) or len(tag) < len(head) + len(tail) or not tag.endswith(tail):
        return False
    position, end = len(head), len(tag) - len(tail)
    for piece in middle:
        found = tag.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def is_immutable(mutability: str, filters: Iterable[str], tag: str) -> bool:
    """Whether ``tag`` may not be moved to another image in a repository with this setting and these filters."""
    if mutability == "IMMUTABLE":
        return True
    if mutability == "IMMUTABLE_WITH_EXCLUSION":
        return not any(wildcard_matches(f, tag) for f in filters)
    if mutability == "MUTABLE_WITH_EXCLUSION":
        return any(wildcard_matches(f, tag) for f in filters)
    return False


def filter_values(exclusion_filters: Iterable[dict[str, str]] | None) -> list[str]:
    """The ``filter`` strings of the API's ``[{"filterType": "WILDCARD", "filter": ...}]``."""
    return [f.get("filter", "") for f in exclusion_filters or ()]
