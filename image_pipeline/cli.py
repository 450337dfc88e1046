"""The command line: arguments -> a settings object -> a plain function. Errors print one line."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from . import compose, login as logins, preview, publish as publishing, pull as pulling, report, runtime
from .auth import fetch_token
from .aws import Sessions
from .errors import PipelineError, SettingsError
from .settings import (PROFILE_TEMPLATE_VARIABLE, SPEC_OVERRIDE_VARIABLE, BuildSettings, ComposeSettings,
                       CredentialSettings, LifecycleSettings, LoginSettings, PublishSettings, PullSettings,
                       SpecSource)


class _Version(argparse.Action):
    """--version: the distribution's version from the installed package metadata, read only when asked."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from .launcher import distribution_version
        print(f"{parser.prog} {distribution_version()}")
        parser.exit()


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="image-pipeline", description="Build, publish and pull images in the "
                                  "ECR repositories of the registry spec (after `cdk deploy`).")
    top.add_argument("--cdk-json", type=Path, default=Path("cdk.json"), help="cdk.json holding the spec under "
                     "context key 'ecr' (default: ./cdk.json)")
    top.add_argument("--spec", type=Path, help=f"a spec file that replaces cdk.json's (default: ${SPEC_OVERRIDE_VARIABLE})")
    top.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    pub = commands.add_parser("publish", help="build once, push to every destination of a repository")
    pub.add_argument("repository", metavar="REPOSITORY")
    pub.add_argument("--context", type=Path, required=True, metavar="DIR", help="the build context")
    pub.add_argument("--dockerfile", metavar="F", help="Dockerfile path inside the context")
    pub.add_argument("--target", metavar="T", help="build stage to stop at")
    pub.add_argument("--build-arg", action="append", default=[], metavar="K=V", help="repeatable")
    _env_option(pub)
    pub.add_argument("--tag", action="append", default=[], metavar="T",
                     help="repeatable (default: the git short sha and 'latest')")
    pub.add_argument("--json", action="store_true", help="one JSON document on stdout, logs on stderr")
    pub.add_argument("--dry-run", action="store_true", help="show destinations, URIs and tags; build nothing")
    _rebuild_option(pub)

    for name, text in (("login", "store registry credentials for the docker CLI and compose"),
                       ("logout", "remove what login stored")):
        sub = commands.add_parser(name, help=text)
        _env_option(sub)
        sub.add_argument("--docker-config", type=Path, metavar="DIR",
                         help="docker config directory (default: $DOCKER_CONFIG or ~/.docker)")
        if name == "login":
            sub.add_argument("--plaintext", action="store_true",
                             help="without a credential helper, store the token base64-encoded in config.json")

    pl = commands.add_parser("pull", help="pull REPOSITORY[:TAG] and check its digest against the registry")
    pl.add_argument("reference", metavar="REPOSITORY[:TAG]")
    pl.add_argument("--env", metavar="NAME", help="environment to pull from (default: the repository's first)")
    pl.add_argument("--region", help="region to pull from (default: the environment's first)")
    pl.add_argument("--profile", help="AWS profile of the puller, e.g. another account (default: the destination "
                    "account's publishing credentials)")

    cp = commands.add_parser("compose-publish", help="build and publish the compose services of spec repositories")
    cp.add_argument("-f", "--file", type=Path, default=Path("docker-compose.yml"), metavar="FILE")
    _env_option(cp)
    cp.add_argument("--tag", action="append", default=[], metavar="T")
    cp.add_argument("--json", action="store_true")
    cp.add_argument("--dry-run", action="store_true")
    _rebuild_option(cp)

    lp = commands.add_parser("lifecycle-preview", help="what the lifecycle policy keeps, expires or archives")
    lp.add_argument("repository", metavar="REPOSITORY")
    _env_option(lp)
    lp.add_argument("--local", action="store_true", help="use the local evaluator, not ECR's preview API")
    return top


def _env_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--env", action="append", default=[], metavar="NAME",
                     help="environment of the spec (repeatable; default: all of them)")


