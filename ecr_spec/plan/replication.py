"""Replication planning: one pure plan shared by the CDK constructs and the sandbox.

What ECR does (Amazon ECR API Reference: ReplicationConfiguration, ReplicationRule, RepositoryFilter; user
guide "Private image replication in Amazon ECR"):

- one replication configuration per registry (account and region), at most ``MAX_RULES`` rules;
- each rule has 1..``MAX_DESTINATIONS_PER_RULE`` destinations and 0..``MAX_FILTERS_PER_RULE`` repository
  filters; the only filter type is ``PREFIX_MATCH``: a filter ``team/app`` replicates ``team/app`` *and*
  ``team/app-worker``, ``team/apps/x``, every name that starts with it;
- replicas are created by ECR with ECR's defaults unless something declares them first.

What this module decides from the spec:

- ``plan_rules`` (in ``model``, behind ``RegistrySpec.replication_rules``): the registry's wishes merged by
  destination *set* (order-independent), each group split into rules of at most ``MAX_FILTERS_PER_RULE`` filters;
- ``check_replication``: a replicated name that is a prefix of another repository of the same registry that
  does not replicate to the same destinations is an error, unless the replicated repository sets
  ``replicate_by_prefix: true``; more rules than ECR allows is an error; replica declarations that would make
  two stacks depend on each other are an error;
- ``replicas_in`` / ``replica_targets`` / ``stack_dependencies``: every replica is declared with the spec's
  settings in its destination registry's stack, and the source stack depends on the destination stack, so
  ``cdk deploy --all`` creates the replica (immutability, lifecycle, policy, encryption) before replication
  can create it with ECR's defaults (see docs/replication.md).
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Iterable, Mapping

from ..core.errors import Problems
from ..core.limits import MAX_REPLICATION_DESTINATIONS_PER_RULE as MAX_DESTINATIONS_PER_RULE  # named once, in limits.py
from ..core.limits import MAX_REPLICATION_FILTERS_PER_RULE as MAX_FILTERS_PER_RULE
from ..core.limits import MAX_REPLICATION_RULES as MAX_RULES
from ..core.limits import MAX_STACK_OUTPUTS, MAX_STACK_RESOURCES, STACK_RESOURCES_BESIDES_REPOSITORIES
from ..core.names import show
from ..model.spec import Registry, RegistrySpec, Repository, Target
from ..model.spec import plan_rules  # noqa: F401  (RegistrySpec.replication_rules' planning, importable from here too)

PREFIX_OPT_IN_KEY = "replicate_by_prefix"


def _ordered(destinations: Iterable[Registry]) -> tuple[Registry, ...]:
    return tuple(sorted(set(destinations), key=lambda r: (r.account, r.region)))


def _registry_of(target: Target) -> Registry:
    return Registry(target.account, target.region)


def prefix_conflicts(repositories: Iterable[Repository]) -> list[tuple[Repository, Repository, tuple[Registry, ...]]]:
    """(replicated, other, destinations) for every repository of one registry that ECR would replicate to
    ``destinations`` only because a replicated repository's name is a prefix of its name."""
    by_name = sorted(repositories, key=lambda r: r.name)
    names = [r.name for r in by_name]
    found = []
    for replicated in by_name:
        if not replicated.replicate_to or replicated.replicate_by_prefix:
            continue
        wanted = set(replicated.replicate_to)
        i = bisect_left(names, replicated.name)
        while i < len(names) and names[i].startswith(replicated.name):
            other = by_name[i]
            missing = wanted - set(other.replicate_to)
            if other is not replicated and missing:
                found.append((replicated, other, _ordered(missing)))
            i += 1
    return found


