"""The synth harness of the integration tests: a spec written to a file, the real `cdk synth` of app.py with
``-c ecr-spec=FILE``, and the checks every template must pass (cfn-lint, cdk-nag's validation report)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CDK = ROOT / "node_modules" / ".bin" / "cdk"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"


def synth(out: Path, *context: str) -> subprocess.CompletedProcess[str]:
    """`cdk synth` with no AWS credentials or config at all: synth must need none."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=str(out / "no-config"), AWS_SHARED_CREDENTIALS_FILE=str(out / "no-credentials"),
               JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", CDK_DISABLE_VERSION_CHECK="1")
    args = [str(CDK), "synth", "--quiet", "--no-notices", "-o", str(out / "cdk.out")]
    for item in context:
        args += ["-c", item]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def synth_spec(out: Path, spec: Any, name: str = "spec.json") -> subprocess.CompletedProcess[str]:
    """Writes ``spec`` (JSON data, or text as is) to ``out/name`` and synthesizes the app with it."""
    spec_file = out / name
    spec_file.write_text(spec if isinstance(spec, str) else json.dumps(spec))
    return synth(out, f"ecr-spec={spec_file}")


def synthesized(factory: pytest.TempPathFactory, name: str, spec: Any = None) -> Path:
    """A fresh folder holding the synth of ``spec`` (None: cdk.json's example), for a module fixture; the
    synth must succeed."""
    out = factory.mktemp(name)
    result = synth(out) if spec is None else synth_spec(out, spec)
    assert result.returncode == 0, result.stderr
    return out


def example_spec() -> dict[str, Any]:
    """The example spec of cdk.json's context, a fresh copy to change."""
    return json.loads((ROOT / "cdk.json").read_text())["context"]["ecr"]


def templates(out: Path) -> list[Path]:
    return sorted((out / "cdk.out").glob("*.template.json"))


def template(out: Path, stack: str) -> dict[str, Any]:
    return json.loads((out / "cdk.out" / f"{stack}.template.json").read_text())


def cfn_lint(out: Path) -> subprocess.CompletedProcess[str]:
    """cfn-lint over every template synthesized into ``out``."""
    return subprocess.run([str(CFN_LINT), *map(str, templates(out))], capture_output=True, text=True, timeout=300)


def nag_violations(out: Path) -> list[Any]:
    """cdk-nag's unacknowledged findings, from the validation report synth wrote."""
    report = json.loads((out / "cdk.out" / "validation-report.json").read_text())
    return [v for plugin in report["pluginReports"] for v in plugin.get("violations", [])]
