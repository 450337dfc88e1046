"""Parses the spec's ``registry`` section into ``scan_type`` and ``RegistrySettings``, with path-style problems
(``registry.pull_through_cache[1].upstream_registry_url: ...``). The checks themselves are in
``registry_settings`` (shared with the constructs)."""
from __future__ import annotations

from typing import Any, Callable, Mapping

from ..core.errors import Problems
from ..core.names import show
from ..core.shapes import as_list, check_keys, objects
from ..model import checks
from ..model.registry_settings import (SCAN_TYPES, PullThroughCacheRule, RegistrySettings, ScanningRule, SigningRule,
                                check_pull_through_cache, check_pull_through_cache_list, check_scanning,
                                check_signing_list, check_signing_rule)

_REGISTRY_KEYS = {"scan_type", "scanning_rules", "pull_through_cache", "signing", "creation_templates"}
_SCANNING_RULE_KEYS = {"frequency", "filters"}
_PULL_THROUGH_CACHE_KEYS = {"ecr_repository_prefix", "upstream_registry_url", "credential_arn", "custom_role_arn",
                            "upstream_repository_prefix", "environments"}
_SIGNING_KEYS = {"signing_profile_arn", "filters", "environments"}

Environments = Mapping[str, Any]  # name -> ecr_spec.model.spec.Environment (account, regions)


