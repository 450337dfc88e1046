"""Where an image goes: the (environment, region) destinations of a repository and, for each, the
repository URI as deployed (``ecr.describe_repositories`` in that account and region), never formatted."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import botocore.exceptions

from ecr_spec import RegistrySpec, SpecError, Target, load_cdk_json
from ecr_spec.core.tags import tag_is_immutable

from ..core.errors import RepositoryNotDeployedError, SettingsError, TargetError
from .aws import describe_error
from .config import SpecSource



@dataclass(frozen=True)
class Destination:
    """One deployed repository in one account and region, as the ECR API describes it."""

    environment: str
    account: str
    region: str
    repository: str
    repository_uri: str
    tag_mutability: str = "MUTABLE"
    mutability_exclusions: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        return self.repository_uri.split("/", 1)[0]

    @property
    def label(self) -> str:
        return f"{self.environment}/{self.region}"

    def tag_is_immutable(self, tag: str) -> bool:
        """IMMUTABLE_WITH_EXCLUSION: the filters name the mutable tags; MUTABLE_WITH_EXCLUSION: the immutable."""
        return tag_is_immutable(self.tag_mutability, self.mutability_exclusions, tag)


def load(source: SpecSource) -> RegistrySpec:
    try:
        return load_cdk_json(source.cdk_json, override_path=source.override)
    except SpecError as error:
        raise SettingsError("the registry spec is invalid: " + "; ".join(error.problems)) from error


def select(spec: RegistrySpec, repository: str, environments: Sequence[str] = ()) -> tuple[Target, ...]:
    """The spec's destinations for ``repository``, or only those in ``environments``."""
    try:
        targets = spec.targets_for(repository)
    except KeyError:
        known = ", ".join(r.name for r in spec.repositories) or "none"
        raise SettingsError(f"repository {repository!r} is not in the registry spec (it has: {known})") from None
    known_envs = {e.name for e in spec.environments}
    for name in environments:
        if name not in known_envs:
            raise SettingsError(f"environment {name!r} is not in the registry spec (it has: "
                                f"{', '.join(sorted(known_envs))})")
        if not any(t.environment == name for t in targets):
            raise SettingsError(f"repository {repository!r} is not deployed to environment {name!r} by the spec")
    return tuple(t for t in targets if not environments or t.environment in environments)


def resolve(target: Target, repository: str, ecr: Any) -> Destination:
    """Asks ECR in the target's account and region for the deployed repository."""
    try:
        found = ecr.describe_repositories(repositoryNames=[repository])["repositories"]
    except botocore.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") == "RepositoryNotFoundException":
            raise RepositoryNotDeployedError(repository, target.account, target.region) from error
        raise TargetError(f"cannot describe repository {repository!r} in account {target.account} region "
                          f"{target.region}: {describe_error(error)}") from error
    except botocore.exceptions.BotoCoreError as error:
        raise TargetError(f"cannot reach the ECR API for account {target.account} region {target.region}: "
                          f"{error}") from error
    if not found:
        raise RepositoryNotDeployedError(repository, target.account, target.region)
    info = found[0]
    uri = info["repositoryUri"]
    if not uri.startswith(f"{target.account}.") or f".{target.region}." not in uri.split("/", 1)[0]:
        raise TargetError(f"ECR in account {target.account} region {target.region} describes {repository!r} "
                          f"at {uri}, another registry; check the AWS profile used for {target.environment!r}")
    filters = tuple(f["filter"] for f in info.get("imageTagMutabilityExclusionFilters") or ())
    return Destination(target.environment, target.account, target.region, repository, uri,
                       info.get("imageTagMutability", "MUTABLE"), filters)
