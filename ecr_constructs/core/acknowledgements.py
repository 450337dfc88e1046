"""Acknowledging a cdk-nag finding with its reason, on the aws-cdk-lib the app has.

aws-cdk-lib's own ``Validations.of(scope).acknowledge(Acknowledgment(...))`` (what cdk-nag 3 reads) is newer than
the oldest aws-cdk-lib this library supports (``ecr_constructs.core.cdk_versions``). On an aws-cdk-lib without it,
the acknowledgement is written the way cdk-nag 2 reads suppressions, which is also what that cdk-nag's own
``NagSuppressions.add_resource_suppressions`` writes: ``cdk_nag`` metadata on the CloudFormation resource,
``{"rules_to_suppress": [{"reason", "id", "applies_to"}]}``, a finding ``RULE[FINDING]`` as ``id`` RULE with
``applies_to`` [FINDING]. Either way the library does not import cdk-nag.
"""
from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct

_VALIDATIONS = getattr(cdk, "Validations", None)
_ACKNOWLEDGMENT = getattr(cdk, "Acknowledgment", None)


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledges cdk-nag's ``rule`` (``AwsSolutions-ECR1``, or one finding: ``AwsSolutions-IAM5[Resource::*]``)
    on ``scope`` with ``reason``."""
    if _VALIDATIONS is not None and _ACKNOWLEDGMENT is not None:
        _VALIDATIONS.of(scope).acknowledge(_ACKNOWLEDGMENT(id=rule, reason=reason))
        return
    resource = scope.node.default_child or scope
    if not isinstance(resource, cdk.CfnResource):
        return  # nothing for cdk-nag 2 to check here
    rule_id, _, finding = rule.partition("[")
    suppression = {"reason": reason, "id": rule_id, **({"applies_to": [finding[:-1]]} if finding else {})}
    metadata = resource.get_metadata("cdk_nag") or {}
    rules = [r for r in metadata.get("rules_to_suppress", []) if r != suppression]
    resource.add_metadata("cdk_nag", {"rules_to_suppress": [*rules, suppression]})
