"""Reading a spec from disk: cdk.json's ``ecr`` context, or a JSON file of the same shape."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .core.errors import SpecError, SpecFileError
from .model.spec import RegistrySpec
from .parse.spec import load_spec

CONTEXT_KEY = "ecr"
OVERRIDE_CONTEXT_KEY = "ecr-spec"


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON parsers keep only the last of two equal keys in one object, silently dropping the first (a merge
    of two edits of cdk.json did exactly that to a whole ``registry`` section): refuse it instead."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(f"the key {key!r} appears twice in one object (JSON would keep only the last)")
        result[key] = value
    return result


def read_json(path: str | Path, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"), object_pairs_hook=_unique_keys)
    except OSError as error:
        raise SpecFileError([f"{what}: cannot read {path}: {error.strerror}"]) from error
    except _DuplicateKey as error:
        raise SpecFileError([f"{what}: {path}: {error}"]) from error
    except ValueError as error:
        raise SpecFileError([f"{what}: {path} is not valid JSON: {error}"]) from error


def load_spec_file(path: str | Path) -> RegistrySpec:
    """A JSON file holding just the spec (what ``cdk synth -c ecr-spec=PATH`` takes)."""
    document = read_json(path, OVERRIDE_CONTEXT_KEY)
    if isinstance(document, dict) and CONTEXT_KEY in (document.get("context") or {}):
        raise SpecFileError([f"{OVERRIDE_CONTEXT_KEY}: {path} is a cdk.json (its spec is context.{CONTEXT_KEY}), "
                             "not a spec file: give it as a cdk.json (image-pipeline --cdk-json), or the spec alone"])
    return load_spec(document)


def load_cdk_json(path: str | Path = "cdk.json", override_path: str | Path | None = None) -> RegistrySpec:
    """The spec the CDK app would use: ``override_path`` if given, else cdk.json's ``ecr`` context."""
    if override_path:
        return load_spec_file(override_path)
    document = read_json(path, "cdk.json")
    context = document.get("context", {}) if isinstance(document, dict) else {}
    if CONTEXT_KEY not in context:
        raise SpecError([f"cdk.json: no '{CONTEXT_KEY}' key under 'context'"])
    return load_spec(context[CONTEXT_KEY])
