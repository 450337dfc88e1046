"""moto as a server, with ECR's gaps closed: ``python -m ecr_sandbox.moto_ext.server --port P``.

Before moto starts it gets its patches: the CloudFormation handlers of ``ecr_sandbox.moto_ext.cfn`` (so a
deployed template reads back through the ECR API as written), ECR's tokens and IAM's decision on every ECR call
(``ecr_sandbox.moto_ext.access``), ECR's lifecycle preview API and ``imageSizeInBytes`` (``ecr_sandbox.moto_ext.ecr``),
the account settings (``ecr_sandbox.moto_ext.account_settings``), and ``install_faults``: the sandbox's
admin calls (``ecr_sandbox.common.admin``: per-sandbox secret in ``X-Sandbox-Secret``), of which
``POST|DELETE /_sandbox/faults`` arms API faults (``throttle``: HTTP 429 ``ThrottlingException``) for the next N
ECR calls (see docs/sandbox-faults.md). After every call that may have changed moto's state it writes a new
generation (``ecr_sandbox.common.generation``), so the gateway knows what it read from moto is still true.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Callable, Iterable

from ecr_sandbox.common import admin, generation
from ecr_sandbox.common.faults import FaultBook
from ecr_sandbox.model.names import ECR_TARGET
from ecr_sandbox.moto_ext import access, account_settings, backfill, cfn, ecr, images, replication

FAULTS = FaultBook()


def fault_middleware(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """Wrap moto's WSGI app: armed API faults, then moto."""
    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith(ECR_TARGET) and FAULTS.take("api", "throttle", target[len(ECR_TARGET):]):
            environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            # "HTTP 429: Too Many Requests or ThrottleException" (ECR user guide, "Troubleshooting Amazon
            # ECR error messages"); botocore retries both the status and the ThrottlingException code.
            return admin.json_answer(start_response, 429, {"__type": "ThrottlingException", "message": "Rate exceeded"},
                                     "application/x-amz-json-1.1")
        return app(environ, start_response)

    return wrapped


def _apply_lifecycle(method: str, body: bytes) -> tuple[int, dict[str, Any]]:
    return 200, {"applied": ecr.apply_lifecycle_policies()}


def _settings(method: str, body: bytes) -> tuple[int, dict[str, Any]]:
    assert access.SANDBOX is not None  # installed before the server starts
    return access.SANDBOX.settings(method, body)


ADMIN_ROUTES: dict[str, admin.Handler] = {admin.MOTO_FAULTS: FAULTS.handle_admin, admin.MOTO_SETTINGS: _settings,
                                          admin.MOTO_LIFECYCLE: _apply_lifecycle}


def install_faults(state_dir: str | None) -> None:
    """Put the admin calls (``ADMIN_ROUTES``), then ``fault_middleware``, then ``access.middleware`` in front of every
    app moto's server builds, and write a new generation after every call that may have changed something (moto
    has made its answer by then; it leaves when this returns)."""
    from moto import server

    if getattr(server.DomainDispatcherApplication, "_sandbox_faults", False):
        return
    secret_file = Path(state_dir or ".sandbox") / "secret"
    counter = generation.Counter(Path(state_dir or ".sandbox") / generation.FILE)
    original = server.DomainDispatcherApplication.__call__

    def call(self, environ, start_response):  # type: ignore[no-untyped-def]
        inner = access.middleware(lambda e, s: original(self, e, s))
        try:
            answered = admin.route(environ, start_response, ADMIN_ROUTES, secret_file)
            return answered if answered is not None else fault_middleware(inner)(environ, start_response)
        finally:
            if generation.changes(environ.get("HTTP_X_AMZ_TARGET", "")):
                counter.bump()

    server.DomainDispatcherApplication.__call__ = call  # type: ignore[method-assign]
    server.DomainDispatcherApplication._sandbox_faults = True  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ecr_sandbox.moto_ext.server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state-dir", help="the sandbox folder that started it (lets `down` find it after a crash)")
    args = parser.parse_args(argv)
    cfn.install()
    access.install(args.state_dir)
    ecr.install()
    images.install()
    backfill.install()
    replication.install()
    account_settings.install()  # PutAccountSetting / GetAccountSetting (BLOB_MOUNTING)
    install_faults(args.state_dir)
    from moto import server

    server.main(["-H", args.host, "-p", str(args.port)])


if __name__ == "__main__":
    main()
