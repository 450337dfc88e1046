"""The stacks a spec becomes, as plain values: one ``StackPlan`` per registry (account and region), with
everything its ``RegistryStack`` holds and the stacks it must deploy after. ``ecr_constructs.build_registry``
turns these into stacks; nothing outside ``ecr_spec`` needs the replication planning behind them.

- Each environment's registry gets its repositories, its replication rules, its creation templates and the
  spec's registry settings; a registry that only receives replicas (another region of an environment's
  account) gets a stack of its own with just those replicas.
- Every registry declares the replicas other registries send it (see ``ecr_spec.plan.replication``), and a source
  registry's stack depends on its destinations' stacks, so ``cdk deploy --all`` creates replicas first.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model.registry_settings import RegistrySettings
from ..model.spec import CreationTemplate, RegistrySpec, ReplicationRule, Repository, Target
from .replication import all_targets, replicas_in, stack_dependencies


@dataclass(frozen=True)
class StackPlan:
    """One registry's stack: the props of ``ecr_constructs.RegistryStack`` and its dependencies."""

    target: Target
    repositories: tuple[Repository, ...] = ()
    replication_rules: tuple[ReplicationRule, ...] = ()
    replication_sources: tuple[str, ...] = ()  # accounts whose replication the registry policy lets in
    replicas: tuple[Repository, ...] = ()
    creation_templates: tuple[CreationTemplate, ...] = ()
    registry_settings: RegistrySettings | None = None  # None: a replica-only registry, its settings left alone
    depends_on: tuple[Target, ...] = ()  # the targets whose stacks deploy first (replication destinations)
    delivered: tuple[Repository, ...] = ()  # what an organization StackSet delivers here (not declared by the stack)


def stack_plans(spec: RegistrySpec) -> tuple[StackPlan, ...]:
    """Every stack of ``spec``, environments' registries first (in spec order), then replica-only registries."""
    own = set(spec.targets())
    dependencies = stack_dependencies(spec)
    plans = []
    for target in all_targets(spec):
        replicas = replicas_in(spec, target)
        sources = spec.replication_sources(target)
        depends_on = dependencies.get(target, ())
        if target not in own:
            plans.append(StackPlan(target=target, replicas=replicas, replication_sources=sources,
                                   depends_on=depends_on))
            continue
        plans.append(StackPlan(target=target, repositories=spec.repositories_in(target),
                               replication_rules=spec.replication_rules(target), replication_sources=sources,
                               replicas=replicas, creation_templates=spec.creation_templates_in(target),
                               registry_settings=spec.registry_settings, depends_on=depends_on,
                               delivered=spec.delivered_in(target)))
    return tuple(plans)
