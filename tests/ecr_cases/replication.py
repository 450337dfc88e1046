"""Which repositories a replication rule sends.

API reference, RepositoryFilter (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_RepositoryFilter.html):
``filterType`` PREFIX_MATCH, the filter "should be the repository name prefix to configure replication for"; user
guide "Private image replication in Amazon ECR": the filter is a prefix of the repository name, so ``team/app`` also
replicates ``team/app-worker``.
"""
from __future__ import annotations

# (filters of one rule, repository, replicated)
CASES = (
    (("team/app",), "team/app", True),
    (("team/app",), "team/app-worker", True),
    (("team/app",), "team/ap", False),
    (("team/",), "team/anything", True),
    (("platform/base-images", "data/"), "data/etl", True),
    (("platform/base-images",), "other/base-images", False),
)
