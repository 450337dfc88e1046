"""Repository creation templates for moto (5.2 has none): the ECR API calls and the CloudFormation resource.

Runs inside the moto server process (``cfn.install`` imports it). Templates are stored per registry on
moto's ECR backend, in the API's shape (ECR API Reference: RepositoryCreationTemplate), so
``aws ecr describe-repository-creation-templates`` shows what CloudFormation deployed and the gateway's
replication applies them (``ecr_sandbox.registry.replication.create_replica``).

- ``CreateRepositoryCreationTemplate`` / ``DescribeRepositoryCreationTemplates`` /
  ``DeleteRepositoryCreationTemplate`` on moto's ECR responses;
- ``AWS::ECR::RepositoryCreationTemplate`` in CloudFormation (property names from the resource schema).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.ecr.models import ecr_backends
from moto.ecr.responses import ECRResponse

from ecr_sandbox.moto_ext.patching import PrefixedResource, add_methods


def _store(backend: Any) -> dict[str, dict[str, Any]]:
    if not hasattr(backend, "sandbox_creation_templates"):
        backend.sandbox_creation_templates = {}
    return backend.sandbox_creation_templates  # type: ignore[no-any-return]


def put_template(backend: Any, template: dict[str, Any]) -> dict[str, Any]:
    now = datetime.now(timezone.utc).timestamp()
    previous = _store(backend).get(template["prefix"], {})
    stored = {**{k: v for k, v in template.items() if v is not None},
              "createdAt": previous.get("createdAt", now), "updatedAt": now}
    stored.setdefault("imageTagMutability", "MUTABLE")
    stored.setdefault("encryptionConfiguration", {"encryptionType": "AES256"})
    _store(backend)[template["prefix"]] = stored
    return stored


def from_cloudformation(properties: dict[str, Any]) -> dict[str, Any]:
    """``AWS::ECR::RepositoryCreationTemplate`` properties in the API's shape."""
    encryption = properties.get("EncryptionConfiguration")
    return {
        "prefix": properties["Prefix"],
        "appliedFor": list(properties.get("AppliedFor") or []),
        "description": properties.get("Description"),
        "imageTagMutability": properties.get("ImageTagMutability"),
        "imageTagMutabilityExclusionFilters": [
            {"filterType": f["ImageTagMutabilityExclusionFilterType"], "filter": f["ImageTagMutabilityExclusionFilterValue"]}
            for f in properties.get("ImageTagMutabilityExclusionFilters") or []] or None,
        "lifecyclePolicy": properties.get("LifecyclePolicy"),
        "repositoryPolicy": properties.get("RepositoryPolicy"),
        "encryptionConfiguration": {"encryptionType": encryption["EncryptionType"],
                                    **({"kmsKey": encryption["KmsKey"]} if encryption.get("KmsKey") else {})}
        if encryption else None,
        "resourceTags": [{"Key": t["Key"], "Value": t["Value"]} for t in properties.get("ResourceTags") or []] or None,
        "customRoleArn": properties.get("CustomRoleArn"),
    }


class RepositoryCreationTemplate(PrefixedResource, CloudFormationModel):
    """``AWS::ECR::RepositoryCreationTemplate``; its physical id is the prefix, as in CloudFormation."""

    CFN_TYPE = "AWS::ECR::RepositoryCreationTemplate"
    CFN_ATTRIBUTES = ("CreatedAt", "UpdatedAt")

    def get_cfn_attribute(self, attribute_name: str) -> str:
        stored = _store(ecr_backends[self.account_id][self.region_name]).get(self.prefix, {})
        return str(stored.get(attribute_name[:1].lower() + attribute_name[1:], ""))

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def,override]
        template = from_cloudformation(cloudformation_json.get("Properties") or {})
        put_template(ecr_backends[account_id][region_name], template)
        return cls(account_id, region_name, template["prefix"])

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def,override]
        new_prefix = (cloudformation_json.get("Properties") or {}).get("Prefix")
        if new_prefix != original_resource.prefix:
            _store(ecr_backends[account_id][region_name]).pop(original_resource.prefix, None)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def,override]
        prefix = (cloudformation_json.get("Properties") or {}).get("Prefix", resource_name)
        _store(ecr_backends[account_id][region_name]).pop(prefix, None)


def _template_error(code: str, message: str) -> Any:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)


def _create(self: ECRResponse) -> str:
    backend = self.ecr_backend
    prefix = self._get_param("prefix")
    if prefix in _store(backend):
        raise _template_error("TemplateAlreadyExistsException", f"The template with prefix '{prefix}' already exists")
    keys = ("prefix", "description", "encryptionConfiguration", "resourceTags", "imageTagMutability",
            "imageTagMutabilityExclusionFilters", "repositoryPolicy", "lifecyclePolicy", "appliedFor", "customRoleArn")
    stored = put_template(backend, {k: self._get_param(k) for k in keys})
    return json.dumps({"registryId": backend.account_id, "repositoryCreationTemplate": stored})


def _describe(self: ECRResponse) -> str:
    backend = self.ecr_backend
    prefixes = self._get_param("prefixes") or []
    templates = [t for p, t in sorted(_store(backend).items()) if not prefixes or p in prefixes]
    return json.dumps({"registryId": backend.account_id, "repositoryCreationTemplates": templates})


def _delete(self: ECRResponse) -> str:
    backend = self.ecr_backend
    prefix = self._get_param("prefix")
    template = _store(backend).pop(prefix, None)
    if template is None:
        raise _template_error("TemplateNotFoundException", f"The template with prefix '{prefix}' does not exist")
    return json.dumps({"registryId": backend.account_id, "repositoryCreationTemplate": template})


def install() -> None:
    """Add the three API calls to moto's ECR responses (idempotent)."""
    add_methods(ECRResponse, "_sandbox_creation_templates", {
        "create_repository_creation_template": _create, "describe_repository_creation_templates": _describe,
        "delete_repository_creation_template": _delete})
