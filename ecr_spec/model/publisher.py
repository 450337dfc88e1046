"""The spec's ``publisher`` key: a CodeBuild publisher in one (CI) environment and a publisher role in every
other account, which becomes that account's ``publish_role_arn``.

    "publisher": {"environment": "dev",              # required: the CI environment (its account runs CodeBuild)
                  "region": "us-east-1",             # default: that environment's first region
                  "repositories": ["team/app"],      # default "all": every repository of the spec
                  "role_name": "ecr-image-publisher",  # default: this name, the same in every account
                  "package": "ecr-registry-as-code==0.2.0",  # default: the image_pipeline the app runs with
                  "platforms": ["linux/amd64", "linux/arm64"]}  # default: none, one image per build on x86-64

With ``platforms``, each platform is built natively on its own CodeBuild architecture and a last build assembles
the multi-platform image (``ecr_spec.model.publisher_platforms``, docs/publisher.md).

With a publisher, each environment in another account gets ``publish_role_arn``
``arn:aws:iam::ACCOUNT:role/ROLE_NAME`` unless it names one already; a named one must be that role (any
partition). Environments in the CI account keep none: the build publishes there with its own role.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

from ..core.errors import Problems
from ..core.names import show
from ..core.shapes import check_home_region, check_keys, home_environment
from . import checks
from .publisher_platforms import check_platforms

DEFAULT_ROLE_NAME = "ecr-image-publisher"
BUILD_ROLE_SUFFIX = "-build"
PUBLISHER_KEYS = {"environment", "region", "repositories", "role_name", "package", "platforms"}
# IAM role names: 1..64 of [\w+=,.@-] (IAM API reference, CreateRole RoleName); the build role adds a suffix.
# A role's policies hold about this many repository ARNs (IAM quotas: 10,240 characters inline, 20 managed
# policies of 6,144 characters each; an ARN of a typical name takes 60 to 80 of them).
MAX_PUBLISHED_PER_ACCOUNT = 1_000
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,%d}$" % (64 - len(BUILD_ROLE_SUFFIX)))
_ROLE_ARN = re.compile(r"^arn:(aws[a-z-]*):iam::([0-9]{12}):role/(.+)$")


@dataclass(frozen=True)
class Publisher:
    """Where the CodeBuild publisher runs and what it publishes to."""

    environment: str
    account: str
    region: str
    repositories: tuple[str, ...]
    role_name: str = DEFAULT_ROLE_NAME
    package: str | None = None  # a pip requirement the build installs (a fork, a release); None: the app's own
    platforms: tuple[str, ...] = ()  # built natively, one build each, then one index; (): one image per build

    @property
    def build_role_name(self) -> str:
        """The CodeBuild project's own role in the CI account: what the publisher roles trust."""
        return self.role_name + BUILD_ROLE_SUFFIX


def role_arn(account: str, role_name: str, partition: str = "aws") -> str:
    """The ``publish_role_arn`` a publisher role has: the spec holds plain strings for image-pipeline, so this
    is written here (pure Python); the constructs build their ARNs with the CDK's own helpers."""
    return f"arn:{partition}:iam::{account}:role/{role_name}"


