"""Dual-stack (IPv4 and IPv6) repository URIs.

The ECR user guide ("Making requests to Amazon ECR registries") names the dual-stack host for Docker and OCI
clients ``<registry-id>.dkr-ecr.<aws-region>.on.aws``; the AWS General Reference ("Amazon ECR endpoints and
quotas") lists ``dkr-ecr.REGION.on.aws`` for the commercial regions. The host is not under the partition's URL
suffix (``amazonaws.com``), so ``Stack.url_suffix`` cannot build it; the account and region come from the
stack (``Stack.of``), the name from the L2 repository's name token. Neither document names a dual-stack host for the China or
GovCloud regions, so none is given there (docs/registry-features.md).
"""
from __future__ import annotations

from aws_cdk import Stack, Token
from constructs import IConstruct

_NO_DOCUMENTED_DUALSTACK = ("cn-", "us-gov-")


def dualstack_host(scope: IConstruct) -> str | None:
    """``ACCOUNT.dkr-ecr.REGION.on.aws`` of the stack of ``scope``; None where no dual-stack host is documented or
    the region is only known at deploy time."""
    stack = Stack.of(scope)
    region = stack.region
    if Token.is_unresolved(region) or region.startswith(_NO_DOCUMENTED_DUALSTACK):
        return None
    return f"{stack.account}.dkr-ecr.{region}.on.aws"


def dualstack_uri(scope: IConstruct, repository_name: str) -> str | None:
    """``ACCOUNT.dkr-ecr.REGION.on.aws/NAME`` for the repository ``repository_name`` (its L2 name token)."""
    host = dualstack_host(scope)
    return f"{host}/{repository_name}" if host else None
