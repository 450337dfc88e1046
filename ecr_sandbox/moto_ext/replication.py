"""``DescribeImageReplicationStatus`` for moto (5.2 has none), in the ECR API's shape.

Runs inside the moto server process (``ecr_sandbox.moto_ext.server`` calls ``install``). ECR API Reference,
DescribeImageReplicationStatus: request ``repositoryName``, ``imageId`` (``imageDigest`` and/or ``imageTag``),
optional ``registryId``; response ``repositoryName``, ``imageId``, ``replicationStatuses[]`` of
ImageReplicationStatus (``region``, ``registryId``, ``status`` IN_PROGRESS | COMPLETE | FAILED,
``failureCode``); errors RepositoryNotFoundException and ImageNotFoundException (moto's own, with moto's
messages, as ``describe_images`` raises them).

The status of each destination the source registry's replication configuration sends the repository to
(``ecr_sandbox.model.replication.destinations``, the same PREFIX_MATCH reading the gateway replicates with):

- ``COMPLETE`` when the destination registry has an image with the same digest in the same repository;
- else ``FAILED`` with the ``failureCode`` the gateway recorded (``SandboxRecordReplicationFailure``, an
  action of the sandbox only, called by ``ecr_sandbox.registry.replication.record_failure``);
- else ``IN_PROGRESS`` (the gateway replicates a moment after the push).

``PutReplicationConfiguration`` takes up to ``model.limits.REPLICATION_RULES`` rules (moto 5.2 refuses
more than one: "This feature is disabled"), each up to ``limits.REPLICATION_DESTINATIONS_PER_RULE`` destinations
and ``limits.REPLICATION_FILTERS_PER_RULE`` filters (ECR API Reference, ReplicationConfiguration and
ReplicationRule), and no destination may be the source registry itself (moto's own message).

Choices where the docs are silent (docs/sandbox.md): the destinations are those of the configuration *now*,
not at push time; an image of a repository no rule matches has an empty ``replicationStatuses``.
"""

from __future__ import annotations

import json
from typing import Any

from moto.ecr.exceptions import InvalidParameterException, ValidationException
from moto.ecr.models import ECRBackend, ecr_backends
from moto.ecr.responses import ECRResponse

from ecr_sandbox.model import limits
from ecr_sandbox.model.replication import destinations


def _failures(backend: Any) -> dict[tuple[str, str, str, str], str]:
    if not hasattr(backend, "sandbox_replication_failures"):
        backend.sandbox_replication_failures = {}
    return backend.sandbox_replication_failures  # type: ignore[no-any-return]


def _has_digest(backend: Any, repository: str, digest: str) -> bool:
    found = backend.repositories.get(repository)
    return found is not None and any(i.get_image_digest() == digest for i in found.images)


def replication_status(account: str, region: str, repository: str, image_id: dict[str, str]) -> dict[str, Any]:
    """The response of DescribeImageReplicationStatus for an image of ``account``'s registry in ``region``."""
    backend = ecr_backends[account][region]
    image = backend._get_repository(repository, account)._get_image(  # raises moto's NotFound errors
        image_id.get("imageTag"), image_id.get("imageDigest"))
    digest = image.get_image_digest()
    statuses = []
    for dest_account, dest_region in destinations(backend.replication_config, repository):
        status: dict[str, Any] = {"region": dest_region, "registryId": dest_account}
        failure = _failures(backend).get((repository, digest, dest_account, dest_region))
        if _has_digest(ecr_backends[dest_account][dest_region], repository, digest):
            status["status"] = "COMPLETE"
        elif failure:
            status.update(status="FAILED", failureCode=failure)
        else:
            status["status"] = "IN_PROGRESS"
        statuses.append(status)
    answered = {"imageDigest": digest, **({"imageTag": image_id["imageTag"]} if image_id.get("imageTag") else {})}
    return {"repositoryName": repository, "imageId": answered, "replicationStatuses": statuses}


def _describe(self: ECRResponse) -> str:
    account = self._get_param("registryId") or self.current_account
    return json.dumps(replication_status(account, self.region, self._get_param("repositoryName"),
                                         self._get_param("imageId") or {}))


def _record_failure(self: ECRResponse) -> str:
    backend = ecr_backends[self._get_param("registryId") or self.current_account][self.region]
    key = (self._get_param("repositoryName"), self._get_param("imageDigest"),
           self._get_param("destinationRegistryId"), self._get_param("destinationRegion"))
    _failures(backend)[key] = self._get_param("failureCode")
    return json.dumps({})


def _too_many(path: str, count: int, limit: int) -> ValidationException:
    return ValidationException(f"1 validation error detected: Value at '{path}' failed to satisfy constraint: "
                               f"Member must have length less than or equal to {limit} (it has {count})")


def put_replication_configuration(self: ECRBackend, replication_config: dict[str, Any]) -> dict[str, Any]:
    rules = list(replication_config.get("rules") or [])
    if len(rules) > limits.REPLICATION_RULES:
        raise _too_many("replicationConfiguration.rules", len(rules), limits.REPLICATION_RULES)
    for index, rule in enumerate(rules, start=1):
        targets = list(rule.get("destinations") or [])
        filters = list(rule.get("repositoryFilters") or [])
        if len(targets) > limits.REPLICATION_DESTINATIONS_PER_RULE:
            raise _too_many(f"replicationConfiguration.rules.{index}.member.destinations", len(targets),
                            limits.REPLICATION_DESTINATIONS_PER_RULE)
        if len(filters) > limits.REPLICATION_FILTERS_PER_RULE:
            raise _too_many(f"replicationConfiguration.rules.{index}.member.repositoryFilters", len(filters),
                            limits.REPLICATION_FILTERS_PER_RULE)
        if any(d.get("region") == self.region_name and d.get("registryId") == self.account_id for d in targets):
            raise InvalidParameterException(
                "Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: "
                "'Replication destination cannot be the same as the source registry'")
    self.replication_config = replication_config
    return {"replicationConfiguration": replication_config}


def install() -> None:
    """Add the two calls to moto's ECR responses and ECR's rule limits to moto's replication (idempotent)."""
    ECRBackend.put_replication_configuration = put_replication_configuration  # type: ignore[method-assign]
    ECRResponse.describe_image_replication_status = _describe  # type: ignore[attr-defined]
    ECRResponse.sandbox_record_replication_failure = _record_failure  # type: ignore[attr-defined]
