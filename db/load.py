"""All writes to the database. Called only by the ETL pipeline, on a fresh file.

Every loader inserts into empty tables of a new file, so a load is idempotent by
construction: the same inputs give the same rows, in the same order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from core.agenda import SdgMapping
from core.goals import GoalFile


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    marks = ", ".join("?" for _ in rows[0])
    con.executemany(f"INSERT INTO {table} VALUES ({marks})", list(rows))


def upsert_meta(con: duckdb.DuckDBPyConnection, items: dict[str, str]) -> None:
    con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", sorted(items.items()))


def load_kolada_snapshot(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Load the bundled Kolada Parquet files (see data/kolada/PROVENANCE.md)."""
    p = {
        name: _sql_path(folder / f"{name}.parquet")
        for name in (
            "municipality",
            "municipality_group",
            "municipality_group_member",
            "kpi",
            "kpi_retired",
            "kpi_group",
            "kpi_group_member",
            "agenda2030_kpi_membership",
            "values",
        )
    }
    con.execute(
        f"INSERT INTO municipality SELECT id, title, type FROM read_parquet({p['municipality']})"
    )
    con.execute(
        "INSERT INTO municipality_group SELECT id, title "
        f"FROM read_parquet({p['municipality_group']})"
    )
    con.execute(
        "INSERT INTO municipality_group_member SELECT group_id, municipality_id "
        f"FROM read_parquet({p['municipality_group_member']})"
    )
    con.execute(
        f"""
        INSERT INTO kpi
        SELECT id, title, description, is_divided_by_gender, municipality_type, auspice,
               operating_area, perspective,
               TRY_CAST(NULLIF(prel_publication_date, '') AS DATE),
               TRY_CAST(NULLIF(publication_date, '') AS DATE),
               NULLIF(publ_period, ''), has_ou_data, false
        FROM read_parquet({p["kpi"]})
        UNION ALL
        SELECT id, title, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, true
        FROM read_parquet({p["kpi_retired"]})
        ORDER BY 1
        """
    )
    con.execute(f"INSERT INTO kpi_group SELECT id, title FROM read_parquet({p['kpi_group']})")
    con.execute(
        "INSERT INTO kpi_group_member SELECT DISTINCT group_id, kpi_id "
        f"FROM read_parquet({p['kpi_group_member']}) ORDER BY ALL"
    )
    # Kolada's own Agenda 2030 KPI groups/tags: which KPIs Kolada files under Agenda 2030.
    con.execute(
        f"""
        INSERT INTO kpi_sdg
        SELECT kpi_id, src FROM (
            SELECT kpi_id, 'G2KPI130255 Agenda 2030 - Kommun (2024-01)' AS src
              FROM read_parquet({p["agenda2030_kpi_membership"]})
             WHERE "in_G2KPI130255_Agenda2030_Kommun_2024-01-15" = '1'
            UNION ALL
            SELECT kpi_id, 'G2KPI130290 Agenda 2030 - Region (2024-01)'
              FROM read_parquet({p["agenda2030_kpi_membership"]})
             WHERE "in_G2KPI130290_Agenda2030_Region_2024-01-15" = '1'
            UNION ALL
            SELECT kpi_id, 'g2kpi130255 Agenda 2030 - 17 mål (2024-08)'
              FROM read_parquet({p["agenda2030_kpi_membership"]})
             WHERE "tag_g2kpi130255_Agenda2030_17mal_2024-08" = '1'
        ) ORDER BY ALL
        """
    )
    load_values(con, folder / "values.parquet")


def load_values(con: duckdb.DuckDBPyConnection, parquet: Path, *, presorted: bool = True) -> int:
    """Bulk-load Kolada values from a Parquet file with columns
    (kpi, municipality_id, year, gender, value); returns the number of rows.

    The bundled snapshot and the full source file are written sorted by (kpi,
    municipality_id, year, gender), and DuckDB keeps insertion order, so the sort is
    skipped for them: it is a third of the load time on 9.5 M rows (bench/bench_etl.py)."""
    order = "" if presorted else "ORDER BY kpi, municipality_id, year, gender"
    con.execute(
        f"""
        INSERT INTO kolada_value
        SELECT kpi, municipality_id, CAST(year AS SMALLINT), gender, value
        FROM read_parquet({_sql_path(parquet)})
        {order}
        """
    )
    return con.execute("SELECT count(*) FROM kolada_value").fetchall()[0][0]


