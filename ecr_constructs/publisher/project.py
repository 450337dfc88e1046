"""The publisher inside AWS: ``PublisherProject`` (a CodeBuild project in the CI account that runs
``image-pipeline publish``) and ``PublisherRole`` (the role it assumes in every other account).

The build's own role gets exactly what publishing needs in its account: ``ecr:GetAuthorizationToken`` (an
action with no resource, so on ``*``), pull/push and ``ecr:DescribeRepositories`` on the repositories it
publishes to, and ``sts:AssumeRole`` on the other accounts' publisher roles. Grants go through the aws-cdk
L2 (``iam.Grant.add_to_principal`` with the L2 repositories' ``repository_arn``, ``IRole.grant_assume_role``,
``AuthorizationToken.grant_read``); ARNs of other regions and accounts come from ``Stack.format_arn``.
Details and the choices behind them: docs/publisher.md.
"""
from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any, Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import Duration, Stack, Token
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from ..core.acknowledgements import acknowledge
from ..core.errors import PropsError
from .buildspec import batch_buildspec, buildspec
from .package import SOURCE_FILES, PackageError, PublisherSource, publisher_source
from .platforms import BatchBuild, check_props, default_arm_image, enable_batch, plan

# image_pipeline's run-time dependencies, pinned as in requirements.txt (a unit test keeps them in step).
PUBLISHER_REQUIREMENTS = ("boto3==1.44.8", "docker==7.2.0", "PyYAML==6.0.4")
# What publishing needs on a repository: the L2's grant_pull_push actions (ECR user guide, "Repository policy
# examples": pull and push) plus DescribeRepositories (image-pipeline reads each repository's URI and tag
# mutability). A unit test keeps this equal to what aws-cdk-lib's grant_pull_push grants.
PUBLISH_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
                   "ecr:CompleteLayerUpload", "ecr:UploadLayerPart", "ecr:InitiateLayerUpload", "ecr:PutImage",
                   "ecr:DescribeRepositories")
# One grant per repository would give each its own statements, and a few hundred repositories would overflow
# IAM's policy quotas. Repository ARNs are grouped instead, each statement within one managed policy
# (IAM quotas: 6,144 characters, whitespace excluded), which the CDK's policy splitting moves it into.
STATEMENT_CHARS = 5_600  # leaves room for the actions and the statement's own keys
_ARN_CHARS = len('"arn:aws-us-gov:ecr:ap-southeast-1:123456789012:repository/",')  # an ARN without its name
MAX_SPEC_CHARS = 65_536  # the spec travels in one environment variable; Linux caps one at 128 KiB

CB3_REASON = ("image-pipeline builds images with the Docker engine inside the build container, which CodeBuild "
              "only runs in privileged mode (CodeBuild user guide: Docker in custom image / privileged mode).")
IAM5_TOKEN_REASON = ("ecr:GetAuthorizationToken has no resource-level permissions: ECR only accepts Resource '*' "
                     "for it (ECR user guide: private registry authentication).")
IAM5_CODEBUILD_REASON = ("The aws-cdk CodeBuild L2 scopes logs and report groups to this project's own names; "
                         "the trailing wildcard covers the streams and reports of each build.")
IAM5_ASSET_REASON = ("The L2 asset grant: read-only on this project's source archive in the CDK bootstrap bucket, "
                     "which the install phase downloads.")
IAM5_KMS_REASON = ("The L2 CodeBuild grant on the project's own KMS key (CB4): GenerateDataKey*/ReEncrypt* "
                   "are KMS's action families for encrypting build output with that one key.")


def grant_publish(role: iam.IRole, repositories: Sequence[ecr.IRepository]) -> None:
    """``ecr:GetAuthorizationToken`` (no resource: ``*``) and ``PUBLISH_ACTIONS`` on exactly ``repositories``,
    whose ARNs come from the L2 (``repository_arn``), a few dozen per statement."""
    ecr.AuthorizationToken.grant_read(role)
    group: list[str] = []
    chars = 0
    for repository in repositories:
        size = _ARN_CHARS + len(_name_of(repository))
        if group and chars + size > STATEMENT_CHARS:
            iam.Grant.add_to_principal(grantee=role, actions=list(PUBLISH_ACTIONS), resource_arns=group)
            group, chars = [], 0
        group.append(repository.repository_arn)
        chars += size
    if group:
        iam.Grant.add_to_principal(grantee=role, actions=list(PUBLISH_ACTIONS), resource_arns=group)


