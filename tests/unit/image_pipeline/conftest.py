"""Unit-test fixtures for image_pipeline: caches out of the user's home, the process-wide interrupt flag reset
after each test, a throwaway CA, and real HTTPS fake registries playing the example spec's three registries."""
from __future__ import annotations

from typing import Iterator

import pytest

from image_pipeline.core import cancel

from .fake_registry import FakeRegistry, make_ca

HOSTS = ("111111111111.dkr.ecr.us-east-1.amazonaws.com", "222222222222.dkr.ecr.us-east-1.amazonaws.com",
         "222222222222.dkr.ecr.eu-west-1.amazonaws.com")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def no_interrupt_left() -> Iterator[None]:
    yield
    cancel.INTERRUPT.clear()


@pytest.fixture(scope="session")
def pki(tmp_path_factory):  # type: ignore[no-untyped-def]
    return make_ca(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def registry(pki) -> Iterator[FakeRegistry]:  # type: ignore[no-untyped-def]
    with FakeRegistry(pki) as fake:
        yield fake


@pytest.fixture
def registries(pki) -> Iterator[dict[str, FakeRegistry]]:  # type: ignore[no-untyped-def]
    """One fake registry per destination host of the example spec (dev us-east-1, prod us-east-1 and eu-west-1)."""
    fakes = [FakeRegistry(pki) for _ in HOSTS]
    for fake in fakes:
        fake.__enter__()
    yield dict(zip(HOSTS, fakes))
    for fake in fakes:
        fake.__exit__()
