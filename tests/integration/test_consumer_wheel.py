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
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CDK = ROOT / "node_modules" / ".bin" / "cdk"
CONSUMER_APP = Path(__file__).resolve().parent / "consumer_app" / "app.py"
OUR_PACKAGES = ["ecr_constructs", "ecr_sandbox", "ecr_spec", "image_pipeline"]
NOT_IN_THE_WHEEL = {".git", ".venv", "node_modules", "cdk.out", "build", "dist", ".sandbox", ".pytest_cache",
                    "__pycache__"}
PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]


def clean_env() -> dict[str, str]:
    """No PYTHONPATH (the venv must see only what pip installed), no AWS credentials or config."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"} and not k.startswith("AWS_")}
    env.update(JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", CDK_DISABLE_VERSION_CHECK="1",
               AWS_CONFIG_FILE="/nonexistent/config", AWS_SHARED_CREDENTIALS_FILE="/nonexistent/credentials")
    return env


def run(args: list[str], cwd: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=clean_env(), capture_output=True, text=True,
                          timeout=timeout)


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the tree so the build leaves nothing (build/, *.egg-info) in it."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=lambda _d, names: [n for n in names if n in NOT_IN_THE_WHEEL
                                                              or n.endswith(".egg-info")], symlinks=True)
    result = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", source, "-w", work / "dist"])
    assert result.returncode == 0, result.stderr
    [built] = (work / "dist").glob("*.whl")
    return built


@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """A brand-new virtualenv with `pip install "<wheel>[app]"`: dependencies from our metadata only."""
    path = tmp_path_factory.mktemp("consumer") / "venv"
    result = run([sys.executable, "-m", "venv", path])
    assert result.returncode == 0, result.stderr
    result = run([path / "bin" / "python", "-m", "pip", "install", "-q", f"{wheel}[app]"])
    assert result.returncode == 0, result.stderr
    return path


def venv_python(venv: Path, code: str) -> subprocess.CompletedProcess[str]:
    return run([venv / "bin" / "python", "-c", code], cwd=venv)


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory, venv: Path) -> Path:
    app_dir = tmp_path_factory.mktemp("consumer-app")
    shutil.copy(CONSUMER_APP, app_dir / "app.py")
    result = run([CDK, "synth", "--quiet", "--no-notices", "--app", f"{venv / 'bin' / 'python'} app.py",
                  "-o", app_dir / "cdk.out"], cwd=app_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    return app_dir / "cdk.out"


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
    result = run([venv / "bin" / "image-pipeline", "--help"])
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
