"""Fleet size kept: a 50-registry spec (25 accounts x 2 regions) starts in the sandbox, every registry is
bootstrapped and deployed (`cdk deploy --all`, 50 stacks), and `image-pipeline publish --json` pushes one image to
all 50: one row per registry, each `pushed`, one digest, and ECR in every registry knows it.

The publisher is a black box here: its command line and its `--json` rows. The test brings the sandbox up with
its own spec (the registries cdk.json's spec lacks are started, the others stopped), so it runs after every test
that shares the session's sandbox; run it alone with the lock held and stop the sandbox after:
`flock /tmp/ecr-e2e.lock bash -c 'CI=true .venv/bin/python -m pytest tests/e2e/test_fleet_fifty_registries.py -q;
.venv/bin/python -m ecr_sandbox down'`.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from .conftest import ROOT, start_sandbox
from .test_pipeline_publish import make_context, run_cli, unique_tag

REGIONS = ("us-east-1", "eu-west-1")
ACCOUNTS = tuple(f"{710000000000 + n:012d}" for n in range(25))
REPOSITORY = "fleet/app"


def fleet_spec() -> dict[str, Any]:
    """25 environments of one account each, in two regions: 50 registries, one repository in all of them."""
    return {"environments": {f"team{n:02d}": {"account": account, "regions": list(REGIONS)}
                             for n, account in enumerate(ACCOUNTS)},
            "defaults": {"lifecycle": {"untagged_expire_days": 7, "keep_last": 30}},
            "repositories": [{"name": REPOSITORY, "mutable_tags": ["latest"]}]}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    """The sandbox with the 50 registries, bootstrapped and deployed; its environment applied meanwhile."""
    from ecr_sandbox import api

    spec_file = tmp_path_factory.mktemp("fleet") / "fleet.json"
    spec_file.write_text(json.dumps(fleet_spec()))
    info: Any = start_sandbox(str(spec_file))
    saved = dict(os.environ)
    api.apply_env(info)
    try:
        api.bootstrap(info, ROOT)
        api.deploy(info, ROOT, spec_path=str(spec_file))
        yield info, spec_file
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.mark.restarts_sandbox  # changes the sandbox's registries: after every test that shares the session's
def test_one_publish_reaches_all_50_registries_of_the_fleet(fleet, tmp_path) -> None:  # type: ignore[no-untyped-def]
    info, spec_file = fleet
    assert len(info.registries) == 50
    tag = unique_tag()

    done = run_cli("--spec", str(spec_file), "publish", REPOSITORY, "--context",
                   str(make_context(tmp_path, info.base_image, megabytes=2)), "--tag", tag, "--json")

    assert done.returncode == 0, done.stderr[-3000:]
    rows = json.loads(done.stdout)["destinations"]
    assert sorted((r["account"], r["region"]) for r in rows) == sorted((a, r) for a in ACCOUNTS for r in REGIONS)
    assert [r["status"] for r in rows] == ["pushed"] * 50
    [digest] = {r["digest"] for r in rows}
    for account in ACCOUNTS:
        for region in REGIONS:
            assert recorded_digest(info, account, region, tag) == digest, (account, region)


def recorded_digest(info: Any, account: str, region: str, tag: str, timeout: float = 60.0,
                    repository: str = REPOSITORY) -> str | None:
    """The digest ECR (moto) records for the tag: the sandbox records a push a moment after the registry took it."""
    import boto3

    ecr = boto3.Session(profile_name=info.profile(account), region_name=region).client("ecr")
    deadline = time.monotonic() + timeout
    while True:
        images = ecr.batch_get_image(repositoryName=repository, imageIds=[{"imageTag": tag}])["images"]
        if images or time.monotonic() > deadline:
            return images[0]["imageId"]["imageDigest"] if images else None
        time.sleep(0.2)
