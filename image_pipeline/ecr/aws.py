"""AWS sessions and clients per destination account, created once and shared between threads.

botocore directly (not boto3): it imports in a third of the time, and one data loader (``models.ModelLoader``) is
shared by every session so each service model is parsed once per process; this keeps an unchanged republish
fast."""
from __future__ import annotations

import copy
import functools
import os
import threading
from datetime import datetime
from typing import Any, Callable

import botocore.credentials
import botocore.exceptions
import botocore.hooks
import botocore.session
from botocore.config import Config

from ecr_spec import Environment

from ..core.errors import RegistryError, TargetError
from . import models
from .config import CredentialSettings

CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=5, read_timeout=60)
SessionFactory = Callable[[str | None], Any]
# ECR API failures another attempt may fix (API reference, "Common Errors": ThrottlingException,
# ServiceUnavailable, InternalFailure; HTTP 429 and 5xx)
TRANSIENT_CODES = frozenset({"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
                             "ServiceUnavailable", "ServiceUnavailableException", "InternalFailure",
                             "InternalServerError", "ServerException", "RequestTimeout", "RequestTimeoutException"})

_LOADER = models.create_loader(os.environ.get("AWS_DATA_PATH"))  # as a botocore session makes its own


@functools.cache
def _builtin_handlers() -> botocore.hooks.HierarchicalEmitter:
    """The event hooks every botocore session starts with: its built-in handlers, registered once per process (a
    session registering them itself spends milliseconds inspecting each handler's signature)."""
    hooks = botocore.hooks.HierarchicalEmitter()
    botocore.session.Session(event_hooks=hooks)  # registers botocore's built-in handlers into ``hooks``
    return hooks


def new_session(profile: str | None = None) -> Any:
    """A botocore session (optionally for ``profile``) sharing the process-wide model loader, its event hooks a
    copy of botocore's built-in ones (``Session(event_hooks=..., include_builtin_handlers=False)``)."""
    session = botocore.session.Session(profile=profile, event_hooks=copy.copy(_builtin_handlers()),
                                       include_builtin_handlers=False)
    session.register_component("data_loader", _LOADER)
    return session


def describe_error(error: Exception) -> str:
    """One line for a botocore error (an HTML error page becomes its status), never with credentials."""
    if isinstance(error, botocore.exceptions.ClientError):
        info = error.response.get("Error", {})
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        message = " ".join(str(info.get("Message", "")).split())
        if "<html" in message.lower() or "<!doctype" in message.lower():
            message = f"HTTP {status} from the AWS endpoint"
        return f"{info.get('Code', 'Error')}: {message}".rstrip(": ")
    return " ".join(str(error).split())


def api_transient(error: Exception) -> bool:
    """Whether another attempt at an ECR API call may succeed: throttling and service-side failures (by code
    or HTTP status 429/5xx) and broken connections; never refused or invalid requests."""
    if isinstance(error, botocore.exceptions.ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return error.response.get("Error", {}).get("Code") in TRANSIENT_CODES or status == 429 or status >= 500
    return isinstance(error, (botocore.exceptions.ConnectionClosedError, botocore.exceptions.ReadTimeoutError,
                              botocore.exceptions.ConnectTimeoutError))


def api_failure(error: Exception, what: str) -> RegistryError:
    """An ECR API call's failure as one line and the retry policy's verdict."""
    return RegistryError(f"{what}: {describe_error(error)}", transient=api_transient(error))


class _Assumed(botocore.credentials.CredentialProvider):
    """Hands a session the refreshing credentials of an assumed role."""

    METHOD = "assume-role"

    def __init__(self, credentials: botocore.credentials.RefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> botocore.credentials.RefreshableCredentials:
        return self._credentials


class Sessions:
    """Sessions per account (see ``CredentialSettings`` for the order) and their clients."""

    def __init__(self, settings: CredentialSettings, session_factory: SessionFactory = new_session) -> None:
        self._settings = settings
        self._factory = session_factory
        self._lock = threading.Lock()
        self._sessions: dict[str, Any] = {}
        self._origins: dict[int, str] = {}
        self._clients: dict[tuple[int, str, str], Any] = {}
        self._base: Any = None

    def base(self) -> Any:
        with self._lock:
            return self._base_locked()

    def _base_locked(self) -> Any:
        if self._base is None:
            self._base = self._make(self._settings.base_profile, "--profile")
        return self._base

    def _make(self, profile: str | None, origin: str) -> Any:
        session = self._factory(profile)
        if profile:
            self._origins[id(session)] = f"AWS profile {profile!r} (from {origin})"
        return session

    def for_environment(self, environment: Environment) -> Any:
        with self._lock:
            if environment.name not in self._sessions:
                self._sessions[environment.name] = self._session_for(environment)
            return self._sessions[environment.name]

    def _session_for(self, environment: Environment) -> Any:
        if environment.publish_role_arn:
            return self._assumed(environment)
        if self._settings.profile_template:
            profile = self._settings.profile_template.format(account=environment.account,
                                                             environment=environment.name)
            return self._make(profile, "IMAGE_PIPELINE_PROFILE_TEMPLATE")
        return self._base_locked()

    def _assumed(self, environment: Environment) -> Any:
        """A session with the role's credentials, assumed now (so pre-flight sees a refusal) and again
        whenever they near their expiry (botocore's ``RefreshableCredentials``: 15 minutes before it, on
        the next call), so a publish longer than the role session (1 h by default) keeps working."""
        sts = self._client_locked(self._base_locked(), "sts", None)
        role = str(environment.publish_role_arn)

        def assume() -> dict[str, str]:
            try:
                answer = sts.assume_role(RoleArn=role, RoleSessionName="image-pipeline")["Credentials"]
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
                raise TargetError(f"cannot assume {role} for environment {environment.name!r}: "
                                  f"{describe_error(error)}") from error
            expiry = answer["Expiration"]
            return {"access_key": answer["AccessKeyId"], "secret_key": answer["SecretAccessKey"],
                    "token": answer["SessionToken"],
                    "expiry_time": expiry.isoformat() if isinstance(expiry, datetime) else str(expiry)}

        credentials = botocore.credentials.RefreshableCredentials.create_from_metadata(
            assume(), assume, "assume-role")
        session = self._factory(None)
        session.register_component("credential_provider",
                                   botocore.credentials.CredentialResolver([_Assumed(credentials)]))
        return session

    def client(self, session: Any, service: str, region: str | None) -> Any:
        with self._lock:
            return self._client_locked(session, service, region)

    def _client_locked(self, session: Any, service: str, region: str | None) -> Any:
        key = (id(session), service, region or "")
        if key not in self._clients:
            try:
                self._clients[key] = session.create_client(service, region_name=region, config=CLIENT_CONFIG)
            except botocore.exceptions.ProfileNotFound as error:
                where = self._origins.get(id(session), "an AWS profile")
                raise TargetError(f"{where} is not in the AWS config; add it or set AWS_CONFIG_FILE") from error
            except botocore.exceptions.BotoCoreError as error:
                raise TargetError(f"cannot make an AWS {service} client: {describe_error(error)}") from error
        return self._clients[key]

    def ecr(self, environment: Environment, region: str) -> Any:
        return self.client(self.for_environment(environment), "ecr", region)
