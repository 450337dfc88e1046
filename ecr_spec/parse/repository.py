"""One repository's settings read from the spec's JSON under the spec's ``defaults``: what a repository
(``repositories[i]``) and a creation template (``registry.creation_templates[i]``) share, validated by one code path.

Merging: ``defaults`` apply to every repository and the repository's own keys win. Objects (``lifecycle``,
``pull``, ``push``) merge key by key; lists and plain values are replaced whole.
"""
from __future__ import annotations

from typing import Any, Mapping

from ..core import names
from ..core.errors import Problems
from ..core.names import show
from ..core.shapes import as_list as _list, as_object as _object, check_keys as _check_keys
from ..model import checks
from ..model.lifecycle import (DEFAULT_RULES, LifecycleRule, check_rules, keep_last_rule, parse_rule, rule_storage_class,
                        untagged_rule)
from ..model.policy import partition_of
from ..model.spec import Environment, PullAccess, PushAccess, Registry, Repository

REPOSITORY_KEYS = {"name", "environments", "mutable_tags", "lifecycle", "pull", "push", "replicate_to",
                   "encryption", "kms_key_arn", "scan_on_push", "removal_policy", "replicate_by_prefix"}
OBJECT_KEYS = {
    "lifecycle": {"untagged_expire_days", "keep_last", "rules"},
    "pull": {"accounts", "services", "organization_id"},
    "push": {"accounts"},
}
_REPLICA_KEYS = {"account", "region"}
_ENCRYPTIONS = ("AES256", "KMS")
_REMOVAL_POLICIES = ("retain", "destroy")


class Sourced:
    """A repository's settings with ``defaults`` under them; every value comes with the path it was read at."""

    def __init__(self, raw: Mapping[str, Any], path: str, defaults: Mapping[str, Any]) -> None:
        self.raw, self.path, self.defaults = raw, path, defaults

    def get(self, key: str) -> tuple[Any, str]:
        if key in self.raw:
            return self.raw[key], f"{self.path}.{key}"
        return self.defaults.get(key), f"defaults.{key}"

    def sub(self, key: str, sub: str) -> tuple[Any, str]:
        own = self.raw.get(key)
        if isinstance(own, dict) and sub in own:
            return own[sub], f"{self.path}.{key}.{sub}"
        default = self.defaults.get(key)
        if isinstance(default, dict) and sub in default:
            return default[sub], f"defaults.{key}.{sub}"
        return None, f"{self.path}.{key}.{sub}"

    def has_lifecycle(self) -> bool:
        return any(isinstance(d.get("lifecycle"), dict) and d["lifecycle"] for d in (self.raw, self.defaults))


