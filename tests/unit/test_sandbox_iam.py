"""The sandbox's reading of IAM's policy evaluation logic (``ecr_sandbox.model.iam``), on repository policies.

Pages: IAM user guide "Policy evaluation logic", "Cross-account policy evaluation logic", "The difference between
explicit and implicit denies", "IAM JSON policy elements: Principal / Condition", "AWS global condition context
keys" (aws:PrincipalOrgID), "Troubleshooting access denied error messages"; ECR user guide "Private repository
policies" (pull and push actions)."""
from __future__ import annotations

import json
import logging

import pytest

from ecr_sandbox.model.iam import Caller, Decision, Request, context_for, denial_message, evaluate

OWNER, OTHER, THIRD = "111111111111", "333333333333", "222222222222"
REPO = f"arn:aws:ecr:us-east-1:{OWNER}:repository/team/app"
PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
ORG = ("o-a1b2c3d4e5", [OWNER, OTHER])


def session(account: str, role: str = "deploy") -> Caller:
    return Caller(f"arn:aws:sts::{account}:assumed-role/{role}/ci")


def ask(caller: Caller, action: str = "ecr:BatchGetImage", organization=ORG) -> Request:  # type: ignore[no-untyped-def]
    return Request(caller, action, REPO, context_for(caller, "us-east-1", OWNER, organization))


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal, actions, **extra) -> dict:  # type: ignore[no-untyped-def]
    return {"Effect": "Allow", "Principal": principal, "Action": actions, **extra}


def deny(principal, actions, **extra) -> dict:  # type: ignore[no-untyped-def]
    return {"Effect": "Deny", "Principal": principal, "Action": actions, **extra}


def test_the_owner_may_act_without_a_policy() -> None:
    assert evaluate(ask(session(OWNER)), None).allowed


def test_another_account_gets_nothing_without_a_policy() -> None:
    decision = evaluate(ask(session(OTHER)), None)

    assert not decision.allowed and decision.outcome == "implicit-deny"


@pytest.mark.parametrize("principal", [{"AWS": f"arn:aws:iam::{OTHER}:root"}, {"AWS": OTHER}, {"AWS": [OTHER]},
                                       {"AWS": f"arn:aws:iam::{OTHER}:role/deploy"}, "*", {"AWS": "*"}])
def test_an_allow_naming_the_callers_account_role_or_everyone_grants_it(principal) -> None:  # type: ignore[no-untyped-def]
    assert evaluate(ask(session(OTHER)), policy(allow(principal, PULL))).allowed


def test_a_role_principal_does_not_cover_another_role_of_the_same_account() -> None:
    text = policy(allow({"AWS": f"arn:aws:iam::{OTHER}:role/reader"}, PULL))

    assert not evaluate(ask(session(OTHER, "deploy")), text).allowed


def test_a_service_principal_grants_no_account() -> None:
    assert not evaluate(ask(session(OTHER)), policy(allow({"Service": "codebuild.amazonaws.com"}, PULL))).allowed


def test_action_wildcards_match_case_insensitively() -> None:
    assert evaluate(ask(session(OTHER), "ecr:BatchGetImage"), policy(allow({"AWS": OTHER}, "ECR:Batch*"))).allowed
    assert not evaluate(ask(session(OTHER), "ecr:PutImage"), policy(allow({"AWS": OTHER}, "ecr:Batch*"))).allowed


def test_an_explicit_deny_wins_for_the_owner_too() -> None:
    """"The Deny statement trumps the Allow statement" (issue 17: the owner still pushed)."""
    text = policy(deny("*", "ecr:PutImage"))

    decision = evaluate(ask(session(OWNER), "ecr:PutImage"), text)

    assert decision.outcome == "explicit-deny"
    assert evaluate(ask(session(OWNER), "ecr:BatchGetImage"), text).allowed


def test_an_explicit_deny_takes_away_what_an_allow_gave() -> None:
    text = policy(allow({"AWS": OTHER}, PULL), deny({"AWS": OTHER}, "ecr:BatchGetImage"))

    assert evaluate(ask(session(OTHER)), text).outcome == "explicit-deny"


