"""Each repository's output is written from the stack's account and region and the repository's name, as the L2
would build them (``ecr_constructs.outputs``), with the partition and URL suffix left to CloudFormation's pseudo
parameters.

Sources: ECR API reference, "Repository" (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_Repository.html):
the ARN is the ``arn:aws:ecr`` namespace, the region, the owner's account id and the repository name,
``arn:aws:ecr:region:012345678910:repository/test``; ECR user guide, "Amazon ECR private registry"
(https://docs.amazonaws.cn/en_us/AmazonECR/latest/userguide/Registries.html): the registry URL is
``aws_account_id.dkr.ecr.cn-north-1.amazonaws.com.cn`` in China, ``...amazonaws.com`` elsewhere."""
from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

from ecr_constructs import RegistryStack
from ecr_spec.model import Target

from .spec_helpers import BASE, parsed


def _output(region: str) -> Any:
    repository = parsed(BASE).repository("platform/base-images")
    stack = RegistryStack(cdk.App(), target=Target("dev", "111111111111", region), repositories=[repository])
    [output] = Template.from_stack(stack).find_outputs("*").values()
    return output["Value"]


def _resolved(value: Any, pseudo: dict[str, str]) -> Any:
    (function, (separator, parts)), = value.items()
    assert function == "Fn::Join"
    return separator.join(p if isinstance(p, str) else pseudo[p["Ref"]] for p in parts)


def test_the_output_refers_to_nothing_but_the_partition_and_url_suffix() -> None:
    parts = _output("us-east-1")["Fn::Join"][1]
    assert [p for p in parts if not isinstance(p, str)] == [{"Ref": "AWS::Partition"}, {"Ref": "AWS::URLSuffix"}]


def test_the_output_gives_the_arn_and_uri_of_the_repository_in_its_partition() -> None:
    value = _resolved(_output("cn-north-1"), {"AWS::Partition": "aws-cn", "AWS::URLSuffix": "amazonaws.com.cn"})
    assert json.loads(value) == {
        "name": "platform/base-images",
        "arn": "arn:aws-cn:ecr:cn-north-1:111111111111:repository/platform/base-images",
        "uri": "111111111111.dkr.ecr.cn-north-1.amazonaws.com.cn/platform/base-images"}
