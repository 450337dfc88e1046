"""Builders for specs in tests: a valid base spec, changed one field at a time."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from ecr_spec import RegistrySpec, SpecError, load_spec

BASE: dict[str, Any] = {
    "environments": {
        "dev": {"account": "111111111111", "regions": ["us-east-1"]},
        "prod": {"account": "222222222222", "regions": ["us-east-1", "eu-west-1"]},
    },
    "defaults": {"lifecycle": {"untagged_expire_days": 7, "keep_last": 30}},
    "repositories": [
        {"name": "docker-in-aws/todobackend", "environments": ["dev", "prod"], "mutable_tags": ["latest"],
         "pull": {"accounts": ["333333333333"], "services": ["codebuild.amazonaws.com"]}},
        {"name": "platform/base-images", "environments": ["dev"],
         "replicate_to": [{"account": "222222222222", "region": "eu-west-1"}]},
    ],
}


def spec(**changes: Any) -> dict[str, Any]:
    """The base spec with top-level keys replaced."""
    raw = copy.deepcopy(BASE)
    raw.update(copy.deepcopy(changes))
    return raw


def with_repository(index: int = 0, **fields: Any) -> dict[str, Any]:
    """The base spec with fields of one repository replaced (None removes the field)."""
    raw = copy.deepcopy(BASE)
    for key, value in fields.items():
        if value is None:
            raw["repositories"][index].pop(key, None)
        else:
            raw["repositories"][index][key] = copy.deepcopy(value)
    return raw


def problems_of(raw: Any) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec(raw)
    return caught.value.problems


def parsed(raw: Any) -> RegistrySpec:
    return load_spec(raw)
