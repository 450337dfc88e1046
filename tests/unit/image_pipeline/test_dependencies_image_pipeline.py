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


def loaded_after(statement: str) -> set[str]:
    """The modules of ours a fresh interpreter has loaded after ``statement``."""
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-c", f"{statement}\nimport sys\n"
                           "print(' '.join(m for m in sys.modules if m.startswith('image_pipeline')))"],
                          capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_the_command_table_loads_no_command_until_it_runs():
    # an unchanged republish is mostly start-up: `publish` must not pay for compose, pull, login, promote, ...
    loaded = loaded_after("import image_pipeline.cli.run")

    assert {m for m in loaded if m.startswith("image_pipeline.commands.")} == {
        "image_pipeline.commands.results", "image_pipeline.commands.runtime", "image_pipeline.commands.settings"}


def test_publish_loads_the_transfer_engine_only_when_something_moves():
    loaded = loaded_after("import image_pipeline.commands.publish")

    assert "image_pipeline.commands.push" not in loaded
    assert "image_pipeline.transfer.engine" not in loaded
