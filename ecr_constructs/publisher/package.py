"""What the CodeBuild publisher installs: the very ``image_pipeline`` the app runs with.

- From a checkout (``pyproject.toml`` beside the packages, as in this repository): the source files the build
  installs with ``pip install`` (``SOURCE_FILES``), uploaded as a zip asset.
- From an installed distribution (``pip install ecr-registry-as-code``, a wheel): that distribution, packed
  again as a wheel of the same name and version from the files pip recorded for it (``RECORD``), uploaded as a
  file asset. The wheel is built deterministically (sorted entries, fixed times), so the asset's hash, and the
  deployed project, only change when the installed files do.

A fork or a release from an index is given to ``PublisherProject`` as ``package=`` (a pip requirement) instead.
"""
from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

DISTRIBUTION = "ecr-registry-as-code"
PACKAGES = ("ecr_constructs", "ecr_sandbox", "ecr_spec", "image_pipeline")
# The project's own source, as the asset uploads it: what `pip install` needs to build image_pipeline.
SOURCE_FILES = ("pyproject.toml", "README.md", "ecr_spec", "image_pipeline")
_KEPT_METADATA = ("METADATA", "entry_points.txt", "top_level.txt")  # RECORD and WHEEL are written anew
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class PackageError(Exception):
    """Neither a checkout nor an installed distribution to hand the build."""


@dataclass(frozen=True)
class PublisherSource:
    """A local path the build gets as an S3 asset: a checkout folder (``zip``) or a wheel file."""

    path: Path
    is_wheel: bool

    @property
    def download_to(self) -> str:
        """Where the install phase puts it: a wheel keeps its file name, which pip reads."""
        return f"/tmp/{self.path.name}" if self.is_wheel else "/tmp/ecr-publisher-source.zip"


def checkout_dir() -> Path:
    """The folder holding this package: a checkout when it has a pyproject.toml, else site-packages."""
    return Path(__file__).resolve().parents[2]


def publisher_source(source_dir: Path | None = None) -> PublisherSource:
    """The checkout ``source_dir`` (default: this package's own, when it is a checkout), else a wheel of the
    installed distribution."""
    folder = source_dir or checkout_dir()
    if (folder / "pyproject.toml").is_file():
        return PublisherSource(folder, is_wheel=False)
    if source_dir is not None:
        raise PackageError(f"source_dir: {str(source_dir)!r} has no pyproject.toml; give package= instead")
    return PublisherSource(installed_wheel(), is_wheel=True)


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def installed_wheel(into: Path | None = None) -> Path:
    """The installed ``ecr-registry-as-code`` as a wheel file (built once per version and content)."""
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError as error:
        raise PackageError(f"{DISTRIBUTION} is neither a checkout nor installed; give package= (a pip requirement)"
                           ) from error
    name, version = re.sub(r"[-_.]+", "_", DISTRIBUTION), dist.version
    info = f"{name}-{version}.dist-info"
    entries: dict[str, bytes] = {}
    for file in dist.files or ():
        parts = file.parts
        if parts[0] in PACKAGES and "__pycache__" not in parts and file.suffix != ".pyc":
            entries["/".join(parts)] = Path(str(file.locate())).read_bytes()
        elif parts[0].endswith(".dist-info") and len(parts) == 2 and parts[1] in _KEPT_METADATA:
            entries[f"{info}/{parts[1]}"] = Path(str(file.locate())).read_bytes()
    if not any(path.startswith("image_pipeline/") for path in entries):
        raise PackageError(f"the installed {DISTRIBUTION} {version} lists no image_pipeline files; "
                           "give package= (a pip requirement)")
    entries[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: ecr_constructs.publisher.package\n"
                                b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in sorted(entries.items()))
    entries[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()
    digest = hashlib.sha256(record.encode()).hexdigest()[:16]
    folder = into or Path(tempfile.gettempdir()) / f"ecr-publisher-wheel-{version}-{digest}"
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    if not wheel.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        partial = wheel.with_suffix(".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            for path, data in sorted(entries.items()):
                item = zipfile.ZipInfo(path, _ZIP_TIME)
                item.compress_type = zipfile.ZIP_DEFLATED
                item.external_attr = 0o644 << 16
                archive.writestr(item, data)
        partial.replace(wheel)
    return wheel
