"""A fleet-size spec (300 environments: 100 accounts in 3 regions each; 600 repositories) with three mistakes stops
`cdk synth` with exactly three error lines, each naming the field and its value, and writes no template: nothing
repeats per environment, per region or per repository, and no follow-on line is printed."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .synth_helpers import synth_spec, templates

REGIONS = ["us-east-1", "eu-west-1", "us-west-2"]


def fleet_spec() -> dict[str, Any]:
    """300 environments, ``team000-us-east-1`` .. ``team099-us-west-2``, two repositories each."""
    environments = {f"team{n:03d}-{region}": {"account": f"{200000000000 + n:012d}", "regions": [region]}
                    for n in range(100) for region in REGIONS}
    names = list(environments)
    repositories = [{"name": f"team{n % 100:03d}/service-{n}", "environments": [names[n % 300]],
                     "pull": {"accounts": ["333333333333"]}} for n in range(600)]
    return {"environments": environments, "defaults": {"lifecycle": {"keep_last": 30}}, "repositories": repositories}


def test_three_mistakes_in_a_300_registry_spec_print_exactly_three_lines(tmp_path: Path) -> None:
    spec = fleet_spec()
    assert len(spec["environments"]) == 300
    spec["environments"]["team037-eu-west-1"]["account"] = "20000000037"
    spec["environments"]["team081-us-west-2"]["regions"] = ["eu-wset-1"]
    spec["repositories"][250]["pull"]["accounts"] = ["33333333333"]

    result = synth_spec(tmp_path, spec, "fleet.json")

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
        "error: environments.team037-eu-west-1.account: '20000000037' is not a 12-digit account id",
        "error: environments.team081-us-west-2.regions[0]: 'eu-wset-1' is not an AWS region with Amazon ECR "
        "(did you mean 'eu-west-1'?)",
        "error: repositories[250].pull.accounts[0]: '33333333333' is not a 12-digit account id",
    ]
    assert templates(tmp_path) == []
