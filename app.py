#!/usr/bin/env python3
"""The deployable CDK app: one RegistryStack per (environment, region) of the registry spec.

The spec comes from cdk.json's ``ecr`` context, or from a JSON file given with ``cdk synth -c ecr-spec=PATH``.
This is the only place that reads context. A bad spec prints one line per problem and exits 1 before
anything is written.
"""
from __future__ import annotations

import os
import sys

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")  # Debian 12 ships Node 20

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from ecr_constructs import EcrConstructsError, RegistryStack  # noqa: E402
from ecr_spec import RegistrySpec, SpecError, load_spec, load_spec_file  # noqa: E402
from ecr_spec.replication import all_targets, replicas_in, stack_dependencies  # noqa: E402
from ecr_spec.files import CONTEXT_KEY, OVERRIDE_CONTEXT_KEY  # noqa: E402


def read_spec(app: cdk.App) -> RegistrySpec:
    override = app.node.try_get_context(OVERRIDE_CONTEXT_KEY)
    if override:
        return load_spec_file(override)
    return load_spec(app.node.try_get_context(CONTEXT_KEY))


def build(app: cdk.App, spec: RegistrySpec) -> list[RegistryStack]:
    own = set(spec.targets())
    stacks = {
        target: RegistryStack(app, target=target, repositories=spec.repositories_in(target) if target in own else (),
                              replication_rules=spec.replication_rules(target) if target in own else (),
                              replication_sources=spec.replication_sources(target), scan_type=spec.scan_type,
                              registry_settings=spec.registry_settings if target in own else None,
                              replicas=replicas_in(spec, target),
                              creation_templates=spec.creation_templates_in(target) if target in own else ())
        for target in all_targets(spec)
    }
    for source, destinations in stack_dependencies(spec).items():
        for destination in destinations:  # replicas exist before the source starts replicating
            stacks[source].add_stack_dependency(stacks[destination], "its replicas are declared there")
    if spec.publisher is not None:  # CodeBuild project and publisher roles; imported only when asked for (1.5 s)
        from ecr_constructs.publisher_stacks import add_publisher
        add_publisher(stacks, spec)
    return list(stacks.values())


def main() -> int:
    app = cdk.App()
    try:
        build(app, read_spec(app))
    except (SpecError, EcrConstructsError) as error:
        for line in str(error).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
