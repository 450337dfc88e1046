"""Pre-flight: before anything is pushed anywhere, every destination is checked for what would make its
push fail, so a publish does not half-succeed (``v1`` at one image in one region and another elsewhere).

Two rounds, both in parallel over the destinations:

- ``access`` (before the build): the destination account's credentials (assuming ``publish_role_arn``)
  and the deployed repository (``describe_repositories``, which also gives the tag mutability and its
  exclusion filters);
- ``tags`` (after the build, which gives the image id): each tag's current digest (``batch_get_image``)
  against the repository's immutability: a tag that is immutable and points at another image is a
  conflict; and, where something is to be pushed, a registry token (``get_authorization_token``).

Each problem is one line. ``publish`` pushes nothing when any destination has one, unless partial
publishing was asked for (``--allow-partial``)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Protocol, Sequence, TypeVar

from ecr_spec import Target

from ..core.deadline import Deadline
from ..core.errors import PipelineError, unexpected
from ..core.retry import RetryPolicy, with_retry
from . import remote, targets
from .targets import Destination

T = TypeVar("T")
U = TypeVar("U")


class EcrAccess(Protocol):
    """What pre-flight asks: an ECR client per destination, its registry token, and how to wait."""

    sleep: Callable[[float], None]
    jitter: Callable[[float, float], float]

    def ecr_for(self, target: Target) -> Any: ...

    def token(self, target: Target) -> Any: ...


@dataclass(frozen=True)
class Checked:
    """One destination after pre-flight: resolved and planned, or with the problem that stops it."""

    target: Target
    destination: Destination | None = None
    plan: remote.Plan | None = None
    before: dict[str, remote.RemoteImage] | None = None  # what the tags pointed at before this publish
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def parallel(items: Sequence[T], check: Callable[[T], U]) -> list[U]:
    with ThreadPoolExecutor(max_workers=max(len(items), 1)) as pool:
        return list(pool.map(check, items))


def access(chosen: Sequence[Target], repository: str, runtime: EcrAccess) -> list[Checked]:
    """Credentials and repository of every destination."""
    def one(target: Target) -> Checked:
        try:
            return Checked(target, targets.resolve(target, repository, runtime.ecr_for(target)))
        except PipelineError as error:
            return Checked(target, problem=str(error))
        except Exception as error:  # noqa: BLE001 - every destination ends in a result
            return Checked(target, problem=unexpected(error))
    return parallel(chosen, one)


def tags(checked: Sequence[Checked], tag_list: Sequence[str], wanted: remote.Wanted,
         runtime: EcrAccess, retry: RetryPolicy, deadline: Deadline) -> list[Checked]:
    """Each tag's current image in every destination that passed ``access``, against its immutability."""
    def one(item: Checked) -> Checked:
        if not item.ok or item.destination is None:
            return item
        destination = item.destination
        try:
            ecr = runtime.ecr_for(item.target)
            found = with_retry(lambda: remote.remote_images(ecr, destination.repository, tag_list), retry,
                               sleep=runtime.sleep, deadline=deadline, rng=runtime.jitter)
            plan = remote.plan(destination, tag_list, wanted, found)
            if plan.digest is None:  # something to push: the registry token must be there too
                runtime.token(item.target)
            return Checked(item.target, destination, plan, found)
        except PipelineError as error:
            return Checked(item.target, destination, problem=str(error))
        except Exception as error:  # noqa: BLE001
            return Checked(item.target, destination, problem=unexpected(error))
    return parallel(checked, one)
