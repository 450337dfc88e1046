"""ECR's authorization tokens, as ``GetAuthorizationToken`` hands them out.

API reference, GetAuthorizationToken (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html):
"An authorization token represents your IAM authentication credentials and can be used to access any Amazon ECR
registry that your IAM principal has access to. The authorization token is valid for 12 hours." The token is
``base64("AWS:" + password)``; ``expiresAt`` says when it stops working; ``proxyEndpoint`` names the registry.
User guide, "Private registry authentication in Amazon ECR": the scope of a token "matches that of the IAM principal
used to retrieve" it. A token comes from one region's endpoint and serves that region's registries (a token of
another region is refused, aws/aws-cli#5317).
"""

from __future__ import annotations

LIFETIME_SECONDS = 12 * 3600
USER = "AWS"
