"""ECR account settings in the sandbox, through the AWS CLI users run: ``aws ecr put-account-setting`` and
``aws ecr get-account-setting`` (ECR API reference "PutAccountSetting" / "GetAccountSetting",
https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutAccountSetting.html and
https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAccountSetting.html; the command from "Blob mounting
in Amazon ECR", https://docs.aws.amazon.com/AmazonECR/latest/userguide/blob-mounting.html)."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Iterator

import pytest

from .conftest import ROOT

# an account and region no other test changes settings in
ACCOUNT, REGION = "333333333333", "eu-west-1"


def aws(sandbox, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([str(ROOT / ".venv" / "bin" / "aws"), "ecr", *args, "--region", REGION, "--profile",
                           sandbox.profile(ACCOUNT), "--output", "json"], capture_output=True, text=True,
                          check=False, timeout=120, env=os.environ)


@pytest.fixture
def registry(sandbox) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """The sandbox, with BLOB_MOUNTING put back to DISABLED (its default) after the test."""
    yield sandbox
    aws(sandbox, "put-account-setting", "--name", "BLOB_MOUNTING", "--value", "DISABLED")


def test_the_aws_cli_puts_blob_mounting_and_reads_it_back(registry):  # type: ignore[no-untyped-def]
    before = aws(registry, "get-account-setting", "--name", "BLOB_MOUNTING")
    put = aws(registry, "put-account-setting", "--name", "BLOB_MOUNTING", "--value", "ENABLED")
    after = aws(registry, "get-account-setting", "--name", "BLOB_MOUNTING")

    assert before.returncode == put.returncode == after.returncode == 0, before.stderr + put.stderr + after.stderr
    assert json.loads(before.stdout) == {"name": "BLOB_MOUNTING", "value": "DISABLED"}
    assert json.loads(put.stdout) == {"name": "BLOB_MOUNTING", "value": "ENABLED"}
    assert json.loads(after.stdout) == {"name": "BLOB_MOUNTING", "value": "ENABLED"}


def test_the_aws_cli_reports_an_invalid_value_naming_it_and_the_setting_is_unchanged(registry):  # type: ignore[no-untyped-def]
    done = aws(registry, "put-account-setting", "--name", "BLOB_MOUNTING", "--value", "YES")

    assert done.returncode != 0
    assert ("An error occurred (InvalidParameterException) when calling the PutAccountSetting operation: Invalid "
            "parameter at 'value': 'YES' is not a valid value of BLOB_MOUNTING; valid values are ENABLED or "
            "DISABLED") in done.stderr, done.stderr
    read = aws(registry, "get-account-setting", "--name", "BLOB_MOUNTING")
    assert json.loads(read.stdout)["value"] == "DISABLED"
