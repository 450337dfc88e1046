"""Which repository creation template ECR applies to a repository it creates.

API reference, CreateRepositoryCreationTemplate ``prefix``
(https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepositoryCreationTemplate.html): "a prefix of
prod would apply to all repositories beginning with prod/. Similarly, a prefix of prod/team would apply to all
repositories beginning with prod/team/. To apply a template to all repositories in your registry that don't have
an associated creation template, you can use ROOT as the prefix. There is always an assumed / applied to the end of
the prefix." ``appliedFor``: ``REPLICATION``, ``PULL_THROUGH_CACHE``, ``CREATE_ON_PUSH``.

Reading: a template counts only for the action it is applied for; of the templates whose namespace holds the
name, the one with the longest prefix is the repository's own (``prod/team`` over ``prod``); ``ROOT`` only
when none holds it. User guide, "Templates to control repositories created during a pull through cache, create on
push, or replication action": templates apply only when ECR creates the repository.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

ROOT = "ROOT"


def _namespace(prefix: str) -> str:
    return prefix if prefix.endswith("/") else prefix + "/"


def choose(templates: Iterable[dict[str, Any]], repository: str, action: str) -> dict[str, Any] | None:
    """The template (API shape: ``prefix``, ``appliedFor``, ...) ECR applies when ``action`` creates
    ``repository``, or None (ECR's defaults)."""
    usable = [t for t in templates if action in (t.get("appliedFor") or ())]
    holding = [t for t in usable if t["prefix"] != ROOT and repository.startswith(_namespace(t["prefix"]))]
    if holding:
        return max(holding, key=lambda t: len(_namespace(t["prefix"])))
    return next((t for t in usable if t["prefix"] == ROOT), None)
