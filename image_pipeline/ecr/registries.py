"""Where a registry is, from the spec alone (no AWS call): what ``--dry-run`` shows and what needs no
credentials. ECR's registry endpoint is ``ACCOUNT.dkr.ecr.REGION.amazonaws.com`` (``.amazonaws.com.cn`` in the
China regions: AWS General Reference, "Amazon Elastic Container Registry endpoints and quotas"). Everywhere else
the URIs come from ECR itself (``describe_repositories``), as deployed."""
from __future__ import annotations

from ecr_spec import Target
from ecr_spec.model.policy import partition_of

from .targets import Destination

DNS_SUFFIXES = {"aws": "amazonaws.com", "aws-cn": "amazonaws.com.cn", "aws-us-gov": "amazonaws.com"}


def registry_host(account: str, region: str) -> str:
    return f"{account}.dkr.ecr.{region}.{DNS_SUFFIXES[partition_of(region)]}"


def planned(target: Target, repository: str) -> Destination:
    """The destination the spec describes (its tag mutability unknown until ECR is asked)."""
    return Destination(target.environment, target.account, target.region, repository,
                       f"{registry_host(target.account, target.region)}/{repository}")
