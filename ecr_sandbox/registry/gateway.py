"""The gateway process: the registries' TLS fronts, token server, push bridge and fault admin.

``python -m ecr_sandbox.registry.gateway --config .sandbox/gateway.json`` serves

- on every registry's ``127.0.0.N:443``: the TLS front (``ecr_sandbox.registry.front``), which forwards to the
  registry, refuses moves of immutable tags, and answers the token realm ``https://HOST/token``
  (distribution's token auth, see ``ecr_sandbox.registry.tokens``); plain-http ``/token`` here is refused;
- on ``http://127.0.0.1:PORT``:
  - ``POST /events/ACCT/REG`` registry notifications (see ``ecr_sandbox.registry.bridge``), then replication of
    what was recorded (see ``ecr_sandbox.registry.replication``); requires the per-sandbox secret header;
  - ``POST|DELETE /admin/faults`` arm or clear faults of the fronts (``ecr_sandbox.common.faults``); the same;
  - ``GET /healthz`` liveness.

It re-reads its config file whenever it changes, so ``up`` with a new spec needs no restart.
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from ecr_sandbox.registry import bridge, front, replication, tokens
from ecr_sandbox.common.aws import moto_client
from ecr_sandbox.common.faults import SECRET_HEADER, FaultBook, authorized
from ecr_sandbox.model.names import registry_host
from ecr_sandbox.registry.client import RegistryClient

log = logging.getLogger("ecr_sandbox.registry.gateway")
FAULTS = FaultBook()


class Settings:
    """The gateway config file, re-read when its modification time changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime = -1.0
        self._lock = threading.Lock()
        self.data: dict[str, Any] = {}
        self.signer: tokens.Signer | None = None

    def current(self) -> "Settings":
        mtime = self.path.stat().st_mtime
        with self._lock:
            if mtime != self._mtime:
                self.data = json.loads(self.path.read_text())
                self.signer = tokens.Signer.load(self.data["signer_cert"], self.data["signer_key"])
                self._mtime = mtime
        return self


@lru_cache(maxsize=256)
def _ecr(moto_url: str, account: str, region: str) -> Any:
    return moto_client("ecr", moto_url, account, region)


def repository_lookup(moto_url: str) -> tokens.RepositoryLookup:
    def lookup(account: str, region: str, name: str) -> tuple[bool, str | None]:
        ecr = _ecr(moto_url, account, region)
        try:
            ecr.describe_repositories(repositoryNames=[name])
        except ClientError:
            return False, None
        try:
            return True, ecr.get_repository_policy(repositoryName=name)["policyText"]
        except ClientError:
            return True, None

    return lookup


class Handler(BaseHTTPRequestHandler):
    settings: Settings  # set on the class by serve()
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("%s " + format, self.address_string(), *args)

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        front.send_json(self, status, body, headers)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        if url.path == "/healthz":
            self._send(200, {"ok": True})
        elif url.path == "/token":
            self._plain_token()
        else:
            self._send(404, {"error": "not found"})

    def _authorized(self) -> bool:
        if authorized(self.headers.get(SECRET_HEADER), Path(self.settings.current().data["secret_file"])):
            return True
        self._send(401, {"error": f"the {SECRET_HEADER} header must carry the sandbox's secret"})
        return False

    def _plain_token(self) -> None:
        self._send(403, {"errors": [{"code": "DENIED", "message":
                   "the token realm is https://REGISTRY-HOST/token; plain http is refused"}]})

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        body = self._body()
        if url.path == "/token":
            self._plain_token()
        elif url.path.startswith("/events/"):
            if self._authorized():
                _events(self, url.path.split("/")[2:], body)
        elif url.path == "/admin/faults":
            if self._authorized():
                self._send(*FAULTS.handle_admin("POST", body))
        else:
            self._send(404, {"error": "not found"})

    def do_DELETE(self) -> None:  # noqa: N802
        self._body()
        if urlsplit(self.path).path == "/admin/faults":
            if self._authorized():
                self._send(*FAULTS.handle_admin("DELETE", b""))
        else:
            self._send(404, {"error": "not found"})


def issue_token(settings: Settings, service: str, query: dict[str, list[str]], authorization: str | None,
                form_credentials: tuple[str, str] | None) -> tuple[int, dict[str, Any]]:
    """distribution's token endpoint (GET with Basic auth, or the OAuth2 form POST): (status, answer)."""
    settings = settings.current()
    accounts = settings.data["accounts"]
    registry = settings.data["registries"].get(service)
    assert settings.signer is not None
    try:
        if form_credentials is not None:
            caller = tokens.account_for_password(*form_credentials, accounts)
        else:
            caller = tokens.caller_account(authorization, accounts)
    except tokens.Unauthorized as exc:
        # Answer with a token no registry accepts: the registry then refuses the client's request
        # with HTTP 401, which the Docker engine reports as 401 (as with ECR's basic auth). A 401
        # from the token endpoint itself would reach Docker users as a 500.
        log.info("refused credentials for %s: %s", service, exc)
        token = settings.signer.token("anonymous", tokens.REJECTED_AUDIENCE, [])
        return 200, {"token": token, "access_token": token, "expires_in": 60}
    if registry is None:
        return 400, {"errors": [{"code": "UNSUPPORTED", "message": f"unknown service {service!r}"}]}
    scopes = [s for text in query.get("scope", []) for part in text.split(" ")
              if (s := tokens.Scope.parse(part)) is not None]
    try:
        access = tokens.grant(caller, registry["account"], registry["region"], scopes,
                              repository_lookup(settings.data["moto_url"]))
    except BotoCoreError as exc:
        log.warning("moto unreachable while deciding access: %s", exc)
        return 503, {"errors": [{"code": "UNAVAILABLE", "message": "the sandbox's moto is not answering"}]}
    token = settings.signer.token(caller, service, access)
    log.info("token for %s on %s: %s", caller, service, access)
    return 200, {"token": token, "access_token": token, "expires_in": tokens.TOKEN_SECONDS}


