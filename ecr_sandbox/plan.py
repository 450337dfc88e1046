"""What the sandbox must emulate for a registry spec: which accounts, which (account, region) registries.

Every account named anywhere in the spec gets an AWS profile (environments, ``pull.accounts``,
``push.accounts``, ``replicate_to``); every (environment account, region) and every replication
destination gets a registry.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecr_sandbox.errors import SpecReadError


@dataclass(frozen=True)
class Plan:
    accounts: tuple[str, ...]
    registries: tuple[tuple[str, str], ...]  # (account, region), sorted
    default_region: str
    targets: tuple[tuple[str, str], ...] = ()  # (environment account, region): what `cdk deploy` reaches


def registry_host(account: str, region: str) -> str:
    return f"{account}.dkr.ecr.{region}.amazonaws.com"


def read_raw_spec(cdk_json: Path, override: str | None) -> dict[str, Any]:
    """The ``ecr`` spec as a plain dict: ``$ECR_SPEC`` (or ``override``) wins over cdk.json's context."""
    path = Path(override) if override else None
    try:
        if path is not None:
            return json.loads(path.read_text())
        context = json.loads(cdk_json.read_text()).get("context", {})
    except OSError as exc:
        raise SpecReadError(f"cannot read the registry spec: {exc}") from exc
    except ValueError as exc:
        raise SpecReadError(f"the registry spec is not valid JSON ({path or cdk_json}): {exc}") from exc
    if "ecr" not in context:
        raise SpecReadError(f"{cdk_json} has no context key 'ecr'; set ECR_SPEC=PATH to a spec file")
    return context["ecr"]


def _validated(raw: dict[str, Any], source: str) -> None:
    """Let the project's own validator judge the spec when it is available."""
    try:
        from ecr_spec import SpecError, load_spec  # type: ignore[import-not-found]
    except ImportError:
        return
    try:
        load_spec(raw)
    except SpecError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid"
        raise SpecReadError(f"the registry spec in {source} is invalid: {first}") from exc


def plan_from_spec(raw: dict[str, Any]) -> Plan:
    environments = raw.get("environments") or {}
    if not isinstance(environments, dict) or not environments:
        raise SpecReadError("the registry spec has no environments")
    accounts: set[str] = set()
    registries: set[tuple[str, str]] = set()
    targets: set[tuple[str, str]] = set()
    regions_in_order: list[str] = []
    for env in environments.values():
        account = str(env["account"])
        accounts.add(account)
        for region in env.get("regions", []):
            registries.add((account, region))
            targets.add((account, region))
            regions_in_order.append(region)
    for repo in raw.get("repositories", []) or []:
        for key in ("pull", "push"):
            accounts.update(str(a) for a in ((repo.get(key) or {}).get("accounts") or []))
        for dest in repo.get("replicate_to") or []:
            accounts.add(str(dest["account"]))
            registries.add((str(dest["account"]), dest["region"]))
    if not registries:
        raise SpecReadError("the registry spec names no regions")
    return Plan(tuple(sorted(accounts)), tuple(sorted(registries)), regions_in_order[0], tuple(sorted(targets)))


def load_plan(spec_path: str | None = None, cdk_json: str | Path = "cdk.json") -> Plan:
    """Read the spec (``spec_path`` or ``$ECR_SPEC`` or cdk.json) and derive the plan."""
    override = spec_path or os.environ.get("ECR_SPEC") or None
    raw = read_raw_spec(Path(cdk_json), override)
    _validated(raw, override or str(cdk_json))
    try:
        return plan_from_spec(raw)
    except (KeyError, TypeError, AttributeError) as exc:
        raise SpecReadError(f"the registry spec is malformed near {exc!s}") from exc
