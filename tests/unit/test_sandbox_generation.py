"""The generation of moto's state (``ecr_sandbox.common.generation``): moto writes a new one after every call that
may change something, and the gateway keeps an answer read from moto only while the generation is the one it read
before asking. ECR's read actions are the API reference's Describe*, List*, Get*, BatchGetImage and
BatchCheckLayerAvailability."""
from __future__ import annotations

from pathlib import Path

import pytest

from ecr_sandbox.common import generation

TARGET = "AmazonEC2ContainerRegistry_V20150921."


@pytest.mark.parametrize("action", ["DescribeRepositories", "ListImages", "GetRepositoryPolicy", "BatchGetImage",
                                    "BatchCheckLayerAvailability", "GetAuthorizationToken", "SandboxImageStatus"])
def test_an_ecr_read_changes_nothing(action: str) -> None:
    assert not generation.changes(TARGET + action)


@pytest.mark.parametrize("target", [TARGET + "SetRepositoryPolicy", TARGET + "CreateRepository",
                                    TARGET + "PutImage", TARGET + "BatchDeleteImage", TARGET + "PutAccountSetting",
                                    "", "CloudFormation.CreateStack"])
def test_any_other_call_may_change_something(target: str) -> None:
    assert generation.changes(target)


class Reads:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> int:
        self.count += 1
        return self.count


def test_an_answer_is_remembered_while_the_generation_stays_the_same(tmp_path: Path) -> None:
    path = tmp_path / generation.FILE
    generation.Counter(path)
    remembered, reads = generation.Remembered(), Reads()

    assert [remembered.get(path, "repo", reads) for _ in range(3)] == [1, 1, 1]


def test_an_answer_is_read_again_after_moto_changed_something(tmp_path: Path) -> None:
    path = tmp_path / generation.FILE
    counter = generation.Counter(path)
    remembered, reads = generation.Remembered(), Reads()
    remembered.get(path, "repo", reads)

    counter.bump()

    assert remembered.get(path, "repo", reads) == 2


def test_a_restarted_moto_never_matches_what_an_earlier_one_wrote(tmp_path: Path) -> None:
    path = tmp_path / generation.FILE
    generation.Counter(path)
    first = generation.read(path)

    generation.Counter(path)

    assert generation.read(path) != first


def test_nothing_is_remembered_without_a_generation_file(tmp_path: Path) -> None:
    remembered, reads = generation.Remembered(), Reads()

    assert [remembered.get(tmp_path / "missing", "repo", reads) for _ in range(2)] == [1, 2]


def test_a_failed_read_is_not_remembered(tmp_path: Path) -> None:
    path = tmp_path / generation.FILE
    generation.Counter(path)
    remembered, reads = generation.Remembered(), Reads()

    def failing() -> int:
        raise OSError("moto is gone")

    with pytest.raises(OSError):
        remembered.get(path, "repo", failing)
    assert remembered.get(path, "repo", reads) == 1
