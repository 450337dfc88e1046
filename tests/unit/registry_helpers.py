"""Every stack of a spec, built the way app.py builds them, as templates."""
from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

from ecr_constructs import RegistryStack

from .spec_helpers import parsed


def templates_of(raw: dict[str, Any]) -> dict[str, Template]:
    registry_spec = parsed(raw)
    app = cdk.App()
    built = [RegistryStack(app, target=t, repositories=registry_spec.repositories_in(t),
                           replication_rules=registry_spec.replication_rules(t),
                           replication_sources=registry_spec.replication_sources(t),
                           scan_type=registry_spec.scan_type, registry_settings=registry_spec.registry_settings)
             for t in registry_spec.targets()]
    return {stack.stack_name: Template.from_stack(stack) for stack in built}
