"""CloudFormation handlers for ECR that moto lacks or gets wrong, applied through moto's own ECR backend.

- ``AWS::ECR::Repository``: moto drops ``LifecyclePolicy`` and ``RepositoryPolicyText`` and keeps
  ``ImageScanningConfiguration`` / ``EncryptionConfiguration`` in CloudFormation's key case. The wrapped
  create/update translate them and call ``put_lifecycle_policy`` / ``set_repository_policy``.
- ``DeleteChangeSet`` of a change set that is gone: moto fails with HTTP 500; CloudFormation succeeds
  while the stack exists. ``DescribeChangeSet`` of one that is gone: moto answers ``ValidationError``,
  CloudFormation ``ChangeSetNotFound``. The CDK CLI relies on both on every deploy after the first.
- ``AWS::ECR::RepositoryCreationTemplate`` and the template API calls: ``ecr_sandbox.moto_ext.templates``.
- ``AWS::ECR::ReplicationConfiguration``, ``AWS::ECR::RegistryPolicy``,
  ``AWS::ECR::RegistryScanningConfiguration``: moto only warns; the models below call
  ``put_replication_configuration`` / ``put_registry_policy`` / ``put_registry_scanning_configuration``.

- ``AWS::ECR::PullThroughCacheRule``, ``AWS::ECR::SigningConfiguration`` and their ECR API calls, which moto
  lacks entirely: ``ecr_sandbox.moto_ext.registry_features``.

``install()`` must run in the moto server process before the first CloudFormation request (moto caches
its model list on first use).
"""

from __future__ import annotations

import json
from typing import Any

from moto.cloudformation.exceptions import CloudFormationError
from moto.core.common_models import CloudFormationModel
from moto.ecr.models import Repository, ecr_backends

from ecr_sandbox.moto_ext import registry_features
from ecr_sandbox.moto_ext import templates  # noqa: F401 - AWS::ECR::RepositoryCreationTemplate registers on import
from ecr_sandbox.moto_ext.patching import CfnResource


def _lower_first(key: str) -> str:
    return key[:1].lower() + key[1:]


def api_case(value: Any) -> Any:
    """CloudFormation's ``{"ScanOnPush": true}`` as the ECR API spells it: ``{"scanOnPush": true}``."""
    if isinstance(value, dict):
        return {_lower_first(k): api_case(v) for k, v in value.items()}
    if isinstance(value, list):
        return [api_case(v) for v in value]
    return value


def policy_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _apply_repository_policies(repository: Any, properties: dict[str, Any], account_id: str, region_name: str) -> None:
    backend = ecr_backends[account_id][region_name]
    lifecycle = properties.get("LifecyclePolicy") or {}
    if lifecycle.get("LifecyclePolicyText"):
        backend.put_lifecycle_policy(
            registry_id=repository.registry_id,
            repository_name=repository.name,
            lifecycle_policy_text=policy_text(lifecycle["LifecyclePolicyText"]),
        )
    if properties.get("RepositoryPolicyText"):
        backend.set_repository_policy(
            registry_id=repository.registry_id,
            repository_name=repository.name,
            policy_text=policy_text(properties["RepositoryPolicyText"]),
        )
    elif repository.policy is not None:
        repository.policy = None  # the template no longer has a policy


def _normalised(cloudformation_json: dict[str, Any]) -> dict[str, Any]:
    properties = dict(cloudformation_json.get("Properties") or {})
    for key in ("ImageScanningConfiguration", "EncryptionConfiguration"):
        if key in properties:
            properties[key] = api_case(properties[key])
    return {**cloudformation_json, "Properties": properties}


def _patch_repository() -> None:
    if getattr(Repository, "_sandbox_patched", False):
        return
    original_create = Repository.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]
    original_update = Repository.update_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def]
        cfn = _normalised(cloudformation_json)
        repository = original_create(cls, resource_name, cfn, account_id, region_name, **kwargs)
        _apply_repository_policies(repository, cfn["Properties"], account_id, region_name)
        return repository

    def update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
        cfn = _normalised(cloudformation_json)
        repository = original_update(cls, original_resource, new_resource_name, cfn, account_id, region_name)
        _apply_repository_policies(repository, cfn["Properties"], account_id, region_name)
        return repository

    Repository.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign,assignment]
    Repository.update_from_cloudformation_json = classmethod(update)  # type: ignore[method-assign,assignment]
    Repository._sandbox_patched = True  # type: ignore[attr-defined]


