"""pull: the reference, the digest check against the registry."""
from typing import Any

import pytest

from image_pipeline.errors import DigestMismatchError, RegistryError
from image_pipeline.pull import pull, split_reference
from image_pipeline.settings import PullSettings, RetrySettings
from .pipeline_fakes import FakeDockerAPI, deployed, runtime

DIGEST = "sha256:" + "d" * 64


@pytest.mark.parametrize("reference, expected", [
    ("team/app", ("team/app", "latest")), ("team/app:v1", ("team/app", "v1")), ("app:1.0", ("app", "1.0"))])
def test_split_reference(reference, expected):
    assert split_reference(reference) == expected


class PullingAPI(FakeDockerAPI):
    def __init__(self, registry_digest: str, pulled_digest: str) -> None:
        super().__init__()
        self.registry_digest, self.pulled_digest = registry_digest, pulled_digest
        self.pulls: list[tuple[str, str, dict[str, str]]] = []

    def inspect_distribution(self, reference: str, auth_config: dict[str, str]) -> dict[str, Any]:
        return {"Descriptor": {"digest": self.registry_digest}}

    def pull(self, repository, tag=None, stream=False, decode=False, auth_config=None):
        self.pulls.append((repository, tag, auth_config))
        self.repo_digests = [f"{repository}@{self.pulled_digest}"]
        return iter([{"status": "Pull complete", "id": "l1"}, {"status": f"Digest: {self.pulled_digest}"}])


def settings(**overrides):
    return PullSettings(**{"repository": "docker-in-aws/todobackend", "tag": "v1", "environment": "prod",
                           "region": "eu-west-1", "retry": RetrySettings(attempts=1), **overrides})


def test_pull_returns_the_digest_when_it_matches_the_registry():
    api = PullingAPI(DIGEST, DIGEST)

    result = pull(settings(), runtime(deployed(), api))

    assert result.digest == DIGEST
    assert result.repository_uri == "222222222222.dkr.ecr.eu-west-1.amazonaws.com/docker-in-aws/todobackend"
    assert api.pulls[0][2]["password"] == "222222222222-auth-token"


def test_pull_fails_when_the_pulled_digest_differs_from_the_registry():
    with pytest.raises(DigestMismatchError, match="but the registry says"):
        pull(settings(), runtime(deployed(), PullingAPI(DIGEST, "sha256:" + "0" * 64)))


def test_pull_uses_the_pullers_token_when_given():
    api = PullingAPI(DIGEST, DIGEST)
    from image_pipeline.auth import fetch_token
    from .pipeline_fakes import FakeECR

    pull(settings(), runtime(deployed(), api), token_for=lambda t: fetch_token(FakeECR("333333333333", t.region), "x"))

    assert api.pulls[0][2]["password"] == "333333333333-auth-token"


def test_a_region_outside_the_environment_is_refused():
    from image_pipeline.errors import SettingsError
    with pytest.raises(SettingsError, match="region ap-south-1"):
        pull(settings(region="ap-south-1"), runtime(deployed(), PullingAPI(DIGEST, DIGEST)))


def test_an_error_inside_the_pull_stream_fails():
    class Refused(PullingAPI):
        def pull(self, repository, tag=None, stream=False, decode=False, auth_config=None):
            return iter([{"error": "denied: not allowed"}])

    with pytest.raises(RegistryError, match="denied: not allowed"):
        pull(settings(), runtime(deployed(), Refused(DIGEST, DIGEST)))
