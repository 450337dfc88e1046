"""Replication planning (ecr_spec.plan.replication): PREFIX_MATCH conflicts, merging by destination set, ECR's limits.

Sources: Amazon ECR API Reference, ReplicationConfiguration (rules: at most 10), ReplicationRule (destinations
and repositoryFilters: at most 100 each), RepositoryFilter (filterType PREFIX_MATCH, the only type); user guide
"Private image replication in Amazon ECR".
"""
from __future__ import annotations

from typing import Any

from ecr_spec import Registry, Target
from ecr_spec.plan.replication import (MAX_FILTERS_PER_RULE, all_targets, prefix_conflicts, replicas_in,
                                  stack_dependencies)

from .spec_helpers import BASE, parsed, problems_of, spec

DEV = Target("dev", "111111111111", "us-east-1")
EU = {"account": "222222222222", "region": "eu-west-1"}
US = {"account": "222222222222", "region": "us-east-1"}


def repos(*items: dict[str, Any]) -> dict[str, Any]:
    return spec(repositories=[{"environments": ["dev"], **item} for item in items])


def test_a_replicated_name_that_prefixes_a_repository_that_does_not_replicate_is_one_line_naming_both() -> None:
    raw = repos({"name": "team/app", "replicate_to": [EU]}, {"name": "team/app-worker"})
    assert problems_of(raw) == [
        "repositories[0].name: 'team/app' replicates to 222222222222/eu-west-1 through ECR's PREFIX_MATCH filter, "
        "which also replicates repositories[1] 'team/app-worker' from environments.dev (111111111111/us-east-1), "
        "and that repository does not replicate there: rename one, give repositories[1] the same replicate_to, "
        "or set repositories[0].replicate_by_prefix: true to accept it"]


def test_replicate_by_prefix_accepts_that_longer_names_are_replicated_too() -> None:
    raw = repos({"name": "team/app", "replicate_to": [EU], "replicate_by_prefix": True}, {"name": "team/app-worker"})
    assert parsed(raw).repository("team/app").replicate_by_prefix is True


def test_a_longer_name_that_replicates_to_the_same_destinations_is_no_conflict() -> None:
    raw = repos({"name": "team/app", "replicate_to": [EU]}, {"name": "team/app-worker", "replicate_to": [US, EU]})
    assert prefix_conflicts(parsed(raw).repositories_in(DEV)) == []


def test_a_prefix_in_another_registry_is_no_conflict() -> None:
    raw = spec(repositories=[{"name": "team/app", "environments": ["dev"], "replicate_to": [EU]},
                             {"name": "team/app-worker", "environments": ["prod"]}])
    assert parsed(raw).repository("team/app").replicate_to == (Registry("222222222222", "eu-west-1"),)


def test_replicate_by_prefix_must_be_a_boolean() -> None:
    raw = repos({"name": "team/app", "replicate_to": [EU], "replicate_by_prefix": "yes"})
    assert problems_of(raw) == ["repositories[0].replicate_by_prefix: 'yes' must be true or false"]


def test_the_same_destinations_in_another_order_share_one_rule() -> None:
    raw = repos({"name": "app-a", "replicate_to": [EU, US]}, {"name": "app-b", "replicate_to": [US, EU]})
    rules = parsed(raw).replication_rules(DEV)
    assert [(r.destinations, r.repositories) for r in rules] == [
        ((Registry("222222222222", "eu-west-1"), Registry("222222222222", "us-east-1")), ("app-a", "app-b"))]


def test_a_destination_set_with_more_than_100_repositories_is_split_into_rules_of_at_most_100_filters() -> None:
    raw = repos(*({"name": f"svc{i:03d}", "replicate_to": [EU]} for i in range(102)))
    rules = parsed(raw).replication_rules(DEV)
    assert [len(r.repositories) for r in rules] == [MAX_FILTERS_PER_RULE, 2]
    assert rules[1].repositories == ("svc100", "svc101")


def test_more_than_10_rules_in_one_registry_is_one_line() -> None:
    regions = ["us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1",
               "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-southeast-1"]
    raw = repos(*({"name": f"svc-{region}", "replicate_to": [{"account": "111111111111", "region": region}]}
                  for region in regions))
    assert problems_of(raw) == [
        "environments.dev (111111111111/us-east-1): replicate_to needs 11 replication rules (11 distinct sets of "
        "destinations, at most 100 repositories per rule); ECR allows 10 per registry: use fewer distinct "
        "replicate_to lists"]


def test_a_replica_is_declared_in_its_destination_registry_with_the_repository_settings() -> None:
    registry_spec = parsed(BASE)
    prod_eu = Target("prod", "222222222222", "eu-west-1")
    assert [r.name for r in replicas_in(registry_spec, prod_eu)] == ["platform/base-images"]
    assert replicas_in(registry_spec, prod_eu)[0] is registry_spec.repository("platform/base-images")


def test_the_source_stack_depends_on_the_stacks_of_its_destinations() -> None:
    assert stack_dependencies(parsed(BASE)) == {DEV: (Target("prod", "222222222222", "eu-west-1"),)}


def test_a_same_account_region_outside_the_environments_gets_a_replica_stack() -> None:
    raw = repos({"name": "app", "replicate_to": [{"account": "111111111111", "region": "us-west-2"}]})
    assert all_targets(parsed(raw))[-1] == Target("dev", "111111111111", "us-west-2")


def test_registries_replicating_into_each_other_is_one_line() -> None:
    raw = spec(repositories=[{"name": "app-a", "environments": ["dev"], "replicate_to": [EU]},
                             {"name": "app-b", "environments": ["prod"], "replicate_to": [
                                 {"account": "111111111111", "region": "us-east-1"}]}])
    problems = problems_of(raw)
    assert len(problems) == 1
    assert problems[0].startswith("repositories: replicate_to makes the stacks ")
    assert "ecr-dev-us-east-1" in problems[0] and "ecr-prod-eu-west-1" in problems[0]


def test_defaults_replicate_to_is_planned_like_a_repository_own() -> None:
    raw = spec(repositories=[{"name": "app", "environments": ["dev"]}])
    raw["defaults"]["replicate_to"] = [EU]
    assert parsed(raw).replication_rules(DEV)[0].repositories == ("app",)
