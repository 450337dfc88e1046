"""Which tags an image gets: the ones asked for, else the git commit's short sha and ``latest``."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Callable, Sequence

from ..core.errors import SettingsError

from ecr_spec.core.limits import MAX_IMAGE_TAG_CHARS as MAX_ECR_TAG  # ECR limits are named once, in ecr_spec
MAX_DOCKER_TAG = 128
DEFAULT_TAG = "latest"
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
GitSha = Callable[[Path], str | None]


def git_short_sha(directory: Path) -> str | None:
    """The short sha of HEAD in the repository holding ``directory`` (None: no git or no commit yet);
    ``-dirty`` is appended when tracked files changed, so a sha tag never names two different trees."""
    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "-C", str(directory), *args], capture_output=True, text=True, check=False)
    try:
        head = git("rev-parse", "--short", "HEAD")
    except OSError:
        return None
    if head.returncode != 0 or not head.stdout.strip():
        return None
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".").stdout.strip()
    return head.stdout.strip() + ("-dirty" if dirty else "")


def validate(tag: str) -> str:
    if not 1 <= len(tag) <= MAX_ECR_TAG:
        raise SettingsError(f"tag {tag[:40]!r}... has {len(tag)} characters; ECR takes 1 to {MAX_ECR_TAG}")
    if len(tag) > MAX_DOCKER_TAG:
        raise SettingsError(f"tag {tag[:40]!r}... has {len(tag)} characters; ECR takes up to {MAX_ECR_TAG} but "
                            f"Docker pushes at most {MAX_DOCKER_TAG}")
    if not _TAG.fullmatch(tag):
        raise SettingsError(f"tag {tag!r} is not a valid image tag: use letters, digits, '_', '.' and '-', "
                            f"not starting with '.' or '-'")
    return tag


def compute(explicit: Sequence[str], context: Path, git_sha: GitSha = git_short_sha) -> tuple[str, ...]:
    """The explicit tags (validated, duplicates dropped, order kept), or the defaults."""
    if explicit:
        return tuple(dict.fromkeys(validate(t) for t in explicit))
    sha = git_sha(context)
    return tuple(validate(t) for t in ([sha] if sha else []) + [DEFAULT_TAG])
