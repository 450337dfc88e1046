"""The README's spec example is a real, valid spec (documentation that cannot rot silently)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from ecr_spec import load_spec

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_spec_for_three_accounts_and_two_regions_is_valid() -> None:
    block = re.search(r"```json\n(.*?)```", README.read_text(), re.S)
    assert block, "README has no json example"
    spec = load_spec(json.loads(block.group(1)))
    assert [t.stack_name for t in spec.targets()] == [
        "ecr-dev-us-east-1", "ecr-staging-us-east-1", "ecr-prod-us-east-1", "ecr-prod-eu-west-1"]
    assert spec.repository("payments/api").lifecycle_rules[0].action == "transition"
