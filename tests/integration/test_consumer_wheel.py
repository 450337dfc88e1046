"""Another CDK app installs our wheel with one `pip install` and passes our repositories straight to ECS, CodeBuild
and Lambda.

Once per test session: build the wheel from a clean copy of the source tree, create a brand-new virtualenv,
`pip install "<wheel>[app]"` into it (pip resolves aws-cdk-lib, constructs and cdk-nag from the wheel's
metadata, never from our requirements files; pip's cache makes repeat runs quick), then synthesize
tests/integration/consumer_app/app.py with the real CDK CLI. The templates must pass cfn-lint and cdk-nag
(AwsSolutions), as the project's own app does (tests/integration/test_cdk_app.py).
"""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from .wheel_helpers import REGISTRY_APP, new_venv, run, synthesized_app, version

CONSUMER_APP = Path(__file__).resolve().parent / "consumer_app" / "app.py"
OUR_PACKAGES = ["ecr_constructs", "ecr_sandbox", "ecr_spec", "image_pipeline"]
PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]


def venv_python(venv: Path, code: str) -> subprocess.CompletedProcess[str]:
    return run([venv / "bin" / "python", "-c", code], cwd=venv)


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory, venv: Path) -> Path:
    return synthesized_app(venv, CONSUMER_APP, tmp_path_factory.mktemp("consumer-app"))


@pytest.fixture(scope="session")
def template(synthesized: Path) -> dict[str, Any]:
    return json.loads((synthesized / "Consumer.template.json").read_text())


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {lid: r for lid, r in template["Resources"].items() if r["Type"] == kind}


def repository_id(template: dict[str, Any], name: str) -> str:
    [lid] = [lid for lid, r in resources(template, "AWS::ECR::Repository").items()
             if r["Properties"]["RepositoryName"] == name]
    return lid


def refers_to(value: Any, logical_id: str) -> bool:
    text = json.dumps(value)
    return f'"Ref": "{logical_id}"' in text or f'["{logical_id}", "Arn"]' in text


