"""Repository-policy grants, each built from the L2 ``Repository`` grant methods.

One statement per kind of access: all pull accounts share one statement, all push accounts another, each
AWS service gets its own (with an ``aws:SourceAccount`` condition against confused deputies), and an
organisation gets ``*`` limited by ``aws:PrincipalOrgID``. Statements carry no Resource element and never
ecr:GetAuthorizationToken: that belongs in the other account's identity policy. ``ecr_spec.model.policy`` mirrors
this shape to check the size limit at synth; keep the two in step.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from aws_cdk import Aws
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from ..core.acknowledgements import acknowledge

ORGANIZATION_ACKNOWLEDGEMENT = (
    "Organisation-wide pull was asked for in the spec: the '*' principal is limited by an aws:PrincipalOrgID "
    "condition to identities of that AWS Organization."
)


def _accounts(accounts: Sequence[str]) -> iam.IPrincipal:
    return _account_principal(tuple(accounts))


@lru_cache(maxsize=None)
def _account_principal(accounts: tuple[str, ...]) -> iam.IPrincipal:
    """One principal object per set of accounts, shared by every grant: principals are immutable values (not
    constructs), and creating them costs a crossing into jsii per account plus one for the composite."""
    principals = [iam.AccountPrincipal(a) for a in accounts]
    return principals[0] if len(principals) == 1 else iam.CompositePrincipal(*principals)


def grant_accounts(repository: ecr.Repository, *, pull_accounts: Sequence[str], push_accounts: Sequence[str],
                   encryption_key: kms.IKey | None) -> None:
    """Cross-account pull (and push) through the repository policy; KMS decrypt on a customer-managed key."""
    if pull_accounts:
        repository.grant_pull(_accounts(pull_accounts))
    if push_accounts:
        repository.grant_pull_push(_accounts(push_accounts))
    if encryption_key is not None and (pull_accounts or push_accounts):
        everyone = list(dict.fromkeys([*pull_accounts, *push_accounts]))
        encryption_key.grant_decrypt(_accounts(everyone))
        if push_accounts:
            encryption_key.grant_encrypt(_accounts(push_accounts))


@lru_cache(maxsize=1)
def _this_account() -> str:
    """The stack's own account at deploy time (a pseudo parameter): no kernel round trip per repository."""
    return Aws.ACCOUNT_ID


def grant_services(repository: ecr.Repository, services: Sequence[str]) -> None:
    """Pull for AWS services (CodeBuild, Lambda, ...) acting for this stack's account only."""
    for service in services:
        repository.grant_pull(_service_principal(service))


@lru_cache(maxsize=None)
def _service_principal(service: str) -> iam.IPrincipal:
    """The service limited to the stack's own account, shared by every grant (like ``_account_principal``): the
    condition is the ``AWS::AccountId`` pseudo parameter, the same in every stack."""
    return iam.ServicePrincipal(service).with_conditions({"StringEquals": {"aws:SourceAccount": _this_account()}})


def grant_organization(repository: ecr.Repository, organization_id: str) -> None:
    """Pull for every identity in an AWS Organization; acknowledged for cdk-nag AwsSolutions-ECR1."""
    repository.grant_pull(iam.OrganizationPrincipal(organization_id))
    acknowledge(repository, "AwsSolutions-ECR1", ORGANIZATION_ACKNOWLEDGEMENT)
