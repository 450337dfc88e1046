"""What the gateway decides behind each registry request, as ECR decides it (``ecr_sandbox.model.iam`` for the rules):

- **The request itself** (``decide``): the token's principal, the repository and its policy, the sandbox's
  organization. A repository that does not exist is ``name unknown`` for its own account and ``denied`` for others.
  A manifest of an archived image is 404 ("Archiving an image").
- **Create on push**: a push to a repository that does not exist creates it when a ``CREATE_ON_PUSH`` repository
  creation template applies (API reference, RCTAppliedFor; user guide "Templates to control repositories created
  during a pull through cache, create on push, or replication action"), with that template's settings.
- **Pull through cache from another ECR registry** (user guide "Sync an upstream registry with an Amazon ECR private
  registry", "Creating a pull through cache rule for an Amazon ECR upstream"): a pull of ``PREFIX/NAME`` where a
  pull through cache rule's ``ecrRepositoryPrefix`` is ``PREFIX`` and its upstream is one of the sandbox's
  registries imports the image from the upstream repository (``upstreamRepositoryPrefix``/NAME, or NAME when the
  rule names ``ROOT`` or none) into a repository created with the ``PULL_THROUGH_CACHE`` template. The upstream
  decides with its own repository policy for the rule's ``customRoleArn`` (same account: ECR's service-linked
  role). Docker Hub and other upstreams are out of reach (no internet): the rule is stored, nothing is pulled.
- **Cross-account replication** (``replication_allowed``): the destination's registry policy must grant the source
  account ``ecr:ReplicateImage`` (and ``ecr:CreateRepository`` when the repository is to be created).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Callable, Hashable, TypeVar

from ecr_sandbox.common import credentials, generation
from ecr_sandbox.common.aws import sandbox_call
from ecr_sandbox.model import iam, registry_api
from ecr_sandbox.model.names import registry_host, repository_arn
from ecr_sandbox.model.registry_api import RegistryRequest
from ecr_sandbox.registry import creation, replication
from ecr_sandbox.registry.client import RegistryClient
from ecr_sandbox.registry.front import Refusal
from ecr_sandbox.registry.storage import DIGEST, blob_path, repository_dir

log = logging.getLogger("ecr_sandbox.registry.access")
T = TypeVar("T")
PUSH_ACTIONS = ("ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
                "ecr:BatchCheckLayerAvailability")
PTC_ROLE = "arn:aws:iam::{account}:role/aws-service-role/pullthroughcache.ecr.amazonaws.com/" \
           "AWSServiceRoleForECRPullThroughCache"


class Gateway:
    """What the decisions need of the gateway: moto clients, registry clients, settings (see ``registry.gateway``),
    and what it remembers of moto's answers (``ecr_sandbox.common.generation``)."""

    def __init__(self, data: dict[str, Any], secret: str, ecr_for: Callable[[str, str], Any],
                 client_for: Callable[[str, str], RegistryClient], remembered: generation.Remembered) -> None:
        self.data, self.secret, self.ecr_for, self.client_for = data, secret, ecr_for, client_for
        self.remembered = remembered

    def remember(self, key: Hashable, fetch: Callable[[], T]) -> T:
        """What ``fetch`` reads from moto, remembered while moto's state stays the same; a failure is not."""
        found = self.data.get("generation_file")
        return self.remembered.get(Path(found) if found else None, key, fetch)

    def repository(self, account: str, region: str, name: str) -> tuple[dict[str, Any] | None, str | None]:
        """``repository_of`` in ``account``/``region``, remembered."""
        return self.remember(("repository", account, region, name),
                             lambda: repository_of(self.ecr_for(account, region), name))

    @property
    def organization(self) -> tuple[str, list[str]] | None:
        found = self.data.get("organization")
        return (found["id"], list(found["accounts"])) if found else None

    def context(self, caller: iam.Caller, region: str, account: str) -> dict[str, tuple[str, ...]]:
        return iam.context_for(caller, region, account, self.organization)


def repository_of(ecr: Any, name: str) -> tuple[dict[str, Any] | None, str | None]:
    """(the repository as DescribeRepositories shows it, or None; its policy text, or None)."""
    try:
        repository = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
    except ecr.exceptions.RepositoryNotFoundException:
        return None, None
    try:
        return repository, ecr.get_repository_policy(repositoryName=name)["policyText"]
    except ecr.exceptions.RepositoryPolicyNotFoundException:
        return repository, None


def _denied(request: iam.Request, decision: iam.Decision) -> Refusal:
    return Refusal(403, "DENIED", iam.denial_message(request, decision))


def decide(gateway: Gateway, account: str, region: str, credential: credentials.Credential,
           request: RegistryRequest) -> Refusal | None:
    """IAM's decision on one registry request: None, or ECR's refusal."""
    caller = iam.Caller(credential.principal)
    asked = iam.Request(caller, request.action, repository_arn(account, region, request.repository),
                        gateway.context(caller, region, account))
    repository, policy = gateway.repository(account, region, request.repository)
    if repository is None and caller.account == account:
        refusal = _create_on_use(gateway, account, region, request)
        if refusal is not None:
            return refusal
        repository, policy = gateway.repository(account, region, request.repository)
    if repository is None:
        if caller.account == account:
            return Refusal(404, "NAME_UNKNOWN", registry_api.name_unknown(request.repository, account))
        return _denied(asked, iam.Decision(iam.IMPLICIT_DENY, "resource-based"))
    decision = iam.evaluate(asked, policy)
    if not decision.allowed:
        return _denied(asked, decision)
    if request.kind == "manifests" and request.action == "ecr:BatchGetImage":
        status = sandbox_call(gateway.data["moto_url"], gateway.secret, account, region, "SandboxImageStatus",
                              {"repositoryName": request.repository, "reference": request.reference})
        if status.get("imageStatus") in ("ARCHIVED", "ACTIVATING"):
            # "Archived images cannot be pulled. Requests to pull the archived image will fail with a 404 error."
            return Refusal(404, "MANIFEST_UNKNOWN", registry_api.archived(request.reference, request.repository))
    return None


