"""Dependency rules of ``ecr_spec`` as tests (tests/depcheck.py): the spec is pure Python, read by the CDK app, the
constructs, the publisher and the sandbox, so it imports none of them, nor the CDK or an AWS SDK, and its
modules import each other one way only (no cycle), down its layers.

Layers, bottom first: ``core`` (errors, ECR's limits and names, value shapes, tag patterns), ``model`` (the typed
spec and each feature's settings with ECR's rules for them), ``plan`` (replication rules, one stack per registry),
``parse`` (a spec document into the model), ``files`` (cdk.json and spec files)."""
from __future__ import annotations

from tests import depcheck

LAYERS = ("core", "model", "plan", "parse", "files")
NEVER_IMPORTED = ("aws_cdk", "constructs", "cdk_nag", "jsii", "ecr_constructs", "image_pipeline", "ecr_sandbox",
                  "boto3", "botocore")


def test_ecr_spec_has_no_import_cycle() -> None:
    problems = depcheck.cycles("ecr_spec")
    assert problems == [], "\n".join(problems)


def test_each_part_imports_only_its_own_layer_and_those_below() -> None:
    problems = depcheck.upward_imports("ecr_spec", LAYERS)
    assert problems == [], "\n".join(problems)


def test_ecr_spec_imports_neither_the_cdk_nor_an_aws_sdk_nor_the_packages_built_on_it() -> None:
    problems = depcheck.forbidden_imports("ecr_spec", NEVER_IMPORTED)
    assert problems == [], "\n".join(problems)
