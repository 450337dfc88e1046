#!/usr/bin/env python3
"""A CDK app as most CDK users meet ECR: a ``DockerImageAsset`` that a Lambda function runs
(``DockerImageFunction`` / ``DockerImageCode.from_image_asset``). ``cdk deploy`` builds the image, publishes it
into the environment's bootstrap repository (``cdk-hnb659fds-container-assets-ACCOUNT-REGION``) with the CDK CLI's
own ``docker login`` and ``docker push``, and deploys the function that names it.

Deployed to the ECR sandbox by ``tests/e2e/test_sandbox_cdk_asset.py``; ``ASSET_APP_ACCOUNT``, ``ASSET_APP_REGION``
and ``SANDBOX_BASE_IMAGE`` (the offline base image) come from the environment.
"""
from __future__ import annotations

import os
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_

app = cdk.App()
stack = cdk.Stack(app, "SandboxAssetApp", env=cdk.Environment(account=os.environ["ASSET_APP_ACCOUNT"],
                                                                region=os.environ["ASSET_APP_REGION"]))
code = lambda_.DockerImageCode.from_image_asset(
    str(Path(__file__).parent / "image"), build_args={"BASE": os.environ.get("SANDBOX_BASE_IMAGE", "busybox")})
lambda_.DockerImageFunction(stack, "Function", code=code, description="runs the CDK image asset")
app.synth()