def parse_publisher(raw: Any, environments: dict[str, Any], repository_names: Sequence[str],
                    problems: Problems) -> Publisher | None:
    """Checks the ``publisher`` key; on success fills in (or checks) the other accounts' ``publish_role_arn``
    in ``environments`` (a dict of ``Environment`` by name, changed in place)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.add("publisher", f"{show(raw)} must be an object such as {{\"environment\": \"dev\"}}")
        return None
    before = problems.reported
    check_keys(raw, PUBLISHER_KEYS, "publisher", problems)
    name = raw.get("environment")
    environment = home_environment(raw, "publisher", environments, "missing: name the environment whose account "
                                   "runs the publisher", problems)
    region = raw.get("region")
    if environment is not None:
        if region is None:
            region = environment.regions[0] if environment.regions else None
        else:
            check_home_region(region, environment, "publisher", problems)
    repositories = _repositories(raw.get("repositories", "all"), repository_names, problems)
    role_name = raw.get("role_name", DEFAULT_ROLE_NAME)
    if not isinstance(role_name, str) or not _ROLE_NAME.match(role_name):
        problems.add("publisher.role_name", f"{show(role_name)} is not an IAM role name of 1 to "
                     f"{64 - len(BUILD_ROLE_SUFFIX)} letters, digits and +=,.@_-")
    package = raw.get("package")
    if package is not None and (not isinstance(package, str) or not package.strip()):
        problems.add("publisher.package", f"{show(package)} must be a pip requirement such as "
                     "'ecr-registry-as-code==0.2.0' or 'git+https://...', or leave it out for the app's own")
    platforms = raw.get("platforms")
    platforms = () if platforms is None else check_platforms(platforms, "publisher.platforms", problems)
    if problems.reported > before or environment is None:
        return None
    publisher = Publisher(environment=name, account=environment.account, region=region,
                          repositories=repositories, role_name=role_name, package=package, platforms=platforms)
    _publish_roles(publisher, environments, problems)
    return publisher


def _repositories(value: Any, known: Sequence[str], problems: Problems) -> tuple[str, ...]:
    if value == "all":
        return tuple(known)
    if not isinstance(value, list):
        problems.add("publisher.repositories", f"{show(value)} must be \"all\" or a list of repository names")
        return ()
    if not value:
        problems.add("publisher.repositories", "[] is empty: list repositories, or \"all\"")
    return checks.each(value, "publisher.repositories", lambda item: None if item in known else
                       f"{show(item)} is not a repository of this spec", problems)


def _publish_roles(publisher: Publisher, environments: dict[str, Any], problems: Problems) -> None:
    for env_name, environment in list(environments.items()):
        if environment.account == publisher.account:
            continue
        wanted = role_arn(environment.account, publisher.role_name)
        given = environment.publish_role_arn
        if given is None:
            environments[env_name] = replace(environment, publish_role_arn=wanted)
            continue
        match = _ROLE_ARN.match(given)
        if not match or match.group(2) != environment.account or match.group(3) != publisher.role_name:
            problems.add(f"environments.{env_name}.publish_role_arn",
                         f"{show(given)} is not the publisher role of account {environment.account} ({wanted}): "
                         "leave it out, or set publisher.role_name to the role's name")


def publisher_accounts(publisher: Publisher, environments: Sequence[Any]) -> dict[str, tuple[Any, str]]:
    """Every account other than the CI account -> (its first environment, that environment's first region):
    where its one publisher role is created."""
    homes: dict[str, tuple[Any, str]] = {}
    for environment in environments:
        if environment.account != publisher.account and environment.account not in homes:
            homes[environment.account] = (environment, environment.regions[0])
    return homes


def build_spec(publisher: Publisher, environments: Sequence[Any],
               repositories: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The spec the build hands to ``image-pipeline --spec``: the environments (with their publish roles) and
    the published repositories with their environments; nothing else is needed to find destinations."""
    envs: dict[str, Any] = {}
    for environment in environments:
        body: dict[str, Any] = {"account": environment.account, "regions": list(environment.regions)}
        if environment.publish_role_arn:
            body["publish_role_arn"] = environment.publish_role_arn
        envs[environment.name] = body
    return {"environments": envs,
            "repositories": [{"name": name, "environments": list(repositories[name])}
                             for name in publisher.repositories]}


def check_publisher_size(spec: Any, problems: Problems) -> None:
    """Each role gets one ARN per published repository and region of its account: keep that within IAM's
    policy size quotas."""
    publisher = spec.publisher
    if publisher is None:
        return
    published = set(publisher.repositories)
    per_account: dict[str, int] = {}
    for target in spec.targets():
        count = sum(1 for r in spec.repositories_in(target) if r.name in published)
        per_account[target.account] = per_account.get(target.account, 0) + count
    for account, count in per_account.items():
        if count > MAX_PUBLISHED_PER_ACCOUNT:
            problems.add("publisher.repositories", f"{count} repository ARNs in account {account} (one per region); "
                         f"one IAM role's policies hold about {MAX_PUBLISHED_PER_ACCOUNT}: publish fewer repositories")
