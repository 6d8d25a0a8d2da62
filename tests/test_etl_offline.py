"""`python -m etl --offline`: builds the database from the bundled snapshot, publishes it
atomically, and leaves the published file untouched when anything fails. Most checks run
on the tiny real snapshot (tests/tiny.py); those about the full bundle are marked slow."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from config import PROJECT_ROOT, Paths
from etl.pipeline import build_offline

EXPECTED_TABLES = {
    "_migrations",
    "meta",
    "etl_run",
    "municipality",
    "municipality_group",
    "municipality_group_member",
    "kpi",
    "kpi_change",
    "kpi_group",
    "kpi_group_member",
    "kolada_value",
    "value_revision",
    "sdg_goal",
    "sdg_target",
    "crc_article",
    "kpi_sdg",
    "kpi_sdg_map",
    "framework",
    "decision",
    "framework_source",
    "perspective",
    "checkpoint",
    "challenge",
    "rus_area",
    "area",
    "goal",
    "indicator",
    "ambition",
    "goal_link",
    "assessment",
    "goal_conflict",
    "indicator_result",
    "goal_result",
    "sdg_kpi_result",
}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run_cli(state: Path, goals: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MALPULS_DATA_DIR": str(state)}
    if goals is not None:
        env["MALPULS_GOALS_DIR"] = str(goals)
    return subprocess.run(
        [sys.executable, "-m", "etl", "--offline"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _parquet_count(parquet: Path, where: str = "true") -> int:
    with duckdb.connect() as c:
        return c.execute(
            f"SELECT count(*) FROM read_parquet('{parquet}') WHERE {where}"
        ).fetchall()[0][0]


def test_expected_tables_and_counts(tiny_con: duckdb.DuckDBPyConnection, tiny_paths: Paths) -> None:
    """The tiny snapshot keeps the whole catalogue, so its counts are the bundle's."""
    con = tiny_con
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == EXPECTED_TABLES

    def count(sql: str) -> int:
        return con.execute(sql).fetchone()[0]

    assert count("SELECT count(*) FROM municipality") == 312
    assert count("SELECT count(*) FROM municipality WHERE type = 'K'") == 290
    assert count("SELECT count(*) FROM sdg_goal") == 17
    assert count("SELECT count(*) FROM sdg_target") == 169
    assert count("SELECT count(*) FROM crc_article") == 54
    assert count("SELECT count(*) FROM kpi WHERE NOT is_retired") == 6099
    assert count("SELECT count(*) FROM framework") == 4
    assert count("SELECT count(DISTINCT municipality_id) FROM goal") == 3
    assert count("SELECT count(*) FROM goal WHERE municipality_id = '1962'") == 10
    assert count("SELECT count(*) FROM goal WHERE municipality_id = '0685'") == 15
    assert count("SELECT count(*) FROM area WHERE municipality_id = '1962'") == 6
    values = tiny_paths.kolada_dir / "values.parquet"
    assert count("SELECT count(*) FROM kolada_value") == _parquet_count(values)
    # Ids stay text: Vaggeryd is '0665', not 665.
    vaggeryd = count("SELECT count(*) FROM kolada_value WHERE municipality_id = '0665'")
    assert vaggeryd == _parquet_count(values, "municipality_id = '0665'") > 0
    assert con.execute("SELECT outcome FROM etl_run").fetchall() == [("ok",)]
    # Results are materialised for every indicator on the data date and the checkpoints
    # (core.judging.checkpoint_dates).
    on_data_date = "as_of = (SELECT CAST(value AS DATE) FROM meta WHERE key = 'data_date')"
    assert count(f"SELECT count(*) FROM indicator_result WHERE {on_data_date}") == count(
        "SELECT count(*) FROM indicator"
    )
    assert count(f"SELECT count(*) FROM goal_result WHERE {on_data_date}") == count(
        "SELECT count(*) FROM goal"
    )
    assert count("SELECT count(*) FROM goal_result WHERE checkpoint_label IS NULL") == count(
        "SELECT count(*) FROM goal"
    )  # the data date is the only unlabelled date
    assert count("SELECT count(DISTINCT checkpoint_label) FROM indicator_result") > 5


def test_full_build_holds_every_bundled_value(con: duckdb.DuckDBPyConnection) -> None:
    bundled = Paths.from_env().kolada_dir / "values.parquet"
    n = con.execute("SELECT count(*) FROM kolada_value").fetchone()[0]
    assert n == _parquet_count(bundled) > 1_000_000
    # Every KPI for the framework municipalities: Vaggeryd alone has tens of thousands.
    vaggeryd = con.execute(
        "SELECT count(*) FROM kolada_value WHERE municipality_id = '0665'"
    ).fetchone()[0]
    assert vaggeryd == _parquet_count(bundled, "municipality_id = '0665'") > 10_000


