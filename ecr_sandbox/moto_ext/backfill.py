"""Replication backfill in the sandbox's moto (5.2 has none): ``StartReplicationBackfill``,
``DescribeReplicationBackfillResults``, ``ListReplicationBackfills``, ``StopReplicationBackfill``.

API reference, StartReplicationBackfill: "A replication backfill replicates a registry's existing images that match
its replication configuration to the specified destination"; "The destination must already be configured in the
registry's replication configuration"; "Only one replication backfill can be in progress for a given destination
Region at a time" (``ReplicationBackfillInProgressException``). ReplicationBackfillResult: "Each image and tag
combination is replicated as a single replication". DescribeReplicationBackfillResults: "The per-image results are
available only after the replication backfill reaches a terminal status". StopReplicationBackfill: images already
replicated stay; a backfill that is no longer in progress cannot be stopped
(``ReplicationBackfillInvalidStatusException``).

The sandbox starts a backfill ``IN_PROGRESS`` with the list of (image, tag) of the repositories the configuration
sends to the destination (active images only), hands the list to the gateway (its store endpoint, ``POST /store/ACCOUNT/REGION`` with ``op: backfill``,
``ecr_sandbox.registry.gateway``), which replicates each as replication does (the destination's registry policy
decides across accounts) and reports each result back (``SandboxRecordBackfillResult``); the last result makes the
backfill ``COMPLETE``. A stopped backfill takes no more results.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime, timezone
from typing import Any

from ecr_sandbox.model.replication import destinations
from ecr_sandbox.moto_ext import store
from ecr_sandbox.moto_ext.images import settle
from ecr_sandbox.moto_ext.patching import add_methods, ecr_error, registry_of

_LOCK = threading.Lock()
TERMINAL = ("COMPLETE", "FAILED", "STOPPED")
PAGE = 100


def _now() -> datetime:
    return datetime.now(timezone.utc)


def backfills(account: str, region: str) -> dict[str, dict[str, Any]]:
    """The registry's backfills by id, kept on moto's ECR backend (gone with it, as the registry's other state)."""
    from moto.ecr.models import ecr_backends

    backend = ecr_backends[account][region]
    if not hasattr(backend, "sandbox_backfills"):
        backend.sandbox_backfills = {}
    return backend.sandbox_backfills  # type: ignore[no-any-return]


def _progress(backfill: dict[str, Any]) -> dict[str, Any]:
    failed = [r for r in backfill["results"] if r["status"] == "FAILED"]
    return {"totalReplicationCount": len(backfill["items"]),
            "completedReplicationCount": len(backfill["results"]) - len(failed),
            "failedReplicationCount": len(failed),
            "failureCodes": sorted({r["failureCode"] for r in failed if r.get("failureCode")})}


def _summary(backfill: dict[str, Any]) -> dict[str, Any]:
    found = {k: backfill[k] for k in ("replicationBackfillId", "destination", "status", "startedAt")}
    found["progress"] = _progress(backfill)
    if backfill.get("endedAt"):
        found["endedAt"] = backfill["endedAt"]
    return found


def _items(backend: Any, destination: tuple[str, str]) -> list[dict[str, Any]]:
    items = []
    for name, repository in sorted(backend.repositories.items()):
        if destination not in destinations(backend.replication_config, name):
            continue
        for image in repository.images:
            if settle(image).image_status != "ACTIVE":
                continue
            for tag in image.image_tags or [None]:
                items.append({"repository": name, "digest": image.get_image_digest(),
                              "mediaType": image.image_manifest_media_type, "tag": tag})
    return items


def _start(self: Any) -> str:
    from moto.ecr.models import ecr_backends

    account, region = registry_of(self)
    backend = ecr_backends[account][region]
    wanted = self._get_param("destination") or {}
    destination = (wanted.get("registryId"), wanted.get("region"))
    configured = {(d["registryId"], d["region"]) for rule in (backend.replication_config or {}).get("rules") or ()
                  for d in rule.get("destinations") or ()}
    if destination not in configured:
        raise ecr_error("InvalidParameterException", f"The destination {destination[0]}/{destination[1]} is not in the "
                                                      f"registry's replication configuration")
    with _LOCK:
        mine = backfills(account, region)
        if any(b["destination"]["region"] == destination[1] and b["status"] not in TERMINAL for b in mine.values()):
            raise ecr_error("ReplicationBackfillInProgressException",
                            f"A replication backfill is already in progress for the destination Region {destination[1]}")
        backfill = {"replicationBackfillId": str(uuid.uuid4()), "registryId": account,
                    "destination": {"region": destination[1], "registryId": destination[0]},
                    "status": "IN_PROGRESS", "startedAt": _now().timestamp(), "items": _items(backend, destination),
                    "results": []}
        if not backfill["items"]:
            backfill["status"], backfill["endedAt"] = "COMPLETE", _now().timestamp()
        mine[backfill["replicationBackfillId"]] = backfill
    if backfill["items"]:
        store.call(account, region, {"op": "backfill", "repository": "-", "id": backfill["replicationBackfillId"],
                                     "destination": list(destination), "items": backfill["items"]})
    return json.dumps({k: backfill[k] for k in ("replicationBackfillId", "registryId", "destination", "status",
                                                  "startedAt")})


def _find(self: Any) -> dict[str, Any]:
    account, region = registry_of(self)
    wanted = self._get_param("replicationBackfillId")
    found = backfills(account, region).get(wanted)
    if found is None:
        raise ecr_error("ReplicationBackfillNotFoundException",
                        f"The replication backfill with id '{wanted}' does not exist in the registry with id '{account}'")
    return found


def _describe(self: Any) -> str:
    with _LOCK:
        backfill = _find(self)
        answer = {k: backfill[k] for k in ("registryId", "replicationBackfillId", "destination", "status",
                                           "startedAt")}
        answer["progress"] = _progress(backfill)
        if backfill.get("endedAt"):
            answer["endedAt"] = backfill["endedAt"]
        results: list[dict[str, Any]] = []
        if backfill["status"] in TERMINAL:
            wanted = self._get_param("resultStatusFilter")
            results = [r for r in backfill["results"] if not wanted or r["status"] == wanted]
    start = int(self._get_param("nextToken") or 0)
    size = int(self._get_param("maxResults") or PAGE)
    answer["results"] = results[start:start + size]
    if start + size < len(results):
        answer["nextToken"] = str(start + size)
    return json.dumps(answer)


def _list(self: Any) -> str:
    account, region = registry_of(self)
    with _LOCK:
        listed = [_summary(b) for b in backfills(account, region).values()]
    return json.dumps({"registryId": account, "backfills": listed})


def _stop(self: Any) -> str:
    with _LOCK:
        backfill = _find(self)
        if backfill["status"] in TERMINAL:
            raise ecr_error("ReplicationBackfillInvalidStatusException",
                            f"The replication backfill is {backfill['status']} and cannot be stopped")
        backfill["status"], backfill["endedAt"] = "STOPPED", _now().timestamp()
        return json.dumps({k: backfill[k] for k in ("registryId", "replicationBackfillId", "destination", "status",
                                                      "startedAt")})


def _record_result(self: Any) -> str:
    """``SandboxRecordBackfillResult`` (the gateway, with the sandbox's secret): one (image, tag) replicated or not."""
    with _LOCK:
        backfill = _find(self)
        if backfill["status"] in TERMINAL:
            return json.dumps({})
        tag = self._get_param("imageTag")
        result = {"repositoryName": self._get_param("repositoryName"),
                  "imageId": {"imageDigest": self._get_param("imageDigest"), **({"imageTag": tag} if tag else {})},
                  "status": self._get_param("status")}
        if self._get_param("failureCode"):
            result["failureCode"] = self._get_param("failureCode")
        backfill["results"].append(result)
        if len(backfill["results"]) >= len(backfill["items"]):
            backfill["status"], backfill["endedAt"] = "COMPLETE", _now().timestamp()
    return json.dumps({})


def install() -> None:
    from moto.ecr.responses import ECRResponse

    add_methods(ECRResponse, "_sandbox_backfill", {
        "start_replication_backfill": _start, "describe_replication_backfill_results": _describe,
        "list_replication_backfills": _list, "stop_replication_backfill": _stop,
        "sandbox_record_backfill_result": _record_result})
