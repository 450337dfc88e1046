"""Which repository creation template ECR applies to a repository it creates.

API reference, CreateRepositoryCreationTemplate ``prefix``
(https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepositoryCreationTemplate.html): "a prefix of
prod would apply to all repositories beginning with prod/. Similarly, a prefix of prod/team would apply to all
repositories beginning with prod/team/. To apply a template to all repositories in your registry that don't have an
associated creation template, you can use ROOT as the prefix. There is always an assumed / applied to the end of
the prefix. If you specify ecr-public as the prefix, Amazon ECR treats that as ecr-public/." ``appliedFor``: the
creation scenarios (PULL_THROUGH_CACHE, REPLICATION, CREATE_ON_PUSH) the template applies to. Where two prefixes
hold a name, the longer (the repository's own namespace) is read as the one that applies.
"""
from __future__ import annotations

REPLICATION = ("REPLICATION",)
THREE = (("ROOT", REPLICATION), ("team", REPLICATION), ("team/app", REPLICATION))
# (id, templates as (prefix, appliedFor), repository, scenario, expected prefix or None)
CASES = (
    ("the_longest_matching_prefix_wins", THREE, "team/app/api", "REPLICATION", "team/app"),
    ("a_shorter_prefix_holds_other_names_of_its_namespace", THREE, "team/other", "REPLICATION", "team"),
    ("a_prefix_is_a_namespace_with_an_assumed_slash", THREE, "teamwork/x", "REPLICATION", "ROOT"),
    ("a_prefix_does_not_hold_the_repository_of_its_own_name", (("team", REPLICATION),), "team", "REPLICATION", None),
    ("root_catches_what_no_other_template_holds", THREE, "other/app", "REPLICATION", "ROOT"),
    ("a_template_not_applied_for_the_scenario_is_ignored", (("team", ("PULL_THROUGH_CACHE",)),), "team/app",
     "REPLICATION", None),
    ("a_template_applied_for_create_on_push", (("team", ("CREATE_ON_PUSH", "REPLICATION")),), "team/app",
     "CREATE_ON_PUSH", "team"),
    ("no_template_means_ecrs_defaults", (), "team/app", "REPLICATION", None),
    ("a_trailing_slash_in_the_prefix_is_the_same_namespace", (("ecr-public/", REPLICATION),), "ecr-public/nginx",
     "REPLICATION", "ecr-public/"),
)
