"""Registry-level settings of the spec's ``registry`` section: scanning rules, pull through cache rules and
managed signing. The typed values and their checks, shared by the spec parser (``registry_parse``) and the
constructs: one validation path.

Where the limits come from (property names and allowed values, never guessed):

- CloudFormation resource schemas ``AWS::ECR::PullThroughCacheRule``, ``AWS::ECR::RegistryScanningConfiguration``
  and ``AWS::ECR::SigningConfiguration`` (as shipped in cfn-lint 1.58.0) and the property docs in the pinned
  aws-cdk-lib 2.275.0 jsii assembly (``CfnPullThroughCacheRuleProps``, ``ScanningRuleProperty``, ...).
- The ECR API model in botocore (``CreatePullThroughCacheRuleRequest``, ``RegistryScanningRule``,
  ``SigningConfiguration``): where it is stricter than the CloudFormation schema (10 signing rules instead
  of 50) the API wins, since CloudFormation calls that API.
- ECR user guide: "Sync an upstream registry with an Amazon ECR private registry", "Creating a pull through
  cache rule in Amazon ECR", "Customizing repository prefixes for ECR to ECR pull through cache",
  "Filters to choose which repositories are scanned in Amazon ECR", "Managed signing", "Amazon ECR service
  quotas" (50 pull through cache rules per registry).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from ..core import names
from ..core.errors import Problems
from ..core.limits import (CREDENTIAL_ARN_CHARS, MAX_PULL_THROUGH_CACHE_RULES, MAX_SCANNING_FILTER_CHARS,  # named once
                     MAX_SCANNING_FILTERS, MAX_SCANNING_RULES, MAX_SIGNING_FILTER_CHARS, MAX_SIGNING_FILTERS,
                     MAX_SIGNING_PROFILE_ARN_CHARS, MAX_SIGNING_RULES)
from ..core.limits import PULL_THROUGH_CACHE_PREFIX_CHARS as PREFIX_CHARS
from ..core.names import show

# --- scanning (CloudFormation ScanningRule / botocore RegistryScanningRule) --------------------------------
SCAN_TYPES = ("BASIC", "ENHANCED")
# "When the ENHANCED scan type is specified, the supported scan frequencies are CONTINUOUS_SCAN and
# SCAN_ON_PUSH. When the BASIC scan type is specified, the SCAN_ON_PUSH scan frequency is supported."
SCAN_FREQUENCIES = {"BASIC": ("SCAN_ON_PUSH",), "ENHANCED": ("SCAN_ON_PUSH", "CONTINUOUS_SCAN")}
_SCANNING_FILTER = re.compile(r"^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$")

# --- pull through cache (CreatePullThroughCacheRuleRequest) -------------------------------------------------
_PREFIX = re.compile(r"^([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\/?|ROOT)$")
_CREDENTIAL_ARN = re.compile(
    r"^arn:aws(-\w+)*:secretsmanager:([a-zA-Z0-9-]+):([0-9]{12}):secret:ecr\-pullthroughcache\/[a-zA-Z0-9\/_+=.@-]+$")
CREDENTIAL_PREFIX = "ecr-pullthroughcache/"
_ECR_UPSTREAM = re.compile(r"^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$")
_AZURE_UPSTREAM = re.compile(r"^[a-zA-Z0-9-]+\.azurecr\.io$")
_ROLE_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:iam::([0-9]{12}):role/")


@dataclass(frozen=True)
class Upstream:
    """A supported upstream registry: its ``UpstreamRegistry`` name and how it authenticates.

    ``auth`` is ``none`` (ECR Public, Kubernetes, Quay), ``secret`` (a Secrets Manager secret is required) or
    ``role`` (Amazon ECR: an IAM role when the upstream is in another account)."""

    name: str
    auth: str


# The upstream URL list of CreatePullThroughCacheRuleRequest.upstreamRegistryUrl in the ECR API model.
# Chainguard is an UpstreamRegistry enum value and the user guide lists it, but no document we have names its
# URL, so it is not accepted until one does (docs/registry-features.md).
_FIXED_UPSTREAMS = {
    "public.ecr.aws": Upstream("ecr-public", "none"),
    "registry-1.docker.io": Upstream("docker-hub", "secret"),
    "ghcr.io": Upstream("github-container-registry", "secret"),
    "registry.gitlab.com": Upstream("gitlab-container-registry", "secret"),
    "registry.k8s.io": Upstream("k8s", "none"),
    "quay.io": Upstream("quay", "none"),
}
UPSTREAM_URLS = (*_FIXED_UPSTREAMS, "<account>.dkr.ecr.<region>.amazonaws.com", "<name>.azurecr.io")

# --- managed signing (botocore SigningConfiguration / CloudFormation AWS::ECR::SigningConfiguration) --------
_SIGNING_FILTER = re.compile(r"^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$")
_SIGNING_PROFILE_ARN = re.compile(r"^arn:aws(-[a-z]+)*:signer:[a-z0-9-]+:[0-9]{12}:\/signing-profiles\/[a-zA-Z0-9_]{2,}$")


@dataclass(frozen=True)
class ScanningRule:
    """One registry scanning rule: repositories matching any WILDCARD filter are scanned at this frequency."""

    frequency: str
    filters: tuple[str, ...] = ("*",)


@dataclass(frozen=True)
class PullThroughCacheRule:
    """One pull through cache rule: ``ECR_PREFIX/NAME`` in this registry caches ``NAME`` from the upstream.

    ``environments`` limits the registries that get the rule; empty means every environment of the spec."""

    ecr_repository_prefix: str
    upstream_registry_url: str
    credential_arn: str | None = None
    custom_role_arn: str | None = None
    upstream_repository_prefix: str | None = None
    environments: tuple[str, ...] = ()

    @property
    def upstream(self) -> Upstream | None:
        return upstream_of(self.upstream_registry_url)


@dataclass(frozen=True)
class SigningRule:
    """One managed signing rule: images pushed to repositories matching any filter are signed with the profile.

    No filters means every repository of the registry (the API's default)."""

    signing_profile_arn: str
    filters: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegistrySettings:
    """The ``registry`` section beyond ``scan_type``. ``scanning_rules`` None means: derive the scanning rule
    from ``scan_type`` and the repositories' ``scan_on_push`` (the behaviour before scanning rules existed)."""

    scanning_rules: tuple[ScanningRule, ...] | None = None
    pull_through_cache: tuple[PullThroughCacheRule, ...] = ()
    signing: tuple[SigningRule, ...] = ()

    def pull_through_cache_in(self, environment: str) -> tuple[PullThroughCacheRule, ...]:
        return tuple(r for r in self.pull_through_cache if not r.environments or environment in r.environments)

    def signing_in(self, environment: str) -> tuple[SigningRule, ...]:
        return tuple(r for r in self.signing if not r.environments or environment in r.environments)

    def resources_in(self, environment: str) -> int:
        """CloudFormation resources these settings add to the stack of ``environment``."""
        return len(self.pull_through_cache_in(environment)) + (1 if self.signing_in(environment) else 0)


def upstream_of(url: Any) -> Upstream | None:
    if not isinstance(url, str):
        return None
    if url in _FIXED_UPSTREAMS:
        return _FIXED_UPSTREAMS[url]
    if _ECR_UPSTREAM.match(url):
        return Upstream("ecr", "role")
    if _AZURE_UPSTREAM.match(url):
        return Upstream("azure-container-registry", "secret")
    return None


def ecr_upstream_registry(url: str) -> tuple[str, str] | None:
    """(account, region) of an Amazon ECR upstream URL, else None."""
    match = _ECR_UPSTREAM.match(url)
    return (match.group(1), match.group(2)) if match else None


# --- checks shared by the spec and the constructs ------------------------------------------------------------
# Each adds one line per problem to ``problems`` at ``path + field``; ``path`` is "" for construct props.
# ``is_token`` lets a construct skip values CDK only knows at deploy time.

def _at(path: str, field: str) -> str:
    return f"{path}.{field}" if path else field


def _never(_: Any) -> bool:
    return False


def check_scanning(scan_type: Any, rules: tuple[ScanningRule, ...], problems: Problems, path: str = "",
                   rules_field: str = "rules", type_field: str = "scan_type") -> None:
    if scan_type not in SCAN_TYPES:
        problems.add(_at(path, type_field), f"{show(scan_type)} must be one of {', '.join(SCAN_TYPES)}")
        return
    if len(rules) > MAX_SCANNING_RULES:
        problems.add(_at(path, rules_field), f"{len(rules)} rules; ECR allows at most {MAX_SCANNING_RULES} "
                     "scanning rules per registry (one per frequency)")
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        rule_path = f"{_at(path, rules_field)}[{i}]"
        allowed = SCAN_FREQUENCIES[scan_type]
        if rule.frequency not in allowed:
            problems.add(f"{rule_path}.frequency", f"{show(rule.frequency)} is not a {scan_type} scan frequency "
                         f"(allowed: {', '.join(allowed)})")
        elif rule.frequency in seen:
            problems.add(f"{rule_path}.frequency", f"{show(rule.frequency)} has a rule already: put all its "
                         "filters in one rule")
        seen.add(rule.frequency)
        check_filters(rule.filters, f"{rule_path}.filters", problems, scanning_filter, MAX_SCANNING_FILTERS,
                      required=True)


def scanning_filter(value: Any) -> str | None:
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_SCANNING_FILTER_CHARS \
            or not _SCANNING_FILTER.match(value):
        return (f"{show(value)} is not a scanning filter: lowercase letters, digits, '.', '_', '-', '/' and '*' "
                f"wildcards, at most {MAX_SCANNING_FILTER_CHARS} characters")
    return None


def signing_filter(value: Any) -> str | None:
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_SIGNING_FILTER_CHARS \
            or not _SIGNING_FILTER.match(value):
        return (f"{show(value)} is not a signing filter: a repository name in which '*' may stand for any "
                f"characters, at most {MAX_SIGNING_FILTER_CHARS} characters")
    return None


def check_filters(filters: Any, path: str, problems: Problems, check: Callable[[Any], str | None], maximum: int,
                  *, required: bool, is_token: Callable[[Any], bool] = _never) -> None:
    if required and not filters:
        problems.add(path, "[] is empty: name at least one filter ('*' for every repository)")
    if len(filters) > maximum:
        problems.add(path, f"{len(filters)} filters; ECR allows at most {maximum} per rule")
    seen: set[str] = set()
    for i, value in enumerate(filters):
        if is_token(value):
            continue
        problem = check(value)
        if problem:
            problems.add(f"{path}[{i}]", problem)
        elif value in seen:
            problems.add(f"{path}[{i}]", f"{show(value)} is listed twice")
        seen.add(value)


def check_pull_through_cache(rule: PullThroughCacheRule, *, account: str | None, region: str | None,
                             problems: Problems, path: str = "", where: str = "",
                             is_token: Callable[[Any], bool] = _never) -> None:
    """One rule in the registry ``account``/``region`` (None when unknown). ``where`` names that registry in
    messages about it (the spec says which environment it comes from)."""
    prefix, url = rule.ecr_repository_prefix, rule.upstream_registry_url
    if not is_token(prefix):
        problem = repository_prefix(prefix)
        if problem:
            problems.add(_at(path, "ecr_repository_prefix"), problem)
    if is_token(url):
        return
    upstream = upstream_of(url)
    if upstream is None:
        problems.add(_at(path, "upstream_registry_url"), f"{show(url)} is not an upstream registry ECR can cache "
                     f"(one of: {', '.join(UPSTREAM_URLS)})")
        return
    _check_credential(rule, upstream, account, region, problems, path, where, is_token)
    _check_ecr_upstream(rule, upstream, account, region, problems, path, where, is_token)


def repository_prefix(value: Any) -> str | None:
    low, high = PREFIX_CHARS
    if not isinstance(value, str) or not low <= len(value) <= high or not _PREFIX.match(value):
        return (f"{show(value)} is not a repository prefix: {low} to {high} lowercase letters and digits "
                "separated by '.', '_', '-' or '/', or ROOT")
    return None


def _check_credential(rule: PullThroughCacheRule, upstream: Upstream, account: str | None, region: str | None,
                      problems: Problems, path: str, where: str, is_token: Callable[[Any], bool]) -> None:
    field = _at(path, "credential_arn")
    arn = rule.credential_arn
    if arn is None:
        if upstream.auth == "secret":
            problems.add(field, f"missing: {upstream.name} needs its credentials in a Secrets Manager secret named "
                         f"{CREDENTIAL_PREFIX}...")
        return
    if upstream.auth == "role":
        problems.add(field, "an Amazon ECR upstream authenticates with an IAM role (custom_role_arn), not a secret")
        return
    if is_token(arn):
        return
    match = _CREDENTIAL_ARN.match(arn) if isinstance(arn, str) else None
    low, high = CREDENTIAL_ARN_CHARS
    if not match or not low <= len(arn) <= high:
        problems.add(field, f"{show(arn)} is not the ARN of a Secrets Manager secret whose name starts with "
                     f"{CREDENTIAL_PREFIX} (e.g. arn:aws:secretsmanager:us-east-1:111111111111:secret:"
                     f"{CREDENTIAL_PREFIX}docker-hub-AbCdEf)")
        return
    secret_region, secret_account = match.group(2), match.group(3)
    if account and secret_account != account:
        problems.add(field, f"the secret is in account {secret_account}; it must be in the account of the rule's "
                     f"registry, {account}{where}")
    if region and secret_region != region:
        problems.add(field, f"the secret is in {secret_region}; it must be in the region of the rule's registry, "
                     f"{region}{where}")


def _check_ecr_upstream(rule: PullThroughCacheRule, upstream: Upstream, account: str | None, region: str | None,
                        problems: Problems, path: str, where: str, is_token: Callable[[Any], bool]) -> None:
    role, upstream_prefix = rule.custom_role_arn, rule.upstream_repository_prefix
    if upstream.auth != "role":
        for field, value in (("custom_role_arn", role), ("upstream_repository_prefix", upstream_prefix)):
            if value is not None:
                problems.add(_at(path, field), f"only for an Amazon ECR upstream ({upstream.name} is not one)")
        return
    upstream_account, upstream_region = ecr_upstream_registry(rule.upstream_registry_url) or ("", "")
    if account and (upstream_account, upstream_region) == (account, region):
        problems.add(_at(path, "upstream_registry_url"), f"{show(rule.upstream_registry_url)} is the rule's own "
                     f"registry{where}: a pull through cache needs another registry upstream")
    if upstream_prefix is not None and not is_token(upstream_prefix):
        problem = repository_prefix(upstream_prefix)
        if problem:
            problems.add(_at(path, "upstream_repository_prefix"), problem)
        elif rule.ecr_repository_prefix == "ROOT" and upstream_prefix != "ROOT":
            problems.add(_at(path, "upstream_repository_prefix"), "needs an ecr_repository_prefix other than ROOT")
    if role is None:
        if account and upstream_account != account:
            problems.add(_at(path, "custom_role_arn"), f"missing: the upstream registry is in account "
                         f"{upstream_account}, another account than {account}{where}, so ECR needs an IAM role to "
                         "pull from it")
        return
    if is_token(role):
        return
    problem = names.role_arn(role)
    if problem:
        problems.add(_at(path, "custom_role_arn"), problem)
        return
    match = _ROLE_ACCOUNT.match(role)
    if account and match and match.group(1) != account:
        problems.add(_at(path, "custom_role_arn"), f"the role is in account {match.group(1)}; it must be in the "
                     f"account of the rule's registry, {account}{where}")


def check_pull_through_cache_list(rules: tuple[PullThroughCacheRule, ...], problems: Problems, path: str,
                                  where: str = "") -> None:
    """Checks across the rules of one registry."""
    if len(rules) > MAX_PULL_THROUGH_CACHE_RULES:
        problems.add(path, f"{len(rules)} rules{where}; ECR allows {MAX_PULL_THROUGH_CACHE_RULES} pull through cache "
                     "rules per registry")


def check_signing_rule(rule: SigningRule, problems: Problems, path: str = "",
                       is_token: Callable[[Any], bool] = _never) -> None:
    arn = rule.signing_profile_arn
    if not is_token(arn) and (not isinstance(arn, str) or len(arn) > MAX_SIGNING_PROFILE_ARN_CHARS
                              or not _SIGNING_PROFILE_ARN.match(arn)):
        problems.add(_at(path, "signing_profile_arn"), f"{show(arn)} is not an AWS Signer signing profile ARN such as "
                     "'arn:aws:signer:us-east-1:111111111111:/signing-profiles/release'")
    check_filters(rule.filters, _at(path, "filters"), problems, signing_filter, MAX_SIGNING_FILTERS,
                  required=False, is_token=is_token)


def check_signing_list(rules: tuple[SigningRule, ...], problems: Problems, path: str, where: str = "") -> None:
    if len(rules) > MAX_SIGNING_RULES:
        problems.add(path, f"{len(rules)} rules{where}; ECR allows {MAX_SIGNING_RULES} signing rules per registry")
