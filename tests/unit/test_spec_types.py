"""Spec errors for people: a value of the wrong JSON type is reported once, as a type error, before any check of
its value; a field already reported yields no follow-on error elsewhere; typos get the closest region or key.

Account ids are 12 digits (Amazon ECR API Reference, ``registryId``: "Pattern: [0-9]{12}"), written as strings:
a JSON number loses leading zeros, so a number is refused as a type, not as a bad id.
"""
from __future__ import annotations

import copy

from .spec_helpers import BASE, problems_of, spec


def one_environment(account: object) -> dict:
    raw = spec(environments={"dev": {"account": account, "regions": ["us-east-1"]}})
    raw["repositories"] = [{"name": "team/app"}]
    return raw


def test_an_unquoted_account_id_is_one_type_error_asking_for_a_quoted_string() -> None:
    assert problems_of(one_environment(111111111111)) == [
        'environments.dev.account: 111111111111 must be a quoted string ("111111111111")']


def test_an_unquoted_account_id_beside_quoted_ones_is_one_line_not_a_crash() -> None:
    raw = copy.deepcopy(BASE)
    raw["environments"]["prod"]["account"] = 222222222222
    assert problems_of(raw) == ['environments.prod.account: 222222222222 must be a quoted string ("222222222222")']


def test_an_unquoted_account_id_in_a_list_is_a_type_error_at_its_index() -> None:
    raw = spec(repositories=[{"name": "team/app", "pull": {"accounts": ["333333333333", 444444444444]}}])
    assert problems_of(raw) == [
        'repositories[0].pull.accounts[1]: 444444444444 must be a quoted string ("444444444444")']


def test_a_string_where_a_list_belongs_is_one_error_not_one_per_character() -> None:
    raw = spec(repositories=[{"name": "team/app", "pull": {"accounts": "444444444444"}}])
    assert problems_of(raw) == [
        "repositories[0].pull.accounts: '444444444444' must be a list, such as ['444444444444']"]


def test_a_region_that_is_not_a_string_is_a_type_error() -> None:
    raw = spec(environments={"dev": {"account": "111111111111", "regions": [["us-east-1"]]}})
    raw["repositories"] = [{"name": "team/app"}]
    assert problems_of(raw) == ["environments.dev.regions[0]: ['us-east-1'] must be a string"]


def test_a_bad_account_of_an_environment_gives_no_follow_on_error_for_replication_to_it() -> None:
    raw = copy.deepcopy(BASE)
    raw["environments"]["prod"]["account"] = "22222222222"  # 11 digits
    assert problems_of(raw) == ["environments.prod.account: '22222222222' is not a 12-digit account id"]


def test_a_typo_in_an_environments_region_gives_the_closest_region_and_no_follow_on_error() -> None:
    raw = copy.deepcopy(BASE)
    raw["environments"]["prod"]["regions"] = ["us-east-1", "eu-wset-1"]
    assert problems_of(raw) == ["environments.prod.regions[1]: 'eu-wset-1' is not an AWS region with Amazon ECR "
                                "(did you mean 'eu-west-1'?)"]


def test_a_typo_in_a_replication_region_gives_the_closest_region_once() -> None:
    raw = copy.deepcopy(BASE)
    raw["repositories"][1]["replicate_to"] = [{"account": "222222222222", "region": "eu-wset-1"}]
    assert problems_of(raw) == ["repositories[1].replicate_to[0].region: 'eu-wset-1' is not an AWS region with "
                                "Amazon ECR (did you mean 'eu-west-1'?)"]
