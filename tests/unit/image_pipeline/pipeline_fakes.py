"""Fakes for image_pipeline's unit tests: an ECR client, a Docker low-level API, a runtime around them."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from botocore.exceptions import ClientError

from ecr_spec import RegistrySpec, Target, load_spec
from image_pipeline import auth
from image_pipeline.progress import PlainProgress
from image_pipeline.runtime import Runtime

EXAMPLE_SPEC = {
    "environments": {"dev": {"account": "111111111111", "regions": ["us-east-1"]},
                     "prod": {"account": "222222222222", "regions": ["us-east-1", "eu-west-1"]}},
    "defaults": {"lifecycle": {"untagged_expire_days": 7, "keep_last": 30}},
    "repositories": [
        {"name": "docker-in-aws/todobackend", "environments": ["dev", "prod"], "mutable_tags": ["latest"],
         "pull": {"accounts": ["333333333333"]}},
        {"name": "platform/base-images", "environments": ["dev"]}]}
IMAGE_ID = "sha256:" + "c" * 64


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
                        acceptedMediaTypes: list[str]) -> dict[str, Any]:
        images = []
        for ids in imageIds:
            stored = self.images.get((repositoryName, ids["imageTag"]))
            if stored:
                images.append({"imageId": {"imageTag": ids["imageTag"], "imageDigest": stored[0]},
                               "imageManifest": stored[1]})
        return {"images": images, "failures": []}

    def get_authorization_token(self) -> dict[str, Any]:
        self.token_calls += 1
        token = base64.b64encode(f"AWS:{self.account}-auth-token".encode()).decode()
        return {"authorizationData": [{"authorizationToken": token,
                                       "proxyEndpoint": f"https://{self.account}.dkr.ecr.{self.region}.amazonaws.com",
                                       "expiresAt": datetime(2015, 1, 1, tzinfo=timezone.utc)}]}


PushScript = Callable[[str, str, dict[str, str]], list[dict[str, Any]]]


def good_push(repository: str, tag: str, auth_config: dict[str, str]) -> list[dict[str, Any]]:
    return [{"status": f"The push refers to repository [{repository}]"},
            {"status": "Pushing", "id": "abc123", "progressDetail": {"current": 512, "total": 1024}},
            {"status": "Pushed", "id": "abc123", "progressDetail": {}},
            {"status": f"{tag}: digest: {digest_of(repository)} size: 528"},
            {"progressDetail": {}, "aux": {"Tag": tag, "Digest": digest_of(repository), "Size": 528}}]


class FakeDockerAPI:
    def __init__(self, push_script: PushScript = good_push,
                 build_chunks: list[dict[str, Any]] | None = None) -> None:
        self.push_script = push_script
        self.build_chunks = build_chunks if build_chunks is not None else [
            {"stream": "Step 1/2 : FROM scratch\n"}, {"aux": {"ID": IMAGE_ID}},
            {"stream": f"Successfully built {IMAGE_ID[7:19]}\n"}]
        self.builds: list[dict[str, Any]] = []
        self.pushes: list[tuple[str, str | None, dict[str, str]]] = []
        self.tags: list[tuple[str, str, str]] = []
        self.push_threads: set[int] = set()
        self.repo_digests: list[str] = []
        self.lock = threading.Lock()

    def build(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.builds.append(kwargs)

        return iter(self.build_chunks)

    def inspect_image(self, image: str) -> dict[str, Any]:
        return {"Id": IMAGE_ID, "RepoDigests": list(self.repo_digests)}



    def tag(self, image: str, repository: str, tag: str | None = None, force: bool = False) -> bool:
        assert tag, "always tag explicitly"
        with self.lock:
            self.tags.append((image, repository, tag))
        return True

    def push(self, repository: str, tag: str | None = None, stream: bool = False, decode: bool = False,
             auth_config: dict[str, str] | None = None) -> Iterator[dict[str, Any]]:
        assert stream and decode and tag, "push must stream, decode and name its tag"
        with self.lock:
            self.pushes.append((repository, tag, dict(auth_config or {})))
            self.push_threads.add(threading.get_ident())
        return iter(self.push_script(repository, tag, auth_config or {}))


def runtime(ecrs: dict[tuple[str, str], FakeECR], api: FakeDockerAPI, log: io.StringIO | None = None) -> Runtime:
    def ecr_for(target: Target) -> FakeECR:
        return ecrs[(target.account, target.region)]

    def fetch(key: tuple[str, str]) -> auth.Token:
        return auth.fetch_token(ecrs[key], f"account {key[0]} region {key[1]}")

    return Runtime(spec(), ecr_for, auth.TokenCache(fetch), lambda: api, PlainProgress(log or io.StringIO()),
                   inspector=lambda: api, sleep=lambda seconds: None)


def deployed(repository: str = "docker-in-aws/todobackend") -> dict[tuple[str, str], FakeECR]:
    ecrs = {}
    for account, region in (("111111111111", "us-east-1"), ("222222222222", "us-east-1"),
                            ("222222222222", "eu-west-1")):
        ecr = FakeECR(account, region)
        ecr.add_repository(repository)
        ecrs[(account, region)] = ecr
    return ecrs
