"""What the sandbox must emulate for a registry spec: which accounts, which (account, region) registries.

The plan comes from the typed spec (``ecr_spec.load_cdk_json``: the same reader and validation as the CDK
app, ``defaults`` merged into every repository), never from raw JSON. Every account named anywhere in the
spec gets an AWS profile (environments, ``pull.accounts``, ``push.accounts``, ``replicate_to``, creation
templates' grants); every replication destination gets a registry. The spec is the sandbox's input, so only the
spec reader's top-level names are used (``from ecr_spec import ...``), never a rule of the product.

Which registries get a stack (``targets``, what ``cdk bootstrap`` must reach) is read from the spec's data as
README.md states it: every (environment account, region), and every replication destination in an environment's
account that no environment lists (a replica-only stack there).

The sandbox's AWS Organization (what ``aws:PrincipalOrgID`` conditions are evaluated against): the first
``pull.organization_id`` the spec names (else ``DEFAULT_ORGANIZATION``), with the environments' accounts as its
members; accounts the spec only grants (``pull.accounts``, ``push.accounts``) or replicates to are outside it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ecr_sandbox.control.errors import SpecReadError
from ecr_spec import RegistrySpec, SpecError, SpecFileError, load_cdk_json


DEFAULT_ORGANIZATION = "o-ecrsandbox"


@dataclass(frozen=True)
class Plan:
    accounts: tuple[str, ...]
    registries: tuple[tuple[str, str], ...]  # (account, region), sorted
    default_region: str
    targets: tuple[tuple[str, str], ...] = ()  # (account, region) of every stack: what `cdk deploy` reaches
    organization: tuple[str, tuple[str, ...]] = (DEFAULT_ORGANIZATION, ())  # (id, member accounts)


def plan_from_spec(spec: RegistrySpec) -> Plan:
    accounts = {environment.account for environment in spec.environments}
    stacks = {(target.account, target.region) for target in spec.targets()}
    registries = set(stacks)
    for grants in [*spec.repositories, *spec.creation_templates]:
        accounts.update(grants.pull.accounts)
        accounts.update(grants.push.accounts)
    environment_accounts = {environment.account for environment in spec.environments}
    for repository in spec.repositories:
        for destination in repository.replicate_to:
            accounts.add(destination.account)
            registries.add((destination.account, destination.region))
            if destination.account in environment_accounts:
                stacks.add((destination.account, destination.region))
    default_region = spec.environments[0].regions[0]
    named = [grants.pull.organization_id for grants in [*spec.repositories, *spec.creation_templates]
             if grants.pull.organization_id]
    organization = (named[0] if named else DEFAULT_ORGANIZATION, tuple(sorted(environment_accounts)))
    return Plan(tuple(sorted(accounts)), tuple(sorted(registries)), default_region, tuple(sorted(stacks)),
                organization)


def load_plan(spec_path: str | None = None, cdk_json: str | Path = "cdk.json") -> Plan:
    """Read the spec (``spec_path`` or ``$ECR_SPEC`` or cdk.json's ``ecr`` context) and derive the plan."""
    override = spec_path or os.environ.get("ECR_SPEC") or None
    try:
        spec = load_cdk_json(cdk_json, override)
    except SpecFileError as exc:
        raise SpecReadError(f"cannot read the registry spec: {exc.problems[0]}") from exc
    except SpecError as exc:
        first = exc.problems[0] if exc.problems else "invalid"
        raise SpecReadError(f"the registry spec in {override or cdk_json} is invalid: {first}") from exc
    return plan_from_spec(spec)
