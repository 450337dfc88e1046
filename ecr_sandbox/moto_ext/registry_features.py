"""ECR's pull through cache rules and managed signing in the sandbox's moto, which has neither.

- CloudFormation: ``AWS::ECR::PullThroughCacheRule`` and ``AWS::ECR::SigningConfiguration`` are stored per
  account and region (moto would skip them with a warning, and the stack would claim to have them).
- ECR API: ``CreatePullThroughCacheRule``, ``DescribePullThroughCacheRules``, ``DeletePullThroughCacheRule``,
  ``PutSigningConfiguration``, ``GetSigningConfiguration`` and ``DeleteSigningConfiguration`` answer from that
  store, in the shapes of the ECR API model, so ``aws ecr describe-pull-through-cache-rules`` reads back a
  deployed template.

The sandbox does not pull anything through these rules and does not sign images: it records the
configuration. ``install()`` must run in the moto server process before the first request.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Any

from moto.core.common_models import CloudFormationModel

from ecr_sandbox.moto_ext.patching import CfnResource, PrefixedResource, add_methods, ecr_error, registry_of

_LOCK = threading.Lock()
_RULES: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}  # (account, region) -> prefix -> rule (API shape)
_SIGNING: dict[tuple[str, str], dict[str, Any]] = {}  # (account, region) -> signingConfiguration (API shape)

# CloudFormation property -> ECR API member of a pull through cache rule
_RULE_FIELDS = {"EcrRepositoryPrefix": "ecrRepositoryPrefix", "UpstreamRegistryUrl": "upstreamRegistryUrl",
                "CredentialArn": "credentialArn", "CustomRoleArn": "customRoleArn",
                "UpstreamRegistry": "upstreamRegistry", "UpstreamRepositoryPrefix": "upstreamRepositoryPrefix"}


def put_rule(account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    rule = {k: v for k, v in request.items() if k in _RULE_FIELDS.values() and v is not None}
    rule.update(registryId=account, createdAt=datetime.now(timezone.utc))
    with _LOCK:
        _RULES.setdefault((account, region), {})[rule["ecrRepositoryPrefix"]] = rule
    return rule


def rules(account: str, region: str) -> list[dict[str, Any]]:
    with _LOCK:
        return list(_RULES.get((account, region), {}).values())


def delete_rule(account: str, region: str, prefix: str) -> dict[str, Any] | None:
    with _LOCK:
        return _RULES.get((account, region), {}).pop(prefix, None)


def put_signing(account: str, region: str, configuration: dict[str, Any]) -> None:
    with _LOCK:
        _SIGNING[(account, region)] = configuration


def signing(account: str, region: str) -> dict[str, Any] | None:
    with _LOCK:
        return _SIGNING.get((account, region))


def delete_signing(account: str, region: str) -> dict[str, Any] | None:
    with _LOCK:
        return _SIGNING.pop((account, region), None)


def _api_rule(properties: dict[str, Any]) -> dict[str, Any]:
    return {api: properties[cfn] for cfn, api in _RULE_FIELDS.items() if properties.get(cfn) is not None}


def _api_signing(properties: dict[str, Any]) -> dict[str, Any]:
    return {"rules": [
        {"signingProfileArn": rule["SigningProfileArn"],
         **({"repositoryFilters": [{"filter": f["Filter"], "filterType": f["FilterType"]}
                                   for f in rule["RepositoryFilters"]]} if rule.get("RepositoryFilters") else {})}
        for rule in properties.get("Rules") or []]}


class PullThroughCacheRule(PrefixedResource, CloudFormationModel):
    """``AWS::ECR::PullThroughCacheRule``; its primary identifier is the ECR repository prefix."""

    CFN_TYPE = "AWS::ECR::PullThroughCacheRule"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def,override]
        rule = put_rule(account_id, region_name, _api_rule(cloudformation_json.get("Properties") or {}))
        return cls(account_id, region_name, rule["ecrRepositoryPrefix"])

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def,override]
        # every property is create-only: CloudFormation replaces the rule
        delete_rule(account_id, region_name, original_resource.prefix)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def,override]
        prefix = (cloudformation_json.get("Properties") or {}).get("EcrRepositoryPrefix", resource_name)
        delete_rule(account_id, region_name, prefix)


class SigningConfiguration(CfnResource, CloudFormationModel):
    """``AWS::ECR::SigningConfiguration``: one per registry, identified by the account."""

    CFN_TYPE = "AWS::ECR::SigningConfiguration"
    CFN_ATTRIBUTES = ("RegistryId",)

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.account_id

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):  # type: ignore[no-untyped-def,override]
        put_signing(account_id, region_name, _api_signing(cloudformation_json.get("Properties") or {}))
        return cls(account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def,override]
        delete_signing(account_id, region_name)


def _patch_ecr_api() -> None:
    from moto.core.responses import ActionResult
    from moto.ecr.responses import ECRResponse

    if getattr(ECRResponse, "_sandbox_registry_features", False):
        return

    def create_pull_through_cache_rule(self):  # type: ignore[no-untyped-def]
        account, region = registry_of(self)
        request = {member: self._get_param(member) for member in _RULE_FIELDS.values()}
        if any(r["ecrRepositoryPrefix"] == request["ecrRepositoryPrefix"] for r in rules(account, region)):
            raise ecr_error("PullThroughCacheRuleAlreadyExistsException",
                            f"A pull through cache rule with prefix {request['ecrRepositoryPrefix']} already exists")
        return ActionResult(put_rule(account, region, request))

    def describe_pull_through_cache_rules(self):  # type: ignore[no-untyped-def]
        account, region = registry_of(self)
        wanted = self._get_param("ecrRepositoryPrefixes")
        found = [r for r in rules(account, region) if not wanted or r["ecrRepositoryPrefix"] in wanted]
        return ActionResult({"pullThroughCacheRules": found})

    def delete_pull_through_cache_rule(self):  # type: ignore[no-untyped-def]
        account, region = registry_of(self)
        rule = delete_rule(account, region, self._get_param("ecrRepositoryPrefix"))
        if rule is None:
            raise ecr_error("PullThroughCacheRuleNotFoundException", "The pull through cache rule does not exist")
        return ActionResult(rule)

    def put_signing_configuration(self):  # type: ignore[no-untyped-def]
        configuration = self._get_param("signingConfiguration")
        put_signing(self.current_account, self.region, configuration)
        return ActionResult({"signingConfiguration": configuration})

    def get_signing_configuration(self):  # type: ignore[no-untyped-def]
        configuration = signing(self.current_account, self.region)
        if configuration is None:
            raise ecr_error("SigningConfigurationNotFoundException", "The registry has no signing configuration")
        return ActionResult({"registryId": self.current_account, "signingConfiguration": configuration})

    def delete_signing_configuration(self):  # type: ignore[no-untyped-def]
        configuration = delete_signing(self.current_account, self.region)
        if configuration is None:
            raise ecr_error("SigningConfigurationNotFoundException", "The registry has no signing configuration")
        return ActionResult({"registryId": self.current_account, "signingConfiguration": configuration})

    add_methods(ECRResponse, "_sandbox_registry_features", {function.__name__: function for function in (
        create_pull_through_cache_rule, describe_pull_through_cache_rules, delete_pull_through_cache_rule,
        put_signing_configuration, get_signing_configuration, delete_signing_configuration)})


def install() -> None:
    """The CloudFormation models register themselves by subclassing; the ECR API calls need the patch."""
    _patch_ecr_api()
