"""ECR's registry API (the OCI distribution API at ``ACCOUNT.dkr.ecr.REGION.amazonaws.com``): which IAM action each
request needs, and how ECR answers a request it refuses.

Actions: user guide, "Private repository policies" and "Amazon ECR managed policies"
(https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html): pulling needs
``ecr:BatchGetImage`` (manifests) and ``ecr:GetDownloadUrlForLayer`` (layers), ``ecr:BatchCheckLayerAvailability``
checks a layer, pushing needs ``ecr:InitiateLayerUpload``, ``ecr:UploadLayerPart``, ``ecr:CompleteLayerUpload`` and
``ecr:PutImage``; a manifest DELETE is ``ecr:BatchDeleteImage``; API reference "ListImageReferrers": "The IAM
principal invoking this operation must have the ecr:BatchGetImage permission" (the referrers API).

Answers (each as the docker CLI prints ``<code lower-cased with spaces>: <message>``):

- a repository that does not exist: 404 ``NAME_UNKNOWN`` "The repository with name 'NAME' does not exist in the
  registry with id 'ACCOUNT'" (user guide "Troubleshooting Amazon ECR error messages", "HTTP 404: Repository Does
  Not Exist error": new repositories must be created before use);
- a refused action: 403 ``DENIED`` with IAM's sentence (``ecr_sandbox.model.iam.denial_message``), as
  "Troubleshooting Amazon ECR error messages", "HTTP 403: User [arn] is not authorized to perform [operation]";
- an expired token: 403 ``DENIED`` "Your authorization token has expired. Reauthenticate and try again."
  (user guide "Troubleshooting Docker commands and issues when using Amazon ECR", "HTTP 403 Errors", cited by
  awslabs/soci-snapshotter, which retries ECR's 403 only when the body says the token expired);
- a token issued in another region: ``docker login`` gets HTTP 400 (reproduced by an AWS CLI maintainer,
  aws/aws-cli#5317), other requests the expired-token answer;
- no or wrong credentials: 401 ``UNAUTHORIZED`` with a ``Basic`` challenge: ECR takes the token as HTTP basic
  credentials, user ``AWS`` ("Private registry authentication in Amazon ECR": ``docker login --username AWS``);
- a tag that cannot move: 400 ``TAG_INVALID`` "The image tag 'TAG' already exists in the 'REPOSITORY' repository and
  cannot be overwritten because the tag is immutable." (the wording since exclusion filters; earlier "because the
  repository is immutable", moby/buildkit#3776);
- an archived image: 404 ("Archiving an image": "Requests to pull the archived image will fail with a 404 error").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PATH = re.compile(r"^/v2/(?P<name>.+?)/(?P<kind>manifests|blobs/uploads|blobs|tags|referrers)(?:/(?P<rest>.*))?$")

EXPIRED = "Your authorization token has expired. Reauthenticate and try again."


@dataclass(frozen=True)
class RegistryRequest:
    repository: str
    kind: str  # manifests | blobs | blobs/uploads | tags | referrers
    reference: str  # tag, digest, upload id, "list", or ""
    action: str  # the IAM action ECR authorizes it with


def classify(method: str, path: str) -> RegistryRequest | None:
    """The repository and IAM action of a request under ``/v2/NAME/``; None for ``/v2/`` and anything else."""
    match = _PATH.match(path)
    if not match:
        return None
    name, kind, rest = match["name"], match["kind"], match["rest"] or ""
    if kind == "manifests":
        action = {"PUT": "ecr:PutImage", "DELETE": "ecr:BatchDeleteImage"}.get(method, "ecr:BatchGetImage")
    elif kind == "blobs":
        action = "ecr:BatchCheckLayerAvailability" if method == "HEAD" else "ecr:GetDownloadUrlForLayer"
    elif kind == "blobs/uploads":
        if method == "POST":
            action = "ecr:InitiateLayerUpload"
        elif method == "PUT":
            action = "ecr:CompleteLayerUpload"
        else:
            action = "ecr:UploadLayerPart"
    elif kind == "tags":
        action = "ecr:ListImages"
    else:
        action = "ecr:BatchGetImage"
    return RegistryRequest(name, kind, rest, action)


def error_body(code: str, message: str) -> dict[str, object]:
    """The distribution API's error document (OCI distribution spec, "Error Codes")."""
    return {"errors": [{"code": code, "message": message, "detail": None}]}


def name_unknown(repository: str, account: str) -> str:
    return f"The repository with name '{repository}' does not exist in the registry with id '{account}'"


def immutable_tag(tag: str, repository: str) -> str:
    return (f"The image tag '{tag}' already exists in the '{repository}' repository and cannot be overwritten "
            f"because the tag is immutable.")


def basic_challenge(host: str) -> str:
    return f'Basic realm="https://{host}/",service="ecr.amazonaws.com"'


def archived(reference: str, repository: str) -> str:
    """The sandbox's words for a pull of an archived image (ECR documents the 404, not its message)."""
    return (f"The image '{reference}' in the '{repository}' repository is archived; restore it "
            f"(UpdateImageStorageClass to STANDARD) to pull it")
