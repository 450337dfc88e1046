"""Reading a compose file: which services are published, with what build settings."""
from pathlib import Path

import pytest

from image_pipeline.commands.compose import interpolate, read_services, split_image
from image_pipeline.core.errors import ComposeError

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("image, expected", [
    ("docker-in-aws/todobackend", ("docker-in-aws/todobackend", None)),
    ("docker-in-aws/todobackend:1.2", ("docker-in-aws/todobackend", "1.2")),
    ("111111111111.dkr.ecr.us-east-1.amazonaws.com/docker-in-aws/todobackend:v3", ("docker-in-aws/todobackend", "v3")),
    ("localhost:5000/app", ("localhost:5000/app", None))])
def test_split_image_drops_an_ecr_host_and_splits_the_tag(image, expected):
    assert split_image(image) == expected


def test_interpolation_uses_the_environment_and_defaults():
    assert interpolate("${A}-${B:-b}-$C-${D-d}", {"A": "a", "C": "c"}) == "a-b-c-d"


def test_the_example_compose_file_publishes_todobackend_with_its_build_args():
    (service,) = read_services(ROOT / "examples" / "docker-compose.yml", {"docker-in-aws/todobackend"},
                               {"SANDBOX_BASE_IMAGE": "base:1"})

    assert service.repository == "docker-in-aws/todobackend" and service.tag is None
    assert service.build.context == ROOT / "examples" / "todobackend"
    assert dict(service.build.build_args) == {"BASE_IMAGE": "base:1", "APP_VERSION": "1.0.0"}


def test_services_without_build_or_outside_the_spec_are_skipped(tmp_path):
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  db:\n    image: postgres\n  other:\n    image: team/other\n    build: .\n"
                       "  app:\n    image: team/app:7\n    build:\n      context: app\n      dockerfile: D\n"
                       "      target: prod\n      args: [X=1]\n")

    (service,) = read_services(compose, {"team/app"}, {})

    assert (service.name, service.tag, service.build.dockerfile, service.build.target) == ("app", "7", "D", "prod")
    assert service.build.build_args == (("X", "1"),)


def test_a_missing_compose_file_is_a_clear_error(tmp_path):
    with pytest.raises(ComposeError, match="cannot read compose file"):
        read_services(tmp_path / "nope.yml", set(), {})


def test_a_variables_value_cannot_inject_keys_into_the_compose_file(tmp_path):
    import yaml
    text = "services:\n  app:\n    image: team/app\n    build:\n      context: app\n      target: ${TAG}\n"
    environ = {"TAG": "v1\n    build: /etc"}
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(text)
    assert yaml.safe_load(interpolate(text, environ))["services"]["app"]["build"] == "/etc"  # text first: injected

    (service,) = read_services(compose, {"team/app"}, environ)

    assert service.build.context == tmp_path / "app"
    assert service.build.target == "v1\n    build: /etc"


def test_variables_are_substituted_in_values_of_lists_and_mappings_not_in_keys(tmp_path):
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  app:\n    image: team/app\n    build:\n      context: ${DIR:-app}\n"
                       "      args:\n        V: ${VERSION}\n        ${KEY}: 1\n")

    (service,) = read_services(compose, {"team/app"}, {"VERSION": "2", "KEY": "INJECTED"})

    assert service.build.context == tmp_path / "app"
    assert service.build.build_args == (("V", "2"), ("${KEY}", "1"))


def test_a_double_dollar_is_a_literal_dollar():
    assert interpolate("$$HOME-${A}", {"A": "a", "HOME": "/root"}) == "$HOME-a"


def test_a_conflict_in_one_service_pushes_no_service(tmp_path):
    from image_pipeline.commands.compose import compose_publish
    from image_pipeline.commands.settings import ComposeSettings
    from .pipeline_fakes import FakeDockerAPI, deployed, runtime

    (tmp_path / "app").mkdir()
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  app:\n    image: docker-in-aws/todobackend\n    build: app\n"
                       "  base:\n    image: platform/base-images\n    build: app\n")
    ecrs, api = deployed(), FakeDockerAPI()
    dev = ecrs[("111111111111", "us-east-1")]
    dev.add_repository("platform/base-images", "IMMUTABLE", ())
    dev.put("platform/base-images", "v1", "sha256:" + "f" * 64)

    results = compose_publish(ComposeSettings(file=compose, tags=("v1",)), runtime(ecrs, api))

    assert api.exports == 0
    assert [[d.status for d in r.destinations] for r in results] == [["skipped"] * 3, ["failed"]]
