"""Reading a spec from disk (``ecr_spec.files``): cdk.json's ``ecr`` context or a ``-c ecr-spec=FILE`` file."""
import json
from pathlib import Path

import pytest

from ecr_spec import load_cdk_json
from ecr_spec.core.errors import SpecFileError

ROOT = Path(__file__).resolve().parents[2]


def test_a_key_given_twice_in_one_object_is_refused_rather_than_silently_dropped(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text('{"environments": {}, "registry": {"scan_type": "BASIC"}, "repositories": [], '
                    '"registry": {"creation_templates": []}}')

    with pytest.raises(SpecFileError) as raised:
        load_cdk_json(override_path=path)

    assert raised.value.problems == [
        f"ecr-spec: {path}: the key 'registry' appears twice in one object (JSON would keep only the last)"]


def test_a_missing_spec_file_says_it_cannot_be_read(tmp_path):
    with pytest.raises(SpecFileError) as raised:
        load_cdk_json(override_path=tmp_path / "missing.json")

    assert raised.value.problems == [f"ecr-spec: cannot read {tmp_path / 'missing.json'}: No such file or directory"]


def test_the_shipped_cdk_json_has_no_key_given_twice():
    # the CDK CLI parses cdk.json with JSON.parse, which keeps the last of two equal keys without a word
    load_cdk_json(ROOT / "cdk.json")
    json.loads((ROOT / "cdk.json").read_text())


def test_a_cdk_json_given_where_a_spec_file_belongs_says_so_in_one_line(tmp_path):
    cdk_json = tmp_path / "cdk.json"
    cdk_json.write_text(json.dumps({"app": "python3 app.py", "context": {"ecr": {"environments": {}}}}))
    with pytest.raises(SpecFileError) as caught:
        load_cdk_json(override_path=cdk_json)
    assert caught.value.problems == [
        f"ecr-spec: {cdk_json} is a cdk.json (its spec is context.ecr), not a spec file: give it as a cdk.json "
        "(image-pipeline --cdk-json), or the spec alone"]
