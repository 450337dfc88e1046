"""The sandbox's dependency rules as tests (``tests/depcheck.py``): it is an independent ECR, so it never imports
the product's ECR rules, its parts stay in their layers, and the processes it starts are never imported by the
code that starts them.

Layers, bottom first: ``model`` (its own reading of ECR; standard library only), ``common`` (what the processes
share), ``moto_ext`` (the moto process), ``registry`` (the gateway process), ``control`` (up, down, status),
``api`` (the public face)."""
from __future__ import annotations

import ast

from .. import depcheck

PACKAGE = "ecr_sandbox"
LAYERS = ("model", "common", "moto_ext", "registry", "control", "api")


def test_the_sandbox_has_no_import_cycle() -> None:
    assert depcheck.cycles(PACKAGE) == []


def test_each_part_imports_only_its_own_layer_and_those_below() -> None:
    assert depcheck.upward_imports(PACKAGE, LAYERS) == []


def test_the_sandbox_never_imports_the_product_the_cdk_or_an_ecr_spec_module() -> None:
    """Only the spec reader's top-level names (``from ecr_spec import ...``): the spec is the sandbox's input."""
    assert depcheck.forbidden_imports(PACKAGE, ("image_pipeline", "ecr_constructs", "aws_cdk", "constructs",
                                                "cdk_nag")) == []
    assert [i for i in depcheck.imports(PACKAGE) if i.imported.startswith("ecr_spec.")] == []


def test_names_taken_from_ecr_spec_are_top_level_names_not_its_modules() -> None:
    """``from ecr_spec import tags`` would reach a rule module through the top-level name: refused too."""
    modules = {name.rpartition(".")[2] for name in depcheck.modules("ecr_spec")}
    found = []
    for name, path in depcheck.modules(PACKAGE).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "ecr_spec":
                found += [f"{name} imports ecr_spec.{a.name}, line {node.lineno}" for a in node.names
                          if a.name in modules]
    assert found == []


def test_only_the_control_part_reads_the_spec() -> None:
    readers = {i.importer.split(".")[1] for i in depcheck.imports(PACKAGE) if i.imported.split(".")[0] == "ecr_spec"}
    assert readers <= {"control"}


def _imports_between(importer: str, imported: str) -> list[str]:
    return [f"{i.importer} imports {i.imported}, line {i.line}" for i in depcheck.imports(PACKAGE)
            if i.importer.startswith(f"{PACKAGE}.{importer}") and i.imported.startswith(f"{PACKAGE}.{imported}")]


def test_the_moto_process_and_the_gateway_process_never_import_each_other() -> None:
    assert _imports_between("moto_ext", "registry") + _imports_between("registry", "moto_ext") == []


def test_control_starts_the_processes_by_python_dash_m_and_never_imports_them() -> None:
    assert _imports_between("control", "moto_ext") + _imports_between("control", "registry") == []


def test_the_model_uses_the_standard_library_only() -> None:
    import sys

    outside = [f"{i.importer} imports {i.imported}, line {i.line}" for i in depcheck.imports(PACKAGE)
               if i.importer.startswith(f"{PACKAGE}.model")
               and i.imported.split(".")[0] not in (*sys.stdlib_module_names, PACKAGE, "__future__")]
    assert outside == []
    assert _imports_between("model", "common") + _imports_between("model", "moto_ext") == []


def test_only_the_moto_process_imports_moto() -> None:
    users = {i.importer for i in depcheck.imports(PACKAGE) if i.imported.split(".")[0] == "moto"}
    assert {u for u in users if not u.startswith(f"{PACKAGE}.moto_ext")} == set()