def parse_registry(raw: Any, environments: Environments, problems: Problems) -> tuple[str | None, RegistrySettings]:
    """``registry`` of the spec: returns (scan_type, the other settings). ``scan_type`` alone keeps its old
    meaning; each key is optional."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problems.add("registry", f"{show(raw)} must be an object")
        return "BASIC", RegistrySettings()
    check_keys(raw, _REGISTRY_KEYS, "registry", problems)
    scan_type = raw.get("scan_type", "BASIC")
    if scan_type is not None and scan_type not in SCAN_TYPES:
        problems.add("registry.scan_type", f"{show(scan_type)} must be one of BASIC, ENHANCED or null")
    scanning = _scanning_rules(raw, scan_type, problems)
    ptc = tuple(_items(raw.get("pull_through_cache"), "registry.pull_through_cache", _PULL_THROUGH_CACHE_KEYS,
                       environments, problems, _pull_through_cache_rule))
    signing = tuple(_items(raw.get("signing"), "registry.signing", _SIGNING_KEYS, environments, problems,
                           _signing_rule))
    settings = RegistrySettings(scanning_rules=scanning, pull_through_cache=tuple(r for _, r in ptc),
                                signing=tuple(r for _, r in signing))
    _check_per_registry(ptc, signing, environments, problems)
    return scan_type, settings


def _scanning_rules(raw: Mapping[str, Any], scan_type: Any, problems: Problems) -> tuple[ScanningRule, ...] | None:
    if "scanning_rules" not in raw:
        return None
    value = raw["scanning_rules"]
    if not isinstance(value, list):
        problems.add("registry.scanning_rules", f"{show(value)} must be a list")
        return None
    if scan_type is None:
        problems.add("registry.scanning_rules", "needs a scan_type (BASIC or ENHANCED); scan_type null leaves "
                     "scanning alone")
        return None
    rules: list[ScanningRule] = []
    before = problems.reported
    for path, item in objects(value, "registry.scanning_rules", _SCANNING_RULE_KEYS, problems,
                              "an object with frequency and filters"):
        filters = item.get("filters")
        if not isinstance(filters, list):
            problems.add(f"{path}.filters", f"{show(filters)} must be a list of repository filters ('*' for all)")
            continue
        rules.append(ScanningRule(frequency=item.get("frequency"), filters=tuple(filters)))
    if problems.reported == before and scan_type in SCAN_TYPES:
        check_scanning(scan_type, tuple(rules), problems, "registry", rules_field="scanning_rules")
    return tuple(rules)


def _items(value: Any, path: str, keys: set[str], environments: Environments, problems: Problems,
           build: Callable[[dict[str, Any], str, tuple[str, ...], Problems], Any]) -> list[tuple[str, Any]]:
    result: list[tuple[str, Any]] = []
    for item_path, item in objects(as_list(value, path, problems), path, keys, problems):
        envs = _environment_names(item.get("environments"), f"{item_path}.environments", environments, problems)
        before = problems.reported
        built = build(item, item_path, envs, problems)
        if built is not None and problems.reported == before:
            result.append((item_path, built))
    return result


def _environment_names(value: Any, path: str, environments: Environments, problems: Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        problems.add(path, f"{show(value)} must be a non-empty list of environments, or leave the key out for all")
        return ()
    known = f"(known: {', '.join(environments)})"
    return checks.each(value, path, lambda name: None if name in environments else
                       f"{show(name)} is not an environment of this spec {known}", problems)


def _optional_string(item: Mapping[str, Any], key: str, path: str, problems: Problems) -> str | None:
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        problems.add(f"{path}.{key}", f"{show(value)} must be a string")
        return None
    return value


def _pull_through_cache_rule(item: dict[str, Any], path: str, envs: tuple[str, ...],
                             problems: Problems) -> PullThroughCacheRule | None:
    for key in ("ecr_repository_prefix", "upstream_registry_url"):
        if item.get(key) is None:
            problems.add(f"{path}.{key}", "missing")
    if _not_strings(item, path, problems, ("credential_arn", "custom_role_arn", "upstream_repository_prefix")):
        return None
    if item.get("ecr_repository_prefix") is None or item.get("upstream_registry_url") is None:
        return None
    rule = PullThroughCacheRule(
        ecr_repository_prefix=item["ecr_repository_prefix"], upstream_registry_url=item["upstream_registry_url"],
        credential_arn=item.get("credential_arn"), custom_role_arn=item.get("custom_role_arn"),
        upstream_repository_prefix=item.get("upstream_repository_prefix"), environments=envs)
    check_pull_through_cache(rule, account=None, region=None, problems=problems, path=path)
    return rule


def _not_strings(item: Mapping[str, Any], path: str, problems: Problems, keys: tuple[str, ...]) -> bool:
    before = problems.reported
    for key in keys:
        _optional_string(item, key, path, problems)
    return problems.reported > before


def _signing_rule(item: dict[str, Any], path: str, envs: tuple[str, ...], problems: Problems) -> SigningRule | None:
    if item.get("signing_profile_arn") is None:
        problems.add(f"{path}.signing_profile_arn", "missing")
        return None
    filters = item.get("filters", [])
    if not isinstance(filters, list):
        problems.add(f"{path}.filters", f"{show(filters)} must be a list of repository filters")
        return None
    if "filters" in item and not filters:
        problems.add(f"{path}.filters", "[] is empty: leave the key out to sign every repository")
        return None
    rule = SigningRule(signing_profile_arn=item["signing_profile_arn"], filters=tuple(filters), environments=envs)
    check_signing_rule(rule, problems, path)
    return rule


def _check_per_registry(ptc: list[tuple[str, PullThroughCacheRule]], signing: list[tuple[str, SigningRule]],
                        environments: Environments, problems: Problems) -> None:
    """What depends on the registry a rule lands in: secret and role accounts and regions, ECR upstreams that
    are the registry itself, duplicate prefixes and the per-registry limits."""
    for env_name, env in environments.items():
        if problems.reported_under(f"environments.{env_name}"):
            continue  # its account or regions are reported already: checks against them would only repeat it
        account = getattr(env, "account", None)
        for region in getattr(env, "regions", ()):
            where = f" ({account}/{region}, environments.{env_name})"
            here = [(p, r) for p, r in ptc if not r.environments or env_name in r.environments]
            prefixes: dict[str, str] = {}
            for rule_path, rule in here:
                check_pull_through_cache(rule, account=account, region=region, problems=problems, path=rule_path,
                                         where=where)
                prefix = rule.ecr_repository_prefix.rstrip("/")  # ECR reads 'a' as 'a/'
                if prefix in prefixes:
                    problems.add(f"{rule_path}.ecr_repository_prefix", f"{show(rule.ecr_repository_prefix)} is already "
                                 f"the prefix of {prefixes[prefix]} in the same registry{where}")
                prefixes.setdefault(prefix, rule_path)
            check_pull_through_cache_list(tuple(r for _, r in here), problems, "registry.pull_through_cache", where)
            check_signing_list(tuple(r for p, r in signing if not r.environments or env_name in r.environments),
                               problems, "registry.signing", where)