def load_reference(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """SDG goals and targets and Barnkonventionen articles (data/reference, see SOURCES.md)."""
    f = {n: _sql_path(folder / f"{n}.csv") for n in ("sdg_goals", "sdg_targets", "crc_articles")}
    con.execute(
        "INSERT INTO sdg_goal SELECT goal, name_sv_short, name_sv_long, name_en_short, color_hex "
        f"FROM read_csv({f['sdg_goals']}, header=true, all_varchar=false) ORDER BY goal"
    )
    con.execute(
        "INSERT INTO sdg_target SELECT target_code, goal, text_en, short_title_sv, text_sv "
        f"FROM read_csv({f['sdg_targets']}, header=true, all_varchar=true) "
        "ORDER BY goal, target_code"
    )
    con.execute(
        "INSERT INTO crc_article SELECT article, part, title_sv, title_en, "
        "CAST(guiding_principle AS BOOLEAN), title_sv_status "
        f"FROM read_csv({f['crc_articles']}, header=true) ORDER BY article"
    )


# The tables a goal file fills, in the order load_goal_files writes them.
GOAL_TABLES = (
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
)


def load_goal_files(con: duckdb.DuckDBPyConnection, files: Iterable[tuple[str, GoalFile]]) -> None:
    """Write validated goal files (source name, model) into the goal tables."""
    rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in GOAL_TABLES}
    for source, gf in files:
        m = gf.municipality.id
        for fpos, fw in enumerate(gf.frameworks):
            f = fw.id
            rows["framework"].append(
                (
                    f,
                    m,
                    fpos,
                    fw.name,
                    fw.motto,
                    fw.vision,
                    fw.period.start,
                    fw.period.end,
                    fw.definition_status,
                    fw.level_names.area,
                    fw.level_names.goal,
                    source,
                    list(fw.notes) + (list(gf.notes) if fpos == 0 else []),
                )
            )
            for i, d in enumerate(fw.decisions):
                rows["decision"].append((f, i, d.ref, d.body, d.date, d.paragraph, d.subject))
            for i, s in enumerate(fw.sources):
                rows["framework_source"].append((f, i, s.document, s.seed, s.url, s.note))
            for i, p in enumerate(fw.perspectives):
                rows["perspective"].append((f, p.id, i, p.title))
            for i, c in enumerate(fw.checkpoints):
                rows["checkpoint"].append((f, c.id, i, c.label, c.kind, c.month_day, c.note))
            for i, c in enumerate(fw.challenges):
                rows["challenge"].append((f, c.id, i, c.title, c.note))
            for r in fw.rus_areas:
                rows["rus_area"].append((f, r.id, r.number, r.title))
            for apos, area in enumerate(fw.areas):
                rows["area"].append(
                    (m, area.id, f, apos, area.number, area.title, area.kind, area.description)
                )
            for c in fw.conflicts:
                rows["goal_conflict"].append(
                    (
                        f,
                        c.id,
                        c.title,
                        c.description,
                        list(c.goals),
                        c.provenance,
                        c.goals_provenance,
                    )
                )
            for gpos, (area, goal) in enumerate(fw.all_goals()):
                _goal_rows(rows, m, f, area.id if area else None, gpos, goal)
    for table, table_rows in rows.items():
        _insert(con, table, table_rows)


def _goal_rows(
    rows: dict[str, list[tuple[Any, ...]]], m: str, f: str, area_id: str | None, pos: int, goal: Any
) -> None:
    amb = goal.ambition
    rows["goal"].append(
        (
            m,
            goal.id,
            f,
            area_id,
            pos,
            goal.number,
            goal.title,
            goal.kind,
            goal.perspective,
            goal.type,
            goal.measurability,
            goal.definition_status,
            goal.description,
            amb.text if amb else None,
            amb.status if amb else None,
            goal.responsible,
            list(goal.governing_documents),
            list(goal.notes),
        )
    )
    for i, ind in enumerate(goal.indicators):
        rows["indicator"].append(
            (
                m,
                ind.id,
                goal.id,
                i,
                ind.title,
                ind.kpi,
                ind.local,
                ind.direction,
                ind.direction_provenance,
                ind.gender,
                ind.unit,
                ind.baseline.year if ind.baseline else None,
                ind.baseline.value if ind.baseline else None,
                ind.successor.kpi if ind.successor else None,
                ind.successor.note if ind.successor else None,
                ind.kpi_mapping.confidence if ind.kpi_mapping else None,
                ind.kpi_mapping.note if ind.kpi_mapping else None,
                ind.provenance,
                ind.reason,
                ind.note,
            )
        )
        for j, a in enumerate(ind.ambitions):
            p = a.proposal
            rows["ambition"].append(
                (
                    m,
                    ind.id,
                    j,
                    a.kind,
                    a.date,
                    a.value,
                    a.decision,
                    a.note,
                    a.provenance,
                    p.method if p else None,
                    p.date if p else None,
                    p.by if p else None,
                )
            )
    for i, link in enumerate(goal.links):
        rows["goal_link"].append(
            (m, goal.id, i, link.type, str(link.id), link.provenance, link.reason)
        )
    for a in goal.assessments:
        rows["assessment"].append((m, goal.id, a.date, a.status, a.comment, a.by))


