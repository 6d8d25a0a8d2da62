"""The layers hold: pages → ui → (reports, etl) → db → core, never back up.

Every module of each layer is imported in a fresh interpreter, and `sys.modules` is checked
afterwards: a forbidden import anywhere in the layer, direct or through another module,
puts its package in `sys.modules` and fails the test (one interpreter per layer keeps it
fast; the failure message names the module that pulled it in). Static checks add what
imports cannot show: ui/ and reports/ never name etl/, pages stay thin, SQL stays in db/.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from config import PROJECT_ROOT

# Per layer: the packages none of its modules may load, directly or indirectly.
FORBIDDEN = {
    "core": {"streamlit", "duckdb", "requests", "pandas", "pyarrow", "yaml", "db", "etl"}
    | {"ui", "reports", "config"},
    "db": {"streamlit", "requests", "etl", "ui", "reports"},
    "etl": {"streamlit", "ui", "reports"},
    "reports": {"streamlit", "etl", "ui"},
}

PROBE = """
import importlib, json, pkgutil, sys
layer, forbidden = sys.argv[1], set(json.loads(sys.argv[2]))
package = importlib.import_module(layer)
culprits = {}
for info in pkgutil.iter_modules(package.__path__):
    name = f"{layer}.{info.name}"
    before = set(sys.modules)
    importlib.import_module(name)
    for m in set(sys.modules) - before:
        top = m.split(".")[0]
        if top in forbidden:
            culprits.setdefault(top, name)
print(json.dumps({"modules": sorted(m for m in sys.modules if m.startswith(layer + ".")),
                  "culprits": culprits}))
"""


def _probe(layer: str, forbidden: set[str], root: Path = PROJECT_ROOT) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, layer, json.dumps(sorted(forbidden))],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downwards(layer: str) -> None:
    result = _probe(layer, FORBIDDEN[layer])
    files = {p.stem for p in (PROJECT_ROOT / layer).glob("*.py")} - {"__init__", "__main__"}
    assert {m.split(".")[1] for m in result["modules"]} >= files  # every module was imported
    assert result["culprits"] == {}, f"{layer} loads {result['culprits']} (package: first module)"


def test_probe_catches_a_forbidden_import_in_any_core_module(tmp_path: Path) -> None:
    """The check can fail: a copy of core/ with `import duckdb` added to one module, any
    module, is caught and the module is named."""
    import shutil

    for victim in ("status.py", "vocabulary.py", "judging.py"):
        copy = tmp_path / victim.removesuffix(".py")
        shutil.copytree(PROJECT_ROOT / "core", copy / "core")
        target = copy / "core" / victim
        text = target.read_text(encoding="utf-8")
        future = "from __future__ import annotations\n"
        target.write_text(text.replace(future, future + "import duckdb\n", 1))
        result = _probe("core", FORBIDDEN["core"], root=copy)
        assert "duckdb" in result["culprits"], victim


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_ui_and_reports_never_name_the_etl() -> None:
    """Also imports inside functions, which a module-level import test cannot see."""
    for pkg in ("ui", "reports", "app_pages"):
        for file in (PROJECT_ROOT / pkg).rglob("*.py"):
            assert "etl" not in _imports(file), file
    assert "etl" not in _imports(PROJECT_ROOT / "app.py")


def test_only_ui_layer_imports_streamlit() -> None:
    for pkg in ("core", "db", "etl", "reports"):
        for file in (PROJECT_ROOT / pkg).rglob("*.py"):
            assert "streamlit" not in _imports(file), file


def test_pages_are_thin() -> None:
    for file in (PROJECT_ROOT / "app_pages").glob("*.py"):
        imports = _imports(file)
        assert not imports & {"duckdb", "requests", "db", "etl"}, file
        assert len(file.read_text(encoding="utf-8").splitlines()) < 30, file


def test_page_files_are_named_like_their_ui_modules() -> None:
    for file in (PROJECT_ROOT / "app_pages").glob("*.py"):
        assert (PROJECT_ROOT / "ui" / file.name).exists(), file
        assert f"ui.{file.stem}" in file.read_text(encoding="utf-8"), file


def test_sql_only_in_db_package() -> None:
    for pkg in ("core", "ui", "app_pages", "etl", "reports"):
        for file in (PROJECT_ROOT / pkg).rglob("*.py"):
            text = file.read_text(encoding="utf-8")
            assert "SELECT " not in text and "INSERT " not in text, file


def test_pages_call_queries_as_functions_not_names() -> None:
    """`data.query(queries.query_goals, …)`: a reader can follow a page to its SQL."""
    for file in (PROJECT_ROOT / "ui").glob("*.py"):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("query", "frame", "load")
                and node.args
            ):
                first = node.args[0]
                assert not (isinstance(first, ast.Constant) and isinstance(first.value, str)), (
                    f"{file}:{node.lineno} names a query by a string"
                )
