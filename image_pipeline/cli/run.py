"""One function per command: settings from the arguments, the command, its output. Imported only when a
command runs (it pulls in the AWS SDK); each command imports its own module when it runs, so a command never
pays for the others' imports (an unchanged ``publish`` is mostly start-up)."""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ..commands import runtime
from . import args as arguments, output
from .progress import for_stream

if TYPE_CHECKING:
    from ..commands.results import PublishResult


def _create(settings: object) -> runtime.Runtime:
    return runtime.create(settings.spec, settings.credentials, for_stream(sys.stderr))  # type: ignore[attr-defined]


def _print_publish(results: Sequence[PublishResult], as_json: bool) -> int:
    print(output.json_document(results) if as_json else output.publish_table(results))
    for line in output.error_lines(results):
        print(f"error: {line}", file=sys.stderr)
    for line in output.moved_lines(results):
        print(f"note: {line}", file=sys.stderr)
    return 0 if results and all(r.ok for r in results) else 1


def _moving(settings_of: Callable[[argparse.Namespace], Any],
            command: Callable[[Any, runtime.Runtime], PublishResult]) -> Callable[[argparse.Namespace], int]:
    """A command that moves one image (publish, promote, assemble, attach): its settings, the command, its rows."""
    def run(args: argparse.Namespace) -> int:
        settings = settings_of(args)
        return _print_publish([command(settings, _create(settings))], args.json)
    return run


def _publish(settings: Any, rt: runtime.Runtime) -> PublishResult:
    from ..commands import publish
    return publish.publish(settings, rt)


def _promote(settings: Any, rt: runtime.Runtime) -> PublishResult:
    from ..commands import promote
    return promote.promote(settings, rt)


def _assemble(settings: Any, rt: runtime.Runtime) -> PublishResult:
    from ..commands import assemble
    return assemble.assemble(settings, rt)


def _attach(settings: Any, rt: runtime.Runtime) -> PublishResult:
    from ..commands import attach
    return attach.attach(settings, rt)


def cmd_compose(args: argparse.Namespace) -> int:
    from ..commands import compose
    settings = arguments.compose_settings(args)
    return _print_publish(compose.compose_publish(settings, _create(settings)), args.json)


def cmd_login(args: argparse.Namespace) -> int:
    from ..commands import login as logins
    settings = arguments.login_settings(args)
    action = logins.login if args.command == "login" else logins.logout
    results = action(settings, _create(settings))
    verb = "logged in to" if args.command == "login" else "logged out of"
    for result in results:
        print(f"{verb} {result.host} ({result.environment}): {result.store}")
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    from ..commands import pull as pulling
    from ..ecr.aws import Sessions
    from ..ecr.config import CredentialSettings
    from ..ecr.tokens import fetch_token
    settings = arguments.pull_settings(args)
    rt = _create(settings)
    token_for = None
    if settings.profile:
        profile = settings.profile
        puller = Sessions(CredentialSettings(base_profile=profile))
        token_for = lambda target: fetch_token(puller.client(puller.base(), "ecr", target.region),  # noqa: E731
                                               f"profile {profile} region {target.region}")
    result = pulling.pull(settings, rt, token_for)
    print(f"pulled {result.repository_uri}:{result.tag} {result.digest} (matches the registry) "
          f"in {result.seconds:.1f}s")
    return 0


def cmd_lifecycle(args: argparse.Namespace) -> int:
    from ..commands import lifecycle_preview
    settings = arguments.lifecycle_settings(args)
    print(output.lifecycle_table(lifecycle_preview.lifecycle_preview(settings, _create(settings))))
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "publish": _moving(arguments.publish_settings, _publish),
    "promote": _moving(arguments.promote_settings, _promote),
    "assemble": _moving(arguments.assemble_settings, _assemble),
    "attach": _moving(arguments.attach_settings, _attach),
    "compose-publish": cmd_compose, "login": cmd_login, "logout": cmd_login, "pull": cmd_pull,
    "lifecycle-preview": cmd_lifecycle}
