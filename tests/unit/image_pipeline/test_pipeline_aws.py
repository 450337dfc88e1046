"""Credentials of a spec environment's ``publish_role_arn``: assumed up front, and assumed again before they
expire (botocore's RefreshableCredentials), so a long publish outlives a one-hour role session.

AssumeRole's credentials carry ``Expiration`` (AWS STS API Reference, AssumeRole: "Credentials" ->
AccessKeyId, SecretAccessKey, SessionToken, Expiration); the default session lasts one hour."""
from datetime import datetime, timedelta, timezone

import pytest

from ecr_spec import Environment
from image_pipeline.ecr.aws import Sessions, new_session
from image_pipeline.core.errors import TargetError
from image_pipeline.commands.settings import CredentialSettings
from .pipeline_fakes import client_error

ROLE = "arn:aws:iam::222222222222:role/publisher"


class FakeSTS:
    def __init__(self, lifetimes):
        self.lifetimes, self.calls = list(lifetimes), []

    def assume_role(self, RoleArn, RoleSessionName):
        self.calls.append(RoleArn)
        lifetime = self.lifetimes.pop(0)
        if isinstance(lifetime, Exception):
            raise lifetime
        n = len(self.calls)
        return {"Credentials": {"AccessKeyId": f"AKIA{n}", "SecretAccessKey": f"secret{n}", "SessionToken": f"tok{n}",
                                "Expiration": datetime.now(timezone.utc) + lifetime}}


class FakeSession:
    def __init__(self, sts):
        self.sts, self.components = sts, {}

    def create_client(self, service, region_name=None, config=None):
        assert service == "sts"
        return self.sts

    def register_component(self, name, component):
        self.components[name] = component


def environment() -> Environment:
    return Environment(name="prod", account="222222222222", regions=("us-east-1",), publish_role_arn=ROLE)


def sessions(sts):
    return Sessions(CredentialSettings(), session_factory=lambda profile: FakeSession(sts))


def test_assumed_credentials_are_refreshed_before_they_expire():
    sts = FakeSTS([timedelta(minutes=5), timedelta(hours=1)])  # the first set is inside botocore's refresh window

    session = sessions(sts).for_environment(environment())
    credentials = session.components["credential_provider"].load_credentials()

    assert credentials.get_frozen_credentials().access_key == "AKIA2"
    assert sts.calls == [ROLE, ROLE]


def test_credentials_far_from_expiry_are_not_fetched_again():
    sts = FakeSTS([timedelta(hours=1)])

    credentials = sessions(sts).for_environment(environment()).components["credential_provider"].load_credentials()

    assert credentials.get_frozen_credentials().access_key == "AKIA1" and sts.calls == [ROLE]


def test_a_refused_role_is_a_target_error_at_once_naming_role_and_environment():
    sts = FakeSTS([client_error("AccessDenied", "AssumeRole", 403)])

    with pytest.raises(TargetError, match=f"cannot assume {ROLE} for environment 'prod': AccessDenied"):
        sessions(sts).for_environment(environment())


def test_a_real_botocore_session_uses_the_refreshing_credentials():
    sts = FakeSTS([timedelta(hours=1)])
    real = new_session()
    Sessions(CredentialSettings(), session_factory=lambda profile: real if profile is None and sts.calls else
             FakeSession(sts))._assumed(environment())

    assert real.get_credentials().get_frozen_credentials().access_key == "AKIA1"
