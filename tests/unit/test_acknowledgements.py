"""cdk-nag acknowledgements on either aws-cdk-lib: its ``Validations`` API where it has one (cdk-nag 3), else the
``cdk_nag`` resource metadata that cdk-nag 2's ``NagSuppressions.add_resource_suppressions`` writes and reads
(cdk-nag 2.38 ``nag-suppressions.js``: ``{"rules_to_suppress": [{"reason", "id", "applies_to"}]}``)."""
from __future__ import annotations

import pytest
from aws_cdk.assertions import Template

from ecr_constructs import EcrRepository

from .cdk_helpers import new_stack, only_resource

REASON = ("Organisation-wide pull was asked for in the spec: the '*' principal is limited by an aws:PrincipalOrgID "
          "condition to identities of that AWS Organization.")


def test_without_the_validations_api_the_organisation_acknowledgement_is_cdk_nag_2_metadata(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ecr_constructs.core.acknowledgements._VALIDATIONS", None)
    stack = new_stack()
    EcrRepository(stack, "Repo", repository_name="team/app", pull_organization_id="o-a1b2c3d4e5")
    metadata = only_resource(Template.from_stack(stack), "AWS::ECR::Repository")["Metadata"]
    assert metadata["cdk_nag"] == {"rules_to_suppress": [{"reason": REASON, "id": "AwsSolutions-ECR1"}]}


def test_a_finding_becomes_the_rule_id_with_applies_to(monkeypatch: pytest.MonkeyPatch) -> None:
    from aws_cdk import aws_iam as iam

    from ecr_constructs.core.acknowledgements import acknowledge

    monkeypatch.setattr("ecr_constructs.core.acknowledgements._VALIDATIONS", None)
    stack = new_stack()
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
    acknowledge(role, "AwsSolutions-IAM5[Resource::*]", "ecr:GetAuthorizationToken takes no resource")
    acknowledge(role, "AwsSolutions-IAM5[Resource::*]", "ecr:GetAuthorizationToken takes no resource")
    metadata = only_resource(Template.from_stack(stack), "AWS::IAM::Role")["Metadata"]
    assert metadata["cdk_nag"] == {"rules_to_suppress": [
        {"reason": "ecr:GetAuthorizationToken takes no resource", "id": "AwsSolutions-IAM5",
         "applies_to": ["Resource::*"]}]}