def insert_run(
    con: duckdb.DuckDBPyConnection,
    *,
    started_at: dt.datetime,
    finished_at: dt.datetime,
    mode: str,
    rows_added: int,
    outcome: str,
    warnings: list[str],
    requests: int = 0,
    retries: int = 0,
    rows_changed: int = 0,
    rows_deleted: int = 0,
) -> None:
    next_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM etl_run").fetchall()[0][0]
    con.execute(
        "INSERT INTO etl_run VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            next_id,
            started_at,
            finished_at,
            mode,
            requests,
            retries,
            rows_added,
            rows_changed,
            rows_deleted,
            warnings,
            outcome,
        ],
    )


INDICATOR_RESULT_COLUMNS = (
    "municipality_id",
    "indicator_id",
    "goal_id",
    "as_of",
    "checkpoint_label",
    "judged_kpi_id",
    "status",
    "basis",
    "reason",
    "direction",
    "n_points",
    "base_year",
    "base_value",
    "latest_year",
    "latest_value",
    "data_age_years",
    "next_publication",
    "noise",
    "change_per_year",
    "target_value",
    "target_date",
    "horizon_years",
    "method",
    "point",
    "lo80",
    "hi80",
    "p_met",
    "thresholds",
    "rank_all",
    "n_all",
    "quartile_all",
    "rank_peers",
    "n_peers",
    "target_provenance",
    "local_version",
)
GOAL_RESULT_COLUMNS = (
    "municipality_id",
    "goal_id",
    "as_of",
    "checkpoint_label",
    "status",
    "reason",
    "counts",
    "weakest_indicator",
    "forecast_allowed",
    "assessment",
    "disagrees",
)


def replace_results(
    con: duckdb.DuckDBPyConnection,
    indicator_rows: list[dict[str, Any]],
    goal_rows: list[dict[str, Any]],
) -> None:
    """Store computed results (Egen bearbetning av data från Kolada), replacing old ones."""
    _replace_frame(con, "indicator_result", INDICATOR_RESULT_COLUMNS, indicator_rows)
    _replace_frame(con, "goal_result", GOAL_RESULT_COLUMNS, goal_rows)


SDG_RESULT_COLUMNS = (
    "municipality_id",
    "kpi_id",
    "as_of",
    "status",
    "basis",
    "reason",
    "direction",
    "n_points",
    "latest_year",
    "latest_value",
    "change_per_year",
)


def _replace_frame(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], rows: list[Any]
) -> None:
    """Empty a table and bulk-insert rows (dicts or tuples in column order) through a
    DataFrame: one statement, not one per row."""
    import pandas as pd

    con.execute(f"DELETE FROM {table}")
    if not rows:
        return
    data = [[r.get(c) for c in columns] if isinstance(r, dict) else list(r) for r in rows]
    con.register("replace_rows", pd.DataFrame(data, columns=list(columns)))
    con.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM replace_rows"
    )
    con.unregister("replace_rows")


def replace_sdg_mapping(con: duckdb.DuckDBPyConnection, mapping: Sequence[SdgMapping]) -> None:
    """The curated KPI → SDG mapping, reloaded on every run so an edit takes effect."""
    _replace_frame(
        con,
        "kpi_sdg_map",
        ("kpi_id", "sdg", "target_code", "direction", "reason"),
        [(m.kpi_id, m.sdg, m.target, m.direction, m.reason) for m in mapping],
    )


def replace_sdg_results(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    _replace_frame(con, "sdg_kpi_result", SDG_RESULT_COLUMNS, rows)