def _create_on_use(gateway: Gateway, account: str, region: str, request: RegistryRequest) -> Refusal | None:
    """A push creates the repository under a CREATE_ON_PUSH template; a manifest pull under a pull through cache
    rule imports it from an upstream sandbox registry. None, or the upstream's refusal."""
    ecr = gateway.ecr_for(account, region)
    if request.action in PUSH_ACTIONS:
        template = creation.template_for(ecr, request.repository, "CREATE_ON_PUSH")
        if template is not None:
            creation.create_from_template(ecr, request.repository, "CREATE_ON_PUSH", template)
            log.info("created %s in %s/%s on push (template %s)", request.repository, account, region,
                     template["prefix"])
        return None
    if request.kind == "manifests" and request.action == "ecr:BatchGetImage":
        return pull_through(gateway, account, region, request)
    return None


def _rule_for(ecr: Any, repository: str) -> dict[str, Any] | None:
    rules = ecr.describe_pull_through_cache_rules().get("pullThroughCacheRules") or []
    holding = [r for r in rules if repository.startswith(r["ecrRepositoryPrefix"].rstrip("/") + "/")]
    return max(holding, key=lambda r: len(r["ecrRepositoryPrefix"])) if holding else None


def _reference_digest(storage: Path, repository: str, reference: str) -> str | None:
    """The digest a tag (or digest) names in a registry's filesystem storage, or None."""
    if DIGEST.fullmatch(reference):
        return reference if blob_path(storage, reference).exists() else None
    if "/" in reference or reference in ("", ".", ".."):
        return None
    try:
        link = repository_dir(storage, repository) / "_manifests/tags" / reference / "current/link"
    except ValueError:  # a name that would climb out of the repositories folder
        return None
    try:
        digest = link.read_text().strip()
    except OSError:
        return None
    return digest if DIGEST.fullmatch(digest) else None


def pull_through(gateway: Gateway, account: str, region: str, request: RegistryRequest) -> Refusal | None:
    """Import the image a pull asks for from the rule's upstream sandbox registry (see the module docstring)."""
    ecr = gateway.ecr_for(account, region)
    rule = _rule_for(ecr, request.repository)
    if rule is None:
        return None
    upstream_host = rule["upstreamRegistryUrl"].removeprefix("https://").rstrip("/")
    upstream = gateway.data["registries"].get(upstream_host)
    if upstream is None:
        log.info("pull through %s: the upstream %s is not a sandbox registry", rule["ecrRepositoryPrefix"],
                 upstream_host)
        return None
    rest = request.repository[len(rule["ecrRepositoryPrefix"].rstrip("/")) + 1:]
    prefix = (rule.get("upstreamRepositoryPrefix") or "ROOT").rstrip("/")
    upstream_repository = rest if prefix == "ROOT" else f"{prefix}/{rest}"
    up_account, up_region = upstream["account"], upstream["region"]
    found, policy = gateway.repository(up_account, up_region, upstream_repository)
    if found is None:
        return None
    role = iam.Caller(rule.get("customRoleArn") or PTC_ROLE.format(account=account))
    for action in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"):
        asked = iam.Request(role, action, repository_arn(up_account, up_region, upstream_repository),
                            gateway.context(role, up_region, up_account))
        decision = iam.evaluate(asked, policy)
        if not decision.allowed:
            log.info("pull through %s: %s", rule["ecrRepositoryPrefix"], iam.denial_message(asked, decision))
            return _denied(asked, decision)
    storage = Path(upstream["storage"])
    digest = _reference_digest(storage, upstream_repository, request.reference)
    if digest is None:
        return None
    media_type = json.loads(blob_path(storage, digest).read_bytes()).get("mediaType") or \
        "application/vnd.docker.distribution.manifest.v2+json"
    creation.create_from_template(ecr, request.repository, "PULL_THROUGH_CACHE")
    tag = None if DIGEST.fullmatch(request.reference) else request.reference
    replication.copy_image(storage, gateway.client_for(registry_host(account, region), request.repository),
                           request.repository, digest, media_type, tag)
    log.info("pulled %s:%s through %s from %s/%s", upstream_repository, request.reference,
             rule["ecrRepositoryPrefix"], upstream_host, upstream_repository)
    return None


def replication_allowed(gateway: Gateway, source_account: str) -> replication.Authorize:
    """The destination registry policy's decision on replicating from ``source_account``: None or a failure code."""

    def check(destination: tuple[str, str], repository: str, creates: bool) -> str | None:
        account, region = destination
        if account == source_account:
            return None  # "you have permission to configure cross-Region replication within your own registry"
        ecr = gateway.ecr_for(account, region)
        try:
            policy = ecr.get_registry_policy()["policyText"]
        except ecr.exceptions.RegistryPolicyNotFoundException:
            policy = None
        caller = iam.Caller(f"arn:aws:iam::{source_account}:root")
        for action in ("ecr:ReplicateImage", *(("ecr:CreateRepository",) if creates else ())):
            asked = iam.Request(caller, action, repository_arn(account, region, repository),
                                gateway.context(caller, region, account))
            if not iam.evaluate(asked, policy).allowed:
                return replication.ACCESS_DENIED
        return None

    return check
