"""Which tags a publish pushes."""
from pathlib import Path

import pytest

from image_pipeline.core.errors import SettingsError
from image_pipeline.commands.tags import compute, git_short_sha, validate


def test_default_tags_are_the_git_short_sha_and_latest():
    assert compute((), Path("."), git_sha=lambda d: "1a2b3c4") == ("1a2b3c4", "latest")


def test_without_a_git_commit_only_latest_is_used():
    assert compute((), Path("."), git_sha=lambda d: None) == ("latest",)


def test_explicit_tags_replace_the_defaults_keep_order_and_drop_duplicates():
    assert compute(("v2", "stable", "v2"), Path("."), git_sha=lambda d: "1a2b3c4") == ("v2", "stable")


@pytest.mark.parametrize("tag", ["a", "v1.2.3", "release_2026-11-27", "A" * 128])
def test_valid_tags_pass(tag):
    assert validate(tag) == tag


@pytest.mark.parametrize("tag, message", [
    ("", "has 0 characters; ECR takes 1 to 300"),
    ("x" * 301, "has 301 characters; ECR takes 1 to 300"),
    ("x" * 129, "Docker pushes at most 128"),
    ("has space", "not a valid image tag"),
    ("-leading", "not a valid image tag"),
    ("a/b", "not a valid image tag"),
    ("a:b", "not a valid image tag")])
def test_invalid_tags_are_refused_with_the_reason(tag, message):
    with pytest.raises(SettingsError, match=message):
        validate(tag)


def test_git_short_sha_is_none_outside_a_repository(tmp_path):
    assert git_short_sha(tmp_path) is None


def test_git_short_sha_reads_head_and_marks_dirty_trees(tmp_path):
    import subprocess
    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)
    git("init", "-q")
    (tmp_path / "f").write_text("1")
    git("add", "f")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "c")
    sha = git_short_sha(tmp_path)
    assert sha and len(sha) >= 7 and not sha.endswith("-dirty")
    (tmp_path / "f").write_text("2")
    assert git_short_sha(tmp_path) == sha + "-dirty"