def check_replication(spec: RegistrySpec, paths: Mapping[str, str], problems: Problems) -> None:
    """Everything about replication ECR would get wrong or refuse, one line per problem.

    ``paths`` maps each repository name to where the spec defines it (``repositories[3]``)."""
    for target in spec.targets():
        where = f"environments.{target.environment} ({target.account}/{target.region})"
        for replicated, other, missing in prefix_conflicts(spec.repositories_in(target)):
            problems.add(
                f"{paths[replicated.name]}.name",
                f"{show(replicated.name)} replicates to {', '.join(map(str, missing))} through ECR's PREFIX_MATCH "
                f"filter, which also replicates {paths[other.name]} {show(other.name)} from {where}, and that "
                f"repository does not replicate there: rename one, give {paths[other.name]} the same "
                f"replicate_to, or set {paths[replicated.name]}.{PREFIX_OPT_IN_KEY}: true to accept it")
        rules = spec.replication_rules(target)
        if len(rules) > MAX_RULES:
            sets = len({rule.destinations for rule in rules})
            problems.add(where, f"replicate_to needs {len(rules)} replication rules ({sets} distinct sets of "
                         f"destinations, at most {MAX_FILTERS_PER_RULE} repositories per rule); ECR allows "
                         f"{MAX_RULES} per registry: use fewer distinct replicate_to lists")
        for rule in rules:
            if len(rule.destinations) > MAX_DESTINATIONS_PER_RULE:
                problems.add(where, f"{len(rule.destinations)} destinations in one replication rule; ECR allows "
                             f"{MAX_DESTINATIONS_PER_RULE}")
    _check_replica_stacks(spec, problems)
    cycle = _cycle(stack_dependencies(spec))
    if cycle:
        problems.add("repositories", "replicate_to makes the stacks " + " -> ".join(t.stack_name for t in cycle)
                     + " each wait for the other (a replica is declared in its destination's stack before the "
                     "source replicates): replicate in one direction between two registries")


def _check_replica_stacks(spec: RegistrySpec, problems: Problems) -> None:
    """Replicas are repositories (and outputs) of their destination's stack: CloudFormation's limits count them."""
    own = set(spec.targets())
    for target in all_targets(spec):
        replicas = len(replicas_in(spec, target))
        if not replicas:
            continue
        count = replicas + (len(spec.repositories_in(target)) if target in own else 0)
        where = f"replicate_to {target.account}/{target.region}"
        if count + STACK_RESOURCES_BESIDES_REPOSITORIES > MAX_STACK_RESOURCES or count > MAX_STACK_OUTPUTS:
            problems.add(where, f"{count} repositories ({replicas} of them replicas declared there) do not fit one "
                         f"CloudFormation stack ({MAX_STACK_RESOURCES} resources, {MAX_STACK_OUTPUTS} outputs)")


def replica_targets(spec: RegistrySpec) -> tuple[Target, ...]:
    """Registries that only receive replicas (another region of an environment's account that the
    environment does not list): each gets a stack of its own, named after the account's environment."""
    known = {(t.account, t.region) for t in spec.targets()}
    owner = {}
    for environment in spec.environments:
        owner.setdefault(environment.account, environment.name)
    extra: dict[tuple[str, str], Target] = {}
    for repository in spec.repositories:
        for destination in repository.replicate_to:
            key = (destination.account, destination.region)
            if key not in known and key not in extra and destination.account in owner:
                extra[key] = Target(owner[destination.account], destination.account, destination.region)
    return tuple(extra.values())


def all_targets(spec: RegistrySpec) -> tuple[Target, ...]:
    """Every registry that gets a stack: the environments' registries, then replica-only registries."""
    return spec.targets() + replica_targets(spec)


def replicas_in(spec: RegistrySpec, target: Target) -> tuple[Repository, ...]:
    """The spec's repositories that are replicated into ``target`` and not already declared there: their
    replicas are declared in ``target``'s stack with the repository's own settings."""
    here = _registry_of(target)
    own = spec._cached("target set", lambda: set(spec.targets()))
    declared = {r.name for r in spec.repositories_in(target)} if target in own else set()
    return tuple(r for r in _replicated(spec) if here in r.replicate_to and r.name not in declared)


def _replicated(spec: RegistrySpec) -> tuple[Repository, ...]:
    """The repositories that replicate anywhere (few, in most specs), in spec order."""
    return spec._cached("replicated", lambda: tuple(r for r in spec.repositories if r.replicate_to))


def stack_dependencies(spec: RegistrySpec) -> dict[Target, tuple[Target, ...]]:
    """For each source registry's target, the targets whose stacks must deploy first (its destinations)."""
    by_registry = {(t.account, t.region): t for t in all_targets(spec)}
    result: dict[Target, tuple[Target, ...]] = {}
    for source in spec.targets():
        destinations: list[Target] = []
        for rule in spec.replication_rules(source):
            for destination in rule.destinations:
                target = by_registry.get((destination.account, destination.region))
                if target is not None and target != source and target not in destinations:
                    destinations.append(target)
        if destinations:
            result[source] = tuple(destinations)
    return result


def _cycle(edges: Mapping[Target, tuple[Target, ...]]) -> list[Target]:
    """One dependency cycle (first node repeated at the end), or [] when there is none."""
    state: dict[Target, int] = {}
    stack: list[Target] = []

    def visit(node: Target) -> list[Target]:
        state[node] = 1
        stack.append(node)
        for nxt in edges.get(node, ()):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for node in edges:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []
