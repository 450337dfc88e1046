"""image_pipeline's layers, as go-containerregistry's depcheck tests keep its packages apart: each sub-package
may import its own layer and those below it, never one above, and no module imports another in a cycle.

    core <- oci <- engine <- transfer <- ecr <- commands <- cli

And it never imports the CDK (it runs where only the publisher is installed) nor the sandbox (it has no code
path for it)."""
from tests import depcheck

LAYERS = ("core", "oci", "engine", "transfer", "ecr", "commands", "cli")


def test_image_pipeline_has_no_import_cycle():
    assert depcheck.cycles("image_pipeline") == []


def test_every_import_goes_down_the_layers():
    assert depcheck.upward_imports("image_pipeline", LAYERS) == []


def test_image_pipeline_never_imports_the_cdk_or_the_sandbox():
    assert depcheck.forbidden_imports("image_pipeline", ["aws_cdk", "constructs", "cdk_nag", "ecr_constructs",
                                                         "ecr_sandbox"]) == []


def test_the_bottom_layers_import_no_aws_sdk_and_no_docker_sdk():
    below_ecr = [line for line in depcheck.forbidden_imports("image_pipeline", ["botocore", "boto3", "docker"])
                 if line.split(" ", 1)[0].split(".")[1] in ("core", "oci", "transfer")]
    assert below_ecr == []
