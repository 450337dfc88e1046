"""``publish`` with compress-once fan-out: which destinations it feeds, and when the engine push does it."""
from pathlib import Path

from image_pipeline import fanout
from image_pipeline.export import ExportError
from image_pipeline.publish import publish
from image_pipeline.settings import BuildSettings, PublishSettings, RetrySettings

from .pipeline_fakes import IMAGE_ID, FakeDockerAPI, deployed, runtime
from .test_pipeline_fanout import FakeRegistry, fake_export, LAYERS

REPO = "docker-in-aws/todobackend"


def settings(tmp_path: Path, **overrides) -> PublishSettings:
    values = dict(repository=REPO, build=BuildSettings(context=tmp_path), tags=("v1",),
                  retry=RetrySettings(attempts=2, first_delay=0.0))
    values.update(overrides)
    return PublishSettings(**values)


def with_fanout(ecrs, api, export=fake_export(LAYERS)):
    rt = runtime(ecrs, api)
    registries: dict[str, FakeRegistry] = {}

    def client_for(host, token, deadline):
        return registries.setdefault(host, FakeRegistry(host))

    rt.fanout = fanout.FanOut(export=export, client_for=client_for)
    return rt, registries


def test_cold_destinations_are_fed_from_one_export_and_the_engine_pushes_nothing(tmp_path):
    api = FakeDockerAPI()
    rt, registries = with_fanout(deployed(), api)

    result = publish(settings(tmp_path), rt)

    assert result.ok and api.pushes == [] and len(registries) == 3
    assert [d.status for d in result.destinations] == ["pushed"] * 3
    assert len({d.digest for d in result.destinations}) == 1
    assert {(image, uri) for image, uri, _ in api.tags} == {(IMAGE_ID, d.repository_uri) for d in result.destinations}


def test_when_a_destination_already_holds_the_image_the_others_get_its_digest_by_copy(tmp_path):
    api, ecrs, copies = FakeDockerAPI(), deployed(), []
    held = ecrs[("222222222222", "eu-west-1")].put(REPO, "v1", IMAGE_ID)
    rt, registries = with_fanout(ecrs, api)

    def copier(source_uri, source_token, digest, destination, token, tags, on_layer, **options):
        copies.append((source_uri.split(".")[3], digest))
        return digest

    rt.copier = copier
    result = publish(settings(tmp_path), rt)

    assert result.ok and registries == {} and api.pushes == []
    assert [d.status for d in result.destinations] == ["pushed", "pushed", "unchanged"]
    assert copies == [("eu-west-1", held), ("eu-west-1", held)] and {d.digest for d in result.destinations} == {held}


def test_an_image_that_cannot_be_exported_is_pushed_through_the_engine(tmp_path):
    def export(api, image_id, directory, on_blob, deadline=None):
        raise ExportError("the engine cannot export sha256:abc")

    api = FakeDockerAPI()
    rt, _ = with_fanout(deployed(), api, export)

    result = publish(settings(tmp_path), rt)

    assert result.ok and len(api.pushes) == 3


def test_a_single_cold_destination_is_pushed_through_the_engine(tmp_path):
    api = FakeDockerAPI()
    rt, registries = with_fanout(deployed(), api)

    result = publish(settings(tmp_path, environments=("dev",)), rt)

    assert result.ok and registries == {} and [r.split(".")[0] for r, _, _ in api.pushes] == ["111111111111"]


def test_a_deadline_that_runs_out_during_the_export_fails_every_destination_with_one_line(tmp_path):
    from image_pipeline.errors import DeadlineError

    def export(api, image_id, directory, on_blob, deadline=None):
        raise DeadlineError("--deadline of 5 s reached during compression of sha256:abc")

    rt, registries = with_fanout(deployed(), FakeDockerAPI(), export)

    result = publish(settings(tmp_path), rt)

    assert [d.status for d in result.destinations] == ["failed"] * 3
    assert {d.error for d in result.destinations} == {"--deadline of 5 s reached during compression of sha256:abc"}
    assert all(not r.manifests for r in registries.values())
