"""Turns the raw ``ecr`` context (JSON) into a typed ``RegistrySpec``, reporting every problem at once.

The sections are read by their own modules: environments here, each repository by ``repository_parse`` (shared
with the creation templates), ``registry`` by ``registry_parse`` and ``creation_templates``, ``publisher`` by
``publisher``; then the checks across the whole spec (stack limits, replication, the publisher's size).
"""
from __future__ import annotations

from typing import Any

from ..core import names
from ..core.errors import Problems
from ..core.limits import MAX_STACK_OUTPUTS, MAX_STACK_RESOURCES, STACK_RESOURCES_BESIDES_REPOSITORIES
from ..core.shapes import as_list as _list, as_object as _object, check_keys as _check_keys
from ..model import checks
from ..model.publisher import check_publisher_size, parse_publisher
from ..model.spec import Environment, RegistrySpec, Repository
from ..plan.replication import check_replication
from .creation_templates import parse_creation_templates
from .organization import parse_organization
from .registry import parse_registry
from .repository import OBJECT_KEYS, REPOSITORY_KEYS, first_definition, parse_repository

_TOP_KEYS = {"environments", "defaults", "repositories", "registry", "publisher", "organization"}
_ENVIRONMENT_KEYS = {"account", "regions", "publish_role_arn", "organizational_unit"}


def load_spec(raw: Any) -> RegistrySpec:
    """Parses and checks a whole spec. Raises ``SpecError`` listing every problem, one per line."""
    problems = Problems()
    top = _object(raw, "ecr", problems)
    if not top and not problems:
        problems.add("ecr", "the spec is empty: it needs environments and repositories")
    _check_keys(top, _TOP_KEYS, "", problems)
    environments = _environments(top.get("environments"), problems)
    defaults = _object(top.get("defaults"), "defaults", problems)
    _check_keys(defaults, REPOSITORY_KEYS - {"name"}, "defaults", problems)
    for key, allowed in OBJECT_KEYS.items():
        _check_keys(_object(defaults.get(key), f"defaults.{key}", problems), allowed, f"defaults.{key}", problems)
    scan_type, registry_settings = parse_registry(top.get("registry"), environments, problems)
    raw_registry = top.get("registry") if isinstance(top.get("registry"), dict) else {}
    templates = parse_creation_templates(raw_registry.get("creation_templates"), defaults, environments, problems)
    repositories: list[Repository] = []
    first_seen: dict[str, str] = {}
    raw_repositories = _list(top.get("repositories"), "repositories", problems)
    if not raw_repositories and "repositories" not in top:
        problems.add("repositories", "missing: list the repositories to create")
    for i, raw_repository in enumerate(raw_repositories):
        path = f"repositories[{i}]"
        repository = parse_repository(raw_repository, path, defaults, environments, problems)
        if repository is not None and first_definition(repository.name, path, first_seen, problems):
            repositories.append(repository)
    own_names = [r.name for r in repositories]
    organization, delivered = parse_organization(top.get("organization"), environments, defaults, first_seen,
                                                 problems)
    publisher = parse_publisher(top.get("publisher"), environments, own_names, problems)
    spec = RegistrySpec(environments=tuple(environments.values()), repositories=tuple(repositories + delivered),
                        scan_type=scan_type, creation_templates=templates, registry_settings=registry_settings,
                        publisher=publisher, organization=organization)
    if not problems:
        _check_stack_limits(spec, problems)
        check_replication(spec, first_seen, problems)
        check_publisher_size(spec, problems)
    problems.raise_if_any()
    return spec


def _environments(raw: Any, problems: Problems) -> dict[str, Environment]:
    envs = _object(raw, "environments", problems)
    if not envs:
        problems.add("environments", "missing: name at least one environment with an account and regions")
    result: dict[str, Environment] = {}
    used: dict[tuple[str, str], str] = {}
    for name, body in envs.items():
        path = f"environments.{name}"
        problem = names.environment_name(name)
        if problem:
            problems.add(path, problem)
        body = _object(body, path, problems)
        _check_keys(body, _ENVIRONMENT_KEYS, path, problems)
        account = body.get("account")
        problem = names.account_id(account)
        if problem:
            problems.add(f"{path}.account", problem)
        raw_regions = body.get("regions")
        regions = checks.each_of(raw_regions, f"{path}.regions", names.region, problems)
        if raw_regions is None:
            problems.add(f"{path}.regions", "missing: list at least one region")
        elif raw_regions == []:
            problems.add(f"{path}.regions", "[] is empty: list at least one region")
        role = checks.optional(body.get("publish_role_arn"), f"{path}.publish_role_arn", names.role_arn, problems)
        unit = checks.optional(body.get("organizational_unit"), f"{path}.organizational_unit",
                               names.organizational_unit_id, problems)
        for region in regions:
            if isinstance(account, str) and (account, region) in used:
                problems.add(f"{path}.regions", f"{account}/{region} is already the registry of {used[(account, region)]}: "
                             "one account and region can belong to one environment only")
            used[(account, region)] = path
        result[name] = Environment(name=name, account=account, regions=regions, publish_role_arn=role,
                                   organizational_unit=unit)
    return result


def _check_stack_limits(spec: RegistrySpec, problems: Problems) -> None:
    for target in spec.targets():
        count = len(spec.repositories_in(target))
        where = f"environments.{target.environment} ({target.account}/{target.region})"
        besides = STACK_RESOURCES_BESIDES_REPOSITORIES + spec.registry_settings.resources_in(target.environment)
        if count + besides > MAX_STACK_RESOURCES:
            problems.add(where, f"{count} repositories; one CloudFormation stack holds at most {MAX_STACK_RESOURCES} "
                         "resources: split the environment")
        if count > MAX_STACK_OUTPUTS:
            problems.add(where, f"{count} repositories need {count} outputs; CloudFormation allows "
                         f"{MAX_STACK_OUTPUTS} per stack")
