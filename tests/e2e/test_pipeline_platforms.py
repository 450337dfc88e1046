"""Multi-platform images, attached artifacts and promotion, end to end: the real Docker engine builds a `FROM
scratch` image for linux/amd64 and linux/arm64 (no emulation needed: nothing runs), image-pipeline publishes one
OCI image index to the sandbox's three registries (docker-in-aws/todobackend: IMMUTABLE_WITH_EXCLUSION, every
tag but `latest` immutable), attaches an SPDX SBOM in dev, promotes the index from dev to prod, and the
clients users run read it back: the AWS CLI (`describe-images`, `batch-get-image`), raw HTTPS to the registry's
referrers API (OCI distribution spec v1.1, "Listing Referrers"), and the docker CLI pulling each platform.

Sources: OCI image spec v1.1 ("Image Index", "Guidance for Artifacts Usage"); ECR user guide "Container image
manifest format support in Amazon ECR" (image indexes and OCI 1.1 artifacts), "Pushing a multi-architecture
image to an Amazon ECR private repository" (the index is tagged, the images it references are pushed by
digest)."""
from __future__ import annotations

import http.client
import json
import os
import ssl
import subprocess
import uuid
from pathlib import Path

import pytest

from .test_pipeline_publish import REPO, ROOT, run_cli

PLATFORMS = ("linux/amd64", "linux/arm64")
DEV = ("111111111111", "us-east-1")
PROD = (("222222222222", "us-east-1"), ("222222222222", "eu-west-1"))
SBOM = "application/spdx+json"


@pytest.fixture(scope="module")
def deployed(deployed_sandbox):  # type: ignore[no-untyped-def]
    return deployed_sandbox


def context(tmp_path: Path) -> Path:
    """A FROM scratch image whose one file differs per run (so the index is new)."""
    directory = tmp_path / f"ctx-{uuid.uuid4().hex[:8]}"
    directory.mkdir()
    (directory / "release").write_text(uuid.uuid4().hex)
    (directory / "Dockerfile").write_text("FROM scratch\nCOPY release /release\n")
    return directory


def cli_json(*args: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    done = run_cli(*args, "--json")
    assert "Traceback" not in done.stderr, done.stderr
    return done, json.loads(done.stdout) if done.stdout.strip() else {}


def aws(account: str, region: str, *args: str) -> dict:
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "aws"), "ecr", *args, "--profile", f"sandbox-{account}",
                           "--region", region, "--output", "json"], capture_output=True, text=True, check=False,
                          env=os.environ)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout or "{}")


def registry_get(deployed, account: str, region: str, path: str, accept: str) -> tuple[int, dict, bytes]:  # type: ignore[no-untyped-def]
    """A GET straight to the registry (through the sandbox's TLS front), as the account's own credentials."""
    host = deployed.registry(account, region).host
    token = aws(account, region, "get-authorization-token")["authorizationData"][0]["authorizationToken"]
    context_ = ssl.create_default_context(cafile=str(deployed.sandbox_dir / "pki" / "ca.crt"))
    connection = http.client.HTTPSConnection(host, 443, context=context_, timeout=30)
    try:
        connection.request("GET", path, headers={"Authorization": f"Basic {token}", "Accept": accept})
        answer = connection.getresponse()
        if answer.status == 401 and "Bearer" in (answer.getheader("WWW-Authenticate") or ""):
            answer.read()
            bearer = _bearer(host, answer.getheader("WWW-Authenticate") or "", token, context_)
            connection.request("GET", path, headers={"Authorization": f"Bearer {bearer}", "Accept": accept})
            answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


def _bearer(host: str, challenge: str, basic: str, context_: ssl.SSLContext) -> str:
    import re
    import urllib.parse
    fields = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
    realm = urllib.parse.urlsplit(fields.pop("realm"))
    query = urllib.parse.urlencode({k: v for k, v in fields.items() if k in ("service", "scope")})
    connection = http.client.HTTPSConnection(realm.netloc, 443, context=context_, timeout=30)
    try:
        connection.request("GET", f"{realm.path}?{query}", headers={"Authorization": f"Basic {basic}"})
        return json.loads(connection.getresponse().read())["token"]
    finally:
        connection.close()


@pytest.fixture(scope="module")
def released(deployed, tmp_path_factory):  # type: ignore[no-untyped-def]
    """A two-platform index published everywhere under a new tag: (tag, the publish's rows, its context)."""
    tag = "mp-" + uuid.uuid4().hex[:8]
    directory = context(tmp_path_factory.mktemp("mp"))
    done, document = cli_json("publish", REPO, "--context", str(directory), "--tag", tag, "--platform",
                              ",".join(PLATFORMS))
    assert done.returncode == 0, done.stderr
    return tag, document["destinations"], directory


