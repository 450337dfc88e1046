"""``exit_on_spec_errors``: what an ``app.py`` wraps around ``build_registry`` so that a bad spec or bad props
print one ``error:`` line per problem and exit 1, without a traceback (``cdk synth`` then writes nothing)."""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator, TextIO

from ecr_spec import SpecError

from ..core.errors import EcrConstructsError


@contextmanager
def exit_on_spec_errors(stream: TextIO | None = None) -> Iterator[None]:
    """Runs the block; a ``SpecError`` or an ``EcrConstructsError`` from it becomes one ``error: ...`` line per
    problem on ``stream`` and ``SystemExit(1)``.

    :param stream: where the lines go. Default: None, standard error.

    ::

        app = cdk.App()
        with exit_on_spec_errors():
            build_registry(app, app.node.try_get_context("ecr"))
        app.synth()
    """
    try:
        yield
    except (SpecError, EcrConstructsError) as error:
        out = stream or sys.stderr
        for line in str(error).splitlines():
            print(f"error: {line}", file=out)
        raise SystemExit(1) from None