def test_an_organization_condition_grants_members_only() -> None:
    """aws:PrincipalOrgID is in the request context only for a member of the sandbox's organization."""
    text = policy(allow("*", PULL, Condition={"StringEquals": {"aws:PrincipalOrgID": ORG[0]}}))

    assert evaluate(ask(session(OTHER)), text).allowed
    assert not evaluate(ask(session(THIRD)), text).allowed  # not a member: the key is absent, the condition fails


def test_another_organizations_id_grants_nobody() -> None:
    text = policy(allow("*", PULL, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-someoneelse"}}))

    assert not evaluate(ask(session(OTHER)), text).allowed


def test_a_negated_condition_on_an_absent_key_holds() -> None:
    """"...IfExists" and the Not operators match when the key is not in the request context."""
    text = policy(deny("*", PULL, Condition={"StringNotEquals": {"aws:PrincipalOrgID": ORG[0]}}))

    assert evaluate(ask(session(THIRD)), text).outcome == "explicit-deny"
    assert evaluate(ask(session(OWNER)), text).allowed


def test_principal_account_and_source_account_conditions_are_evaluated() -> None:
    by_account = policy(allow("*", PULL, Condition={"StringEquals": {"aws:PrincipalAccount": OTHER}}))
    by_source = policy(allow("*", PULL, Condition={"StringEquals": {"aws:SourceAccount": OTHER}}))

    assert evaluate(ask(session(OTHER)), by_account).allowed
    assert not evaluate(ask(session(THIRD)), by_account).allowed
    assert not evaluate(ask(session(OTHER)), by_source).allowed  # no service acts for the caller: key absent


def test_an_unknown_condition_key_denies_with_a_log_line(caplog) -> None:  # type: ignore[no-untyped-def]
    text = policy(allow({"AWS": OTHER}, PULL, Condition={"StringEquals": {"ecr:ResourceTag/team": "a"}}))

    with caplog.at_level(logging.WARNING, logger="ecr_sandbox.model.iam"):
        decision = evaluate(ask(session(OTHER)), text)

    assert not decision.allowed and decision.unknown_keys == ("ecr:ResourceTag/team",)
    assert "ecr:ResourceTag/team" in caplog.text and "denied" in caplog.text


def test_an_unknown_key_in_a_deny_denies_the_owner_as_well() -> None:
    text = policy(deny("*", "ecr:PutImage", Condition={"StringEquals": {"aws:SomethingNew": "x"}}))

    assert not evaluate(ask(session(OWNER), "ecr:PutImage"), text).allowed


def test_a_registry_policy_resource_must_match() -> None:
    statement = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                 "Action": ["ecr:ReplicateImage"], "Resource": f"arn:aws:ecr:us-east-1:{OWNER}:repository/*"}
    replicate = Request(Caller(f"arn:aws:iam::{OTHER}:root"), "ecr:ReplicateImage", REPO)
    elsewhere = Request(replicate.caller, "ecr:ReplicateImage", REPO.replace("us-east-1", "eu-west-1"))

    assert evaluate(replicate, policy(statement)).allowed
    assert not evaluate(elsewhere, policy(statement)).allowed


def test_the_denial_names_the_user_action_resource_and_reason() -> None:
    """"Troubleshooting access denied error messages": implicit and explicit denies."""
    request = ask(session(OTHER), "ecr:InitiateLayerUpload")

    assert denial_message(request, Decision("implicit-deny", "resource-based")) == (
        f"User: arn:aws:sts::{OTHER}:assumed-role/deploy/ci is not authorized to perform: ecr:InitiateLayerUpload "
        f"on resource: {REPO} because no resource-based policy allows the ecr:InitiateLayerUpload action")
    assert denial_message(request, Decision("explicit-deny", "resource-based")).endswith(
        "with an explicit deny in a resource-based policy")
