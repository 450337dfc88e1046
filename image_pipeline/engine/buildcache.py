"""Skipping a build whose inputs did not change since the last build on this engine.

The key is a digest of everything the classic builder would see: the context's files (paths, modes and
contents; .dockerignore is honoured when there is one), the Dockerfile path, target, build args, and the
local image ids of the base images. ``$XDG_CACHE_HOME/image-pipeline/builds.json`` maps keys to the image
ids they produced; when that image still exists the build would be a full cache hit, so the upload of the
context (seconds for a large one) is skipped. The image itself is untouched (no label): it is the image a
plain ``docker build`` makes. A base image that cannot be resolved locally disables the shortcut.

Like git's index, a file's content digest is remembered with its stat data (size, mtime, ctime, inode) in
``files.json`` next to it; a file whose stat data did not change is not read again."""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from pathlib import Path
from typing import Any, Iterator

from ..core.errors import PipelineError
from .build_inputs import BuildSettings
from .docker import Inspector

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "image-pipeline"


class JsonCache:
    """A small JSON object on disk; losing it only costs speed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.data = {}
        self.changed = False

    def put(self, key: str, value: Any) -> None:
        self.data[key] = value
        self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(self.data), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:
            pass


class FileDigests(JsonCache):
    """Content digests of files, remembered by their stat data across runs."""

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(path or cache_dir() / "files.json")

    def digest(self, path: Path, info: os.stat_result) -> str:
        key = str(path.resolve())
        fingerprint = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
        known = self.data.get(key)
        if known and known[:4] == fingerprint:
            return str(known[4])
        with open(path, "rb") as handle:
            value = hashlib.file_digest(handle, "sha256").hexdigest()
        self.put(key, [*fingerprint, value])
        return value


def base_images(dockerfile: str, build_args: dict[str, str]) -> list[str] | None:
    """The images the Dockerfile's FROM lines name (stages excluded); None if one cannot be resolved."""
    defaults: dict[str, str] = {}
    stages: set[str] = set()
    images: list[str] = []
    seen_from = False
    for raw in dockerfile.replace("\\\n", " ").splitlines():
        words = raw.split()
        if not words or words[0].startswith("#"):
            continue
        instruction = words[0].upper()
        if instruction == "ARG" and not seen_from and len(words) > 1:
            name, _, value = words[1].partition("=")
            defaults[name] = value.strip("\"'")
        elif instruction == "FROM":
            seen_from = True
            args = [w for w in words[1:] if not w.startswith("--")]
            if not args:
                return None
            values = {**defaults, **build_args}
            image = _VARIABLE.sub(lambda m: values.get(m.group(1) or m.group(2), "\0"), args[0])
            if "\0" in image or not image:
                return None
            if len(args) >= 3 and args[1].upper() == "AS":
                stages.add(args[2].lower())
            if image != "scratch" and image.lower() not in stages:
                images.append(image)
    return images if seen_from else None


def context_files(context: Path, dockerfile: str) -> Iterator[str]:
    """The context's files as the builder sees them, sorted."""
    ignore = context / ".dockerignore"
    if ignore.exists():
        from docker.utils.build import exclude_paths  # only then: docker-py is slow to import
        patterns = [line.strip() for line in ignore.read_text(encoding="utf-8").splitlines()]
        yield from sorted(exclude_paths(str(context), [p for p in patterns if p and not p.startswith("#")],
                                        dockerfile=dockerfile))
        return
    found: list[str] = []
    for directory, subdirectories, names in os.walk(context):
        subdirectories.sort()
        relative = os.path.relpath(directory, context)
        found.extend(os.path.normpath(os.path.join(relative, n)) for n in names + subdirectories)
    yield from sorted(found)


def inputs_digest(inspector: Inspector, settings: BuildSettings, files: FileDigests | None = None) -> str | None:
    """The key of this build's inputs, or None when it cannot be trusted (then: build as usual)."""
    context = settings.context
    dockerfile_name = settings.dockerfile or "Dockerfile"
    try:
        dockerfile = (context / dockerfile_name).read_text(encoding="utf-8")
        bases = base_images(dockerfile, dict(settings.build_args))
        if bases is None:
            return None
        digest = hashlib.sha256()
        inputs = {"dockerfile": dockerfile_name, "target": settings.target, "args": sorted(settings.build_args)}
        if settings.platform:  # the classic builder's own cache ignores the platform; ours does not
            inputs["platform"] = settings.platform
        digest.update(json.dumps(inputs).encode())
        for image in bases:
            digest.update(str(inspector.inspect_image(image)["Id"]).encode())
        files = files or FileDigests()
        for name in context_files(context, dockerfile_name):
            _add_file(digest, context, name, files)
        files.save()
    except (OSError, UnicodeDecodeError, LookupError, PipelineError):
        return None
    return "sha256:" + digest.hexdigest()


def _add_file(digest: Any, context: Path, name: str, files: FileDigests) -> None:
    path = context / name
    info = os.lstat(path)
    digest.update(f"\0{name}\0{stat.S_IMODE(info.st_mode):o}\0{stat.S_IFMT(info.st_mode):o}\0".encode())
    if stat.S_ISLNK(info.st_mode):
        digest.update(os.readlink(path).encode())
    elif stat.S_ISREG(info.st_mode):
        digest.update(files.digest(path, info).encode())


def builds() -> JsonCache:
    return JsonCache(cache_dir() / "builds.json")


def cached_image(inspector: Inspector, key: str) -> dict[str, Any] | None:
    """The local image (its inspect document) built earlier from exactly these inputs, if it still exists."""
    image_id = builds().data.get(key)
    if not image_id:
        return None
    try:
        return inspector.inspect_image(str(image_id))
    except (LookupError, PipelineError):
        return None


def remember(key: str, image_id: str) -> None:
    cache = builds()
    cache.put(key, image_id)
    cache.save()