def _name_of(repository: ecr.IRepository) -> str:
    """The repository's name as written (an L2 repository of this stack answers a token; its L1 has the
    name), or the longest name ECR allows when it is not known."""
    name = repository.repository_name
    if Token.is_unresolved(name):
        name = getattr(repository.node.default_child, "repository_name", None)
    return name if isinstance(name, str) and not Token.is_unresolved(name) else "x" * 256


class PublisherProject(Construct):
    """A CodeBuild project that installs this project's ``image-pipeline`` and publishes one image per build, or,
    with ``platforms``, one multi-platform image per batch build: each platform built natively on its own
    architecture, then the index over them (``ecr_constructs.publisher.platforms``).

    :param registry_spec: the (JSON-able) registry spec the build reads: at least the environments, with each
        other account's ``publish_role_arn``, and the published repositories (``ecr_spec.model.publisher.build_spec``).
    :param repositories: the repositories of this project's own account it publishes to, in any region
        (same-stack L2 repositories, or imported ones). Push, pull and DescribeRepositories are granted on them.
    :param publisher_roles: the other accounts' ``PublisherRole``s (imported with ``iam.Role.from_role_arn``);
        the build may assume them. Default: none.
    :param repository: default of ``IMAGE_REPOSITORY``, the repository a build publishes.
        Default: the first repository of ``registry_spec``.
    :param package: what the install phase gives ``pip install`` for this project (a fork, or a release from
        an index): a requirement such as ``ecr-registry-as-code==0.2.0`` or ``git+https://...@v1``. Default:
        None, the very ``image_pipeline`` this app runs with, as an S3 asset the build downloads: this checkout's
        source (``source_dir``), or, in an installed distribution, that distribution as a wheel of the same
        version (``ecr_constructs.publisher.package``).
    :param source_dir: a checkout (with ``pyproject.toml``) bundled when ``package`` is None. Default: the one
        holding this module when it is a checkout.
    :param requirements: pinned run-time dependencies installed with it. Default: ``PUBLISHER_REQUIREMENTS``.
    :param source: the project's source (the application to build). Default: None, no source: start builds with
        a source override, or give one here.
    :param build_image: Default: ``LinuxBuildImage.STANDARD_7_0`` (a CodeBuild-managed image with Python 3, pip,
        the AWS CLI and Docker). With ``platforms``: the x86-64 environment of ``linux/amd64`` and of the assembly.
    :param compute_type: Default: ``ComputeType.SMALL``. With ``platforms``: that of ``linux/amd64``'s build (the
        assembly always runs on ``SMALL``); an on-demand EC2 compute type.
    :param platforms: publish these platforms as one image (an OCI image index), each built natively: any of
        ``linux/amd64`` (x86-64, ``build_image``) and ``linux/arm64`` (Graviton, ``arm_build_image``). The project
        then runs as a CodeBuild batch build (``aws codebuild start-build-batch``): one privileged build per
        platform publishes ``TAG-ARCH``, then an unprivileged one runs ``image-pipeline assemble`` for ``TAG``.
        Default: (), one image per build on ``build_image``, the same template as without this prop.
    :param arm_build_image: the Arm environment of ``linux/arm64``. Default:
        ``LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0`` (``aws/codebuild/amazonlinux-aarch64-standard:3.0``).
    :param arm_compute_type: that of ``linux/arm64``'s build, an on-demand EC2 compute type. Default:
        ``ComputeType.SMALL``.
    :param role_name: the build role's name; ``PublisherRole`` trusts exactly this role. Default: None, a
        generated name (then no ``PublisherRole`` can name it).
    :param project_name: Default: None, a generated name.
    :param encryption_key: encrypts build output (cdk-nag AwsSolutions-CB4). Default: a new rotating key.
    :param timeout: Default: 60 minutes.
    """

    def __init__(self, scope: Construct, construct_id: str, *, registry_spec: Mapping[str, Any],
                 repositories: Sequence[ecr.IRepository], publisher_roles: Sequence[iam.IRole] = (),
                 repository: str | None = None, package: str | None = None, source_dir: Path | None = None,
                 requirements: Sequence[str] = PUBLISHER_REQUIREMENTS, source: codebuild.ISource | None = None,
                 build_image: codebuild.IBuildImage | None = None,
                 compute_type: codebuild.ComputeType = codebuild.ComputeType.SMALL, role_name: str | None = None,
                 project_name: str | None = None, encryption_key: kms.IKey | None = None,
                 timeout: Duration | None = None, platforms: Sequence[str] = (),
                 arm_build_image: codebuild.IBuildImage | None = None,
                 arm_compute_type: codebuild.ComputeType = codebuild.ComputeType.SMALL) -> None:
        super().__init__(scope, construct_id)
        spec_json = json.dumps(registry_spec, separators=(",", ":"), sort_keys=True)
        names = [r.get("name") for r in registry_spec.get("repositories", ()) if isinstance(r, Mapping)]
        problems = []
        if not names:
            problems.append("registry_spec: lists no repositories to publish")
        if repository is not None and repository not in names:
            problems.append(f"repository: {repository!r} is not a repository of registry_spec ({', '.join(names)})")
        if len(spec_json) > MAX_SPEC_CHARS:
            problems.append(f"registry_spec: {len(spec_json)} characters of JSON; the build gets it in one "
                            f"environment variable of at most {MAX_SPEC_CHARS}: publish fewer repositories")
        build_image = build_image or codebuild.LinuxBuildImage.STANDARD_7_0
        builds: list[BatchBuild] = []
        if platforms:
            arm_build_image = arm_build_image or default_arm_image()
            checked, wrong = check_props(platforms, x86_image=build_image, x86_compute_type=compute_type,
                                         arm_image=arm_build_image, arm_compute_type=arm_compute_type)
            problems += wrong
            if not wrong:
                builds = plan(checked, x86_image=build_image, x86_compute_type=compute_type,
                              arm_image=arm_build_image, arm_compute_type=arm_compute_type)
        installs: PublisherSource | None = None
        if package is None:
            try:
                installs = publisher_source(source_dir)
            except PackageError as error:
                problems.append(str(error))
        if problems:
            raise PropsError(self.node.path, problems)

        self.role = iam.Role(self, "Role", role_name=role_name,
                             assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"),
                             description="Runs image-pipeline publish in CodeBuild")
        variables = {
            "IMAGE_REPOSITORY": repository or names[0],
            "IMAGE_CONTEXT": ".",
            "IMAGE_TAGS": "",
            "PUBLISH_ARGS": "",
        }
        if builds:  # the batch's own parameters (see docs/publisher.md)
            variables.update({"IMAGE_TAG": "", "IMAGE_ENVIRONMENTS": "", "ASSEMBLE_ARGS": ""})
        install: list[str] = []
        self.source_asset: s3_assets.Asset | None = None
        if installs is not None:
            if installs.is_wheel:  # the installed distribution, packed again: one file, uploaded as it is
                self.source_asset = s3_assets.Asset(self, "Source", path=str(installs.path))
            else:
                self.source_asset = s3_assets.Asset(
                    self, "Source", path=str(installs.path), ignore_mode=cdk.IgnoreMode.DOCKER,
                    exclude=["*", *(f"!{name}" for name in SOURCE_FILES), "**/__pycache__", "**/*.pyc"])
            self.source_asset.grant_read(self.role)
            variables["PUBLISHER_SOURCE"] = self.source_asset.s3_object_url
            install.append(f'aws s3 cp --only-show-errors "$PUBLISHER_SOURCE" {installs.download_to}')
            package = installs.download_to
        install.append("python3 -m pip install --quiet --disable-pip-version-check "
                       + " ".join(shlex.quote(p) for p in (package, *requirements)))

        self.encryption_key = encryption_key or kms.Key(
            self, "Key", enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.DESTROY,
            description="Encrypts the image publisher's CodeBuild output")
        if builds:
            spec = batch_buildspec(install_commands=install, spec_json=spec_json, builds=builds)
            description = ("image-pipeline publish per platform, natively, then image-pipeline assemble: one "
                           "multi-platform image in every destination of the spec (a batch build)")
        else:
            spec = buildspec(install_commands=install, spec_json=spec_json)
            description = "image-pipeline publish: builds one image and pushes it to every destination of the spec"
        self.project = codebuild.Project(
            self, "Project", project_name=project_name, role=self.role, source=source, description=description,
            build_spec=codebuild.BuildSpec.from_object(spec),
            environment=codebuild.BuildEnvironment(build_image=build_image, compute_type=compute_type,
                                                   privileged=True),
            environment_variables={k: codebuild.BuildEnvironmentVariable(value=v) for k, v in variables.items()},
            encryption_key=self.encryption_key, timeout=timeout or Duration.minutes(60))
        # Starts, stops and retries the batch's builds; None without platforms.
        self.batch_role: iam.IRole | None = enable_batch(self.project, builds) if builds else None

        grant_publish(self.role, repositories)
        for role in publisher_roles:
            role.grant_assume_role(self.role)
        self._acknowledge()

    def _acknowledge(self) -> None:
        acknowledge(self.project, "AwsSolutions-CB3", CB3_REASON)
        policy = self.role.node.try_find_child("DefaultPolicy")
        if policy is None:
            return
        stack = Stack.of(self)
        project = stack.get_logical_id(self.project.node.default_child)
        where = f"{stack.region}:{stack.account}"
        findings = {
            "Resource::*": IAM5_TOKEN_REASON,
            f"Resource::arn:<AWS::Partition>:logs:{where}:log-group:/aws/codebuild/<{project}>:*": IAM5_CODEBUILD_REASON,
            f"Resource::arn:<AWS::Partition>:codebuild:{where}:report-group/<{project}>-*": IAM5_CODEBUILD_REASON,
            "Action::kms:GenerateDataKey*": IAM5_KMS_REASON,
            "Action::kms:ReEncrypt*": IAM5_KMS_REASON,
        }
        if self.source_asset is not None:
            bucket = stack.resolve(self.source_asset.s3_bucket_name)
            findings[f"Resource::arn:<AWS::Partition>:s3:::{bucket}/*"] = IAM5_ASSET_REASON
            findings.update({"Action::s3:GetBucket*": IAM5_ASSET_REASON, "Action::s3:GetObject*": IAM5_ASSET_REASON,
                             "Action::s3:List*": IAM5_ASSET_REASON})
        for finding, reason in findings.items():
            acknowledge(policy, f"AwsSolutions-IAM5[{finding}]", reason)


