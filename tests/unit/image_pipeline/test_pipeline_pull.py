"""pull: the reference, the digest check against the registry (a HEAD of the manifest through the one registry
client) and the engine's pull."""
import pytest

from image_pipeline.core.errors import DigestMismatchError, RegistryError
from image_pipeline.commands.pull import pull, split_reference
from image_pipeline.commands.settings import PullSettings, RetryPolicy
from .fake_engine import FakeDockerAPI
from .pipeline_fakes import deployed, runtime

PROD_EU = "222222222222.dkr.ecr.eu-west-1.amazonaws.com"
REPO = "docker-in-aws/todobackend"

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

    def pull(self, repository, tag=None, stream=False, decode=False, auth_config=None):
        self.pulls.append((repository, tag, auth_config))
        self.repo_digests = [f"{repository}@{self.pulled_digest}"]
        return iter([{"status": "Pull complete", "id": "l1"}, {"status": f"Digest: {self.pulled_digest}"}])


def settings(**overrides):
    return PullSettings(**{"repository": "docker-in-aws/todobackend", "tag": "v1", "environment": "prod",
                           "region": "eu-west-1", "retry": RetryPolicy(attempts=1), **overrides})


def holding(registries) -> str:  # type: ignore[no-untyped-def]
    """The eu-west-1 registry holds REPO:v1; its digest."""
    registry = registries[PROD_EU]
    return registry.put_manifest(REPO, b'{"schemaVersion": 2}', "application/vnd.oci.image.manifest.v1+json", "v1")


def test_pull_returns_the_digest_when_it_matches_the_registry(registries):
    digest = holding(registries)
    api = PullingAPI(digest, digest)

    result = pull(settings(), runtime(deployed(), api, registries))

    assert result.digest == digest
    assert result.repository_uri == f"{PROD_EU}/{REPO}"
    assert api.pulls[0][2] == {"username": "AWS", "password": "secret", "serveraddress": PROD_EU}


def test_pull_fails_when_the_pulled_digest_differs_from_the_registry(registries):
    digest = holding(registries)

    with pytest.raises(DigestMismatchError, match="but the registry says"):
        pull(settings(), runtime(deployed(), PullingAPI(digest, "sha256:" + "0" * 64), registries))


def test_a_tag_the_registry_does_not_hold_is_one_clear_error(registries):
    with pytest.raises(RegistryError, match="docker-in-aws/todobackend:v1 is not in the registry"):
        pull(settings(), runtime(deployed(), PullingAPI(DIGEST, DIGEST), registries))


def test_pull_uses_the_pullers_token_when_given(registries):
    from image_pipeline.ecr.tokens import fetch_token
    from .pipeline_fakes import FakeECR
    digest = holding(registries)
    api = PullingAPI(digest, digest)
    puller = FakeECR("333333333333", "eu-west-1")

    pull(settings(), runtime(deployed(), api, registries), token_for=lambda t: fetch_token(puller, "x"))

    assert puller.token_calls == 1 and api.pulls[0][2]["password"] == "secret"


def test_a_region_outside_the_environment_is_refused():
    from image_pipeline.core.errors import SettingsError
    with pytest.raises(SettingsError, match="region ap-south-1"):
        pull(settings(region="ap-south-1"), runtime(deployed(), PullingAPI(DIGEST, DIGEST)))


def test_an_error_inside_the_pull_stream_fails(registries):
    class Refused(PullingAPI):
        def pull(self, repository, tag=None, stream=False, decode=False, auth_config=None):
            return iter([{"error": "denied: not allowed"}])
    digest = holding(registries)

    with pytest.raises(RegistryError, match="denied: not allowed"):
        pull(settings(), runtime(deployed(), Refused(digest, digest), registries))
