"""The gateway process: the registries' TLS fronts, push bridge, replication and fault admin.

``python -m ecr_sandbox.registry.gateway --config .sandbox/gateway.json`` serves

- on every registry's ``127.0.0.N:443``: the TLS front (``ecr_sandbox.registry.front``), which authenticates ECR
  tokens, has every request decided here (``decide``: the repository, its policy and the sandbox's organization,
  through ``ecr_sandbox.model.iam``), refuses overwrites of immutable tags, and forwards to the registry with its
  own token (``ecr_sandbox.registry.tokens``);
- on ``http://127.0.0.1:PORT``:
  - ``POST /events/ACCT/REG`` registry notifications (see ``ecr_sandbox.registry.bridge``), then replication of
    what was recorded (see ``ecr_sandbox.registry.replication``); requires the per-sandbox secret header;
  - ``POST /store/ACCT/REG`` what an ECR API call changed, done in the registry too (``ecr_sandbox.registry.store``,
    asked by moto); the same;
  - ``POST|DELETE /admin/faults`` arm or clear faults of the fronts (``ecr_sandbox.common.faults``); the same;
  - ``GET /healthz`` liveness.

It re-reads its config file whenever it changes, so ``up`` with a new spec needs no restart.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import threading
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from ecr_sandbox.registry import access, bridge, front, replication, store, tokens
from ecr_sandbox.common import admin, generation
from ecr_sandbox.common.aws import moto_client, sandbox_call
from ecr_sandbox.common.faults import SECRET_HEADER, FaultBook, authorized, read_secret
from ecr_sandbox.model.names import registry_host
from ecr_sandbox.registry.client import RegistryClient

log = logging.getLogger("ecr_sandbox.registry.gateway")
FAULTS = FaultBook()
COLLECTOR_THRESHOLD = (100_000, 10, 10)  # the cyclic collector's thresholds (CPython's default: 700, 10, 10)
RECORDS = bridge.Records()  # the pushes the bridge has handled, which manifest PUTs wait for
REMEMBERED = generation.Remembered()  # moto's answers, while its generation stays the same


class Settings:
    """The gateway config file, re-read when its modification time changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime = -1.0
        self._lock = threading.Lock()
        self.data: dict[str, Any] = {}
        self.signer: tokens.Signer | None = None

    def secret(self) -> str:
        return read_secret(Path(self.data["secret_file"]))

    def current(self) -> "Settings":
        mtime = self.path.stat().st_mtime
        with self._lock:
            if mtime != self._mtime:
                self.data = json.loads(self.path.read_text())
                self.signer = tokens.Signer.load(self.data["signer_cert"], self.data["signer_key"])
                self._mtime = mtime
        return self


@lru_cache(maxsize=256)
def _ecr(moto_url: str, account: str, region: str, secret: str) -> Any:
    """The gateway's own moto client for one registry (with the sandbox's secret: moto lets it through)."""
    return moto_client("ecr", moto_url, account, region, secret)


def own_ecr(settings: "Settings", account: str, region: str) -> Any:
    return _ecr(settings.data["moto_url"], account, region, settings.secret())


def gateway_of(settings: "Settings") -> access.Gateway:
    """What the decisions behind a registry request need (``ecr_sandbox.registry.access``)."""
    return access.Gateway(settings.data, settings.secret(), lambda a, r: own_ecr(settings, a, r),
                          lambda host, name: _registry_client(settings, host, name), REMEMBERED)


def referrers(settings: "Settings", account: str, region: str) -> Callable[[str, str, str | None],
                                                                          list[dict[str, Any]]]:
    """The referrers API's descriptors, from ``ListImageReferrers`` (moto keeps each manifest's subject)."""

    def found(repository: str, digest: str, artifact_type: str | None) -> list[dict[str, Any]]:
        ecr = own_ecr(settings.current(), account, region)
        options: dict[str, Any] = {"repositoryName": repository, "subjectId": {"imageDigest": digest}}
        if artifact_type:
            options["filter"] = {"artifactTypes": [artifact_type]}
        listed = ecr.list_image_referrers(**options)["referrers"]
        return [{"mediaType": r["mediaType"], "digest": r["digest"], "size": r["size"],
                 **({"artifactType": r["artifactType"]} if r.get("artifactType") else {}),
                 **({"annotations": r["annotations"]} if r.get("annotations") else {})} for r in listed]

    return found


