"""ecr_sandbox.control.plan: the sandbox plans from the typed spec, defaults merged (issue 8 item 7)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecr_sandbox.control.errors import SpecReadError
from ecr_sandbox.control.plan import load_plan

from .spec_helpers import spec


def plan_of(tmp_path: Path, raw: dict) -> object:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(raw))
    return load_plan(str(path))


def test_an_account_in_defaults_pull_accounts_gets_a_profile(tmp_path: Path) -> None:
    raw = spec()
    raw["defaults"]["pull"] = {"accounts": ["444444444444"]}
    assert "444444444444" in plan_of(tmp_path, raw).accounts


def test_a_defaults_replicate_to_destination_gets_a_registry(tmp_path: Path) -> None:
    raw = spec(repositories=[{"name": "app", "environments": ["dev"]}])
    raw["defaults"]["replicate_to"] = [{"account": "111111111111", "region": "us-west-2"}]
    plan = plan_of(tmp_path, raw)
    assert ("111111111111", "us-west-2") in plan.registries
    assert ("111111111111", "us-west-2") in plan.targets  # a replica-only stack is deployed there


def test_an_invalid_spec_is_one_line_naming_the_field(tmp_path: Path) -> None:
    raw = spec()
    raw["defaults"]["pull"] = {"accounts": ["4"]}
    with pytest.raises(SpecReadError, match=r"is invalid: defaults.pull.accounts\[0\]: '4' is not a 12-digit"):
        plan_of(tmp_path, raw)
