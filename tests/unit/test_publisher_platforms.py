"""``PublisherProject(platforms=...)`` and the spec's ``publisher.platforms`` in the synthesized templates: one
CodeBuild batch build whose graph builds each platform on an environment of its own architecture and then
assembles the index, with the same build role grants as the single-platform publisher.

Sources: CodeBuild user guide, "Batch build buildspec reference" (batch/build-graph: identifier, depend-on,
env/type, env/image, env/compute-type, env/privileged-mode, env/variables; fast-fail), "Run builds in batches"
(the batch service role: StartBuild, StopBuild, RetryBuild), "Build environment compute modes and types"
(ARM_CONTAINER, LINUX_CONTAINER, BUILD_GENERAL1_SMALL), "Docker images provided by CodeBuild"."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_ecr as ecr
from aws_cdk.assertions import Template

from ecr_constructs import PropsError
from ecr_constructs.publisher.project import PublisherProject

from .cdk_helpers import new_stack, only_resource
from .spec_helpers import parsed, spec
from .test_publisher import PUBLISHED, actions, project_of, statements, templates

BOTH = ["linux/amd64", "linux/arm64"]
X86_IMAGE = "aws/codebuild/standard:7.0"
ARM_IMAGE = "aws/codebuild/amazonlinux-aarch64-standard:3.0"


def publisher_templates(platforms: list[str] | None) -> dict[str, Template]:
    publisher: dict[str, Any] = {"environment": "dev", "repositories": [PUBLISHED]}
    if platforms is not None:
        publisher["platforms"] = platforms
    return templates(parsed(spec(publisher=publisher)))


@pytest.fixture(scope="module")
def single() -> dict[str, Template]:
    return publisher_templates(None)


@pytest.fixture(scope="module")
def multi() -> dict[str, Template]:
    return publisher_templates(BOTH)


def buildspec_of(template: Template) -> dict[str, Any]:
    return json.loads(project_of(template)["Source"]["BuildSpec"])


def graph_of(template: Template) -> dict[str, dict[str, Any]]:
    return {task["identifier"]: task for task in buildspec_of(template)["batch"]["build-graph"]}


def without_asset_hash(value: Any) -> Any:
    return json.loads(re.sub(r"[0-9a-f]{64}", "<asset-hash>", json.dumps(value)))


def test_each_platform_is_built_privileged_on_an_environment_of_its_own_architecture(multi) -> None:
    graph = graph_of(multi["ecr-dev-us-east-1"])
    assert {name: task["env"] for name, task in graph.items() if name.startswith("publish_")} == {
        "publish_amd64": {"type": "LINUX_CONTAINER", "image": X86_IMAGE, "compute-type": "BUILD_GENERAL1_SMALL",
                          "privileged-mode": True, "variables": {"PUBLISHER_STEP": "publish_amd64"}},
        "publish_arm64": {"type": "ARM_CONTAINER", "image": ARM_IMAGE, "compute-type": "BUILD_GENERAL1_SMALL",
                          "privileged-mode": True, "variables": {"PUBLISHER_STEP": "publish_arm64"}}}
    assert not any("depend-on" in graph[name] for name in ("publish_amd64", "publish_arm64"))


def test_the_index_is_assembled_last_unprivileged_after_both_platform_builds(multi) -> None:
    batch = buildspec_of(multi["ecr-dev-us-east-1"])["batch"]
    assert [task["identifier"] for task in batch["build-graph"]] == ["publish_amd64", "publish_arm64",
                                                                      "assemble_index"]
    assemble = batch["build-graph"][-1]
    assert assemble["depend-on"] == ["publish_amd64", "publish_arm64"]
    assert assemble["env"] == {"type": "LINUX_CONTAINER", "image": X86_IMAGE, "compute-type": "BUILD_GENERAL1_SMALL",
                               "privileged-mode": False, "variables": {"PUBLISHER_STEP": "assemble_index"}}
    assert batch["fast-fail"] is True  # one platform failing stops the other: no index can follow anyway


def test_each_platform_build_publishes_its_platform_under_its_own_tag_and_the_last_assembles_them(multi) -> None:
    (command,) = buildspec_of(multi["ecr-dev-us-east-1"])["phases"]["build"]["commands"]
    steps = dict(line.split(") ", 1) for line in command.splitlines() if line.startswith(("publish_", "assemble_")))
    for arch in ("amd64", "arm64"):
        assert steps[f"publish_{arch}"].startswith(
            'image-pipeline --spec /tmp/ecr-publisher-spec.json publish "$IMAGE_REPOSITORY" --context '
            f'"$CODEBUILD_SRC_DIR/$IMAGE_CONTEXT" --platform linux/{arch} --tag "$TAG-{arch}" ')
    assert steps["assemble_index"].startswith(
        'image-pipeline --spec /tmp/ecr-publisher-spec.json assemble "$IMAGE_REPOSITORY" --tag "$TAG" ')
    assert '--from "$TAG-amd64" --from "$TAG-arm64"' in steps["assemble_index"]


def test_the_batch_buildspec_version_is_the_number_a_batch_build_parses(multi) -> None:
    """A batch build fails in DOWNLOAD_SOURCE on the string "0.2" plain builds accept (aws/aws-cdk#29592)."""
    assert buildspec_of(multi["ecr-dev-us-east-1"])["version"] == 0.2


def test_the_project_itself_stays_the_privileged_x86_environment_with_the_batch_parameters(multi, single) -> None:
    project, before = project_of(multi["ecr-dev-us-east-1"]), project_of(single["ecr-dev-us-east-1"])
    variables = {v["Name"]: v["Value"] for v in project["Environment"].pop("EnvironmentVariables")}
    before["Environment"].pop("EnvironmentVariables")
    assert project["Environment"] == before["Environment"]
    assert {k: v for k, v in variables.items() if k != "PUBLISHER_SOURCE"} == {
        "IMAGE_REPOSITORY": PUBLISHED, "IMAGE_CONTEXT": ".", "IMAGE_TAGS": "", "PUBLISH_ARGS": "", "IMAGE_TAG": "",
        "IMAGE_ENVIRONMENTS": "", "ASSEMBLE_ARGS": ""}


def test_the_batch_service_role_may_only_start_stop_and_retry_builds_of_this_project(multi) -> None:
    template = multi["ecr-dev-us-east-1"]
    project_id = next(iter(template.find_resources("AWS::CodeBuild::Project")))
    config = project_of(template)["BuildBatchConfig"]
    batch_role = config["ServiceRole"]["Fn::GetAtt"][0]
    assert batch_role != project_of(template)["ServiceRole"]["Fn::GetAtt"][0]  # not the build role (AWS's advice)
    policies = [p["Properties"]["PolicyDocument"]["Statement"] for p in template.find_resources("AWS::IAM::Policy")
                .values() if {"Ref": batch_role} in p["Properties"]["Roles"]]
    assert policies == [[{"Action": ["codebuild:StartBuild", "codebuild:StopBuild", "codebuild:RetryBuild"],
                          "Effect": "Allow", "Resource": {"Fn::GetAtt": [project_id, "Arn"]}}]]


def test_the_batch_is_restricted_to_its_three_builds_and_their_compute_types(multi) -> None:
    assert project_of(multi["ecr-dev-us-east-1"])["BuildBatchConfig"]["Restrictions"] == {
        "MaximumBuildsAllowed": 3, "ComputeTypesAllowed": ["BUILD_GENERAL1_SMALL"]}


def test_the_build_role_gets_exactly_the_grants_of_the_single_platform_publisher(multi, single) -> None:
    """Every build of the batch runs with the project's one build role: each may push only to the published
    repositories (and pull from them, which the assembly needs), as before; nothing new, no new wildcard."""
    for stack, role in (("ecr-dev-us-east-1", "ecr-image-publisher-build"), ("ecr-prod-us-east-1",
                                                                             "ecr-image-publisher")):
        assert without_asset_hash(statements(multi[stack], role)) == without_asset_hash(
            statements(single[stack], role)), stack
    build = statements(multi["ecr-dev-us-east-1"], "ecr-image-publisher-build")
    assert [actions(s) for s in build if s["Resource"] == "*"] == [["ecr:GetAuthorizationToken"]]


def test_platforms_keep_every_logical_id_and_add_only_the_batch_service_role(multi, single) -> None:
    for stack in single:
        before, after = set(single[stack].to_json()["Resources"]), set(multi[stack].to_json()["Resources"])
        added = after - before
        assert before <= after and all(r.startswith("PublisherProjectBatchServiceRole") for r in added), stack
    assert len(set(multi["ecr-dev-us-east-1"].to_json()["Resources"]) - set(
        single["ecr-dev-us-east-1"].to_json()["Resources"])) == 2  # the role and its policy


def test_one_platform_alone_is_built_natively_and_assembled_into_an_index_of_one() -> None:
    template = publisher_templates(["linux/arm64"])["ecr-dev-us-east-1"]
    graph = graph_of(template)
    assert list(graph) == ["publish_arm64", "assemble_index"]
    assert graph["publish_arm64"]["env"]["type"] == "ARM_CONTAINER"
    assert graph["assemble_index"]["depend-on"] == ["publish_arm64"]
    (command,) = buildspec_of(template)["phases"]["build"]["commands"]
    assert '--from "$TAG-arm64" ' in command and "$TAG-amd64" not in command
    assert project_of(template)["BuildBatchConfig"]["Restrictions"]["MaximumBuildsAllowed"] == 2


def publisher_with(**props: Any) -> Template:
    stack = new_stack()
    repo = ecr.Repository(stack, "Repo", repository_name="team/app")
    PublisherProject(stack, "Publisher", registry_spec={"environments": {}, "repositories": [{"name": "team/app"}]},
                     repositories=[repo], package="ecr-registry-as-code==0.2.0", **props)
    return Template.from_stack(stack)


def test_the_construct_takes_its_arm_environment_and_compute_types_from_its_props() -> None:
    template = publisher_with(platforms=BOTH, compute_type=codebuild.ComputeType.LARGE,
                              arm_build_image=codebuild.LinuxArmBuildImage.AMAZON_LINUX_2_STANDARD_3_0,
                              arm_compute_type=codebuild.ComputeType.MEDIUM)
    graph = graph_of(template)
    assert (graph["publish_amd64"]["env"]["compute-type"], graph["publish_arm64"]["env"]["compute-type"],
            graph["assemble_index"]["env"]["compute-type"]) == (
        "BUILD_GENERAL1_LARGE", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_SMALL")
    assert graph["publish_arm64"]["env"]["image"] == "aws/codebuild/amazonlinux2-aarch64-standard:3.0"
    assert only_resource(template, "AWS::CodeBuild::Project")["Properties"]["BuildBatchConfig"]["Restrictions"] == {
        "MaximumBuildsAllowed": 3,
        "ComputeTypesAllowed": ["BUILD_GENERAL1_LARGE", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_SMALL"]}


def test_without_platforms_the_construct_has_no_batch_configuration() -> None:
    project = only_resource(publisher_with(), "AWS::CodeBuild::Project")["Properties"]
    assert "BuildBatchConfig" not in project and "batch" not in json.loads(project["Source"]["BuildSpec"])


def props_problems(**props: Any) -> list[str]:
    stack = new_stack()
    with pytest.raises(PropsError) as caught:
        PublisherProject(stack, "Publisher", registry_spec={"repositories": [{"name": "team/app"}]},
                         repositories=[], package="x", **props)
    return caught.value.problems


def test_a_platform_codebuild_cannot_build_natively_is_a_props_error_naming_its_index() -> None:
    assert props_problems(platforms=["linux/amd64", "linux/sparc"]) == [
        "Test/Publisher: platforms[1]: 'linux/sparc' is not a platform CodeBuild builds natively: use linux/amd64 "
        "(x86-64, LINUX_CONTAINER) or linux/arm64 (Graviton, ARM_CONTAINER)"]


def test_an_arm_platform_on_an_x86_image_or_lambda_compute_is_a_props_error() -> None:
    assert props_problems(platforms=BOTH, arm_build_image=codebuild.LinuxBuildImage.STANDARD_7_0,
                          arm_compute_type=codebuild.ComputeType.LAMBDA_1GB) == [
        "Test/Publisher: arm_build_image: 'aws/codebuild/standard:7.0' is a LINUX_CONTAINER image; linux/arm64 is "
        "built natively on ARM_CONTAINER",
        "Test/Publisher: arm_compute_type: ComputeType.LAMBDA_1GB cannot build linux/arm64 with Docker in a batch: "
        "use an on-demand EC2 compute type (ComputeType.SMALL, MEDIUM, LARGE, X_LARGE, X2_LARGE); Lambda compute "
        "cannot run Docker (CodeBuild user guide, \"Limitations of AWS Lambda compute\")"]
