"""``RepositoryCreationTemplate``: the settings ECR gives repositories it creates on your behalf.

aws-cdk-lib has no L2 for ``AWS::ECR::RepositoryCreationTemplate``, so this wraps the L1
``CfnRepositoryCreationTemplate``. Its lifecycle rules and repository policy are checked by the same code that
checks ``EcrRepository``'s (``ecr_spec`` validators), so a template cannot deploy what a repository could not.
"""
from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Mapping, Sequence

from aws_cdk import Stack, Token
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from ecr_spec.model import checks
from ecr_spec.parse.creation_templates import APPLIED_FOR, MAX_DESCRIPTION_CHARS, MAX_RESOURCE_TAGS, prefix_problem
from ecr_spec.core.errors import Problems
from ecr_spec.model.lifecycle import LifecycleRule, policy_text
from ecr_spec.model.policy import MAX_POLICY_CHARS, policy_document

from ..core.errors import PropsError
from ..repository.lifecycle import DEFAULT_LIFECYCLE_RULES, check_lifecycle_rules

if TYPE_CHECKING:
    from ecr_spec.parse.creation_templates import CreationTemplate
    from ecr_spec.model.spec import Repository


class RepositoryCreationTemplate(Construct):
    """A repository creation template (L1 ``CfnRepositoryCreationTemplate``: aws-cdk-lib has no L2).

    :param prefix: the repository namespace it applies to (``team`` matches ``team/...``; ECR assumes the
        trailing ``/``), or ``ROOT`` for every repository no other template matches.
    :param applied_for: when ECR applies it: any of ``PULL_THROUGH_CACHE``, ``REPLICATION``, ``CREATE_ON_PUSH``.
    :param lifecycle_rules: the lifecycle policy of created repositories, checked like ``EcrRepository``'s.
        Default: ``DEFAULT_LIFECYCLE_RULES``; pass ``()`` for no lifecycle policy.
    :param mutable_tags: tag filters that stay mutable; every other tag is immutable. Default: none
        (``IMMUTABLE``).
    :param repository_policy: the repository policy of created repositories. Default: none.
    :param encryption: ``AES256`` or ``KMS`` (with ``encryption_key``, or ECR's AWS managed key without).
        Default: ``KMS`` when ``encryption_key`` is given, else ``AES256``.
    :param encryption_key: a customer-managed KMS key; needs ``custom_role``. Default: None.
    :param custom_role: the role ECR assumes to create repositories; required for a KMS key or resource tags
        (ECR user guide: repository creation template IAM role). Default: ECR's service-linked role.
    :param resource_tags: tags for created repositories; needs ``custom_role``. Default: none.
    :param description: shown in the ECR console. Default: none.
    """

    def __init__(self, scope: Construct, construct_id: str, *, prefix: str, applied_for: Sequence[str],
                 lifecycle_rules: Sequence[LifecycleRule] = DEFAULT_LIFECYCLE_RULES,
                 mutable_tags: Sequence[str] = (), repository_policy: iam.PolicyDocument | None = None,
                 encryption: str | None = None, encryption_key: kms.IKey | None = None, custom_role: iam.IRole | None = None,
                 resource_tags: Mapping[str, str] | None = None, description: str | None = None) -> None:
        super().__init__(scope, construct_id)
        policy = Stack.of(self).to_json_string(repository_policy) if repository_policy else None
        self._check(prefix=prefix, applied_for=applied_for, lifecycle_rules=lifecycle_rules,
                    mutable_tags=mutable_tags, policy=repository_policy, encryption=encryption, encryption_key=encryption_key,
                    custom_role=custom_role, resource_tags=resource_tags or {}, description=description)
        mutability = "IMMUTABLE_WITH_EXCLUSION" if mutable_tags else "IMMUTABLE"
        self.resource = ecr.CfnRepositoryCreationTemplate(
            self, "Resource",
            prefix=prefix,
            applied_for=list(applied_for),
            description=description,
            image_tag_mutability=mutability,
            image_tag_mutability_exclusion_filters=[
                ecr.CfnRepositoryCreationTemplate.ImageTagMutabilityExclusionFilterProperty(
                    image_tag_mutability_exclusion_filter_type="WILDCARD",
                    image_tag_mutability_exclusion_filter_value=tag) for tag in mutable_tags] or None,
            lifecycle_policy=policy_text(lifecycle_rules) if lifecycle_rules else None,
            repository_policy=policy,
            encryption_configuration=ecr.CfnRepositoryCreationTemplate.EncryptionConfigurationProperty(
                encryption_type="KMS" if encryption_key else (encryption or "AES256"),
                kms_key=encryption_key.key_arn if encryption_key else None),
            custom_role_arn=custom_role.role_arn if custom_role else None,
            resource_tags=[{"key": k, "value": v} for k, v in sorted((resource_tags or {}).items())] or None,
        )
        if encryption_key is not None and custom_role is not None:
            encryption_key.grant(custom_role, "kms:CreateGrant", "kms:DescribeKey", "kms:Encrypt",
                                 "kms:Decrypt", "kms:GenerateDataKey*")

    def _check(self, *, prefix: str, applied_for: Sequence[str], lifecycle_rules: Sequence[LifecycleRule],
               mutable_tags: Sequence[str], policy: iam.PolicyDocument | None, encryption: str | None,
               encryption_key: kms.IKey | None,
               custom_role: iam.IRole | None, resource_tags: Mapping[str, str], description: str | None) -> None:
        problems = Problems()
        if not Token.is_unresolved(prefix):
            problem = prefix_problem(prefix)
            if problem:
                problems.add("prefix", problem)
        if not applied_for:
            problems.add("applied_for", f"[] is empty: name at least one of {', '.join(APPLIED_FOR)}")
        checks.each(applied_for, "applied_for", lambda scenario: None if scenario in APPLIED_FOR else
                    f"{scenario!r} must be one of {', '.join(APPLIED_FOR)}", problems)
        check_lifecycle_rules(lifecycle_rules, problems)
        checks.mutable_tags(mutable_tags, "mutable_tags", problems, Token.is_unresolved)  # as EcrRepository's
        if policy is not None:
            rendered = Stack.of(self).resolve(policy.to_json())
            chars = len(json.dumps(rendered, separators=(",", ":")))
            if chars > MAX_POLICY_CHARS:
                problems.add("repository_policy", f"{chars} characters; ECR allows {MAX_POLICY_CHARS}")
        if encryption not in (None, "AES256", "KMS") or (encryption == "AES256" and encryption_key is not None):
            problems.add("encryption", f"{encryption!r} must be AES256, or KMS (a key needs KMS)")
        if custom_role is None and encryption_key is not None:
            problems.add("encryption_key", "a KMS key needs custom_role: ECR creates the repository with that role")
        if custom_role is None and resource_tags:
            problems.add("resource_tags", "resource tags need custom_role: ECR tags the repository with that role")
        if len(resource_tags) > MAX_RESOURCE_TAGS:
            problems.add("resource_tags", f"{len(resource_tags)} tags; ECR allows {MAX_RESOURCE_TAGS}")
        if description is not None and len(description) > MAX_DESCRIPTION_CHARS:
            problems.add("description", f"{len(description)} characters; ECR allows {MAX_DESCRIPTION_CHARS}")
        if problems:
            raise PropsError(self.node.path, problems.lines)

    @property
    def prefix(self) -> str:
        return self.resource.prefix


