"""``build_registry``: a spec (typed, JSON-shaped mapping or file) becomes one stack per account and region, in one
call; ``exit_on_spec_errors`` turns a bad spec into ``error:`` lines and exit code 1."""
from __future__ import annotations

import io
import json
from pathlib import Path
from types import MappingProxyType

import aws_cdk as cdk
import pytest

from ecr_constructs import RegistryStack, build_registry, exit_on_spec_errors
from ecr_spec import load_spec

from .spec_helpers import BASE, spec

STACKS = ["ecr-dev-us-east-1", "ecr-prod-us-east-1", "ecr-prod-eu-west-1"]


def names(stacks: list[RegistryStack]) -> list[str]:
    return [s.stack_name for s in stacks]


def test_a_mapping_of_the_json_shape_becomes_one_stack_per_environment_and_region() -> None:
    stacks = build_registry(cdk.App(), BASE)
    assert names(stacks) == STACKS
    assert [(s.account, s.region) for s in stacks] == [("111111111111", "us-east-1"), ("222222222222", "us-east-1"),
                                                        ("222222222222", "eu-west-1")]


def test_a_typed_spec_and_a_spec_file_give_the_same_stacks(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(BASE))
    assert names(build_registry(cdk.App(), load_spec(BASE))) == STACKS
    assert names(build_registry(cdk.App(), path)) == STACKS
    assert names(build_registry(cdk.App(), str(path))) == STACKS


def test_any_mapping_of_the_json_shape_is_a_spec() -> None:
    assert names(build_registry(cdk.App(), MappingProxyType(BASE))) == STACKS


def test_a_source_stack_depends_on_the_stack_that_declares_its_replicas() -> None:
    stacks = {s.stack_name: s for s in build_registry(cdk.App(), BASE)}
    assert stacks["ecr-prod-eu-west-1"] in stacks["ecr-dev-us-east-1"].dependencies
    assert "platform/base-images" in stacks["ecr-prod-eu-west-1"].repositories


def test_a_region_that_only_receives_replicas_gets_a_stack_named_after_its_accounts_environment() -> None:
    raw = spec(repositories=[{"name": "team/app", "environments": ["dev"],
                              "replicate_to": [{"account": "111111111111", "region": "eu-central-1"}]}])
    stacks = {s.stack_name: s for s in build_registry(cdk.App(), raw)}
    assert list(stacks) == [*STACKS, "ecr-dev-eu-central-1"]
    assert list(stacks["ecr-dev-eu-central-1"].repositories) == ["team/app"]


def test_a_bad_spec_prints_one_error_line_per_problem_and_exits_1_without_a_traceback() -> None:
    out = io.StringIO()
    raw = spec()
    raw["environments"]["dev"]["account"] = "12345"
    with pytest.raises(SystemExit) as stopped, exit_on_spec_errors(out):
        build_registry(cdk.App(), raw)
    assert stopped.value.code == 1
    assert out.getvalue() == "error: environments.dev.account: '12345' is not a 12-digit account id\n"


def test_a_spec_file_that_cannot_be_read_is_one_error_line(tmp_path: Path) -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit), exit_on_spec_errors(out):
        build_registry(cdk.App(), tmp_path / "missing.json")
    assert out.getvalue().startswith(f"error: ecr-spec: cannot read {tmp_path / 'missing.json'}: ")