def pulled(settings: "Settings", account: str, region: str) -> Callable[[str, str], None]:
    """Record a pull in moto (``lastRecordedPullTime``), on a thread of its own: the pull does not wait for it."""

    def record(repository: str, digest: str) -> None:
        def call() -> None:
            try:
                sandbox_call(settings.data["moto_url"], settings.secret(), account, region, "SandboxRecordPull",
                             {"repositoryName": repository, "imageDigest": digest})
            except OSError as exc:
                log.warning("could not record the pull of %s %s: %s", repository, digest, exc)

        threading.Thread(target=call, name="record-pull", daemon=True).start()

    return record


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
        else:
            self._send(404, {"error": "not found"})

    def _authorized(self) -> bool:
        if authorized(self.headers.get(SECRET_HEADER), Path(self.settings.current().data["secret_file"])):
            return True
        self._send(401, {"error": f"the {SECRET_HEADER} header must carry the sandbox's secret"})
        return False

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        body = self._body()
        if url.path.startswith("/events/"):
            if self._authorized():
                _events(self, url.path.split("/")[2:], body)
        elif url.path.startswith("/store/"):
            if self._authorized():
                _store(self, url.path.split("/")[2:], body)
        elif url.path == admin.GATEWAY_FAULTS:
            if self._authorized():
                self._send(*FAULTS.handle_admin("POST", body))
        else:
            self._send(404, {"error": "not found"})

    def do_DELETE(self) -> None:  # noqa: N802
        self._body()
        if urlsplit(self.path).path == admin.GATEWAY_FAULTS:
            if self._authorized():
                self._send(*FAULTS.handle_admin("DELETE", b""))
        else:
            self._send(404, {"error": "not found"})


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
                             lambda: own_ecr(settings, account, region),
                             _replicator(settings, account, region),
                             lambda repository, digest, tag: RECORDS.handled((host, repository, digest, tag)))
    except bridge.Retry as exc:
        log.warning("moto unreachable, the registry will retry: %s", exc)
        handler._send(503, {"error": "moto unreachable"})
        return
    except (ValueError, AttributeError):
        handler._send(400, {"error": "events must be a JSON object with an events list"})
        return
    handler._send(200, {"ok": True})



def _store(handler: Handler, parts: list[str], body: bytes) -> None:
    """``/store/ACCOUNT/REGION``: make the registry agree with a change made through the ECR API (moto asks)."""
    settings = handler.settings.current()
    registry = settings.data["registries"].get(registry_host(*parts)) if len(parts) == 2 else None
    if registry is None:
        handler._send(404, {"error": "the sandbox runs no such registry"})
        return
    try:
        operation = json.loads(body)
        if operation.get("op") == "backfill":
            handler._send(*_backfill(settings, parts[0], parts[1], operation))
            return
        client = _registry_client(settings, registry_host(*parts), str(operation["repository"]))
    except (ValueError, KeyError, TypeError):
        handler._send(400, {"error": "a store operation is a JSON object with op and repository"})
        return
    handler._send(*store.answer(operation, client, Path(registry["storage"])))


