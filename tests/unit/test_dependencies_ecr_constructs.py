"""Dependency rules of ``ecr_constructs`` as tests (tests/depcheck.py): the constructs are a library other CDK apps
install, so they never import the publisher's CLI or the local sandbox, and their modules import each other one
way only (no cycle)."""
from __future__ import annotations

from tests import depcheck

NEVER_IMPORTED = ("image_pipeline", "ecr_sandbox", "boto3", "botocore")


def test_ecr_constructs_has_no_import_cycle() -> None:
    problems = depcheck.cycles("ecr_constructs")
    assert problems == [], "\n".join(problems)


def test_ecr_constructs_never_imports_the_publisher_cli_or_the_sandbox() -> None:
    problems = depcheck.forbidden_imports("ecr_constructs", NEVER_IMPORTED)
    assert problems == [], "\n".join(problems)
