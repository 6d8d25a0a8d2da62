"""Build the database: validate goal files, load reference data, the Kolada snapshot and
the goals into a new file, check it, publish it atomically.

Called by etl.__main__ and, on first start, by the app (ui.data). Raises MalpulsError
subclasses with a message for people; the caller decides how to show it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from config import Paths
from core.errors import DataError, MalpulsError
from db import checks, load
from db.calibration import read_calibration
from db.connection import create_database
from db.snapshot import SNAPSHOT_META
from etl.goal_files import display_name, read_goal_files
from etl.publish import staged_file, write_json_atomic
from etl.reference import read_reference_data, read_sdg_mapping
from etl.results import compute_results

# Tables that must hold rows after a build; an empty one means a broken input.
REQUIRED_TABLES = (
    "municipality",
    "kpi",
    "kolada_value",
    "sdg_goal",
    "sdg_target",
    "crc_article",
    "kpi_sdg_map",
    "framework",
    "area",
    "goal",
    "indicator",
    "sdg_kpi_result",
)


@dataclass
class BuildResult:
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)


def build_offline(
    paths: Paths, *, now: dt.datetime, progress: Callable[[str], object] = print
) -> BuildResult:
    """Build from the bundled snapshot. The published file changes only if all succeeds."""
    progress("Läser referensdata och målfiler …")
    ref = read_reference_data(paths.reference_dir, paths.kolada_dir)
    goal_files = read_goal_files(paths.goals_dir, ref)
    sources = [
        (display_name(p), gf)
        for p, gf in zip(sorted(paths.goals_dir.glob("*.yaml")), goal_files, strict=True)
    ]
    progress(f"  {len(goal_files)} målfiler giltiga")
    sdg_mapping = read_sdg_mapping(paths.reference_dir, ref)
    calibration = read_calibration(paths.calibration_path)
    with staged_file(paths.db_path) as tmp:
        try:
            con = create_database(tmp)
        except duckdb.Error as exc:
            raise DataError(f"Databasen kunde inte skapas: {exc}") from exc
        try:
            progress("Laddar referensdata (Agenda 2030, barnkonventionen) …")
            load.load_reference(con, paths.reference_dir)
            load.replace_sdg_mapping(con, sdg_mapping)
            progress("Laddar Kolada-data från den medföljande ögonblicksbilden …")
            load.load_kolada_snapshot(con, paths.kolada_dir)
            progress("Laddar mål och indikatorer …")
            load.load_goal_files(con, sources)
            load.upsert_meta(con, SNAPSHOT_META)
            progress("Beräknar status och prognoser …")
            compute_results(
                con,
                calibration,
                dt.date.fromisoformat(SNAPSHOT_META["data_date"]),
                progress,
            )
            result = check_database(con)
            load.insert_run(
                con,
                started_at=now,
                finished_at=dt.datetime.now(),
                mode="offline",
                rows_added=result.counts["kolada_value"],
                outcome="ok",
                warnings=result.warnings,
            )
            checks.checkpoint(con)
        except duckdb.Error as exc:
            raise DataError(f"Databasen kunde inte byggas: {exc}") from exc
        finally:
            con.close()
    return result


def check_database(con: duckdb.DuckDBPyConnection) -> BuildResult:
    """Checks that must pass before a file is published."""
    counts = checks.query_row_counts(con, REQUIRED_TABLES)
    empty = [t for t, n in counts.items() if n == 0]
    if empty:
        raise DataError(f"Bygget avbröts: tabellerna {', '.join(empty)} är tomma")
    dupes = checks.query_duplicate_values(con)
    if dupes:
        raise DataError(f"Bygget avbröts: {dupes} Kolada-värden förekommer mer än en gång")
    missing = checks.query_unresolved_indicators(con)
    if missing:
        raise DataError(
            "Bygget avbröts: målindikatorer pekar på nyckeltal som saknas i katalogen: "
            + ", ".join(f"{m}/{i} ({k})" for m, i, k in missing)
        )
    warnings = [
        f"Inga värden i ögonblicksbilden för {k} (kommun {m}, indikator {i})"
        for m, i, k in checks.query_indicators_without_values(con)
    ]
    return BuildResult(counts=counts, warnings=warnings)


def record_status(
    paths: Paths,
    *,
    mode: str,
    started: dt.datetime,
    error: MalpulsError | None,
    result: BuildResult | None,
    warnings: list[str] | None = None,
) -> None:
    """The last run's outcome, kept beside the database: a failed run never touches the
    database, so this is where the app learns that the last run failed."""
    write_json_atomic(
        paths.status_path,
        {
            "mode": mode,
            "started_at": started.isoformat(timespec="seconds"),
            "finished_at": dt.datetime.now().isoformat(timespec="seconds"),
            "outcome": "failed" if error else "ok",
            "error_title": error.title if error else "",
            "message": str(error) if error else "",
            "warnings": result.warnings if result else (warnings or []),
        },
    )
