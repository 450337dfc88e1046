"""moto as a server, with ECR's gaps closed: ``python -m ecr_sandbox.moto_server --port P``.

Before moto starts it gets two patches: the CloudFormation handlers of ``ecr_sandbox.moto_cfn`` (so a
deployed template reads back through the ECR API as written) and ``patch_authorization_token`` below.
"""

from __future__ import annotations

import argparse
from base64 import b64encode

from ecr_sandbox import moto_cfn, moto_replication


def patch_authorization_token() -> None:
    """Make the token's password name the *caller's* account, as a real ECR token names its identity.

    moto puts the requested ``registryIds`` into the password, so account B asking for a token for
    account A's registry would get A's password and pass as A. Here the password is always
    ``<caller account>-auth-token`` (identical to moto when no registryIds are given); the
    ``proxyEndpoint`` still names each requested registry.
    """
    from moto.ecr.responses import ECRResponse

    if getattr(ECRResponse, "_sandbox_patched", False):
        return
    original = ECRResponse.get_authorization_token

    def get_authorization_token(self):  # type: ignore[no-untyped-def]
        result = original(self)
        token = b64encode(f"AWS:{self.current_account}-auth-token".encode("ascii")).decode()
        for entry in result.result["authorizationData"]:
            entry["authorizationToken"] = token
        return result

    ECRResponse.get_authorization_token = get_authorization_token  # type: ignore[method-assign]
    ECRResponse._sandbox_patched = True  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ecr_sandbox.moto_server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state-dir", help="the sandbox folder that started it (lets `down` find it after a crash)")
    args = parser.parse_args(argv)
    moto_cfn.install()
    patch_authorization_token()
    moto_replication.install()
    from moto import server

    server.main(["-H", args.host, "-p", str(args.port)])


if __name__ == "__main__":
    main()
