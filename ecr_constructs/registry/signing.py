"""``RegistrySigning``: ECR managed signing for the registry (``AWS::ECR::SigningConfiguration``).

aws-cdk-lib 2.275.0 has no L2 for it (only ``CfnSigningConfiguration``, since 2.230.0), so this wraps the L1.
"""
from __future__ import annotations

from typing import Sequence

from aws_cdk import aws_ecr as ecr
from constructs import Construct

from ecr_spec.core.errors import Problems
from ecr_spec.model.registry_settings import MAX_SIGNING_RULES, SigningRule, check_signing_rule

from ..core.cdk_versions import SIGNING, require
from ..core.errors import PropsError
from ..core.tokens import is_token


class RegistrySigning(Construct):
    """The registry's signing configuration: ECR signs each image pushed to a matching repository with AWS Signer
    (the ECR user guide's "Managed signing"). The identity that pushes needs permission to sign with the profile.
    ECR allows one signing configuration per registry.

    :param rules: 1..10 rules, each a Signer signing profile ARN
        (``arn:aws:signer:REGION:ACCOUNT:/signing-profiles/NAME``) and up to 100 ``WILDCARD_MATCH`` repository
        filters (``team/*``, ``*/production``); a rule without filters signs every repository. Required.
    :raises PropsError: listing every problem with the props (values that are tokens are not checked).
    :raises CdkVersionError: on an aws-cdk-lib older than ``cdk_versions.SIGNING`` (2.230.0), which lacks it.
    """

    def __init__(self, scope: Construct, construct_id: str, *, rules: Sequence[SigningRule]) -> None:
        super().__init__(scope, construct_id)
        require("managed signing (RegistrySigning, the spec's registry.signing)", SIGNING,
                hasattr(ecr, "CfnSigningConfiguration"), where=self.node.path)
        problems = Problems()
        if not rules:
            problems.add("rules", "[] is empty: name at least one signing rule")
        if len(rules) > MAX_SIGNING_RULES:
            problems.add("rules", f"{len(rules)} rules; ECR allows {MAX_SIGNING_RULES} signing rules per registry")
        for i, rule in enumerate(rules):
            check_signing_rule(rule, problems, f"rules[{i}]", is_token=is_token)
        if problems:
            raise PropsError(self.node.path, problems.lines)
        self.rules = tuple(rules)
        self.resource = ecr.CfnSigningConfiguration(self, "Resource", rules=[
            ecr.CfnSigningConfiguration.RuleProperty(
                signing_profile_arn=rule.signing_profile_arn,
                repository_filters=[ecr.CfnSigningConfiguration.RepositoryFilterProperty(
                    filter=f, filter_type="WILDCARD_MATCH") for f in rule.filters] or None,
            ) for rule in rules])
