"""The command line: arguments -> a settings object -> a plain function. Errors print one line."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from . import compose, login as logins, preview, publish as publishing, pull as pulling, report, runtime
from .auth import fetch_token
from .aws import Sessions
from .errors import PipelineError
from .settings import (ATTEMPTS_VARIABLE, DEADLINE_VARIABLE, DEFAULT_ATTEMPTS, DEFAULT_TIMEOUT,
                       DOCKER_CONFIG_VARIABLE, PROFILE_TEMPLATE_VARIABLE, SPEC_OVERRIDE_VARIABLE, TIMEOUT_VARIABLE,
                       ComposeSettings, CredentialSettings, LifecycleSettings, LoginSettings, PublishSettings,
                       PullSettings)

_VARIABLES = ((SPEC_OVERRIDE_VARIABLE, "a spec file that replaces cdk.json's (as --spec)"),
              (PROFILE_TEMPLATE_VARIABLE, "AWS profile per destination account without publish_role_arn, "
                                          "e.g. sandbox-{account}"),
              (TIMEOUT_VARIABLE, "--timeout of publish and compose-publish"),
              (DEADLINE_VARIABLE, "--deadline of publish and compose-publish"),
              (ATTEMPTS_VARIABLE, "--attempts of publish, compose-publish and pull"),
              (DOCKER_CONFIG_VARIABLE, "--docker-config of login and logout"),
              ("AWS_PROFILE, AWS_CONFIG_FILE, AWS_ENDPOINT_URL, DOCKER_HOST", "as for the AWS and docker CLIs"))
EPILOG = ("environment variables (a command-line option wins over its variable):\n"
          + "\n".join(f"  {name.ljust(32)} {text}" if len(name) <= 32 else f"  {name}:\n  {'':32} {text}"
                      for name, text in _VARIABLES)
          + "\nexit codes: 0 success, 1 failure (one 'error:' line per problem), 2 bad usage, 130 interrupted (Ctrl-C)")


class _Version(argparse.Action):
    """--version: the distribution's version from the installed package metadata, read only when asked."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from .launcher import distribution_version
        print(f"{parser.prog} {distribution_version()}")
        parser.exit()


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="image-pipeline", description="Build, publish and pull images in the "
                                  "ECR repositories of the registry spec (after `cdk deploy`).", epilog=EPILOG,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--cdk-json", type=Path, default=Path("cdk.json"), help="cdk.json holding the spec under "
                     "context key 'ecr' (default: ./cdk.json)")
    top.add_argument("--spec", type=Path, help=f"a spec file that replaces cdk.json's (default: ${SPEC_OVERRIDE_VARIABLE})")
    top.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    pub = commands.add_parser("publish", help="build once, push to every destination of a repository",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
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
    _publish_options(pub)

    for name, text in (("login", "store registry credentials for the docker CLI and compose"),
                       ("logout", "remove what login stored")):
        sub = commands.add_parser(name, help=text)
        _env_option(sub)
        sub.add_argument("--docker-config", type=Path, metavar="DIR",
                         help=f"docker config directory (default: ${DOCKER_CONFIG_VARIABLE}, else ~/.docker)")
        if name == "login":
            sub.add_argument("--plaintext", action="store_true",
                             help="without a credential helper, store the token base64-encoded in config.json")

    pl = commands.add_parser("pull", help="pull REPOSITORY[:TAG] and check its digest against the registry")
    pl.add_argument("reference", metavar="REPOSITORY[:TAG]")
    pl.add_argument("--env", metavar="NAME", help="environment to pull from (default: the repository's first)")
    pl.add_argument("--region", help="region to pull from (default: the environment's first)")
    pl.add_argument("--profile", help="AWS profile of the puller, e.g. another account (default: the destination "
                    "account's publishing credentials)")
    _attempts_option(pl)

    cp = commands.add_parser("compose-publish", help="build and publish the compose services of spec repositories",
                             epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    cp.add_argument("-f", "--file", type=Path, default=Path("docker-compose.yml"), metavar="FILE")
    _env_option(cp)
    cp.add_argument("--tag", action="append", default=[], metavar="T")
    cp.add_argument("--json", action="store_true")
    cp.add_argument("--dry-run", action="store_true")
    _rebuild_option(cp)
    _publish_options(cp)

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


def _attempts_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--attempts", metavar="N", help=f"attempts per registry step for transient failures "
                     f"(default: ${ATTEMPTS_VARIABLE}, else {DEFAULT_ATTEMPTS})")


def _publish_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--allow-partial", action="store_true",
                     help="push to the destinations that pass the pre-flight check even when others fail it "
                          "(default: when any destination would fail, nothing is pushed anywhere)")
    sub.add_argument("--timeout", metavar="SECONDS", help=f"limit per destination: its checks, pushes or copy "
                     f"and retries (default: ${TIMEOUT_VARIABLE}, else {DEFAULT_TIMEOUT:g})")
    sub.add_argument("--deadline", metavar="SECONDS", help=f"limit for the whole publish, build included "
                     f"(default: ${DEADLINE_VARIABLE}, else none)")
    sub.add_argument("--no-wait", action="store_true", help="do not wait for the destinations ECR replication "
                     "feeds from a pushed one: report them 'replicating'")
    _attempts_option(sub)


def _print_publish(results: list[report.PublishResult], as_json: bool) -> int:
    if as_json:
        print(report.json_document(results))
    else:
        print(report.publish_table(results))
    for line in report.error_lines(results):
        print(f"error: {line}", file=sys.stderr)
    for line in report.moved_lines(results):
        print(f"note: {line}", file=sys.stderr)
    return 0 if results and all(r.ok for r in results) else 1


def cmd_publish(args: argparse.Namespace) -> int:
    settings = PublishSettings.from_args(args)
    return _print_publish([publishing.publish(settings, runtime.create(settings.spec, settings.credentials))],
                          args.json)


def cmd_compose(args: argparse.Namespace) -> int:
    settings = ComposeSettings.from_args(args)
    return _print_publish(compose.compose_publish(settings, runtime.create(settings.spec, settings.credentials)),
                          args.json)


def cmd_login(args: argparse.Namespace) -> int:
    settings = LoginSettings.from_args(args)
    action = logins.login if args.command == "login" else logins.logout
    results = action(settings, runtime.create(settings.spec, settings.credentials))
    verb = "logged in to" if args.command == "login" else "logged out of"
    for result in results:
        print(f"{verb} {result.host} ({result.environment}): {result.store}")
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    settings = PullSettings.from_args(args)
    rt = runtime.create(settings.spec, settings.credentials)
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
    settings = LifecycleSettings.from_args(args)
    print(preview.render(preview.lifecycle_preview(settings, runtime.create(settings.spec, settings.credentials))))
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
    except Exception as error:  # noqa: BLE001 - never a traceback: one line, exit 1
        print(f"error: unexpected {type(error).__name__}: {error} (this is a bug in image-pipeline)",
              file=sys.stderr)
        return 1
