"""``registry.creation_templates``: ECR repository creation templates, parsed and checked like repositories.

ECR applies a template when *it* creates a repository on your behalf: for a pull through cache rule
(``PULL_THROUGH_CACHE``), for replication (``REPLICATION``) or on the first push to a repository that does
not exist (``CREATE_ON_PUSH``). Source: ECR user guide "Templates to control repositories created during a
pull through cache, create on push, or replication action" and API Reference CreateRepositoryCreationTemplate;
property names and limits from the ``AWS::ECR::RepositoryCreationTemplate`` schema that the pinned
aws-cdk-lib / cfn-lint ship.

A template's repository settings (``mutable_tags``, ``lifecycle``, ``pull``, ``push``, ``encryption``,
``kms_key_arn``) take the spec's ``defaults`` and are validated by the very code that validates a repository.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from ..core import names
from ..core.errors import Problems
from ..core.limits import MAX_CREATION_TEMPLATE_DESCRIPTION_CHARS as MAX_DESCRIPTION_CHARS  # named once, in limits.py
from ..core.limits import MAX_CREATION_TEMPLATE_PREFIX_CHARS as MAX_PREFIX_CHARS
from ..core.limits import MAX_CREATION_TEMPLATE_RESOURCE_TAGS as MAX_RESOURCE_TAGS
from ..core.limits import MAX_TAG_KEY_CHARS, MAX_TAG_VALUE_CHARS
from ..core.names import show
from ..core.shapes import as_list, as_object, check_keys
from ..model import checks
from ..model.spec import CreationTemplate, Environment
from .repository import parse_repository

APPLIED_FOR = ("PULL_THROUGH_CACHE", "REPLICATION", "CREATE_ON_PUSH")
ROOT_PREFIX = "ROOT"
# AWS::ECR::RepositoryCreationTemplate Prefix pattern (cfn-lint schema of the pinned version).
_PREFIX = re.compile(r"^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$")
_TEMPLATE_KEYS = {"prefix", "applied_for", "description", "custom_role_arn", "resource_tags", "environments"}
_SETTINGS_KEYS = {"mutable_tags", "lifecycle", "pull", "push", "encryption", "kms_key_arn"}


def prefix_problem(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > MAX_PREFIX_CHARS or not _PREFIX.match(value):
        return (f"{show(value)} is not a template prefix: a repository namespace such as 'team' or 'team/app' "
                f"(ECR assumes a trailing '/'), or {ROOT_PREFIX!r} for every repository no other template matches")
    return None


def _applied_for(value: Any, path: str, problems: Problems) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        problems.add(path, f"{show(value)} must be a non-empty list of {', '.join(APPLIED_FOR)}")
        return ()
    return checks.each(value, path, lambda item: None if item in APPLIED_FOR else
                       f"{show(item)} must be one of {', '.join(APPLIED_FOR)}", problems)


def _tags(value: Any, path: str, problems: Problems) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        problems.add(path, f"{show(value)} must be an object of tag keys to values")
        return ()
    if len(value) > MAX_RESOURCE_TAGS:
        problems.add(path, f"{len(value)} tags; ECR allows {MAX_RESOURCE_TAGS}")
    for key, tag_value in value.items():
        if not 1 <= len(key) <= MAX_TAG_KEY_CHARS:
            problems.add(f"{path}.{key}", f"a tag key has 1 to {MAX_TAG_KEY_CHARS} characters")
        if not isinstance(tag_value, str) or len(tag_value) > MAX_TAG_VALUE_CHARS:
            problems.add(f"{path}.{key}", f"{show(tag_value)} must be a string of at most {MAX_TAG_VALUE_CHARS} "
                         "characters")
    return tuple(sorted((k, v) for k, v in value.items() if isinstance(v, str)))


def parse_creation_templates(raw: Any, defaults: Mapping[str, Any], environments: Mapping[str, Environment],
                             problems: Problems) -> tuple[CreationTemplate, ...]:
    """``registry.creation_templates``: a list of templates; one line per problem, path-style."""
    result: list[CreationTemplate] = []
    seen: dict[tuple[str, str], str] = {}
    for i, item in enumerate(as_list(raw, "registry.creation_templates", problems)):
        path = f"registry.creation_templates[{i}]"
        body = as_object(item, path, problems)
        if not body:
            if isinstance(item, dict):
                problems.add(path, "{} is empty: a template needs at least prefix and applied_for")
            continue
        before = problems.reported
        check_keys(body, _TEMPLATE_KEYS | _SETTINGS_KEYS, path, problems)
        prefix = body.get("prefix")
        problem = prefix_problem(prefix)
        if problem:
            problems.add(f"{path}.prefix", problem)
        applied_for = _applied_for(body.get("applied_for"), f"{path}.applied_for", problems)
        description = body.get("description")
        if description is not None and (not isinstance(description, str) or len(description) > MAX_DESCRIPTION_CHARS):
            problems.add(f"{path}.description", f"{show(description)} must be text of at most "
                         f"{MAX_DESCRIPTION_CHARS} characters")
        role = checks.optional(body.get("custom_role_arn"), f"{path}.custom_role_arn", names.role_arn, problems)
        tags = _tags(body.get("resource_tags"), f"{path}.resource_tags", problems)
        # The repository settings: exactly the repository's validation, under the spec's defaults.
        settings = {k: v for k, v in body.items() if k in _SETTINGS_KEYS or k == "environments"}
        as_repository = parse_repository({**settings, "name": "creation-template"}, path, defaults, environments, problems)
        if as_repository is not None and role is None:
            if as_repository.kms_key_arn:
                problems.add(f"{path}.kms_key_arn", "a template with a KMS key needs custom_role_arn: ECR creates "
                             "the repository with that role (user guide: repository creation template IAM role)")
            if tags:
                problems.add(f"{path}.resource_tags", "a template with resource tags needs custom_role_arn: ECR "
                             "tags the repository with that role (user guide: repository creation template IAM role)")
        if as_repository is None or problems.reported > before:
            continue
        for env_name in as_repository.environments:
            for region in environments[env_name].regions:
                key = (f"{environments[env_name].account}/{region}", prefix)
                if key in seen:
                    problems.add(f"{path}.prefix", f"{show(prefix)} already has a template in {key[0]} "
                                 f"({seen[key]}): ECR allows one template per prefix")
                seen.setdefault(key, path)
        result.append(CreationTemplate(
            prefix=prefix, applied_for=applied_for, environments=as_repository.environments,
            lifecycle_rules=as_repository.lifecycle_rules, mutable_tags=as_repository.mutable_tags,
            pull=as_repository.pull, push=as_repository.push, encryption=as_repository.encryption,
            kms_key_arn=as_repository.kms_key_arn, custom_role_arn=role, description=description,
            resource_tags=tags))
    return tuple(result)


def template_for(templates: Any, repository: str, applied_for: str) -> Any:
    """The template ECR applies to a repository it creates for ``applied_for``: the one whose prefix (with
    the trailing '/' ECR assumes) is the longest match of the name, else the ``ROOT`` template, else None.
    ``templates`` are objects with ``prefix`` and ``applied_for`` (spec templates or API dicts wrapped)."""
    best, best_len = None, -1
    for template in templates:
        if applied_for not in template.applied_for:
            continue
        prefix = template.prefix
        if prefix == ROOT_PREFIX:
            if best_len < 0:
                best, best_len = template, 0
            continue
        namespace = prefix if prefix.endswith("/") else prefix + "/"
        if repository.startswith(namespace) and len(namespace) > best_len:
            best, best_len = template, len(namespace)
    return best