def parse_repository(raw: Any, path: str, defaults: Mapping[str, Any], environments: Mapping[str, Environment],
                     problems: Problems) -> Repository | None:
    """One repository (or a template's settings, under the name it is given) at ``path``; None when any of its
    fields has a problem (each reported)."""
    if not isinstance(raw, dict):
        problems.add(path, f"{show(raw)} must be an object with at least a name")
        return None
    before = problems.reported
    _check_keys(raw, REPOSITORY_KEYS, path, problems)
    for key, allowed in OBJECT_KEYS.items():
        _check_keys(_object(raw.get(key), f"{path}.{key}", problems), allowed, f"{path}.{key}", problems)
    src = Sourced(raw, path, defaults)
    name = raw.get("name")
    checks.repository_name(name, f"{path}.name", problems)
    env_value, env_path = src.get("environments")
    if env_value is None:
        env_names = tuple(environments)
    else:
        env_names = checks.each_of(env_value, env_path, lambda e: None if e in environments else
                                  f"{show(e)} is not an environment of this spec (known: {', '.join(environments)})",
                                  problems)
        if not env_names and isinstance(env_value, list):
            problems.add(env_path, "[] is empty: list at least one environment, or leave the key out for all")
    mutable_value, mutable_path = src.get("mutable_tags")
    mutable_tags = checks.mutable_tags(_list(mutable_value, mutable_path, problems), mutable_path, problems)
    rules = _lifecycle(src, path, problems)
    pull = PullAccess(
        accounts=checks.each_of(*src.sub("pull", "accounts"), names.account_id, problems),
        services=checks.each_of(*src.sub("pull", "services"), names.service_principal, problems),
        organization_id=checks.organization_id(*src.sub("pull", "organization_id"), problems),
    )
    push = PushAccess(accounts=checks.each_of(*src.sub("push", "accounts"), names.account_id, problems))
    encryption, encryption_path = src.get("encryption")
    encryption = "AES256" if encryption is None else encryption
    if encryption not in _ENCRYPTIONS:
        problems.add(encryption_path, f"{show(encryption)} must be AES256 or KMS")
    key_arn = _kms_key(src, encryption, env_names, environments, problems)
    scan_on_push, scan_path = src.get("scan_on_push")
    if scan_on_push is None:
        scan_on_push = True
    elif not isinstance(scan_on_push, bool):
        problems.add(scan_path, f"{show(scan_on_push)} must be true or false")
    removal, removal_path = src.get("removal_policy")
    removal = "retain" if removal is None else removal
    if removal not in _REMOVAL_POLICIES:
        problems.add(removal_path, f"{show(removal)} must be retain or destroy")
    replicate_to = _replication(src, env_names, environments, problems)
    by_prefix, by_prefix_path = src.get("replicate_by_prefix")
    if by_prefix is not None and not isinstance(by_prefix, bool):
        problems.add(by_prefix_path, f"{show(by_prefix)} must be true or false")
    owners = {(environments[e].account, partition_of(r)) for e in env_names for r in environments[e].regions}
    for account, partition in sorted(o for o in owners if names.account_id(o[0]) is None):  # bad ones are reported
        checks.repository_policy_size(
            f"{path}.pull", problems, owner_account=account, pull_accounts=pull.accounts,
            push_accounts=push.accounts, services=pull.services, organization_id=pull.organization_id,
            partition=partition, advice=": grant an organisation (pull.organization_id) instead of many accounts")
    if problems.reported > before:
        return None
    return Repository(name=name, environments=env_names, lifecycle_rules=rules, mutable_tags=mutable_tags,
                      pull=pull, push=push, replicate_to=replicate_to, encryption=encryption, kms_key_arn=key_arn,
                      scan_on_push=scan_on_push, removal_policy=removal,
                      replicate_by_prefix=by_prefix is True)



def first_definition(name: str, path: str, first_seen: dict[str, str], problems: Problems) -> bool:
    """True (and ``name`` recorded at ``path``) when no repository read so far has ``name``; else False, reported
    under ``path.name``: repository names are unique across the whole spec."""
    if name in first_seen:
        problems.add(f"{path}.name", f"{show(name)} is already defined at {first_seen[name]}")
        return False
    first_seen[name] = path
    return True


def _kms_key(src: Sourced, encryption: Any, env_names: tuple[str, ...],
             environments: Mapping[str, Environment], problems: Problems) -> str | None:
    key_arn, key_path = src.get("kms_key_arn")
    if key_arn is None:
        return None
    if encryption != "KMS":
        problems.add(key_path, "a KMS key needs encryption 'KMS'")
        return None
    key_region, problem = names.kms_key_region(key_arn)
    if problem:
        problems.add(key_path, problem)
        return None
    for env_name in env_names:
        for region in environments[env_name].regions:
            if region != key_region:
                problems.add(key_path, f"the key is in {key_region} and cannot encrypt the repository in {region} "
                             f"(environments.{env_name}); KMS keys are regional")
    return key_arn


