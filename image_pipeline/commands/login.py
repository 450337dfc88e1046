"""``login`` / ``logout``: let the plain docker CLI and docker compose use the ECR registries.

Credentials go to a docker credential helper when there is one (``credsStore`` or ``credHelpers`` in
the docker config, else a ``docker-credential-*`` helper on PATH, registered per registry host), fed on
stdin. A plaintext ``auths`` entry in config.json (what ``docker login`` writes without a helper) is
written only when the user asks for it (``--plaintext``)."""
from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from ecr_spec import RegistrySpec, Target

from ..core.errors import CredentialStoreError, SettingsError
from ..ecr.registries import registry_host
from .runtime import Runtime
from .settings import LoginSettings

KNOWN_HELPERS = ("pass", "secretservice", "osxkeychain", "wincred")
Which = Callable[[str], str | None]


@dataclass(frozen=True)
class LoginResult:
    environment: str
    host: str
    store: str


def chosen_targets(spec: RegistrySpec, environments: Sequence[str]) -> tuple[Target, ...]:
    known = {e.name for e in spec.environments}
    for name in environments:
        if name not in known:
            raise SettingsError(f"environment {name!r} is not in the registry spec (it has: {', '.join(sorted(known))})")
    return tuple(t for t in spec.targets() if not environments or t.environment in environments)


def read_config(directory: Path) -> dict[str, Any]:
    path = directory / "config.json"
    if not path.exists():
        return {}
    try:
        loaded = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError) as error:
        raise CredentialStoreError(f"cannot read the docker config {path}: {error}") from error
    return loaded if isinstance(loaded, dict) else {}


def write_config(directory: Path, config: dict[str, Any]) -> None:
    """Atomically, readable by the owner only (it may hold plaintext auths)."""
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".config.json.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(config, out, indent=2)
    os.chmod(temporary, 0o600)
    os.replace(temporary, directory / "config.json")


def helper_for(config: dict[str, Any], host: str, which: Which = shutil.which) -> str | None:
    """The credential helper for ``host``: the config's own choice, else the first one on PATH."""
    configured = (config.get("credHelpers") or {}).get(host) or config.get("credsStore")
    if configured:
        if which(f"docker-credential-{configured}") is None:
            raise CredentialStoreError(f"the docker config names credential helper {configured!r} but "
                                       f"docker-credential-{configured} is not on PATH; install it")
        return str(configured)
    return next((name for name in KNOWN_HELPERS if which(f"docker-credential-{name}")), None)


def login(settings: LoginSettings, runtime: Runtime, which: Which = shutil.which) -> list[LoginResult]:
    from docker.credentials import Store
    from docker.credentials.errors import StoreError
    config = read_config(settings.docker_config)
    results = []
    for target in chosen_targets(runtime.spec, settings.environments):
        token = runtime.token(target)
        host = token.proxy_endpoint
        helper = helper_for(config, host, which)
        if helper:
            try:
                Store(helper).store(server=host, username=token.username, secret=token.password)
            except StoreError as error:
                raise CredentialStoreError(f"docker-credential-{helper} could not store {host}: {error}") from error
            if config.get("credsStore") != helper:
                config.setdefault("credHelpers", {})[host] = helper
            config.get("auths", {}).pop(host, None)
            results.append(LoginResult(target.environment, host, f"credential helper docker-credential-{helper}"))
        elif settings.plaintext:
            secret = base64.b64encode(f"{token.username}:{token.password}".encode()).decode()
            config.setdefault("auths", {})[host] = {"auth": secret}
            results.append(LoginResult(target.environment, host,
                                       f"plaintext file {settings.docker_config / 'config.json'} (--plaintext)"))
        else:
            raise CredentialStoreError(
                "no docker credential helper found (docker-credential-pass, -secretservice, ... on PATH, or "
                f"credsStore in {settings.docker_config / 'config.json'}); install one, or pass --plaintext "
                "to store the token base64-encoded in config.json as `docker login` does")
    write_config(settings.docker_config, config)
    return results


def logout(settings: LoginSettings, runtime: Runtime, which: Which = shutil.which) -> list[LoginResult]:
    """Removes what ``login`` stored for the chosen environments' registries."""
    from docker.credentials import Store
    from docker.credentials.errors import CredentialsNotFound, StoreError
    config = read_config(settings.docker_config)
    results = []
    for target in chosen_targets(runtime.spec, settings.environments):
        host = registry_host(target.account, target.region)
        helper = (config.get("credHelpers") or {}).get(host) or config.get("credsStore")
        removed = []
        if helper and which(f"docker-credential-{helper}"):
            try:
                Store(helper).erase(host)
                removed.append(f"credential helper docker-credential-{helper}")
            except CredentialsNotFound:
                pass
            except StoreError as error:
                raise CredentialStoreError(f"docker-credential-{helper} could not erase {host}: {error}") from error
        (config.get("credHelpers") or {}).pop(host, None)
        if (config.get("auths") or {}).pop(host, None) is not None:
            removed.append(f"plaintext file {settings.docker_config / 'config.json'}")
        results.append(LoginResult(target.environment, host, ", ".join(removed) or "nothing stored"))
    write_config(settings.docker_config, config)
    return results
