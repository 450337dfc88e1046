"""Each repository's stack output: one JSON string ``{"name", "arn", "uri", "dualstack_uri"}``.

It is written from the stack's concrete account and region and the repository's literal name, not from the L2's
tokens (``repository_name``, ``repository_arn``, ``repository_uri`` and ``Stack.to_json_string``): those were four
crossings into the jsii runtime per repository, and for CloudFormation a ``Fn::Join`` of eight intrinsic
functions, for values known at synth. The partition and the URL suffix stay pseudo parameters
(``AWS::Partition``, ``AWS::URLSuffix``), so every partition gets its own. The ARN and URI are the ones the L2
builds: ``arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME`` and ``ACCOUNT.dkr.ecr.REGION.URL_SUFFIX/NAME``; the
dual-stack URI is described in ``ecr_constructs.dualstack``. In a StackSet's template, which deploys to many
accounts and regions, the account and region are the ``AWS::AccountId`` and ``AWS::Region`` pseudo parameters; a
region known only at deploy time gets no dual-stack URI (none is documented for some partitions).
"""
from __future__ import annotations

import json
from functools import lru_cache

from aws_cdk import Aws

from .dualstack import dualstack_host_of
from .tokens import is_token


@lru_cache(maxsize=1)
def _partition_and_url_suffix() -> tuple[str, str]:
    return Aws.PARTITION, Aws.URL_SUFFIX  # the same tokens in every stack: asked for once


def repository_output(*, account: str, region: str, repository_name: str) -> str:
    """The output's value for the repository ``repository_name`` in a stack of this account and region (concrete
    values, or the pseudo parameters' tokens)."""
    partition, url_suffix = _partition_and_url_suffix()
    value = {"name": repository_name,
             "arn": f"arn:{partition}:ecr:{region}:{account}:repository/{repository_name}",
             "uri": f"{account}.dkr.ecr.{region}.{url_suffix}/{repository_name}"}
    host = None if is_token(region) else dualstack_host_of(account, region)
    if host:
        value["dualstack_uri"] = f"{host}/{repository_name}"
    return json.dumps(value, separators=(",", ":"))
