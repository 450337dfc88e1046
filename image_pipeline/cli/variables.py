"""The environment variables the command line reads (each a fallback for an option, which wins), and the help
text that lists them."""
from __future__ import annotations

PROFILE_TEMPLATE_VARIABLE = "IMAGE_PIPELINE_PROFILE_TEMPLATE"
SPEC_OVERRIDE_VARIABLE = "ECR_SPEC"
TIMEOUT_VARIABLE = "IMAGE_PIPELINE_TIMEOUT"
DEADLINE_VARIABLE = "IMAGE_PIPELINE_DEADLINE"
ATTEMPTS_VARIABLE = "IMAGE_PIPELINE_ATTEMPTS"
DOCKER_CONFIG_VARIABLE = "DOCKER_CONFIG"

_VARIABLES = ((SPEC_OVERRIDE_VARIABLE, "a spec file that replaces cdk.json's (as --spec)"),
              (PROFILE_TEMPLATE_VARIABLE, "AWS profile per destination account without publish_role_arn, "
                                          "e.g. sandbox-{account}"),
              (TIMEOUT_VARIABLE, "--timeout of publish and compose-publish"),
              (DEADLINE_VARIABLE, "--deadline of publish and compose-publish"),
              (ATTEMPTS_VARIABLE, "--attempts of publish, compose-publish and pull"),
              (DOCKER_CONFIG_VARIABLE, "--docker-config of login and logout"),
              ("AWS_PROFILE, AWS_CONFIG_FILE, AWS_ENDPOINT_URL, DOCKER_HOST", "as for the AWS and docker CLIs"),
              ("TMPDIR", "where a run keeps its scratch space (removed when it ends, even on Ctrl-C or SIGTERM)"))
EPILOG = ("environment variables (a command-line option wins over its variable):\n"
          + "\n".join(f"  {name.ljust(32)} {text}" if len(name) <= 32 else f"  {name}:\n  {'':32} {text}"
                      for name, text in _VARIABLES)
          + "\nexit codes: 0 success, 1 failure (one 'error:' line per problem), 2 bad usage, 130 interrupted "
            "(Ctrl-C), 143 terminated (SIGTERM)")
