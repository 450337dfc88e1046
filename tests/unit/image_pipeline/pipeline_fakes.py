"""Fakes for image_pipeline's unit tests: an ECR API client, and a runtime around it, the fake engine
(``fake_engine``) and real HTTPS registries (``fake_registry``), one per destination host."""
from __future__ import annotations

import base64
import hashlib
import io
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from botocore.exceptions import ClientError

from ecr_spec import RegistrySpec, Target, load_spec
from image_pipeline.cli.progress import PlainProgress
from image_pipeline.commands.runtime import Runtime
from image_pipeline.ecr import tokens as auth
from image_pipeline.oci.client import RegistryClient

from .fake_engine import IMAGE_ID, FakeDockerAPI
from .fake_registry import FakeRegistry

EXAMPLE_SPEC = {
    "environments": {"dev": {"account": "111111111111", "regions": ["us-east-1"]},
                     "prod": {"account": "222222222222", "regions": ["us-east-1", "eu-west-1"]}},
    "defaults": {"lifecycle": {"untagged_expire_days": 7, "keep_last": 30}},
    "repositories": [
        {"name": "docker-in-aws/todobackend", "environments": ["dev", "prod"], "mutable_tags": ["latest"],
         "pull": {"accounts": ["333333333333"]}},
        {"name": "platform/base-images", "environments": ["dev"]}]}


def spec() -> RegistrySpec:
    return load_spec(json.loads(json.dumps(EXAMPLE_SPEC)))


def digest_of(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def manifest(config_digest: str) -> str:
    return json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"digest": config_digest}, "layers": []})


def client_error(code: str, operation: str = "Op", status: int = 400) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"{code} happened"},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, operation)


class FakeECR:
    def __init__(self, account: str, region: str) -> None:
        self.account, self.region = account, region
        self.repositories: dict[str, dict[str, Any]] = {}
        self.images: dict[tuple[str, str], tuple[str, str]] = {}  # (repo, tag) -> (digest, manifest)
        self.token_calls = 0
        self.passwords: list[str] = []  # what get_authorization_token hands out, in turn, before the default
        self.default_password = "secret"  # what the fake registries accept

    def password(self) -> str:
        return self.passwords.pop(0) if self.passwords else self.default_password

    def add_repository(self, name: str, mutability: str = "IMMUTABLE_WITH_EXCLUSION",
                       filters: tuple[str, ...] = ("latest",)) -> str:
        uri = f"{self.account}.dkr.ecr.{self.region}.amazonaws.com/{name}"
        self.repositories[name] = {"repositoryName": name, "repositoryUri": uri, "imageTagMutability": mutability,
                                   "imageTagMutabilityExclusionFilters": [
                                       {"filter": f, "filterType": "WILDCARD"} for f in filters]}
        return uri

    def put(self, repository: str, tag: str, config_digest: str) -> str:
        text = manifest(config_digest)
        self.images[(repository, tag)] = (digest_of(text), text)
        return digest_of(text)

    def describe_repositories(self, repositoryNames: list[str]) -> dict[str, Any]:
        found = [self.repositories[n] for n in repositoryNames if n in self.repositories]
        if not found:
            raise client_error("RepositoryNotFoundException", "DescribeRepositories")
        return {"repositories": found}

    def batch_get_image(self, repositoryName: str, imageIds: list[dict[str, str]],
                        acceptedMediaTypes: list[str] | None = None) -> dict[str, Any]:
        images = []
        for ids in imageIds:
            if "imageTag" in ids:
                stored = self.images.get((repositoryName, ids["imageTag"]))
            else:
                stored = next((v for (repo, _), v in self.images.items()
                               if repo == repositoryName and v[0] == ids["imageDigest"]), None)
            if stored:
                images.append({"imageId": {**ids, "imageDigest": stored[0]}, "imageManifest": stored[1]})
        return {"images": images, "failures": []}

    def get_authorization_token(self) -> dict[str, Any]:
        self.token_calls += 1
        token = base64.b64encode(f"AWS:{self.password()}".encode()).decode()
        return {"authorizationData": [{"authorizationToken": token,
                                       "proxyEndpoint": f"https://{self.account}.dkr.ecr.{self.region}.amazonaws.com",
                                       "expiresAt": datetime.now(timezone.utc) + timedelta(hours=12)}]}


def runtime(ecrs: dict[tuple[str, str], FakeECR], api: FakeDockerAPI, registries: dict[str, FakeRegistry] | None = None,
            log: io.StringIO | None = None) -> Runtime:
    """``registries`` maps a destination's host (``ACCOUNT.dkr.ecr.REGION.amazonaws.com``) to the fake registry
    that plays it; each client there logs in with its account's ECR token, renewed through the token cache."""
    def ecr_for(target: Target) -> FakeECR:
        return ecrs[(target.account, target.region)]

    def fetch(key: tuple[str, str]) -> auth.Token:
        return auth.fetch_token(ecrs[key], f"account {key[0]} region {key[1]}")

    cache = auth.TokenCache(fetch)

    def client_for(destination, deadline, credentials):  # type: ignore[no-untyped-def]
        registry = (registries or {})[destination.host]
        return RegistryClient(registry.host, credentials, ca_file=registry.ca, deadline=deadline)

    return Runtime(spec(), ecr_for, cache, lambda: api, PlainProgress(log or io.StringIO()),
                   inspector=lambda: api, client_for=client_for, sleep=lambda seconds: None,
                   jitter=lambda low, high: 0.0)


def deployed(repository: str = "docker-in-aws/todobackend") -> dict[tuple[str, str], FakeECR]:
    ecrs = {}
    for account, region in (("111111111111", "us-east-1"), ("222222222222", "us-east-1"),
                            ("222222222222", "eu-west-1")):
        ecr = FakeECR(account, region)
        ecr.add_repository(repository)
        ecrs[(account, region)] = ecr
    return ecrs


def mirror(ecrs: dict[tuple[str, str], FakeECR], registries: dict[str, FakeRegistry]) -> None:
    """What ECR's API says mirrors what each registry holds (as ECR's one store does): every tag and manifest."""
    for (account, region), ecr in ecrs.items():
        registry = registries.get(f"{account}.dkr.ecr.{region}.amazonaws.com")
        if registry is None:
            continue
        for (repository, tag), digest in registry.state.tags.items():
            body = registry.state.manifests[(repository, digest)][0]
            ecr.images[(repository, tag)] = (digest, body.decode())
        for (repository, digest), (body, _) in registry.state.manifests.items():  # untagged ones, by digest
            ecr.images.setdefault((repository, f"@{digest}"), (digest, body.decode()))
