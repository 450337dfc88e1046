"""``.sandbox/env`` and the AWS config it points at: what makes every tool talk to the sandbox.

The AWS config has a ``default`` profile (dummy keys; moto's default account) and one profile
``sandbox-ACCOUNT`` per account that assumes ``arn:aws:iam::ACCOUNT:role/sandbox`` (moto attributes
calls made with those credentials to ACCOUNT). No ECR password is written here: tools get it from
``ecr.get_authorization_token`` as they would on AWS.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable

from ecr_sandbox.control import files
from ecr_sandbox.control.dockerd import DOCKER_HOST
from ecr_sandbox.control.state import BASE_IMAGE, Paths

# variables that would override the sandbox's profiles if left in the environment
UNSET = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")


def profile_name(account: str) -> str:
    return f"sandbox-{account}"


def write_aws_files(paths: Paths, accounts: Iterable[str], region: str, session: str) -> None:
    """The AWS config and credentials files. ``session`` changes with every moto start: the AWS CLI
    caches assumed-role credentials on disk keyed by the role session name, and a new moto does not
    know the old ones (they would silently act as moto's default account)."""
    paths.aws_dir.mkdir(parents=True, exist_ok=True)
    config = [f"[default]\nregion = {region}\noutput = json\n"]
    for account in accounts:
        config.append(
            f"[profile {profile_name(account)}]\n"
            f"role_arn = arn:aws:iam::{account}:role/sandbox\n"
            f"source_profile = default\nrole_session_name = sandbox-{session}\nregion = {region}\n"
        )
    (paths.aws_dir / "config").write_text("\n".join(config))
    files.write_private(  # dummy keys, but a credentials file all the same: 0600 from creation
        paths.aws_dir / "credentials", "[default]\naws_access_key_id = sandbox\naws_secret_access_key = sandbox\n"
    )


def environment(paths: Paths, moto_port: int, region: str) -> dict[str, str]:
    """The variables to set (see also ``UNSET``: the ones to remove)."""
    return {
        "SANDBOX_DIR": str(paths.root),
        "AWS_ENDPOINT_URL": f"http://localhost:{moto_port}",
        "AWS_CONFIG_FILE": str(paths.aws_dir / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(paths.aws_dir / "credentials"),
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
        "IMAGE_PIPELINE_PROFILE_TEMPLATE": "sandbox-{account}",
        "SANDBOX_BASE_IMAGE": BASE_IMAGE,
        "DOCKER_HOST": DOCKER_HOST,
    }


def write_env_file(paths: Paths, env: dict[str, str]) -> None:
    lines = ["# Written by `python -m ecr_sandbox up`. Use: . .sandbox/env", f"unset {' '.join(UNSET)}"]
    lines += [f"export {key}={shlex.quote(value)}" for key, value in env.items()]
    # the project's own tools first (aws, cdk, image-pipeline), so the README's commands work as written
    project = paths.root.resolve().parent
    tools = ":".join(shlex.quote(str(project / d)) for d in (".venv/bin", "node_modules/.bin"))
    lines.append(f'export PATH={tools}:"$PATH"')
    paths.env_file.write_text("\n".join(lines) + "\n")
