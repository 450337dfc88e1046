"""Where a registry's replication configuration sends a repository.

API reference, RepositoryFilter (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_RepositoryFilter.html):
``filterType`` ``PREFIX_MATCH``, "the repository filter details. When the PREFIX_MATCH filter type is specified,
this value is required and should be the repository name prefix to configure replication for"; ReplicationRule
(https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ReplicationRule.html): "If no filters are added,
the contents of all repositories are replicated."
"""

from __future__ import annotations

from typing import Any


def rule_covers(rule: dict[str, Any], repository: str) -> bool:
    filters = [f.get("filter", "") for f in rule.get("repositoryFilters") or ()]
    return not filters or any(repository.startswith(prefix) for prefix in filters)


def destinations(configuration: dict[str, Any], repository: str) -> list[tuple[str, str]]:
    """The (account, region) registries ``configuration`` replicates ``repository`` to, each once, in rule order."""
    found: dict[tuple[str, str], None] = {}
    for rule in configuration.get("rules") or ():
        if rule_covers(rule, repository):
            for destination in rule.get("destinations") or ():
                found.setdefault((destination["registryId"], destination["region"]), None)
    return list(found)
