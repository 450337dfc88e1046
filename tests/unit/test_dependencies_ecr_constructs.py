"""Dependency rules of ``ecr_constructs`` as tests (tests/depcheck.py): the constructs are a library other CDK apps
install, so they never import the publisher's CLI or the local sandbox, their modules import each other one
way only (no cycle), and each sub-package imports only its own layer and those below.

Layers, bottom first: ``core`` (what every construct shares: errors, tokens, logical ids, outputs, dual-stack
URIs, aws-cdk-lib versions, cdk-nag acknowledgements), ``repository`` (``EcrRepository`` with its grants and
lifecycle policy), ``registry`` (registry-wide settings: replication, scanning, signing, pull through cache,
creation templates), ``publisher`` (the CodeBuild publisher: project, role, buildspecs, platforms, package),
``stacks`` (``RegistryStack``, the spec's repositories, the publisher's place in the stacks, StackSets and the
organization's stack), ``app`` (``build_registry`` and ``exit_on_spec_errors``, what an ``app.py`` calls). The
package's own ``__init__`` (the public names) may import any layer."""
from __future__ import annotations

from tests import depcheck

PACKAGE = "ecr_constructs"
LAYERS = ("core", "repository", "registry", "publisher", "stacks", "app")
NEVER_IMPORTED = ("image_pipeline", "ecr_sandbox", "boto3", "botocore")


def test_ecr_constructs_has_no_import_cycle() -> None:
    problems = depcheck.cycles(PACKAGE)
    assert problems == [], "\n".join(problems)


def test_each_part_imports_only_its_own_layer_and_those_below() -> None:
    problems = depcheck.upward_imports(PACKAGE, LAYERS)
    assert problems == [], "\n".join(problems)


def test_ecr_constructs_never_imports_the_publisher_cli_or_the_sandbox() -> None:
    problems = depcheck.forbidden_imports(PACKAGE, NEVER_IMPORTED)
    assert problems == [], "\n".join(problems)
