"""The two shapes every sandbox patch of moto takes, written once (used by ``cfn``, ``templates`` and
``registry_features``; all run inside the moto server process).

- ``CfnResource``: the CloudFormation model boilerplate of a resource moto lacks. A mixin: moto finds models
  through ``CloudFormationModel.__subclasses__()``, which lists only direct subclasses, so each concrete class
  names ``CloudFormationModel`` itself: ``class X(CfnResource, CloudFormationModel)``.
- ``add_methods``: new or replaced methods on a moto class (``ECRResponse``, a backend), once per process.
- ``ecr_error`` and ``registry_of``: an ECR error of the API model's name, and the registry (account, region) a
  request names, for the ``ECRResponse`` methods those patches add.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping


class CfnResource:
    """A CloudFormation resource in an account and region, typed ``CFN_TYPE``, with ``CFN_ATTRIBUTES`` for
    ``Fn::GetAtt``. Its physical id is the account (a registry-wide setting) unless a subclass says otherwise;
    an update is a create unless a subclass says otherwise. Subclasses write create and delete."""

    CFN_TYPE = ""
    CFN_ATTRIBUTES: tuple[str, ...] = ()

    def __init__(self, account_id: str, region_name: str) -> None:
        self.account_id = account_id
        self.region_name = region_name

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.CFN_TYPE

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @property
    def physical_resource_id(self) -> str:
        return self.account_id

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.CFN_ATTRIBUTES

    def is_created(self) -> bool:
        return True

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):  # type: ignore[no-untyped-def]
        return cls.create_from_cloudformation_json(  # type: ignore[attr-defined]
            new_resource_name, cloudformation_json, account_id, region_name)


class PrefixedResource(CfnResource):
    """A ``CfnResource`` whose physical id is a repository prefix (pull through cache rules, creation
    templates)."""

    def __init__(self, account_id: str, region_name: str, prefix: str) -> None:
        super().__init__(account_id, region_name)
        self.prefix = prefix

    @property
    def physical_resource_id(self) -> str:
        return self.prefix


def ecr_error(code: str, message: str) -> Exception:
    """An ECR error of the API model's name (moto serializes ``code`` and the message; HTTP 400)."""
    from moto.core.exceptions import ServiceException

    return type(code, (ServiceException,), {"code": code})(message)


def registry_of(self: Any) -> tuple[str, str]:
    """The registry an ``ECRResponse`` request names: its ``registryId`` (else the caller's account) and region."""
    return self._get_param("registryId") or self.current_account, self.region


def add_methods(target: type, marker: str, methods: Mapping[str, Callable[..., Any]]) -> None:
    """Sets each of ``methods`` (name -> function) on ``target`` and marks it with ``marker``; once marked,
    another call changes nothing."""
    if getattr(target, marker, False):
        return
    for name, method in methods.items():
        setattr(target, name, method)
    setattr(target, marker, True)
