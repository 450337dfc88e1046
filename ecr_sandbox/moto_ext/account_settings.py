"""ECR's account settings in the sandbox's moto, which has none: ``PutAccountSetting`` and ``GetAccountSetting``.

Shapes from the ECR API model (botocore ``ecr`` ``PutAccountSettingRequest``/``Response``,
``GetAccountSettingRequest``/``Response``: ``{"name", "value"}``) and the API reference pages "PutAccountSetting"
and "GetAccountSetting" (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutAccountSetting.html):
the name is 1..64 characters (else ``ValidationException``); the names and their values are

- ``BASIC_SCAN_TYPE_VERSION``: ``AWS_NATIVE`` or ``CLAIR``; default ``AWS_NATIVE`` ("All new customer registries
  are opted into this improved version by default", user guide "Scan images for OS vulnerabilities in Amazon ECR");
- ``REGISTRY_POLICY_SCOPE``: ``V1`` or ``V2``; default ``V2`` ("The V2 version is the default registry policy
  scope", user guide "Private registry permissions in Amazon ECR");
- ``BLOB_MOUNTING``: ``ENABLED`` or ``DISABLED``; default ``DISABLED`` (the user guide, "Blob mounting in Amazon
  ECR", describes turning it on and names no default: the sandbox's choice, written in docs/sandbox.md).

Anything else is refused with ``InvalidParameterException`` naming the value. Settings are kept per account and
region (a registry's settings, like every private registry setting). The sandbox acts on ``BLOB_MOUNTING`` only:
its TLS front (``ecr_sandbox.registry.front``) lets a cross-repository mount through only when it is ``ENABLED``.
``install()`` must run in the moto server process before the first request.
"""

from __future__ import annotations

import threading
from typing import Any

from ecr_sandbox.moto_ext.patching import add_methods, ecr_error

NAME_MAX = 64  # AccountSettingName: "Length Constraints: Minimum length of 1. Maximum length of 64."
VALUES: dict[str, tuple[str, ...]] = {
    "BASIC_SCAN_TYPE_VERSION": ("AWS_NATIVE", "CLAIR"),
    "REGISTRY_POLICY_SCOPE": ("V1", "V2"),
    "BLOB_MOUNTING": ("ENABLED", "DISABLED"),
}
DEFAULTS = {"BASIC_SCAN_TYPE_VERSION": "AWS_NATIVE", "REGISTRY_POLICY_SCOPE": "V2", "BLOB_MOUNTING": "DISABLED"}

_LOCK = threading.Lock()
_SETTINGS: dict[tuple[str, str], dict[str, str]] = {}  # (account, region) -> name -> value


class SettingError(Exception):
    """A refused request: ``code`` is the ECR API model's error shape."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def check_name(name: Any) -> str:
    """The name, or a ``SettingError`` naming it (length first, as the service validates constraints first)."""
    text = name if isinstance(name, str) else ""
    if not 1 <= len(text) <= NAME_MAX:
        bound = "greater than or equal to 1" if not text else f"less than or equal to {NAME_MAX}"
        raise SettingError("ValidationException", f"1 validation error detected: Value '{text}' at 'name' failed "
                                                  f"to satisfy constraint: Member must have length {bound}")
    if text not in VALUES:
        raise SettingError("InvalidParameterException",
                           f"Invalid parameter at 'name': '{text}' is not an account setting; valid names are "
                           f"{', '.join(VALUES)}")
    return text


def check_value(name: str, value: Any) -> str:
    valid = VALUES[name]
    if value not in valid:
        raise SettingError("InvalidParameterException",
                           f"Invalid parameter at 'value': '{value}' is not a valid value of {name}; valid values "
                           f"are {' or '.join(valid)}")
    return str(value)


def put_setting(account: str, region: str, name: Any, value: Any) -> dict[str, str]:
    """``PutAccountSetting``: validates, stores, answers ``{"name", "value"}``."""
    name = check_name(name)
    value = check_value(name, value)
    with _LOCK:
        _SETTINGS.setdefault((account, region), {})[name] = value
    return {"name": name, "value": value}


def get_setting(account: str, region: str, name: Any) -> dict[str, str]:
    """``GetAccountSetting``: the stored value, else the default."""
    name = check_name(name)
    with _LOCK:
        value = _SETTINGS.get((account, region), {}).get(name, DEFAULTS[name])
    return {"name": name, "value": value}


def reset() -> None:
    """Forget every setting (tests)."""
    with _LOCK:
        _SETTINGS.clear()


def _patch_ecr_api() -> None:
    from moto.core.responses import ActionResult
    from moto.ecr.responses import ECRResponse

    def answer(call: Any) -> Any:
        try:
            return ActionResult(call())
        except SettingError as exc:
            raise ecr_error(exc.code, exc.message) from exc

    def put_account_setting(self):  # type: ignore[no-untyped-def]
        return answer(lambda: put_setting(self.current_account, self.region, self._get_param("name"),
                                          self._get_param("value")))

    def get_account_setting(self):  # type: ignore[no-untyped-def]
        return answer(lambda: get_setting(self.current_account, self.region, self._get_param("name")))

    add_methods(ECRResponse, "_sandbox_account_settings",
                {"put_account_setting": put_account_setting, "get_account_setting": get_account_setting})


def install() -> None:
    _patch_ecr_api()
