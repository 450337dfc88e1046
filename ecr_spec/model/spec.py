"""The typed, immutable registry spec. Made only by ``parse.load_spec``; everything downstream reads this."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ..core.limits import MAX_REPLICATION_FILTERS_PER_RULE
from .lifecycle import LifecycleRule, policy_text
from .organization import Organization
from .publisher import Publisher
from .registry_settings import RegistrySettings


@dataclass(frozen=True)
class Environment:
    """A named AWS account and the regions where it gets a registry stack."""

    name: str
    account: str
    regions: tuple[str, ...]
    publish_role_arn: str | None = None
    organizational_unit: str | None = None  # the account's OU, for the organization's StackSets (None: not said)


@dataclass(frozen=True)
class Target:
    """One (environment, region): one registry, one stack."""

    environment: str
    account: str
    region: str

    @property
    def stack_name(self) -> str:
        return f"ecr-{self.environment}-{self.region}"


@dataclass(frozen=True)
class Registry:
    """An (account, region) pair: a replication destination."""

    account: str
    region: str

    def __str__(self) -> str:
        return f"{self.account}/{self.region}"


@dataclass(frozen=True)
class PullAccess:
    accounts: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    organization_id: str | None = None


@dataclass(frozen=True)
class PushAccess:
    accounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Repository:
    """One repository as it is deployed to each of its environments."""

    name: str
    environments: tuple[str, ...]
    lifecycle_rules: tuple[LifecycleRule, ...]
    mutable_tags: tuple[str, ...] = ()
    pull: PullAccess = field(default_factory=PullAccess)
    push: PushAccess = field(default_factory=PushAccess)
    replicate_to: tuple[Registry, ...] = ()
    encryption: str = "AES256"
    kms_key_arn: str | None = None
    scan_on_push: bool = True
    removal_policy: str = "retain"
    replicate_by_prefix: bool = False  # accepts that its name, a PREFIX_MATCH filter, replicates longer names too
    stack_set: str | None = None  # delivered by this organization StackSet, not by its environments' stacks

    @property
    def lifecycle_policy_text(self) -> str:
        return policy_text(self.lifecycle_rules)


@dataclass(frozen=True)
class ReplicationRule:
    """One rule of a registry's replication configuration: these repositories go to these registries."""

    destinations: tuple[Registry, ...]
    repositories: tuple[str, ...]

    def replicates(self, repository: str) -> bool:
        """Whether this rule sends ``repository``: its filters are ECR's PREFIX_MATCH on the name."""
        return any(repository.startswith(name) for name in self.repositories)


@dataclass(frozen=True)
class CreationTemplate:
    """One repository creation template (``registry.creation_templates``), deployed to the registries of
    ``environments``; parsed and checked by ``ecr_spec.parse.creation_templates``."""

    prefix: str
    applied_for: tuple[str, ...]
    environments: tuple[str, ...]
    lifecycle_rules: tuple[LifecycleRule, ...]
    mutable_tags: tuple[str, ...] = ()
    pull: PullAccess = field(default_factory=PullAccess)
    push: PushAccess = field(default_factory=PushAccess)
    encryption: str = "AES256"
    kms_key_arn: str | None = None
    custom_role_arn: str | None = None
    description: str | None = None
    resource_tags: tuple[tuple[str, str], ...] = ()


def plan_rules(repositories: Iterable[Repository]) -> tuple[ReplicationRule, ...]:
    """The replication rules of one registry: repositories grouped by their *set* of destinations (listed in
    any order), destinations sorted, names in spec order, at most ``MAX_REPLICATION_FILTERS_PER_RULE`` names
    per rule (see ``ecr_spec.plan.replication`` for ECR's rules)."""
    groups: dict[tuple[Registry, ...], list[str]] = {}
    for repository in repositories:
        if repository.replicate_to:
            destinations = tuple(sorted(set(repository.replicate_to), key=lambda r: (r.account, r.region)))
            groups.setdefault(destinations, []).append(repository.name)
    size = MAX_REPLICATION_FILTERS_PER_RULE
    return tuple(ReplicationRule(destinations, tuple(names[i:i + size]))
                 for destinations, names in groups.items() for i in range(0, len(names), size))