def _rebuild_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--rebuild", action="store_true", help="run the build even when a local image was built "
                     "from exactly the same inputs (context, Dockerfile, args, base images)")


def _build_args(values: Sequence[str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        key, sep, val = value.partition("=")
        if not sep or not key:
            raise SettingsError(f"--build-arg {value!r} must be KEY=VALUE")
        pairs.append((key, val))
    return tuple(pairs)


def _common(args: argparse.Namespace) -> tuple[SpecSource, CredentialSettings]:
    override = args.spec or (Path(os.environ[SPEC_OVERRIDE_VARIABLE]) if os.environ.get(SPEC_OVERRIDE_VARIABLE)
                             else None)
    template = os.environ.get(PROFILE_TEMPLATE_VARIABLE) or None
    return SpecSource(args.cdk_json, override), CredentialSettings(profile_template=template)


def _docker_config(args: argparse.Namespace) -> Path:
    if args.docker_config:
        return Path(args.docker_config)
    return Path(os.environ["DOCKER_CONFIG"]) if os.environ.get("DOCKER_CONFIG") else Path.home() / ".docker"


def _print_publish(results: list[report.PublishResult], as_json: bool) -> int:
    if as_json:
        print(report.json_document(results))
    else:
        print(report.publish_table(results))
    for line in report.error_lines(results):
        print(f"error: {line}", file=sys.stderr)
    return 0 if results and all(r.ok for r in results) else 1


def cmd_publish(args: argparse.Namespace) -> int:
    spec, credentials = _common(args)
    settings = PublishSettings(repository=args.repository, environments=tuple(args.env), tags=tuple(args.tag),
                               dry_run=args.dry_run, spec=spec, credentials=credentials, rebuild=args.rebuild,
                               build=BuildSettings(args.context, args.dockerfile, args.target,
                                                   _build_args(args.build_arg)))
    return _print_publish([publishing.publish(settings, runtime.create(spec, credentials))], args.json)


def cmd_compose(args: argparse.Namespace) -> int:
    spec, credentials = _common(args)
    settings = ComposeSettings(file=args.file, environments=tuple(args.env), tags=tuple(args.tag),
                               dry_run=args.dry_run, spec=spec, credentials=credentials, rebuild=args.rebuild)
    return _print_publish(compose.compose_publish(settings, runtime.create(spec, credentials)), args.json)


def cmd_login(args: argparse.Namespace) -> int:
    spec, credentials = _common(args)
    settings = LoginSettings(tuple(args.env), _docker_config(args), getattr(args, "plaintext", False), spec,
                             credentials)
    action = logins.login if args.command == "login" else logins.logout
    results = action(settings, runtime.create(spec, credentials))
    verb = "logged in to" if args.command == "login" else "logged out of"
    for result in results:
        print(f"{verb} {result.host} ({result.environment}): {result.store}")
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    spec, credentials = _common(args)
    repository, tag = pulling.split_reference(args.reference)
    settings = PullSettings(repository, tag, args.env, args.region, args.profile, spec, credentials)
    rt = runtime.create(spec, credentials)
    token_for = None
    if args.profile:
        puller = Sessions(CredentialSettings(base_profile=args.profile))
        token_for = lambda target: fetch_token(puller.client(puller.base(), "ecr", target.region),  # noqa: E731
                                               f"profile {args.profile} region {target.region}")
    result = pulling.pull(settings, rt, token_for)
    print(f"pulled {result.repository_uri}:{result.tag} {result.digest} (matches the registry) "
          f"in {result.seconds:.1f}s")
    return 0


def cmd_lifecycle(args: argparse.Namespace) -> int:
    spec, credentials = _common(args)
    settings = LifecycleSettings(args.repository, tuple(args.env), not args.local, spec, credentials)
    print(preview.render(preview.lifecycle_preview(settings, runtime.create(spec, credentials))))
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "publish": cmd_publish, "login": cmd_login, "logout": cmd_login, "pull": cmd_pull,
    "compose-publish": cmd_compose, "lifecycle-preview": cmd_lifecycle}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
