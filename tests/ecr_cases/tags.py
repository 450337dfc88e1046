"""Wildcard filters and tag mutability.

Pages: user guide "Preventing image tags from being overwritten in Amazon ECR"
(https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html): ``IMMUTABLE_WITH_EXCLUSION``
keeps the tags an exclusion filter matches mutable, ``MUTABLE_WITH_EXCLUSION`` makes them immutable; API reference
ImageTagMutabilityExclusionFilter (``filterType`` WILDCARD, ``filter`` ``^[0-9a-zA-Z._*-]{1,128}$``); user guide
"Lifecycle policy properties", tag pattern list: "if a filter of prod* is applied, it would match image tags whose
name begins with prod, such as prod, prod1, or production-team1. Similarly, if a filter of *prod* is applied, it
would match image tags whose name contains prod such as repo-production or prod-team."
"""
from __future__ import annotations

# (pattern, tag, matches): ``*`` is any run of characters (none too), everything else is itself, the whole tag.
WILDCARDS = (
    ("prod*", "prod", True), ("prod*", "prod1", True), ("prod*", "production-team1", True),
    ("*prod*", "repo-production", True), ("*prod*", "prod-team", True), ("prod*", "repo-production", False),
    ("*-dev", "feature-dev", True), ("*-dev", "feature-dev2", False),  # issue 17: moto gave a 500 here
    ("release-*-final", "release-1.2-final", True), ("release-*-final", "release-1.2", False),
    ("prod", "prod-1", False), ("v1.0", "v1x0", False), ("a*b*c", "aXbYc", True), ("a*b*c", "acb", False),
    ("*", "anything", True), ("latest", "latest", True), ("a**", "a", True), ("*a*a*", "aa", True),
    ("*a*a*", "a", False),
)

DEV = ("dev-*",)
# (imageTagMutability, exclusion filters, tag, immutable)
MUTABILITY = (
    ("IMMUTABLE", (), "v1", True),
    ("MUTABLE", (), "v1", False),
    ("IMMUTABLE_WITH_EXCLUSION", DEV, "dev-42", False),
    ("IMMUTABLE_WITH_EXCLUSION", DEV, "v1", True),
    ("IMMUTABLE_WITH_EXCLUSION", ("latest",), "latest", False),
    ("IMMUTABLE_WITH_EXCLUSION", ("*-dev",), "feature-dev", False),
    ("IMMUTABLE_WITH_EXCLUSION", ("release-*-final",), "release-2-final", False),
    ("MUTABLE_WITH_EXCLUSION", DEV, "dev-42", True),
    ("MUTABLE_WITH_EXCLUSION", DEV, "v1", False),
    ("MUTABLE_WITH_EXCLUSION", ("release-*",), "latest", False),
)
