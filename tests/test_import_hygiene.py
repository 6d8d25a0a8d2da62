"""The seams hold: core/ is pure (no I/O libraries), only ui/, app.py and pages/ import
streamlit, and SQL text lives in db/. Imports run in a fresh interpreter so modules
imported by other tests cannot hide a violation."""

from __future__ import annotations

import ast
import subprocess
import sys

from config import PROJECT_ROOT

IO_MODULES = {"streamlit", "duckdb", "requests", "yaml", "pandas", "pyarrow"}


def test_core_imports_no_io_libraries() -> None:
    code = (
        "import sys, core.goals, core.format, core.errors; "
        f"print(sorted(m for m in {sorted(IO_MODULES)!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def _imports(path: str) -> set[str]:
    tree = ast.parse((PROJECT_ROOT / path).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_ui_layer_imports_streamlit() -> None:
    for pkg in ("core", "db", "etl"):
        for file in (PROJECT_ROOT / pkg).rglob("*.py"):
            assert "streamlit" not in _imports(str(file.relative_to(PROJECT_ROOT))), file


def test_pages_are_thin() -> None:
    for file in (PROJECT_ROOT / "app_pages").glob("*.py"):
        imports = _imports(str(file.relative_to(PROJECT_ROOT)))
        assert not imports & {"duckdb", "requests", "db", "etl"}, file
        assert len(file.read_text(encoding="utf-8").splitlines()) < 30, file


def test_sql_only_in_db_package() -> None:
    for pkg in ("core", "ui", "app_pages", "etl"):
        for file in (PROJECT_ROOT / pkg).rglob("*.py"):
            text = file.read_text(encoding="utf-8")
            assert "SELECT " not in text and "INSERT " not in text, file