def test_the_wheel_puts_only_our_four_packages_in_site_packages(venv: Path) -> None:
    result = venv_python(venv, "import importlib.metadata as m; print('\\n'.join(sorted({f.parts[0] for f in "
                               "m.files('ecr-registry-as-code') if '.' not in f.parts[0]})))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == OUR_PACKAGES


def test_pip_resolves_the_cdk_from_our_metadata_and_nothing_of_the_extras_we_did_not_ask_for(venv: Path) -> None:
    result = venv_python(venv, "import importlib.util as u; print(' '.join(m for m in ('aws_cdk', 'constructs', "
                               "'cdk_nag', 'boto3', 'botocore', 'docker', 'moto', 'yaml') if u.find_spec(m)))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["aws_cdk", "constructs", "cdk_nag"]


def test_importing_the_constructs_and_the_spec_needs_no_publisher_or_sandbox_package(venv: Path) -> None:
    result = venv_python(venv, "import sys, ecr_spec, ecr_constructs; print(ecr_constructs.__file__); "
                               "print([m for m in ('boto3', 'botocore', 'docker', 'moto', 'yaml') if m in sys.modules])")
    assert result.returncode == 0, result.stderr
    location, loaded = result.stdout.splitlines()
    assert location.startswith(str(venv)) and loaded == "[]"


def test_image_pipeline_version_comes_from_the_package_metadata(venv: Path) -> None:
    result = run([venv / "bin" / "image-pipeline", "--version"])
    assert (result.returncode, result.stdout.strip()) == (0, f"image-pipeline {version()}")


def test_image_pipeline_without_the_pipeline_extra_says_which_extra_to_install(venv: Path) -> None:
    assert run([venv / "bin" / "image-pipeline", "--help"]).returncode == 0  # the parser imports nothing heavy
    result = run([venv / "bin" / "image-pipeline", "login", "--env", "dev"])
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: image-pipeline needs the '")
    assert "pip install 'ecr-registry-as-code[pipeline]'" in result.stderr


def test_an_ecs_fargate_task_runs_the_image_from_our_repository_and_its_execution_role_may_pull(
        template: dict[str, Any]) -> None:
    repo = repository_id(template, "payments/api")
    [task] = resources(template, "AWS::ECS::TaskDefinition").values()
    assert task["Properties"]["RequiresCompatibilities"] == ["FARGATE"]
    assert refers_to(task["Properties"]["ContainerDefinitions"][0]["Image"], repo)
    assert len(resources(template, "AWS::ECS::Service")) == 1
    statements = [s for p in resources(template, "AWS::IAM::Policy").values()
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    assert any(s["Action"] == PULL_ACTIONS and refers_to(s["Resource"], repo) for s in statements)


def test_codebuild_builds_in_an_image_from_our_repository_which_lets_codebuild_pull(
        template: dict[str, Any]) -> None:
    repo = repository_id(template, "ci/build-image")
    [project] = resources(template, "AWS::CodeBuild::Project").values()
    environment = project["Properties"]["Environment"]
    assert refers_to(environment["Image"], repo)
    assert environment["ImagePullCredentialsType"] == "SERVICE_ROLE"
    policy = template["Resources"][repo]["Properties"]["RepositoryPolicyText"]
    assert {"Action": PULL_ACTIONS, "Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"},
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}} in policy["Statement"]


def test_a_lambda_function_runs_an_image_from_another_of_our_repositories(template: dict[str, Any]) -> None:
    repo = repository_id(template, "payments/worker")
    [function] = resources(template, "AWS::Lambda::Function").values()
    assert function["Properties"]["PackageType"] == "Image"
    assert refers_to(function["Properties"]["Code"]["ImageUri"], repo)
    policy = template["Resources"][repo]["Properties"]["RepositoryPolicyText"]
    assert any(s["Principal"] == {"Service": "lambda.amazonaws.com"} for s in policy["Statement"])


def test_cfn_lint_passes_on_the_consumer_template(synthesized: Path) -> None:
    # W3005 (a DependsOn that a GetAtt already implies) is what aws-cdk's Lambda L2 emits for every function:
    # aws-lambda/lib/function.ts always adds `this.resource.node.addDependency(this.role)`. It is about the
    # consumer's Lambda, not our constructs; every other check runs.
    result = run([Path(sys.executable).parent / "cfn-lint", synthesized / "Consumer.template.json",
                  "--ignore-checks", "W3005"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_cdk_nag_finds_nothing_unacknowledged(synthesized: Path) -> None:
    report = json.loads((synthesized / "validation-report.json").read_text())
    assert [v for plugin in report["pluginReports"] for v in plugin.get("violations", [])] == []


@pytest.fixture(scope="session")
def registry_app(tmp_path_factory: pytest.TempPathFactory, venv: Path) -> Path:
    """tests/integration/registry_app/app.py (build_registry with a publisher, PublisherProject) from the wheel."""
    return synthesized_app(venv, REGISTRY_APP, tmp_path_factory.mktemp("registry-app"))


def install_commands(assembly: Path, stack: str) -> list[str]:
    template = json.loads((assembly / f"{stack}.template.json").read_text())
    [project] = resources(template, "AWS::CodeBuild::Project").values()
    return json.loads(project["Properties"]["Source"]["BuildSpec"])["phases"]["install"]["commands"]


def test_build_registry_from_the_wheel_synthesizes_one_stack_per_account_and_region(registry_app: Path) -> None:
    stacks = sorted(p.name.removesuffix(".template.json") for p in registry_app.glob("*.template.json"))
    assert stacks == ["Service", "ecr-dev-us-east-1", "ecr-prod-eu-west-1", "ecr-prod-us-east-1"]


def test_both_publishers_install_the_wheel_of_the_distribution_the_app_runs(registry_app: Path) -> None:
    wheel_name = f"ecr_registry_as_code-{version()}-py3-none-any.whl"
    for stack in ("ecr-dev-us-east-1", "Service"):
        install = install_commands(registry_app, stack)
        assert install[0] == f'aws s3 cp --only-show-errors "$PUBLISHER_SOURCE" /tmp/{wheel_name}', stack
        assert install[1].startswith(f"python3 -m pip install --quiet --disable-pip-version-check /tmp/{wheel_name} ")


def test_the_publisher_asset_is_a_wheel_that_installs_the_same_image_pipeline_version(
        registry_app: Path, tmp_path: Path) -> None:
    [asset] = [p for p in registry_app.glob("asset.*") if p.suffix == ".whl"]
    with zipfile.ZipFile(asset) as archive:
        names = archive.namelist()
        metadata = archive.read(f"ecr_registry_as_code-{version()}.dist-info/METADATA").decode()
    assert "image_pipeline/cli/main.py" in names and "ecr_spec/py.typed" in names
    assert f"\nVersion: {version()}\n" in metadata
    wheel_copy = tmp_path / f"ecr_registry_as_code-{version()}-py3-none-any.whl"
    wheel_copy.write_bytes(asset.read_bytes())
    build_venv = new_venv(tmp_path / "build-image")
    result = run([build_venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps", wheel_copy])
    assert result.returncode == 0, result.stderr
    result = run([build_venv / "bin" / "image-pipeline", "--version"])
    assert (result.returncode, result.stdout.strip()) == (0, f"image-pipeline {version()}")


def test_synthesizing_twice_gives_the_same_publisher_asset(registry_app: Path, venv: Path, tmp_path: Path) -> None:
    again = synthesized_app(venv, REGISTRY_APP, tmp_path)
    first = sorted(p.name for p in registry_app.glob("asset.*.whl"))
    assert first and first == sorted(p.name for p in again.glob("asset.*.whl"))