def test_goal_kpis_cover_all_municipalities(con: duckdb.DuckDBPyConnection) -> None:
    """The bundle holds every municipality for the KPIs the goal files use (for rankings)."""
    n = con.execute(
        "SELECT count(DISTINCT municipality_id) FROM kolada_value WHERE kpi = 'N15428'"
    ).fetchone()[0]
    assert n >= 290


def _content(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as c:
        tables = [r[0] for r in c.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        # etl_run records each run's own timestamps, and _migrations when each migration
        # was applied (compared by name): everything else must be identical.
        content = {
            t: c.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall()
            for t in sorted(tables)
            if t not in ("etl_run", "_migrations")
        }
        content["_migrations"] = c.execute("SELECT name FROM _migrations ORDER BY 1").fetchall()
        return content


def test_running_twice_gives_same_content(tmp_path: Path, tiny_paths: Paths) -> None:
    """On the tiny snapshot with Vaggeryd's goal file only (the quickest real build)."""
    goals = tmp_path / "goals"
    goals.mkdir()
    shutil.copy(PROJECT_ROOT / "data" / "goals" / "0665-vaggeryd.yaml", goals)
    paths = replace(tiny_paths, goals_dir=goals, db_path=tmp_path / "a.duckdb")
    build_offline(paths, now=dt.datetime(2026, 1, 1), progress=lambda _m: None)
    first = _content(paths.db_path)
    build_offline(paths, now=dt.datetime(2026, 1, 2), progress=lambda _m: None)
    assert _content(paths.db_path) == first
    assert not list(tmp_path.glob(".*building*")), "no temporary files left behind"


@pytest.mark.slow  # the CLI builds from the full bundled snapshot
def test_broken_goal_file_leaves_database_untouched(tmp_path: Path) -> None:
    state = tmp_path / "state"
    ok = _run_cli(state)
    assert ok.returncode == 0, ok.stderr
    db = state / "malpuls.duckdb"
    before = _sha(db)

    goals = tmp_path / "goals"
    shutil.copytree(PROJECT_ROOT / "data" / "goals", goals)
    broken = goals / "1962-norberg.yaml"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("kpi: N15428", "kpi: N00000X", 1),
        encoding="utf-8",
    )
    failed = _run_cli(state, goals)
    assert failed.returncode == 1
    assert "1962-norberg.yaml: frameworks[0].areas[0].goals[0].indicators[0].kpi" in failed.stderr
    assert "nyckeltalet 'N00000X' finns inte" in failed.stderr
    assert "oförändrad" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert _sha(db) == before
    status = (state / "etl_status.json").read_text(encoding="utf-8")
    assert '"outcome": "failed"' in status
    assert not list(state.glob(".*building*"))


def test_failure_during_build_leaves_database_untouched(tmp_path: Path, tiny_paths: Paths) -> None:
    """A fault after validation (here: a broken snapshot file) must not publish anything."""
    paths = replace(tiny_paths, db_path=tmp_path / "m.duckdb")
    shutil.copy(tiny_paths.db_path, paths.db_path)  # the published file
    before = _sha(paths.db_path)
    kolada = tmp_path / "kolada"
    shutil.copytree(paths.kolada_dir, kolada)
    (kolada / "values.parquet").write_bytes(b"not a parquet file")
    broken = replace(paths, kolada_dir=kolada)
    from core.errors import DataError

    with pytest.raises(DataError, match="Databasen kunde inte byggas"):
        build_offline(broken, now=dt.datetime(2026, 1, 2), progress=lambda _m: None)
    assert _sha(paths.db_path) == before
    assert not list(tmp_path.glob(".*building*"))


def test_values_are_stored_in_key_order(con: duckdb.DuckDBPyConnection) -> None:
    """load_values skips the ORDER BY because the source files are sorted; this holds that
    assumption (zone maps only prune well on sorted data) for the whole bundled file."""
    out_of_order = con.execute(
        """
        SELECT count(*) FROM (
            SELECT kpi || municipality_id || lpad(CAST(year AS TEXT), 4, '0') || gender AS k,
                   lag(kpi || municipality_id || lpad(CAST(year AS TEXT), 4, '0') || gender)
                       OVER (ORDER BY rowid) AS prev
            FROM kolada_value
        ) WHERE prev IS NOT NULL AND k < prev
        """
    ).fetchall()[0][0]
    assert out_of_order == 0
