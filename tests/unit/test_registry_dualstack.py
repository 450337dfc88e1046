"""Each repository's stack output also names its dual-stack (IPv4 and IPv6) URI.

Source: ECR user guide "Making requests to Amazon ECR registries": Docker and OCI clients reach a registry over
IPv6 at ``<registry-id>.dkr-ecr.<aws-region>.on.aws``; AWS General Reference "Amazon ECR endpoints and quotas"
lists ``dkr-ecr.REGION.on.aws`` for the commercial regions (and none for China or GovCloud).
"""
from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

from ecr_constructs import RegistryStack
from ecr_spec.model.spec import Target

from .registry_helpers import templates_of
from .spec_helpers import BASE, parsed


def output_value(template: Template) -> Any:
    outputs = template.find_outputs("*")
    assert len(outputs) == 1
    return next(iter(outputs.values()))["Value"]


def resolved(value: Any, logical_id: str, account: str, region: str, name: str) -> Any:
    """The output as CloudFormation resolves it, for the intrinsics it uses (Join, Ref, GetAtt Arn, Select, Split)."""
    if isinstance(value, (str, int)):
        return value
    if isinstance(value, list):
        return [resolved(v, logical_id, account, region, name) for v in value]
    (function, args), = value.items()
    if function == "Ref":
        return {logical_id: name, "AWS::URLSuffix": "amazonaws.com", "AWS::Partition": "aws"}[args]
    if function == "Fn::GetAtt":
        assert args == [logical_id, "Arn"]
        return f"arn:aws:ecr:{region}:{account}:repository/{name}"
    args = resolved(args, logical_id, account, region, name)
    if function == "Fn::Join":
        return args[0].join(args[1])
    if function == "Fn::Split":
        return args[1].split(args[0])
    if function == "Fn::Select":
        return args[1][args[0]]
    raise AssertionError(function)


def test_the_output_has_the_dual_stack_uri_next_to_the_ipv4_uri() -> None:
    template = templates_of(BASE)["ecr-prod-eu-west-1"]
    value = output_value(template)
    repository_id = next(iter(template.find_resources("AWS::ECR::Repository")))
    text = json.loads(resolved(value, repository_id, "222222222222", "eu-west-1", "docker-in-aws/todobackend"))
    assert text["dualstack_uri"] == "222222222222.dkr-ecr.eu-west-1.on.aws/docker-in-aws/todobackend"
    assert text["uri"] == "222222222222.dkr.ecr.eu-west-1.amazonaws.com/docker-in-aws/todobackend"
    assert set(text) == {"name", "arn", "uri", "dualstack_uri"}


def test_a_region_without_a_documented_dual_stack_host_has_no_dual_stack_uri() -> None:
    repository = parsed(BASE).repository("platform/base-images")
    stack = RegistryStack(cdk.App(), target=Target("china", "111111111111", "cn-north-1"), repositories=[repository])
    assert "dualstack_uri" not in json.dumps(output_value(Template.from_stack(stack)))