def _lifecycle(src: Sourced, path: str, problems: Problems) -> tuple[LifecycleRule, ...]:
    if not src.has_lifecycle():
        return DEFAULT_RULES  # every repository gets a lifecycle policy
    before = problems.reported
    raw_rules, rules_path = src.sub("lifecycle", "rules")
    explicit: list[tuple[str, LifecycleRule]] = []
    for i, raw in enumerate(_list(raw_rules, rules_path, problems)):
        rule = parse_rule(raw, f"{rules_path}[{i}]", problems)
        if rule is not None:
            explicit.append((f"{rules_path}[{i}]", rule))
    rules = list(explicit)
    untagged, untagged_path = src.sub("lifecycle", "untagged_expire_days")
    keep, keep_path = src.sub("lifecycle", "keep_last")
    # The shorthands are standard-storage rules; an explicit standard `any` rule also covers untagged images.
    has_any = any(r.tag_status == "any" and rule_storage_class(r) == "standard" for _, r in explicit)
    has_untagged = has_any or any(r.tag_status == "untagged" and rule_storage_class(r) == "standard"
                                  for _, r in explicit)
    # A shorthand inherited from defaults gives way to the repository's own rule of the same kind.
    if untagged is not None and not (has_untagged and untagged_path.startswith("defaults.")):
        if not isinstance(untagged, int) or isinstance(untagged, bool) or untagged < 1:
            problems.add(untagged_path, f"{show(untagged)} must be a positive number of days, or null")
        elif has_any:
            problems.add(untagged_path, "cannot be combined with an explicit standard-storage rule with tagStatus "
                                        "'any' (it must stay the last standard rule); write an 'untagged' rule instead")
        else:
            priority = max((r.rule_priority for _, r in explicit if r.tag_status != "any"), default=0) + 1
            rules.append((untagged_path, untagged_rule(priority, untagged)))
    if keep is not None and not (has_any and keep_path.startswith("defaults.")):
        if not isinstance(keep, int) or isinstance(keep, bool) or keep < 1:
            problems.add(keep_path, f"{show(keep)} must be a positive number of images, or null")
        else:
            priority = max((r.rule_priority for _, r in rules), default=0) + 1
            rules.append((keep_path, keep_last_rule(priority, keep)))
    if problems.reported == before:  # cross-rule checks only make sense on rules that parsed
        check_rules(rules, f"{path}.lifecycle", problems)
    return tuple(sorted((r for _, r in rules), key=lambda r: r.rule_priority))


def _replication(src: Sourced, env_names: tuple[str, ...], environments: Mapping[str, Environment],
                 problems: Problems) -> tuple[Registry, ...]:
    value, path = src.get("replicate_to")
    homes = {(environments[e].account, r): e for e in env_names for r in environments[e].regions}
    spec_registries = {(env.account, r) for env in environments.values() for r in env.regions}
    home_accounts = {environments[e].account for e in env_names}
    result: list[Registry] = []
    for i, raw in enumerate(_list(value, path, problems)):
        item_path = f"{path}[{i}]"
        body = _object(raw, item_path, problems)
        _check_keys(body, _REPLICA_KEYS, item_path, problems)
        account, region = body.get("account"), body.get("region")
        account_problem, region_problem = names.account_id(account), names.region(region)
        if account_problem:
            problems.add(f"{item_path}.account", account_problem)
        if region_problem:
            problems.add(f"{item_path}.region", region_problem)
        if account_problem or region_problem:
            continue
        registry = Registry(account, region)
        if (account, region) in homes:
            problems.add(item_path, f"{registry} is where the repository already lives "
                         f"(environments.{homes[(account, region)]}): replication to itself is not allowed")
        elif (account not in home_accounts and (account, region) not in spec_registries
              and not problems.reported_under("environments")):  # a bad environment is reported already
            problems.add(item_path, f"{registry} is not a registry of this spec: another account's registry policy "
                         "must allow the replication, so add it as an environment")
        elif registry in result:
            problems.add(item_path, f"{registry} is listed twice")
        else:
            result.append(registry)
    return tuple(result)