class _RegistrySetting(CfnResource):
    """One registry-wide ECR setting made by a CloudFormation resource (one per account and region), applied
    to moto's ECR backend. A mixin, as ``CfnResource`` says."""

    CFN_ATTRIBUTES = ("RegistryId",)

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.account_id

    @classmethod
    def apply(cls, backend: Any, properties: dict[str, Any]) -> None:
        raise NotImplementedError

    @classmethod
    def reset(cls, backend: Any) -> None:
        raise NotImplementedError

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def,override]
        cls.apply(ecr_backends[account_id][region_name], cloudformation_json.get("Properties") or {})
        return cls(account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def,override]
        cls.reset(ecr_backends[account_id][region_name])


class ReplicationConfiguration(_RegistrySetting, CloudFormationModel):
    CFN_TYPE = "AWS::ECR::ReplicationConfiguration"

    @classmethod
    def apply(cls, backend: Any, properties: dict[str, Any]) -> None:
        backend.put_replication_configuration(api_case(properties["ReplicationConfiguration"]))

    @classmethod
    def reset(cls, backend: Any) -> None:
        backend.put_replication_configuration({"rules": []})


class RegistryPolicy(_RegistrySetting, CloudFormationModel):
    CFN_TYPE = "AWS::ECR::RegistryPolicy"

    @classmethod
    def apply(cls, backend: Any, properties: dict[str, Any]) -> None:
        backend.put_registry_policy(policy_text(properties["PolicyText"]))

    @classmethod
    def reset(cls, backend: Any) -> None:
        backend.delete_registry_policy()


class RegistryScanningConfiguration(_RegistrySetting, CloudFormationModel):
    CFN_TYPE = "AWS::ECR::RegistryScanningConfiguration"

    @classmethod
    def apply(cls, backend: Any, properties: dict[str, Any]) -> None:
        backend.put_registry_scanning_configuration(
            scan_type=properties["ScanType"], rules=api_case(properties.get("Rules") or [])
        )

    @classmethod
    def reset(cls, backend: Any) -> None:
        backend.put_registry_scanning_configuration(scan_type="BASIC", rules=[])


class ChangeSetNotFound(CloudFormationError):
    code = "ChangeSetNotFound"

    def __init__(self, name: str) -> None:
        super().__init__(f"ChangeSet [{name}] does not exist")


def _change_set_known(backend: Any, name: str) -> bool:
    return name in backend.change_sets or any(cs.change_set_name == name for cs in backend.change_sets.values())


def _patch_change_sets() -> None:
    from moto.cloudformation.models import CloudFormationBackend

    if getattr(CloudFormationBackend, "_sandbox_patched", False):
        return
    original_delete = CloudFormationBackend.delete_change_set
    original_describe = CloudFormationBackend.describe_change_set

    def delete_change_set(self, change_set_name: str) -> None:  # type: ignore[no-untyped-def]
        if _change_set_known(self, change_set_name):
            original_delete(self, change_set_name)

    def describe_change_set(self, change_set_name: str):  # type: ignore[no-untyped-def]
        if not _change_set_known(self, change_set_name):
            raise ChangeSetNotFound(change_set_name)
        return original_describe(self, change_set_name)

    CloudFormationBackend.delete_change_set = delete_change_set  # type: ignore[method-assign]
    CloudFormationBackend.describe_change_set = describe_change_set  # type: ignore[method-assign]
    CloudFormationBackend._sandbox_patched = True  # type: ignore[attr-defined]


def install() -> None:
    """Patch the repository handler and the change-set calls; the registry-level models register
    themselves by subclassing."""
    _patch_repository()
    _patch_change_sets()
    templates.install()
    registry_features.install()  # pull through cache rules and managed signing
