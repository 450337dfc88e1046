"""What a synthesized cloud assembly deploys, with CloudFormation's intrinsic functions resolved, so two apps that
write the same thing differently (``{"Ref": "AWS::Partition"}`` or ``aws``, a ``Fn::Join`` of the repository's
``Ref`` or its literal name) compare equal. synth.py uses it to show that the plain baseline makes the same
resources and outputs as the project before it compares their times.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_IGNORED_TYPES = {"AWS::CDK::Metadata"}
_FUNCTIONS = {"Fn::Join": lambda a: a[0].join(a[1]), "Fn::Split": lambda a: a[1].split(a[0]),
              "Fn::Select": lambda a: a[1][a[0]]}


def _partition(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


class _Resolver:
    """Resolves the intrinsics a template of these apps uses, as CloudFormation would in account/region."""

    def __init__(self, template: dict[str, Any], account: str, region: str) -> None:
        self.pseudo = {"AWS::Partition": _partition(region), "AWS::AccountId": account, "AWS::Region": region,
                       "AWS::URLSuffix": "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"}
        self.names = {logical_id: r["Properties"]["RepositoryName"] for logical_id, r in template["Resources"].items()
                      if r["Type"] == "AWS::ECR::Repository"}
        self.arn = f"arn:{self.pseudo['AWS::Partition']}:ecr:{region}:{account}:repository/"

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1 or not next(iter(value)).startswith(("Fn::", "Ref")):
            return {k: self(v) for k, v in value.items()}
        (function, args), = value.items()
        if function == "Ref":
            return self.pseudo.get(args) or self.names[args]
        if function == "Fn::GetAtt":
            assert args[1] == "Arn", args
            return self.arn + self.names[args[0]]
        if function not in _FUNCTIONS:
            raise ValueError(f"unexpected intrinsic {function}")
        return _FUNCTIONS[function](self(args))


def _statement(statement: dict[str, Any]) -> str:
    normal = dict(statement)
    for key in ("Action",):
        normal[key] = sorted(normal[key]) if isinstance(normal[key], list) else [normal[key]]
    principal = normal.get("Principal", {})
    normal["Principal"] = {k: sorted(v) if isinstance(v, list) else [v] for k, v in principal.items()}
    return json.dumps(normal, sort_keys=True)


def stack_shape(template: dict[str, Any], account: str, region: str) -> dict[str, Any]:
    """The stack as deployed: description, resources by type (repositories by name, properties resolved, policy
    statements in any order), outputs by description with their resolved values."""
    resolve = _Resolver(template, account, region)
    resources: dict[str, Any] = {}
    for resource in template["Resources"].values():
        if resource["Type"] in _IGNORED_TYPES:
            continue
        properties = resolve(resource.get("Properties", {}))
        if resource["Type"] == "AWS::ECR::Repository":
            policy = properties.pop("RepositoryPolicyText", None)
            if policy:
                properties["RepositoryPolicyText"] = sorted(_statement(s) for s in policy["Statement"])
            lifecycle = properties.get("LifecyclePolicy", {}).get("LifecyclePolicyText")
            if lifecycle:
                properties["LifecyclePolicy"] = json.loads(lifecycle)
            key = f"repository {properties['RepositoryName']}"
        else:
            key = resource["Type"]
        assert key not in resources, key
        resources[key] = {"properties": properties, "deletion": resource.get("DeletionPolicy"),
                          "replace": resource.get("UpdateReplacePolicy")}
    outputs = {}
    for output in template.get("Outputs", {}).values():
        value = resolve(output["Value"])
        outputs[output.get("Description")] = json.loads(value) if isinstance(value, str) and value[:1] == "{" else value
    return {"description": template.get("Description"), "resources": resources, "outputs": outputs}


def assembly_shape(out: Path) -> dict[str, Any]:
    """Every stack of a cloud assembly directory, by stack name."""
    manifest = json.loads((out / "manifest.json").read_text())
    shapes = {}
    for name, artifact in manifest["artifacts"].items():
        if artifact["type"] != "aws:cloudformation:stack":
            continue
        account, region = artifact["environment"].removeprefix("aws://").split("/")
        template = json.loads((out / artifact["properties"]["templateFile"]).read_text())
        shapes[name] = stack_shape(template, account, region)
    return shapes


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """Where two shapes first differ, as ``path: a != b``; None when they are equal."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                return f"{path}/{key}: only in {'the first' if key in a else 'the second'}"
            found = first_difference(a[key], b[key], f"{path}/{key}")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {json.dumps(a)[:300]} != {json.dumps(b)[:300]}"