def _events(handler: Handler, parts: list[str], body: bytes) -> None:
    """``/events/ACCOUNT/REGION``: hand a registry's notifications to the push bridge."""
    settings = handler.settings.current()
    if len(parts) != 2:
        handler._send(404, {"error": "expected /events/ACCOUNT/REGION"})
        return
    account, region = parts
    host = registry_host(account, region)
    registry = settings.data["registries"].get(host)
    if registry is None:
        handler._send(404, {"error": f"unknown registry {host}"})
        return
    try:
        events = json.loads(body).get("events", [])
        bridge.handle_events(events, Path(registry["storage"]),
                             lambda: _ecr(settings.data["moto_url"], account, region),
                             _replicator(settings, account, region))
    except bridge.Retry as exc:
        log.warning("moto unreachable, the registry will retry: %s", exc)
        handler._send(503, {"error": "moto unreachable"})
        return
    except (ValueError, AttributeError):
        handler._send(400, {"error": "events must be a JSON object with an events list"})
        return
    handler._send(200, {"ok": True})



def _registry_client(settings: Settings, host: str, repository: str) -> RegistryClient:
    """A client for one of the sandbox's registries, with a push token the gateway mints for itself."""
    assert settings.signer is not None
    access = [{"type": "repository", "name": repository, "actions": ["push", "pull"]}]
    return RegistryClient(host, settings.data["ca_cert"], "Bearer " + settings.signer.token("ecr-sandbox", host, access))


def _site(settings: Settings, host: str, registry: dict[str, Any]) -> front.Site:
    """What the TLS front of ``host`` needs from the gateway."""
    account, region = registry["account"], registry["region"]

    def mutability(repository: str) -> tuple[str, list[dict[str, str]]] | None:
        try:
            repo = _ecr(settings.data["moto_url"], account, region).describe_repositories(
                repositoryNames=[repository])["repositories"][0]
        except ClientError:
            return None
        return repo.get("imageTagMutability", "MUTABLE"), repo.get("imageTagMutabilityExclusionFilters") or []

    def pull_token(repository: str) -> str:
        current = settings.current()
        assert current.signer is not None
        return current.signer.token("ecr-sandbox", host, [{"type": "repository", "name": repository,
                                                            "actions": ["pull"]}])

    def token(service: str, query: dict[str, list[str]], authorization: str | None,
              form: tuple[str, str] | None) -> tuple[int, dict[str, Any]]:
        if (query.get("service") or [service])[0] != service:
            return 400, {"errors": [{"code": "UNSUPPORTED", "message": "this realm serves only " + service}]}
        return issue_token(settings, service, query, authorization, form)

    backend = (registry["address"], int(registry["backend_port"]))
    return front.Site(host, backend, FAULTS, mutability, pull_token, token,
                      blob_mounting(lambda: settings.data["moto_url"], account, region))


def blob_mounting(moto_url: Callable[[], str], account: str, region: str) -> Callable[[], bool]:
    """Is the registry's account setting ``BLOB_MOUNTING`` ``ENABLED`` (``GetAccountSetting``, answered by
    ``ecr_sandbox.moto_ext.account_settings``)? Asked on each mount request, as the tag mutability is asked on each
    manifest put; when moto cannot answer, no (a plain upload always works)."""

    def enabled() -> bool:
        try:
            return _ecr(moto_url(), account, region).get_account_setting(name="BLOB_MOUNTING")["value"] == "ENABLED"
        except (BotoCoreError, ClientError) as exc:
            log.warning("cannot read BLOB_MOUNTING of %s/%s, not mounting: %s", account, region, exc)
            return False

    return enabled


def _replicator(settings: Settings, account: str, region: str):  # type: ignore[no-untyped-def]
    def after_put(repository: str, digest: str, media_type: str, tag: str | None) -> None:
        moto_url = settings.data["moto_url"]
        replication.later(replication.replicate, lambda a, r: _ecr(moto_url, a, r),
                          lambda host, name: _registry_client(settings, host, name), settings.data["registries"],
                          moto_url, account, region, repository, digest, media_type, tag)

    return after_put


def serve(config: Path, host: str, port: int) -> None:
    Handler.settings = Settings(config)
    Handler.settings.current()
    fronts = front.Fronts(lambda name, registry: _site(Handler.settings, name, registry))
    fronts.sync(Handler.settings.current().data["registries"])
    fronts.watch(lambda: Handler.settings.current().data["registries"])
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    log.info("gateway listening on http://%s:%d", host, port)
    server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ecr_sandbox.registry.gateway")
    parser.add_argument("--config", required=True, type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("botocore").setLevel(logging.WARNING)
    serve(args.config, args.host, args.port)


if __name__ == "__main__":
    main()
