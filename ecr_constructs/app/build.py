"""``build_registry``: a whole registry spec as CDK stacks, in one call.

One ``RegistryStack`` per registry (account and region) of the spec: each environment's registries, plus a stack
for each registry that only receives replicas; stacks depend on their replication destinations' stacks (the
replicas are declared there first); with a ``publisher`` key, the CodeBuild publisher and its roles; with an
``organization`` key, a stack of StackSets in the administrator's account. This is what the project's own
``app.py`` runs.
"""
from __future__ import annotations

from os import PathLike
from typing import Any, Mapping, Union

from constructs import Construct

from ecr_spec import RegistrySpec, Target, load_spec, load_spec_file
from ecr_spec.plan.stacks import stack_plans

from ..stacks.registry_stack import RegistryStack

SpecSource = Union[RegistrySpec, Mapping[str, Any], str, PathLike[str]]


def as_spec(spec: SpecSource) -> RegistrySpec:
    """A ``RegistrySpec`` as is; a mapping of the spec's JSON shape parsed; a path read as a JSON spec file.
    Raises ``ecr_spec.SpecError`` listing every problem."""
    if isinstance(spec, RegistrySpec):
        return spec
    if isinstance(spec, (str, PathLike)):
        return load_spec_file(spec)
    if isinstance(spec, Mapping) and not isinstance(spec, dict):
        spec = dict(spec)  # the parser reads JSON objects (dicts)
    return load_spec(spec)


def build_registry(scope: Construct, spec: SpecSource) -> list[RegistryStack]:
    """Adds the stacks of ``spec`` to ``scope`` (usually the ``cdk.App``) and returns the ``RegistryStack`` of each
    registry in the spec's order. With an ``organization`` section it also adds the ``OrganizationStack`` holding
    its StackSets (``scope.node.find_child(spec.organization.stack_name)``).

    :param scope: where the stacks go; each gets the concrete ``env`` of its account and region and is named
        ``ecr-ENVIRONMENT-REGION``.
    :param spec: a ``RegistrySpec``, a mapping of the spec's JSON shape (what ``cdk.json``'s ``ecr`` context
        holds), or the path of a JSON file of that shape.
    :raises ecr_spec.SpecError: the spec broke ECR's or the spec's rules; one line per problem, each naming the
        field (``exit_on_spec_errors`` prints them for an ``app.py``).
    :raises EcrConstructsError: a construct refused its props.
    """
    registry_spec = as_spec(spec)
    stacks: dict[Target, RegistryStack] = {}
    plans = stack_plans(registry_spec)
    for plan in plans:
        stacks[plan.target] = RegistryStack(
            scope, target=plan.target, repositories=plan.repositories, replication_rules=plan.replication_rules,
            replication_sources=plan.replication_sources, scan_type=registry_spec.scan_type, replicas=plan.replicas,
            creation_templates=plan.creation_templates, registry_settings=plan.registry_settings,
            delivered=plan.delivered)
    for plan in plans:
        source = stacks[plan.target]
        # add_stack_dependency is the newer name; add_dependency is the one every supported aws-cdk-lib has
        add_dependency = getattr(source, "add_stack_dependency", None) or source.add_dependency
        for destination in plan.depends_on:  # replicas exist before the source starts replicating
            add_dependency(stacks[destination], "its replicas are declared there")
    if registry_spec.publisher is not None:  # CodeBuild project and roles: imported only when asked for (1.5 s)
        from ..stacks.publisher import add_publisher
        add_publisher(stacks, registry_spec)
    if registry_spec.organization is not None:  # StackSets: imported only when asked for
        from ..stacks.organization_stack import OrganizationStack
        OrganizationStack(scope, organization=registry_spec.organization, repositories=registry_spec.repositories)
    return list(stacks.values())