def test_every_destination_tags_an_index_of_exactly_the_two_platforms_and_no_child(deployed, released):
    tag, rows, _ = released
    assert {r["status"] for r in rows} == {"pushed"} and len({r["digest"] for r in rows}) == 1
    for row in rows:
        account, region = row["account"], row["region"]
        (image,) = aws(account, region, "batch-get-image", "--repository-name", REPO, "--image-ids",
                       f"imageTag={tag}", "--accepted-media-types", "application/vnd.oci.image.index.v1+json")["images"]
        index = json.loads(image["imageManifest"])
        assert index["mediaType"] == "application/vnd.oci.image.index.v1+json"
        assert [f"{m['platform']['os']}/{m['platform']['architecture']}" for m in index["manifests"]] == list(PLATFORMS)
        assert [(p["platform"], p["digest"]) for p in row["platforms"]] == [
            (f"{m['platform']['os']}/{m['platform']['architecture']}", m["digest"]) for m in index["manifests"]]
        details = aws(account, region, "describe-images", "--repository-name", REPO, "--image-ids",
                      *[f"imageDigest={m['digest']}" for m in index["manifests"]], f"imageDigest={row['digest']}")
        tags = {d["imageDigest"]: d.get("imageTags", []) for d in details["imageDetails"]}
        assert tags[row["digest"]] == [tag]
        assert all(tags[m["digest"]] == [] for m in index["manifests"])  # no child carries a tag
        for entry in index["manifests"]:
            (child,) = aws(account, region, "batch-get-image", "--repository-name", REPO, "--image-ids",
                           f"imageDigest={entry['digest']}")["images"]
            config_digest = json.loads(child["imageManifest"])["config"]["digest"]
            status, _, body = registry_get(deployed, account, region, f"/v2/{REPO}/blobs/{config_digest}", "*/*")
            assert status == 200 and json.loads(body)["architecture"] == entry["platform"]["architecture"]


def test_republishing_the_same_platforms_is_unchanged_everywhere(deployed, released):
    tag, rows, directory = released
    done, document = cli_json("publish", REPO, "--context", str(directory), "--tag", tag, "--platform",
                              ",".join(PLATFORMS))
    assert done.returncode == 0, done.stderr
    assert {r["status"] for r in document["destinations"]} == {"unchanged"}
    assert {r["digest"] for r in document["destinations"]} == {rows[0]["digest"]}


def test_an_attached_sbom_is_listed_by_the_referrers_api_of_the_index(deployed, released, tmp_path):
    tag, rows, _ = released
    dev = next(r for r in rows if (r["account"], r["region"]) == DEV)
    sbom = tmp_path / "sbom.spdx.json"
    sbom.write_text(json.dumps({"spdxVersion": "SPDX-2.3", "name": tag}))

    done, document = cli_json("attach", f"{REPO}:{tag}", str(sbom), "--artifact-type", SBOM, "--env", "dev")

    assert done.returncode == 0, done.stderr
    (row,) = document["destinations"]
    status, headers, body = registry_get(deployed, *DEV, f"/v2/{REPO}/referrers/{dev['digest']}",
                                         "application/vnd.oci.image.index.v1+json")
    assert status == 200, body
    listed = json.loads(body)["manifests"]
    assert [(m["digest"], m["artifactType"]) for m in listed] == [(row["digest"], SBOM)]


def test_promote_copies_the_index_its_children_and_its_sbom_to_prod_and_docker_pulls_each_platform(
        deployed, released, docker_client, ecr_password):
    tag, rows, _ = released
    index = rows[0]["digest"]
    release = "rel-" + uuid.uuid4().hex[:8]

    done, document = cli_json("promote", f"{REPO}@{index}", "--from", "dev", "--env", "prod", "--tag", release)

    assert done.returncode == 0, done.stderr
    assert [r["status"] for r in document["destinations"]] == ["pushed", "pushed"]
    for account, region in PROD:
        (image,) = aws(account, region, "batch-get-image", "--repository-name", REPO, "--image-ids",
                       f"imageTag={release}", "--accepted-media-types",
                       "application/vnd.oci.image.index.v1+json")["images"]
        assert image["imageId"]["imageDigest"] == index
        status, _, body = registry_get(deployed, account, region, f"/v2/{REPO}/referrers/{index}",
                                       "application/vnd.oci.image.index.v1+json")
        assert status == 200 and [m["artifactType"] for m in json.loads(body)["manifests"]] == [SBOM]
    again, second = cli_json("promote", f"{REPO}@{index}", "--from", "dev", "--env", "prod", "--tag", release)
    assert again.returncode == 0 and {r["status"] for r in second["destinations"]} == {"unchanged"}
    host = deployed.registry(*PROD[1]).host
    env = {**os.environ, "DOCKER_CONFIG": str(Path(deployed.sandbox_dir) / "docker-config-e2e")}
    password = ecr_password(*PROD[1])
    subprocess.run(["docker", "login", "-u", "AWS", "--password-stdin", host], input=password, text=True,
                   capture_output=True, check=True, env=env)
    pulled = subprocess.run(["docker", "pull", "--platform", "linux/arm64", f"{host}/{REPO}:{release}"],
                            capture_output=True, text=True, check=False, env=env)
    assert pulled.returncode == 0, pulled.stderr
    inspected = docker_client.api.inspect_image(f"{host}/{REPO}:{release}")
    assert inspected["Architecture"] == "arm64"


@pytest.mark.parametrize("args, said", [
    (("publish", REPO, "--context", ".", "--platform", "linux/sparc"), "unknown architecture 'sparc'"),
    (("promote", f"{REPO}@sha256:{'0' * 64}", "--from", "dev", "--env", "prod"), "is not in dev"),
    (("promote", f"platform/base-images@sha256:{'0' * 64}", "--from", "prod", "--env", "dev"),
     "is not deployed to environment 'prod'"),
    (("attach", f"{REPO}:latest", "/nonexistent/sbom.json", "--artifact-type", SBOM), "no such file to attach"),
])
def test_bad_input_is_one_error_line_and_exit_1(deployed, args, said):
    done = run_cli(*args)

    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert done.returncode == 1 and len(errors) == 1 and said in errors[0], done.stderr
    assert "Traceback" not in done.stderr
