"""Each repository's output gives the ARN and URI CloudFormation reports for the repository: the L2's
``repository_arn`` (``Fn::GetAtt`` ``Arn``) and its URI helper (account and region split out of that ARN), with the
partition and URL suffix left to CloudFormation's pseudo parameters (``ecr_constructs.core.outputs``).

Sources: CloudFormation, "AWS::ECR::Repository", return values
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecr-repository.html): ``Ref`` is the
repository name, ``Fn::GetAtt Arn`` is ``arn:aws:ecr:us-east-1:123456789012:repository/test-repository``; ECR user
guide, "Amazon ECR private registry" (https://docs.amazonaws.cn/en_us/AmazonECR/latest/userguide/Registries.html):
the registry URL is ``aws_account_id.dkr.ecr.cn-north-1.amazonaws.com.cn`` in China, ``...amazonaws.com`` elsewhere."""
from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

from ecr_constructs import RegistryStack
from ecr_spec.model.spec import Target

from .spec_helpers import BASE, parsed

NAME = "platform/base-images"
CN = {"AWS::Partition": "aws-cn", "AWS::URLSuffix": "amazonaws.com.cn"}


def _output(region: str) -> tuple[Any, dict[str, Any]]:
    stack = RegistryStack(cdk.App(), target=Target("dev", "111111111111", region), repositories=[parsed(BASE).repository(NAME)])
    template = Template.from_stack(stack)
    [output] = template.find_outputs("*").values()
    return output["Value"], template.find_resources("AWS::ECR::Repository")


def _resolved(value: Any, region: str, pseudo: dict[str, str], resources: dict[str, Any]) -> Any:
    """``value`` as CloudFormation would resolve it, from the documented return values of the repository."""
    if isinstance(value, str):
        return value
    (function, argument), = value.items()
    if function == "Ref":
        return pseudo[argument] if argument.startswith("AWS::") else resources[argument]["Properties"]["RepositoryName"]
    if function == "Fn::GetAtt":
        logical_id, attribute = argument
        assert attribute == "Arn"
        name = resources[logical_id]["Properties"]["RepositoryName"]
        return f"arn:{pseudo['AWS::Partition']}:ecr:{region}:111111111111:repository/{name}"
    if function == "Fn::Join":
        separator, parts = argument
        return separator.join(_resolved(p, region, pseudo, resources) for p in parts)
    if function == "Fn::Select":
        index, items = argument
        return _resolved(items, region, pseudo, resources)[index]
    if function == "Fn::Split":
        separator, source = argument
        return _resolved(source, region, pseudo, resources).split(separator)
    raise AssertionError(f"unexpected {function}")


def test_the_output_gives_the_arn_and_uri_cloudformation_reports_in_its_partition() -> None:
    value, resources = _output("cn-north-1")
    assert json.loads(_resolved(value, "cn-north-1", CN, resources)) == {
        "name": NAME,
        "arn": f"arn:aws-cn:ecr:cn-north-1:111111111111:repository/{NAME}",
        "uri": f"111111111111.dkr.ecr.cn-north-1.amazonaws.com.cn/{NAME}"}


def test_the_output_takes_the_arn_from_the_repository_not_from_a_hand_built_string() -> None:
    value, resources = _output("us-east-1")
    [logical_id] = resources
    assert {"Fn::GetAtt": [logical_id, "Arn"]} in value["Fn::Join"][1]