@dataclass(frozen=True)
class RegistrySpec:
    environments: tuple[Environment, ...]
    repositories: tuple[Repository, ...]
    scan_type: str | None = "BASIC"
    registry_settings: RegistrySettings = field(default_factory=RegistrySettings)
    creation_templates: tuple[CreationTemplate, ...] = ()
    publisher: Publisher | None = None  # the CodeBuild publisher (``publisher`` key); see ecr_spec.model.publisher
    organization: Organization | None = None  # StackSets for organizational units; see ecr_spec.model.organization

    def creation_templates_in(self, target: Target) -> tuple[CreationTemplate, ...]:
        return tuple(t for t in self.creation_templates if target.environment in t.environments)

    def environment(self, name: str) -> Environment:
        for environment in self.environments:
            if environment.name == name:
                return environment
        raise KeyError(name)

    def repository(self, name: str) -> Repository:
        found = self._cached("repositories by name", lambda: {r.name: r for r in self.repositories}).get(name)
        if found is None:
            raise KeyError(name)
        return found

    def _cached(self, key: str, build: Callable[[], Any]) -> Any:
        """A value computed once from this immutable spec: at fleet size (hundreds of registries) the planning asks
        the same questions once per registry, and answering each by scanning the whole spec made it quadratic."""
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = build()
        return cache[key]

    def targets(self) -> tuple[Target, ...]:
        return self._cached("targets", lambda: tuple(Target(e.name, e.account, r)
                                                     for e in self.environments for r in e.regions))

    def repositories_in(self, target: Target) -> tuple[Repository, ...]:
        """The repositories the stack of ``target`` declares (not those an organization StackSet delivers)."""
        return self._repositories_by_environment().get(target.environment, ())

    def delivered_in(self, target: Target) -> tuple[Repository, ...]:
        """The repositories an organization StackSet delivers to ``target`` (its environment declares one of the
        StackSet's organizational units, and the StackSet deploys to its region)."""
        def build() -> dict[Target, tuple[Repository, ...]]:
            found: dict[Target, list[Repository]] = {}
            for repository in self.repositories:
                if repository.stack_set:
                    for where in self.targets_for(repository.name):
                        found.setdefault(where, []).append(repository)
            return {where: tuple(repositories) for where, repositories in found.items()}
        return self._cached("delivered", build).get(target, ())

    def _repositories_by_environment(self) -> dict[str, tuple[Repository, ...]]:
        def build() -> dict[str, tuple[Repository, ...]]:
            found: dict[str, list[Repository]] = {}
            for repository in self.repositories:
                if repository.stack_set:
                    continue
                for environment in dict.fromkeys(repository.environments):
                    found.setdefault(environment, []).append(repository)
            return {environment: tuple(repositories) for environment, repositories in found.items()}
        return self._cached("repositories by environment", build)

    def targets_for(self, repository_name: str) -> tuple[Target, ...]:
        """Every registry that holds the repository: its environments' registries; for a repository an
        organization StackSet delivers, those of the environments in its OUs that are in the StackSet's regions."""
        repository = self.repository(repository_name)
        regions = None
        if repository.stack_set and self.organization is not None:
            regions = self.organization.stack_set(repository.stack_set).regions
        return tuple(t for t in self.targets()
                     if t.environment in repository.environments and (regions is None or t.region in regions))

    def replication_rules(self, target: Target) -> tuple[ReplicationRule, ...]:
        """ECR allows one replication configuration per registry: the wishes of all repositories in
        ``target`` merged by destination set and split at ECR's limits (see ``ecr_spec.plan.replication``)."""
        cache = self._cached("rules", dict)
        if target not in cache:
            cache[target] = plan_rules(self.repositories_in(target))
        return cache[target]

    def replication_sources(self, target: Target) -> tuple[str, ...]:
        """Accounts that replicate into ``target`` from another account: its registry policy lets them in."""
        def build() -> dict[Registry, tuple[str, ...]]:
            sources: dict[Registry, set[str]] = {}
            for source in self.targets():
                for rule in self.replication_rules(source):
                    for destination in rule.destinations:
                        if destination.account != source.account:
                            sources.setdefault(destination, set()).add(source.account)
            return {registry: tuple(sorted(accounts)) for registry, accounts in sources.items()}
        return self._cached("replication sources", build).get(Registry(target.account, target.region), ())
