"""The command line: arguments -> a settings object (``cli.args``) -> a plain command function (``commands``).

Only the parser is built up front (it imports nothing heavy, so ``--help`` and ``--version`` work without the
``[pipeline]`` extra); each command's modules are imported when it runs. Errors print one ``error:`` line
(exit 1); Ctrl-C exits 130 and SIGTERM 143, within seconds, after removing the run's scratch space."""
from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from ..core import scratch, signals
from ..core.errors import PipelineError, unexpected
from ..core.retry import DEFAULT_ATTEMPTS
from .extras import missing_extra
from .variables import (ATTEMPTS_VARIABLE, DEADLINE_VARIABLE, DOCKER_CONFIG_VARIABLE, EPILOG, SPEC_OVERRIDE_VARIABLE,
                        TIMEOUT_VARIABLE)

# The cyclic collector's first threshold in a run (CPython's default: 700 allocations). Start-up (botocore's service
# models, the spec, an AWS client per account) makes hundreds of thousands of objects and next to no cyclic
# garbage; at 700 the collector walked the growing heap again and again, a quarter of an unchanged republish's CPU
# (perf). At this threshold it still runs, rarely (docs/benchmarks.md).
COLLECTOR_THRESHOLD = (100_000, 10, 10)
DEFAULT_TIMEOUT = 600  # seconds; commands.settings.DEFAULT_TIMEOUT (not imported: it would import the commands)


class _Version(argparse.Action):
    """--version: the distribution's version from the installed package metadata, read only when asked."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from ..core.version import distribution_version
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
    pub.add_argument("--platform", action="append", default=[], metavar="OS/ARCH[,...]",
                     help="build for these platforms (comma-separated or repeated, e.g. linux/amd64,linux/arm64); "
                          "two or more are published as one image index (default: the engine's own platform)")
    pub.add_argument("--manifest-list", action="store_true", help="publish the index as a Docker manifest list "
                     "with Docker media types (default: an OCI image index)")
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

    pr = commands.add_parser("promote", help="copy an image one environment holds, by digest, to others",
                             epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    pr.add_argument("reference", metavar="REPOSITORY@DIGEST")
    pr.add_argument("--from", dest="source", required=True, metavar="ENV", help="the environment that holds it")
    pr.add_argument("--from-region", metavar="R", help="its region (default: the environment's first)")
    _env_option(pr)
    pr.add_argument("--tag", action="append", default=[], metavar="T", help="tags to point at it (repeatable; "
                    "default: none, the image is there by digest)")
    pr.add_argument("--json", action="store_true", help="one JSON document on stdout, logs on stderr")
    pr.add_argument("--dry-run", action="store_true", help="show destinations and tags; copy nothing")
    _publish_options(pr)

    asm = commands.add_parser("assemble", help="one multi-platform image (an index) out of single-platform "
                              "images already published, e.g. by per-architecture builds",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    asm.add_argument("repository", metavar="REPOSITORY")
    asm.add_argument("--from", dest="children", action="append", required=True, metavar="TAG|DIGEST",
                     help="a single-platform image of REPOSITORY (repeatable: one per platform)")
    asm.add_argument("--tag", action="append", required=True, metavar="T", help="tags for the index (repeatable)")
    asm.add_argument("--manifest-list", action="store_true", help="a Docker manifest list instead of an OCI index")
    _env_option(asm)
    asm.add_argument("--json", action="store_true", help="one JSON document on stdout, logs on stderr")
    asm.add_argument("--dry-run", action="store_true", help=argparse.SUPPRESS)
    _publish_options(asm)

    at = commands.add_parser("attach", help="attach a file to an image as an OCI artifact (SBOM, signature, ...)")
    at.add_argument("reference", metavar="REPOSITORY[:TAG|@DIGEST]")
    at.add_argument("file", type=Path, metavar="FILE")
    at.add_argument("--artifact-type", required=True, metavar="TYPE",
                    help="the artifact's media type, e.g. application/spdx+json")
    _env_option(at)
    at.add_argument("--json", action="store_true", help="one JSON document on stdout, logs on stderr")
    at.add_argument("--timeout", metavar="SECONDS", help=f"limit per destination (default: ${TIMEOUT_VARIABLE}, "
                    f"else {DEFAULT_TIMEOUT})")
    _attempts_option(at)

    lp = commands.add_parser("lifecycle-preview", help="what the lifecycle policy keeps, expires or archives")
    lp.add_argument("repository", metavar="REPOSITORY")
    _env_option(lp)
    lp.add_argument("--local", action="store_true", help="use the local evaluator, not ECR's preview API")
    lp.add_argument("--images", type=Path, metavar="FILE", help="with --local: evaluate the spec's policy against "
                    "these images (the output of `aws ecr describe-images`), offline: no AWS call, no credentials")
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
    sub.add_argument("--timeout", metavar="SECONDS", help=f"limit per destination: its checks, uploads and "
                     f"retries (default: ${TIMEOUT_VARIABLE}, else {DEFAULT_TIMEOUT})")
    sub.add_argument("--deadline", metavar="SECONDS", help=f"limit for the whole publish, build included "
                     f"(default: ${DEADLINE_VARIABLE}, else none)")
    sub.add_argument("--no-wait", action="store_true", help="do not wait for the destinations ECR replication "
                     "feeds from a pushed one: report them 'replicating'")
    _attempts_option(sub)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    signals.install()
    try:
        from .run import COMMANDS
        gc.freeze()  # what the imports made stays: later collections leave it alone
        return COMMANDS[args.command](args)
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, signals.Terminated) as stop:
        scratch.remove_all()
        print("error: interrupted", file=sys.stderr)
        return signals.exit_code(stop)
    except ModuleNotFoundError as error:
        if not missing_extra(error):
            print(f"error: {unexpected(error)}", file=sys.stderr)
        return 1
    except BrokenPipeError as error:  # whatever read the output went away (every socket's error is wrapped)
        _say(_cannot_write(error))
        return 1
    except Exception as error:  # noqa: BLE001 - never a traceback: one line, exit 1
        print(f"error: {unexpected(error)}", file=sys.stderr)
        return 1
    return 1


def run_and_exit(argv: list[str] | None = None) -> None:
    """The process entry point: ``main``, then exit at once, without the interpreter's teardown (freeing every
    module and object one by one: about a twentieth of an unchanged republish). Nothing is lost by it: what the
    command printed is flushed here first; its worker threads have ended (after an interrupt they are still
    unwinding, but every socket they block on is already closed and nothing new starts); each scratch space is
    removed by its owner, and none is left after an interrupt. Output that cannot be written (a closed pipe)
    makes a successful command exit 1."""
    gc.set_threshold(*COLLECTOR_THRESHOLD)
    code = main(argv)
    try:
        sys.stdout.flush()
    except (OSError, ValueError) as error:
        code = code or 1
        _say(_cannot_write(error))
    _say("")
    os._exit(code)


def _cannot_write(error: Exception) -> str:
    return f"error: cannot write the output: {getattr(error, 'strerror', None) or error}"


def _say(line: str) -> None:
    """``line`` (if any) on stderr, and stderr flushed; a stderr that is gone is not an error of the command."""
    try:
        if line:
            print(line, file=sys.stderr)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
