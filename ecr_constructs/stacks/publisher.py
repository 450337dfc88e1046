"""Puts the spec's publisher into the registry stacks: ``PublisherProject`` in the CI environment's stack, one
``PublisherRole`` per other account in its first environment's first-region stack.

No stack refers to another (role names are fixed by the spec), so the stacks deploy in any order.
"""
from __future__ import annotations

from typing import Mapping

from aws_cdk import Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam

from ecr_spec.model.spec import RegistrySpec, Target
from ecr_spec.model.publisher import build_spec, publisher_accounts

from ..publisher.project import PublisherProject, PublisherRole
from .registry_stack import RegistryStack, construct_id


def _repositories_of_account(stack: RegistryStack, spec: RegistrySpec, account: str) -> list[ecr.IRepository]:
    """The published repositories of ``account`` in every region: the stack's own L2 repositories, and the
    other regions' imported by ARN (``Stack.format_arn``, never a hand-built string)."""
    assert spec.publisher is not None
    published = set(spec.publisher.repositories)
    found: list[ecr.IRepository] = []
    for target in spec.targets():
        if target.account != account:
            continue
        for repository in spec.repositories_in(target):
            if repository.name not in published:
                continue
            if target == stack.target:
                found.append(stack.repositories[repository.name].repository)
                continue
            arn = stack.format_arn(service="ecr", account=target.account, region=target.region,
                                   resource="repository", resource_name=repository.name)
            found.append(ecr.Repository.from_repository_attributes(
                stack, f"Published-{target.region}-{construct_id(repository.name)}",
                repository_arn=arn, repository_name=repository.name))
    return found


def add_publisher(stacks: Mapping[Target, RegistryStack], spec: RegistrySpec) -> PublisherProject | None:
    """The publisher of ``spec`` (None when the spec has no ``publisher`` key)."""
    publisher = spec.publisher
    if publisher is None:
        return None
    ci = stacks[Target(publisher.environment, publisher.account, publisher.region)]
    roles: list[iam.IRole] = []
    for account, (environment, region) in publisher_accounts(publisher, spec.environments).items():
        home = stacks[Target(environment.name, account, region)]
        PublisherRole(home, "PublisherRole", role_name=publisher.role_name, trusted_account=publisher.account,
                      trusted_role_name=publisher.build_role_name,
                      repositories=_repositories_of_account(home, spec, account))
        arn = Stack.of(ci).format_arn(service="iam", region="", account=account, resource="role",
                                      resource_name=publisher.role_name)
        roles.append(iam.Role.from_role_arn(ci, f"PublisherRole-{account}", arn, mutable=False))
    environments = {name: spec.repository(name).environments for name in publisher.repositories}
    return PublisherProject(ci, "Publisher", registry_spec=build_spec(publisher, spec.environments, environments),
                            repositories=_repositories_of_account(ci, spec, publisher.account),
                            publisher_roles=roles, role_name=publisher.build_role_name, package=publisher.package,
                            platforms=publisher.platforms)