class PublisherRole(Construct):
    """The role ``PublisherProject`` assumes to publish into this stack's account.

    Trusted by the CI account, narrowed to one role with an ``aws:PrincipalArn`` condition (so the trust
    needs no deploy order and survives the build role being re-created; see docs/publisher.md).

    :param role_name: the role's name; the CI account's spec names it as ``publish_role_arn``.
    :param trusted_account: the CI account (where ``PublisherProject`` runs).
    :param trusted_role_name: the build role's name in that account (``PublisherProject``'s ``role_name``).
    :param repositories: this account's repositories it may publish to, in any region: push, pull and
        DescribeRepositories on them, nothing else. Default: none.
    :param max_session_duration: Default: one hour.
    """

    def __init__(self, scope: Construct, construct_id: str, *, role_name: str, trusted_account: str,
                 trusted_role_name: str, repositories: Sequence[ecr.IRepository] = (),
                 max_session_duration: Duration | None = None) -> None:
        super().__init__(scope, construct_id)
        trusted_role_arn = Stack.of(self).format_arn(service="iam", region="", account=trusted_account,
                                                     resource="role", resource_name=trusted_role_name)
        principal = iam.AccountPrincipal(trusted_account).with_conditions(
            {"ArnEquals": {"aws:PrincipalArn": trusted_role_arn}})
        self.role = iam.Role(self, "Role", role_name=role_name, assumed_by=principal,
                             max_session_duration=max_session_duration or Duration.hours(1),
                             description=f"image-pipeline publishes here from CodeBuild in {trusted_account}")
        grant_publish(self.role, repositories)
        policy = self.role.node.try_find_child("DefaultPolicy")
        if policy is not None:
            acknowledge(policy, "AwsSolutions-IAM5[Resource::*]", IAM5_TOKEN_REASON)
