"""ECR's names for things: the private registry's host name, a repository's ARN, the API's target prefix.

User guide, "Amazon ECR private registry": "The URL for your default private registry is
https://aws_account_id.dkr.ecr.region.amazonaws.com"
(https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html).
"""

from __future__ import annotations

# The JSON protocol's ``X-Amz-Target`` of every ECR action: this prefix and the action's name (API model,
# ``"targetPrefix": "AmazonEC2ContainerRegistry_V20150921"``)
ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921."


def registry_host(account: str, region: str) -> str:
    """The host name of ``account``'s private registry in ``region``."""
    return f"{account}.dkr.ecr.{region}.amazonaws.com"


def repository_arn(account: str, region: str, repository: str) -> str:
    """A repository's ARN (API reference, Repository ``repositoryArn``: ``arn:aws:ecr:region:account:repository/name``)."""
    return f"arn:aws:ecr:{region}:{account}:repository/{repository}"
