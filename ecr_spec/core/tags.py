"""ECR's rules for image tags that both the publisher and the sandbox apply: wildcard filters and tag mutability.

- A wildcard filter (tag-mutability exclusion filters, lifecycle ``tagPatternList``): ``*`` matches any run of
  characters, everything else matches literally, and the whole tag must match.
- Tag mutability (ECR user guide, "Preventing image tags from being overwritten in Amazon ECR"):
  ``IMMUTABLE`` every tag; ``MUTABLE`` none; ``IMMUTABLE_WITH_EXCLUSION`` every tag except those an
  exclusion filter matches; ``MUTABLE_WITH_EXCLUSION`` only the tags an exclusion filter matches.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=1024)
def wildcard_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


def wildcard_match(pattern: str, value: str) -> bool:
    return wildcard_pattern(pattern).fullmatch(value) is not None


def tag_is_immutable(mutability: str, exclusion_filters: Iterable[str], tag: str) -> bool:
    """Whether ``tag`` cannot be moved in a repository with this ``imageTagMutability`` and exclusion filters."""
    matched = any(wildcard_match(pattern, tag) for pattern in exclusion_filters)
    return {"IMMUTABLE": True, "MUTABLE": False, "IMMUTABLE_WITH_EXCLUSION": not matched,
            "MUTABLE_WITH_EXCLUSION": matched}.get(mutability, False)
