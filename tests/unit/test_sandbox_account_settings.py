"""ECR's account settings in the sandbox's moto (ecr_sandbox.moto_ext.account_settings) and what the TLS front does with
BLOB_MOUNTING, through boto3 against moto in-process.

Shapes and rules: ECR API reference "PutAccountSetting" and "GetAccountSetting"
(https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutAccountSetting.html, .../API_GetAccountSetting.html:
``{"name", "value"}``, name 1..64 characters, InvalidParameterException / ValidationException, HTTP 400) and
botocore's ecr service model; defaults: user guide "Scan images for OS vulnerabilities in Amazon ECR" (AWS_NATIVE for
new registries), "Private registry permissions in Amazon ECR" (V2 is the default scope), "Blob mounting in Amazon ECR"
(no default stated: the sandbox says DISABLED, docs/sandbox.md)."""
from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws

from ecr_sandbox.moto_ext import account_settings as moto_account_settings
from ecr_sandbox.registry import gateway
from ecr_sandbox.common.faults import FaultBook
from ecr_sandbox.registry.front import Site

moto_account_settings.install()


@pytest.fixture
def ecr():  # type: ignore[no-untyped-def]
    moto_account_settings.reset()
    with mock_aws():
        yield boto3.client("ecr", region_name="us-east-1")
    moto_account_settings.reset()


def refusal(call) -> dict:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return caught.value.response["Error"]


def test_blob_mounting_reads_disabled_until_it_is_put(ecr):  # type: ignore[no-untyped-def]
    assert ecr.get_account_setting(name="BLOB_MOUNTING")["value"] == "DISABLED"


@pytest.mark.parametrize("name, value", [("BASIC_SCAN_TYPE_VERSION", "AWS_NATIVE"), ("REGISTRY_POLICY_SCOPE", "V2")])
def test_the_other_settings_read_the_defaults_aws_documents(ecr, name, value):  # type: ignore[no-untyped-def]
    assert ecr.get_account_setting(name=name) | {"ResponseMetadata": None} == {
        "name": name, "value": value, "ResponseMetadata": None}


def test_a_put_setting_is_answered_with_name_and_value_and_read_back(ecr):  # type: ignore[no-untyped-def]
    answer = ecr.put_account_setting(name="BLOB_MOUNTING", value="ENABLED")

    assert (answer["name"], answer["value"]) == ("BLOB_MOUNTING", "ENABLED")
    assert ecr.get_account_setting(name="BLOB_MOUNTING")["value"] == "ENABLED"


def test_a_setting_belongs_to_one_region_of_the_account(ecr):  # type: ignore[no-untyped-def]
    ecr.put_account_setting(name="BLOB_MOUNTING", value="ENABLED")

    other = boto3.client("ecr", region_name="eu-west-1")

    assert other.get_account_setting(name="BLOB_MOUNTING")["value"] == "DISABLED"


def test_an_unknown_value_is_refused_naming_the_value_and_the_valid_ones(ecr):  # type: ignore[no-untyped-def]
    error = refusal(lambda: ecr.put_account_setting(name="BLOB_MOUNTING", value="ON"))

    assert error["Code"] == "InvalidParameterException"
    assert error["Message"] == ("Invalid parameter at 'value': 'ON' is not a valid value of BLOB_MOUNTING; "
                                "valid values are ENABLED or DISABLED")
    assert ecr.get_account_setting(name="BLOB_MOUNTING")["value"] == "DISABLED"


def test_a_value_of_another_setting_is_refused(ecr):  # type: ignore[no-untyped-def]
    error = refusal(lambda: ecr.put_account_setting(name="REGISTRY_POLICY_SCOPE", value="ENABLED"))

    assert error["Code"] == "InvalidParameterException" and "'ENABLED'" in error["Message"]


def test_an_unknown_setting_name_is_refused_naming_it(ecr):  # type: ignore[no-untyped-def]
    error = refusal(lambda: ecr.get_account_setting(name="BLOB_MOUNTS"))

    assert error["Code"] == "InvalidParameterException"
    assert error["Message"].startswith("Invalid parameter at 'name': 'BLOB_MOUNTS' is not an account setting")


def test_a_name_longer_than_64_characters_fails_validation(ecr):  # type: ignore[no-untyped-def]
    error = refusal(lambda: ecr.put_account_setting(name="B" * 65, value="ENABLED"))

    assert error["Code"] == "ValidationException"
    assert error["Message"].endswith("at 'name' failed to satisfy constraint: Member must have length less than "
                                     "or equal to 64")


# --- the front: mount= and from= reach the registry only when BLOB_MOUNTING is ENABLED ---------------------------

def site(enabled: bool) -> Site:
    return Site("111111111111.dkr.ecr.us-east-1.amazonaws.com", "111111111111", "us-east-1", ("127.0.0.1", 5000),
                FaultBook(), secret=lambda: "", decide=lambda credential, request: None,
                backend_token=lambda repositories: "", mutability=lambda repository: None,
                blob_mounting=lambda: enabled)


class _Settings:
    """What ``gateway.blob_mounting`` reads of the gateway's settings."""

    data = {"moto_url": "http://moto"}

    def current(self) -> "_Settings":
        return self

    def secret(self) -> str:
        return ""


MOUNT = "/v2/team/api/blobs/uploads/?mount=sha256%3Aabc&from=team%2Fbase"


def test_without_blob_mounting_the_mount_request_becomes_a_plain_upload():
    assert site(False).upload_target(MOUNT) == "/v2/team/api/blobs/uploads/"


def test_with_blob_mounting_the_mount_request_reaches_the_registry_as_sent():
    assert site(True).upload_target(MOUNT) == MOUNT


def test_an_upload_without_mount_keeps_its_other_parameters():
    target = "/v2/team/api/blobs/uploads/?digest=sha256%3Aabc"

    assert site(False).upload_target(target) == target


def test_the_gateway_follows_a_changed_setting(ecr, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(gateway, "_ecr", lambda url, account, region, secret: ecr)
    enabled = gateway.blob_mounting(_Settings(), "123456789012", "us-east-1")
    assert enabled() is False

    ecr.put_account_setting(name="BLOB_MOUNTING", value="ENABLED")

    assert enabled() is True


def test_the_gateway_does_not_mount_when_moto_cannot_answer(monkeypatch):  # type: ignore[no-untyped-def]
    def unreachable(url, account, region, secret):  # type: ignore[no-untyped-def]
        return boto3.client("ecr", region_name=region, endpoint_url="http://127.0.0.1:9",
                            aws_access_key_id="x", aws_secret_access_key="y",
                            config=Config(retries={"max_attempts": 1}, connect_timeout=1))

    monkeypatch.setattr(gateway, "_ecr", unreachable)

    assert gateway.blob_mounting(_Settings(), "123456789012", "us-east-1")() is False
