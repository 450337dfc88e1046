"""Repositories ECR creates on a caller's behalf: for replication, on the first push (``CREATE_ON_PUSH``) and on the
first pull through a pull through cache rule, each with the creation template applied for that scenario
(``ecr_sandbox.model.templates``), else ECR's defaults (mutable tags, AES-256, no policies).

User guide, "Templates to control repositories created during a pull through cache, create on push, or replication
action": a template applies only when ECR creates the repository; an existing repository keeps its settings.
"""

from __future__ import annotations

from typing import Any

from ecr_sandbox.model import templates


def exists(ecr: Any, repository: str) -> bool:
    try:
        ecr.describe_repositories(repositoryNames=[repository])
        return True
    except ecr.exceptions.RepositoryNotFoundException:
        return False


def template_for(ecr: Any, repository: str, scenario: str) -> dict[str, Any] | None:
    found = ecr.describe_repository_creation_templates().get("repositoryCreationTemplates") or []
    return templates.choose(found, repository, scenario)


def create_from_template(ecr: Any, repository: str, scenario: str, template: dict[str, Any] | None = None,
                         ) -> dict[str, Any] | None:
    """Create ``repository`` in the registry of the ``ecr`` client as ECR does for ``scenario`` (REPLICATION,
    CREATE_ON_PUSH, PULL_THROUGH_CACHE); nothing if it exists. Returns the template applied, if any."""
    if exists(ecr, repository):
        return None
    body = template if template is not None else (template_for(ecr, repository, scenario) or {})
    options: dict[str, Any] = {"repositoryName": repository}
    if body.get("imageTagMutability"):
        options["imageTagMutability"] = body["imageTagMutability"]
    if body.get("imageTagMutabilityExclusionFilters"):
        options["imageTagMutabilityExclusionFilters"] = body["imageTagMutabilityExclusionFilters"]
    if body.get("encryptionConfiguration"):
        options["encryptionConfiguration"] = body["encryptionConfiguration"]
    if body.get("resourceTags"):
        options["tags"] = body["resourceTags"]
    try:
        ecr.create_repository(**options)
    except ecr.exceptions.RepositoryAlreadyExistsException:
        return None  # created meanwhile (another push): ECR applies a template once, at creation
    if body.get("lifecyclePolicy"):
        ecr.put_lifecycle_policy(repositoryName=repository, lifecyclePolicyText=body["lifecyclePolicy"])
    if body.get("repositoryPolicy"):
        ecr.set_repository_policy(repositoryName=repository, policyText=body["repositoryPolicy"])
    return body or None
