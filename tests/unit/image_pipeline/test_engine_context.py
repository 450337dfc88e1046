"""The build context streamed to the engine (image_pipeline.engine.context): the tar the docker CLI and
docker-py would send (".dockerignore file" in the Dockerfile reference: excluded paths never leave the client),
written through a pipe while the engine reads it."""
import io
import tarfile

from image_pipeline.engine.context import ContextStream


def names(stream: ContextStream) -> list[str]:
    data = stream.fileobj.read()
    stream.close()
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return sorted(archive.getnames())


def test_every_file_of_the_context_is_streamed_with_its_bytes(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY app /app\n")
    (tmp_path / "app").write_bytes(b"x" * 3_000_000)

    stream = ContextStream(tmp_path, None)
    data = stream.fileobj.read()

    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        assert sorted(archive.getnames()) == ["Dockerfile", "app"]
        assert archive.extractfile("app").read() == b"x" * 3_000_000  # type: ignore[union-attr]
    assert stream.dockerfile is None and stream.error is None


def test_paths_the_dockerignore_excludes_never_leave_the_client(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / ".dockerignore").write_text("# comment\nsecrets\n*.log\n")
    (tmp_path / "secrets").write_text("hunter2")
    (tmp_path / "build.log").write_text("noise")
    (tmp_path / "keep.txt").write_text("kept")

    assert names(ContextStream(tmp_path, None)) == [".dockerignore", "Dockerfile", "keep.txt"]


def test_a_dockerfile_outside_the_context_is_sent_under_a_name_of_its_own(tmp_path):
    context = tmp_path / "context"
    context.mkdir()
    (context / "app").write_text("a")
    outside = tmp_path / "Dockerfile.prod"
    outside.write_text("FROM scratch\n")

    stream = ContextStream(context, str(outside))

    assert stream.dockerfile and stream.dockerfile != str(outside)
    assert stream.dockerfile in names(stream)