def replica_settings(repository: "Repository", account: str, region: str) -> "Repository":
    """A replica declared in ``account``/``region``: the repository's settings, except a customer-managed key
    of another account or region (a key ARN is both); such a replica that asks for KMS uses the destination
    stack's own key."""
    if repository.kms_key_arn and f":kms:{region}:{account}:" not in repository.kms_key_arn:
        return dataclasses.replace(repository, kms_key_arn=None)
    return repository


def creation_template(scope: Construct, template: "CreationTemplate") -> RepositoryCreationTemplate:
    """A spec template (``registry.creation_templates``) as the construct, in ``scope``'s registry."""
    stack = Stack.of(scope)
    document = policy_document(owner_account=stack.account, pull_accounts=template.pull.accounts,
                               push_accounts=template.push.accounts, services=template.pull.services,
                               organization_id=template.pull.organization_id, partition=stack.partition)
    cid = "CreationTemplate-" + template.prefix.replace("/", "--")
    key = kms.Key.from_key_arn(scope, f"{cid}-Key", template.kms_key_arn) if template.kms_key_arn else None
    role = (iam.Role.from_role_arn(scope, f"{cid}-Role", template.custom_role_arn, mutable=False)
            if template.custom_role_arn else None)
    return RepositoryCreationTemplate(
        scope, cid, prefix=template.prefix, applied_for=template.applied_for,
        lifecycle_rules=template.lifecycle_rules, mutable_tags=template.mutable_tags,
        repository_policy=iam.PolicyDocument.from_json(document) if document else None,
        encryption=template.encryption, encryption_key=key, custom_role=role, resource_tags=dict(template.resource_tags) or None,
        description=template.description)
