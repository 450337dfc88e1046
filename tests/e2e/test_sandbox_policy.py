"""How the sandbox's token server reads a repository policy (pure functions, no sandbox needed)."""

from __future__ import annotations

import json

from ecr_sandbox.registry.tokens import Scope, grant, policy_grants

PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
PUSH = PULL + ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"]


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(principal, actions, **extra) -> dict:
    return {"Effect": "Allow", "Principal": principal, "Action": actions, **extra}


def test_an_account_root_principal_with_the_pull_actions_gets_pull():
    assert policy_grants(_policy(_allow({"AWS": "arn:aws:iam::333333333333:root"}, PULL)), "333333333333") == {"pull"}


def test_a_bare_account_id_principal_counts_like_its_root():
    assert policy_grants(_policy(_allow({"AWS": ["333333333333"]}, PULL)), "333333333333") == {"pull"}


def test_an_account_the_policy_does_not_name_gets_nothing():
    assert policy_grants(_policy(_allow({"AWS": "arn:aws:iam::333333333333:root"}, PULL)), "222222222222") == set()


def test_the_push_actions_or_ecr_star_grant_push_as_well():
    assert policy_grants(_policy(_allow({"AWS": "333333333333"}, PUSH)), "333333333333") == {"pull", "push"}
    assert policy_grants(_policy(_allow({"AWS": "333333333333"}, "ecr:*")), "333333333333") == {"pull", "push"}


def test_a_service_principal_grants_no_account():
    statement = _allow({"Service": "codebuild.amazonaws.com"}, PULL)
    assert policy_grants(_policy(statement), "333333333333") == set()


def test_a_star_principal_with_an_organisation_condition_grants_every_sandbox_account():
    statement = _allow("*", PULL, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})
    assert policy_grants(_policy(statement), "222222222222") == {"pull"}


def test_a_deny_statement_takes_away_what_an_allow_gave():
    deny = {"Effect": "Deny", "Principal": {"AWS": "333333333333"}, "Action": "ecr:BatchGetImage"}
    assert policy_grants(_policy(_allow({"AWS": "333333333333"}, PULL), deny), "333333333333") == set()


def test_the_owner_gets_what_it_asks_for_and_a_missing_repository_gives_nothing():
    def lookup(account, region, name):
        return (name == "team/app", None)

    scopes = [Scope.parse("repository:team/app:pull,push"), Scope.parse("repository:team/missing:pull")]
    access = grant("111111111111", "111111111111", "us-east-1", scopes, lookup)

    assert access == [{"type": "repository", "name": "team/app", "actions": ["pull", "push"]},
                      {"type": "repository", "name": "team/missing", "actions": []}]
