"""The registry-level settings of one (environment, region) from the spec: scanning, pull through cache rules
and managed signing. ``RegistryStack`` calls ``add_registry_settings`` once."""
from __future__ import annotations

from typing import Sequence

from constructs import Construct

from ecr_spec.model.spec import Repository
from ecr_spec.model.registry_settings import RegistrySettings

from .pull_through_cache import PullThroughCacheRule
from .scanning import RegistryScanning, default_rules
from .signing import RegistrySigning


def pull_through_cache_id(ecr_repository_prefix: str) -> str:
    """A stable construct id from the prefix alone ('/' is not allowed in ids, '+' not in prefixes)."""
    return "PullThroughCache-" + ecr_repository_prefix.rstrip("/").replace("/", "+")


def add_registry_settings(scope: Construct, *, environment: str, repositories: Sequence[Repository],
                          scan_type: str | None, settings: RegistrySettings) -> None:
    """Scanning (unless ``scan_type`` is None), the environment's pull through cache rules and its signing rules."""
    if scan_type:
        rules = settings.scanning_rules
        if rules is None:
            scanned = [r.name for r in repositories if r.scan_on_push]
            rules = default_rules(scan_type, ["*"] if len(scanned) == len(repositories) else scanned)
        RegistryScanning(scope, "Scanning", scan_type=scan_type, rules=rules)
    for rule in settings.pull_through_cache_in(environment):
        PullThroughCacheRule(scope, pull_through_cache_id(rule.ecr_repository_prefix),
                             ecr_repository_prefix=rule.ecr_repository_prefix,
                             upstream_registry_url=rule.upstream_registry_url, credential_arn=rule.credential_arn,
                             custom_role_arn=rule.custom_role_arn,
                             upstream_repository_prefix=rule.upstream_repository_prefix)
    signing = settings.signing_in(environment)
    if signing:
        RegistrySigning(scope, "Signing", rules=signing)
