"""Skipping a build whose inputs did not change: the inputs key and the base images it covers."""
from pathlib import Path

from image_pipeline.engine.buildcache import FileDigests, base_images, inputs_digest
from image_pipeline.commands.publish import build_once
from image_pipeline.commands.settings import BuildSettings
from .pipeline_fakes import IMAGE_ID, FakeDockerAPI, deployed, runtime


def context(tmp_path: Path, dockerfile: str = "FROM base:1\nCOPY app /app\n") -> Path:
    (tmp_path / "Dockerfile").write_text(dockerfile)
    (tmp_path / "app").write_text("v1")
    return tmp_path


def test_base_images_resolve_arg_defaults_and_build_args_and_skip_stages_and_scratch():
    dockerfile = "ARG BASE=busybox:1\nFROM ${BASE} AS build\nFROM scratch\nFROM build\nFROM --platform=linux/amd64 $OTHER\n"

    assert base_images(dockerfile, {"OTHER": "alpine:3"}) == ["busybox:1", "alpine:3"]
    assert base_images(dockerfile, {}) is None  # $OTHER unknown: no shortcut


def test_the_key_changes_with_file_contents_build_args_and_target(tmp_path):
    api, root = FakeDockerAPI(), context(tmp_path)
    first = inputs_digest(api, BuildSettings(root))

    assert inputs_digest(api, BuildSettings(root)) == first
    assert inputs_digest(api, BuildSettings(root, build_args=(("A", "1"),))) != first
    assert inputs_digest(api, BuildSettings(root, target="t")) != first
    (root / "app").write_text("v2")
    assert inputs_digest(api, BuildSettings(root)) != first


def test_files_excluded_by_dockerignore_do_not_change_the_key(tmp_path):
    api, root = FakeDockerAPI(), context(tmp_path)
    (root / ".dockerignore").write_text("*.log\n")
    first = inputs_digest(api, BuildSettings(root))

    (root / "debug.log").write_text("noise")

    assert inputs_digest(api, BuildSettings(root)) == first


def test_a_second_build_of_the_same_inputs_is_skipped_unless_asked(tmp_path):
    api, root = FakeDockerAPI(), context(tmp_path)
    rt = runtime(deployed(), api)

    assert build_once(BuildSettings(root), rt) == (IMAGE_ID, [])
    assert build_once(BuildSettings(root), rt) == (IMAGE_ID, [])
    assert len(api.builds) == 1
    build_once(BuildSettings(root), rt, reuse=False)
    assert len(api.builds) == 2


def test_changed_inputs_are_built_again(tmp_path):
    api, root = FakeDockerAPI(), context(tmp_path)
    rt = runtime(deployed(), api)
    build_once(BuildSettings(root), rt)

    (root / "app").write_text("v2")
    build_once(BuildSettings(root), rt)

    assert len(api.builds) == 2


def test_file_digests_are_remembered_by_stat_data(tmp_path):
    root = context(tmp_path)
    files = FileDigests(tmp_path / "files.json")
    info = (root / "app").stat()
    first = files.digest(root / "app", info)
    files.save()

    (root / "app").write_bytes(b"v1")  # same bytes, new mtime: read again, same digest
    assert FileDigests(tmp_path / "files.json").digest(root / "app", (root / "app").stat()) == first
