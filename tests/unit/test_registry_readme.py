"""The README's registry-level examples are valid `registry` sections (documentation that cannot rot silently)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from .spec_helpers import parsed, spec

README = Path(__file__).resolve().parents[2] / "README.md"


def _examples() -> list[dict]:
    text = README.read_text()
    section = text[text.index("## Registry-level features"):text.index("## Using the constructs")]
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", section, re.S)]


def test_each_registry_example_of_the_readme_is_a_valid_registry_section() -> None:
    examples = _examples()
    assert len(examples) == 3
    for example in examples:
        assert parsed(spec(registry=example)).registry_settings is not None


def test_the_readme_examples_together_use_every_registry_key() -> None:
    merged = {k: v for example in _examples() for k, v in example.items()}
    result = parsed(spec(registry=merged))
    settings = result.registry_settings
    assert (result.scan_type, len(settings.scanning_rules or ()), len(settings.pull_through_cache),
            len(settings.signing)) == ("ENHANCED", 2, 3, 1)


def test_the_construct_example_of_the_registry_features_doc_synthesizes_its_three_resources() -> None:
    from aws_cdk.assertions import Template

    doc = (README.parent / "docs" / "registry-features.md").read_text()
    code = re.search(r"```python\n(.*?)```", doc, re.S)
    assert code
    scope: dict = {}
    exec(compile(code.group(1), "registry-features.md", "exec"), scope)  # noqa: S102 - our own documentation
    template = Template.from_stack(scope["stack"])
    for kind in ("AWS::ECR::RegistryScanningConfiguration", "AWS::ECR::PullThroughCacheRule",
                 "AWS::ECR::SigningConfiguration"):
        template.resource_count_is(kind, 1)