def _backfill(settings: Settings, account: str, region: str, operation: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """A replication backfill moto started (``ecr_sandbox.moto_ext.backfill``): replicate each (image, tag) to the
    destination as replication does, on a thread of its own, and report each result back to moto."""
    destination = (str(operation["destination"][0]), str(operation["destination"][1]))
    source = Path(settings.data["registries"][registry_host(account, region)]["storage"])
    allowed = access.replication_allowed(gateway_of(settings), account)

    def run() -> None:
        for item in operation.get("items") or ():
            code = replication.replicate_to(destination, lambda a, r: own_ecr(settings, a, r),
                                            lambda host, name: _registry_client(settings, host, name),
                                            settings.data["registries"], source, item["repository"], item["digest"],
                                            item["mediaType"], item.get("tag"), allowed)
            result = {"replicationBackfillId": operation["id"], "registryId": account,
                      "repositoryName": item["repository"], "imageDigest": item["digest"],
                      "imageTag": item.get("tag"), "status": "FAILED" if code else "COMPLETE"}
            if code:
                result["failureCode"] = code
            try:
                sandbox_call(settings.data["moto_url"], settings.secret(), account, region,
                             "SandboxRecordBackfillResult", result)
            except OSError as exc:
                log.error("could not record a backfill result of %s: %s", item["repository"], exc)

    threading.Thread(target=run, name="backfill", daemon=True).start()
    return 202, {"accepted": len(operation.get("items") or ())}


def _registry_client(settings: Settings, host: str, repository: str) -> RegistryClient:
    """The gateway's own client of one of the sandbox's registries: straight to the registry behind the front,
    with the front's token (the gateway's writes are the sandbox's own, decided already)."""
    assert settings.signer is not None
    registry = settings.data["registries"][host]
    return RegistryClient(host, "Bearer " + settings.signer.front_token(host, (repository,)),
                          address=(registry["address"], int(registry["backend_port"])))


def _site(settings: Settings, host: str, registry: dict[str, Any]) -> front.Site:
    """What the TLS front of ``host`` needs from the gateway."""
    account, region = registry["account"], registry["region"]

    def mutability(repository: str) -> tuple[str, list[dict[str, str]]] | None:
        found, _ = gateway_of(settings.current()).repository(account, region, repository)
        if found is None:
            return None
        return found.get("imageTagMutability", "MUTABLE"), found.get("imageTagMutabilityExclusionFilters") or []

    def backend_token(repositories: tuple[str, ...]) -> str:
        current = settings.current()
        assert current.signer is not None
        return current.signer.front_token(host, repositories)

    backend = (registry["address"], int(registry["backend_port"]))
    return front.Site(host, account, region, backend, FAULTS, secret=lambda: settings.current().secret(),
                      decide=lambda credential, request: access.decide(gateway_of(settings.current()), account,
                                                                       region, credential, request),
                      backend_token=backend_token, mutability=mutability,
                      blob_mounting=blob_mounting(settings, account, region),
                      pulled=pulled(settings, account, region),
                      referrers=referrers(settings, account, region),
                      push_mark=RECORDS.mark,
                      push_recorded=lambda repository, digest, tag, mark: RECORDS.wait_since(
                          (host, repository, digest, tag), mark))


def blob_mounting(settings: Settings, account: str, region: str) -> Callable[[], bool]:
    """Is the registry's account setting ``BLOB_MOUNTING`` ``ENABLED`` (``GetAccountSetting``, answered by
    ``ecr_sandbox.moto_ext.account_settings``)? Asked on each mount request (remembered while moto's state stays
    the same), as the tag mutability is asked on each manifest put; when moto cannot answer, no (a plain upload
    always works)."""

    def enabled() -> bool:
        try:
            return gateway_of(settings.current()).remember(
                ("BLOB_MOUNTING", account, region),
                lambda: own_ecr(settings.current(), account, region).get_account_setting(
                    name="BLOB_MOUNTING")["value"] == "ENABLED")
        except (BotoCoreError, ClientError) as exc:
            log.warning("cannot read BLOB_MOUNTING of %s/%s, not mounting: %s", account, region, exc)
            return False

    return enabled


def _replicator(settings: Settings, account: str, region: str):  # type: ignore[no-untyped-def]
    def after_put(repository: str, digest: str, media_type: str, tag: str | None) -> None:
        moto_url = settings.data["moto_url"]
        replication.later(replication.replicate, lambda a, r: own_ecr(settings, a, r),
                          lambda host, name: _registry_client(settings, host, name), settings.data["registries"],
                          moto_url, account, region, repository, digest, media_type, tag, settings.secret(),
                          access.replication_allowed(gateway_of(settings), account))

    return after_put


def serve(config: Path, host: str, port: int) -> None:
    Handler.settings = Settings(config)
    Handler.settings.current()
    fronts = front.Fronts(lambda name, registry: _site(Handler.settings, name, registry))
    fronts.sync(Handler.settings.current().data["registries"])
    fronts.watch(lambda: Handler.settings.current().data["registries"])
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    # what start-up made (botocore's models, the fronts) stays: the cyclic collector leaves it alone from now on,
    # and runs rarely (at CPython's default it took 13-18% of the gateway's CPU during a 12-registry push: perf)
    gc.collect()
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLD)
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
