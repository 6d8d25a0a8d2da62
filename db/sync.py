"""Writes that bring the live ETL run's staged copy of the published file in line with
Kolada: refresh metadata, apply fetched values (full or incremental) with exact change
counts and a revision record, reload the goal tables. Nothing here touches the published
file; etl.publish does the swap. (etl/live.py orchestrates the run; this is its SQL.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from core.kolada import ValueRecord
from db.load import GOAL_TABLES

# Everything derived from the goal files: reloaded from scratch on every run.
GOAL_DERIVED_TABLES = (*GOAL_TABLES, "indicator_result", "goal_result", "sdg_kpi_result")


def _bulk_insert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rows: Sequence[Sequence[Any]],
    *,
    ignore_duplicates: bool = False,
) -> None:
    """Insert many rows through a registered DataFrame: DuckDB's executemany runs one
    statement per row (40 s for the 3,600 municipality groups), this runs one in all."""
    if not rows:
        return
    con.register("bulk_rows", pd.DataFrame(list(rows)))
    verb = "INSERT OR IGNORE" if ignore_duplicates else "INSERT"
    con.execute(f"{verb} INTO {table} SELECT * FROM bulk_rows")
    con.unregister("bulk_rows")


@dataclass(frozen=True)
class ValueChanges:
    added: int
    changed: int
    deleted: int


def replace_municipalities(
    con: duckdb.DuckDBPyConnection,
    municipalities: Sequence[dict[str, str]],
    groups: Sequence[tuple[str, str, Sequence[str]]],
) -> None:
    con.execute("DELETE FROM municipality")
    _bulk_insert(
        con, "municipality", sorted((m["id"], m["title"], m["type"]) for m in municipalities)
    )
    _replace_groups(con, "municipality_group", "municipality_group_member", groups)


def replace_kpi_groups(
    con: duckdb.DuckDBPyConnection, groups: Sequence[tuple[str, str, Sequence[str]]]
) -> None:
    _replace_groups(con, "kpi_group", "kpi_group_member", groups)


def _replace_groups(
    con: duckdb.DuckDBPyConnection,
    table: str,
    member_table: str,
    groups: Sequence[tuple[str, str, Sequence[str]]],
) -> None:
    con.execute(f"DELETE FROM {member_table}")
    con.execute(f"DELETE FROM {table}")
    _bulk_insert(con, table, sorted((g, t) for g, t, _ in groups))
    _bulk_insert(
        con,
        member_table,
        sorted({(g, m) for g, _, members in groups for m in members}),
        ignore_duplicates=True,
    )


def refresh_kpis(
    con: duckdb.DuckDBPyConnection, kpis: Sequence[dict[str, Any]], now: dt.datetime
) -> dict[str, int]:
    """Diff the fresh catalogue against the stored one, record the changes in kpi_change,
    and store the fresh catalogue. Vanished KPIs stay (is_retired = true) with their values."""
    frame = pd.DataFrame(list(kpis))
    con.register("kpi_in_df", frame)
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE kpi_in AS
        SELECT CAST(id AS TEXT) AS id, CAST(title AS TEXT) AS title,
               CAST(description AS TEXT) AS description,
               TRY_CAST(is_divided_by_gender AS BOOLEAN) AS is_divided_by_gender,
               CAST(municipality_type AS TEXT) AS municipality_type,
               CAST(auspice AS TEXT) AS auspice, CAST(operating_area AS TEXT) AS operating_area,
               CAST(perspective AS TEXT) AS perspective,
               TRY_CAST(NULLIF(CAST(prel_publication_date AS TEXT), '') AS DATE)
                   AS prel_publication_date,
               TRY_CAST(NULLIF(CAST(publication_date AS TEXT), '') AS DATE) AS publication_date,
               NULLIF(CAST(publ_period AS TEXT), '') AS publ_period,
               TRY_CAST(has_ou_data AS BOOLEAN) AS has_ou_data
        FROM kpi_in_df
        """
    )
    con.unregister("kpi_in_df")
    changes = {
        "vanished": """
            SELECT k.id, k.title FROM kpi k
            WHERE NOT k.is_retired AND k.id NOT IN (SELECT id FROM kpi_in)""",
        "returned": """
            SELECT k.id, k.title FROM kpi k
            WHERE k.is_retired AND k.id IN (SELECT id FROM kpi_in)""",
        "new": "SELECT i.id, i.title FROM kpi_in i WHERE i.id NOT IN (SELECT id FROM kpi)",
        "retitled": """
            SELECT i.id, i.title FROM kpi_in i JOIN kpi k ON k.id = i.id
            WHERE NOT k.is_retired AND k.title <> i.title""",
    }
    counts = {}
    for change, sql in changes.items():
        rows = con.execute(sql).fetchall()
        counts[change] = len(rows)
        _bulk_insert(con, "kpi_change", [(kid, change, title, now) for kid, title in sorted(rows)])
    con.execute("UPDATE kpi SET is_retired = true WHERE id NOT IN (SELECT id FROM kpi_in)")
    con.execute("DELETE FROM kpi WHERE id IN (SELECT id FROM kpi_in)")
    con.execute("INSERT INTO kpi SELECT *, false FROM kpi_in ORDER BY id")
    return counts


def _temp_ids(con: duckdb.DuckDBPyConnection, name: str, ids: Iterable[str]) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (id TEXT)")
    _bulk_insert(con, name, [(i,) for i in sorted(set(ids))])


def count_values_in_scope(
    con: duckdb.DuckDBPyConnection, parts: Sequence[tuple[Iterable[str], Iterable[str]]]
) -> int:
    total = 0
    for kpis, geos in parts:
        # Lists as parameters: two temp tables per call cost more than the count.
        total += con.execute(
            """
            SELECT count(*) FROM kolada_value
            WHERE kpi IN (SELECT unnest($kpis))
              AND municipality_id IN (SELECT unnest($geos))
            """,
            {"kpis": sorted(set(kpis)), "geos": sorted(set(geos))},
        ).fetchall()[0][0]
    return total


# A value's key, joining kolada_value v to incoming values i.
_KEYS = """v.kpi = i.kpi AND v.municipality_id = i.municipality_id
           AND v.year = i.year AND v.gender = i.gender"""


# What a run fetched, gathered page by page (stage_incoming, append_incoming) before
# apply_incoming compares it with kolada_value. A table of the staged copy rather than a
# TEMP table: DuckDB keeps a TEMP table in memory (210 MB for all of Kolada's 9.5 M
# values), a table on disk, compressed, in its buffer pool. Dropped before publishing.
INCOMING_TABLE = "incoming_raw"

# A part of a full run's scope: (KPIs, geographies) or (KPIs, geographies, years). What
# kolada_value holds there and the run did not bring is gone from Kolada; without years
# every year counts, with them only those (a question naming years says nothing of others).
ScopePart = tuple[Iterable[str], Iterable[str]] | tuple[Iterable[str], Iterable[str], Iterable[int]]


def stage_incoming(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {INCOMING_TABLE} (
            kpi TEXT, municipality_id TEXT, year SMALLINT, gender TEXT, value DOUBLE,
            is_deleted BOOLEAN)
        """
    )


def append_incoming(con: duckdb.DuckDBPyConnection, records: Sequence[ValueRecord]) -> int:
    """Add fetched values (a page or so at a time) to the staging table; returns how many."""
    if not records:
        return 0
    page = pa.table(
        {
            "kpi": pa.array([r.kpi for r in records], pa.string()),
            "municipality_id": pa.array([r.municipality_id for r in records], pa.string()),
            "year": pa.array([r.year for r in records], pa.int16()),
            "gender": pa.array([r.gender for r in records], pa.string()),
            "value": pa.array([r.value for r in records], pa.float64()),
            "is_deleted": pa.array([r.is_deleted for r in records], pa.bool_()),
        }
    )
    con.register("incoming_page", page)
    con.execute(f"INSERT INTO {INCOMING_TABLE} SELECT * FROM incoming_page")
    con.unregister("incoming_page")
    return len(records)


def query_incoming_kpis(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The KPIs among the staged values, sorted."""
    return [
        r[0]
        for r in con.execute(f"SELECT DISTINCT kpi FROM {INCOMING_TABLE} ORDER BY kpi").fetchall()
    ]


def apply_values(
    con: duckdb.DuckDBPyConnection,
    records: Sequence[ValueRecord],
    *,
    full_scope: Sequence[ScopePart] | None,
    at: dt.datetime,
) -> ValueChanges:
    """apply_incoming for values in hand (tests, small runs)."""
    stage_incoming(con)
    append_incoming(con, records)
    return apply_incoming(con, full_scope=full_scope, at=at)


def apply_incoming(
    con: duckdb.DuckDBPyConnection,
    *,
    full_scope: Sequence[ScopePart] | None,
    at: dt.datetime,
) -> ValueChanges:
    """Apply the staged values (stage_incoming), then drop them. Incremental (full_scope
    None): upsert what came, delete what is marked deleted. Full: the scope is replaced by
    what came, so values Kolada no longer serves disappear. A null value counts as no
    value, as in the bundled snapshot. Every change is recorded in value_revision at `at`
    (the run's time), so a past date can be computed with the values known then. Only
    changes are written, a changed value in place, so kolada_value keeps its sorted order
    (see _note_unsorted)."""
    staged = con.execute(f"SELECT count(*) FROM {INCOMING_TABLE}").fetchall()[0][0]
    if not staged and full_scope is None:
        con.execute(f"DROP TABLE {INCOMING_TABLE}")
        return ValueChanges(added=0, changed=0, deleted=0)  # a quiet night
    # The last answer for a key wins (an incremental answer may list a key twice), a
    # deletion before anything else. Grouped rather than ranked with a window: for all of
    # Kolada a window sorts 9.5 M rows and needs twice the memory.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE incoming AS
        SELECT kpi, municipality_id, year, gender,
               CASE WHEN bool_or(is_deleted) THEN NULL ELSE any_value(value) END AS value,
               bool_or(is_deleted) OR bool_or(value IS NULL) AS gone
        FROM {INCOMING_TABLE}
        GROUP BY kpi, municipality_id, year, gender
        """
    )
    con.execute(f"DROP TABLE {INCOMING_TABLE}")
    before = con.execute("SELECT count(*) FROM kolada_value").fetchall()[0][0]
    # One pass over incoming × kolada_value gives the revisions to record, the added and
    # changed counts, and (table `revised`) the rows to write.
    added, changed = _record_revisions(con, full_scope, at)
    # Only what changed is written, and a changed value in place: rows keep their sorted
    # position (only added rows go to the end, see _note_unsorted).
    con.execute(
        f"""
        UPDATE kolada_value v SET value = i.new_value FROM revised i
        WHERE NOT i.is_new AND NOT i.gone AND {_KEYS}
        """
    )
    con.execute(f"DELETE FROM kolada_value v USING revised i WHERE i.gone AND {_KEYS}")
    for kpis, geos, years in _scope_parts(full_scope):
        _temp_ids(con, "scope_kpi", kpis)
        _temp_ids(con, "scope_geo", geos)
        con.execute(
            f"""
            DELETE FROM kolada_value v
            WHERE kpi IN (SELECT id FROM scope_kpi)
              AND municipality_id IN (SELECT id FROM scope_geo)
              AND (len($years) = 0 OR list_contains($years, year))
              AND NOT EXISTS (SELECT 1 FROM incoming i WHERE {_KEYS})
            """,
            {"years": years},
        )
    # Rows removed: explicit deletions, and (full) disappearances.
    deleted = before - con.execute("SELECT count(*) FROM kolada_value").fetchall()[0][0]
    con.execute(
        """
        INSERT INTO kolada_value
        SELECT kpi, municipality_id, year, gender, new_value FROM revised WHERE is_new
        """
    )
    con.execute("DROP TABLE revised")
    con.execute("DROP TABLE incoming")
    if added:
        _note_unsorted(con, added)
    return ValueChanges(added=added, changed=changed, deleted=deleted)


def _scope_parts(
    full_scope: Sequence[ScopePart] | None,
) -> list[tuple[list[str], list[str], list[int]]]:
    """(KPIs, geographies, years) of each part of a full run's scope; years [] = all."""
    out = []
    for part in full_scope or ():
        kpis, geos, *rest = part
        years = sorted({int(y) for y in rest[0]}) if rest else []
        out.append((sorted(set(kpis)), sorted(set(geos)), years))
    return out


# Added rows go to the end of kolada_value, outside the (kpi, municipality_id) order the
# app's reads prune on. Up to one DuckDB row group of them makes a read scan at most two
# row groups more, so all 9.5 M rows are re-sorted (3 s) only once that many have gathered
# since the last sort; meta holds the count.
UNSORTED_ROWS_KEY = "values_unsorted_rows"
RESORT_AFTER_ROWS = 122_880


def _note_unsorted(con: duckdb.DuckDBPyConnection, added: int) -> None:
    unsorted = (
        added
        + con.execute(
            "SELECT coalesce(max(CAST(value AS BIGINT)), 0) FROM meta WHERE key = ?",
            [UNSORTED_ROWS_KEY],
        ).fetchall()[0][0]
    )
    if unsorted > RESORT_AFTER_ROWS:
        _resort(con)
        unsorted = 0
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [UNSORTED_ROWS_KEY, str(unsorted)])


def _record_revisions(
    con: duckdb.DuckDBPyConnection,
    full_scope: Sequence[ScopePart] | None,
    at: dt.datetime,
) -> tuple[int, int]:
    """Before kolada_value changes: record what each changed key held (old) and will hold
    (new) in value_revision, and keep those keys in the temp table `revised` (is_new,
    gone) for apply_values to write. Returns (added, changed) among the incoming values."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE revised AS
        SELECT i.kpi, i.municipality_id, i.year, i.gender, v.value AS old_value,
               CASE WHEN i.gone THEN NULL ELSE i.value END AS new_value,
               v.kpi IS NULL AS is_new, i.gone
        FROM incoming i LEFT JOIN kolada_value v ON {_KEYS}
        WHERE (NOT i.gone AND (v.kpi IS NULL OR v.value IS DISTINCT FROM i.value))
           OR (i.gone AND v.kpi IS NOT NULL)
        """
    )
    con.execute(
        """
        INSERT INTO value_revision
        SELECT kpi, municipality_id, year, gender, old_value, new_value, $at FROM revised
        """,
        {"at": at},
    )
    added, changed = con.execute(
        "SELECT count(*) FILTER (is_new), count(*) FILTER (NOT is_new AND NOT gone) FROM revised"
    ).fetchall()[0]
    for kpis, geos, years in _scope_parts(full_scope):
        _temp_ids(con, "scope_kpi", kpis)
        _temp_ids(con, "scope_geo", geos)
        # A full reload drops what Kolada no longer serves: record those disappearances.
        con.execute(
            f"""
            INSERT INTO value_revision
            SELECT v.kpi, v.municipality_id, v.year, v.gender, v.value, NULL, $at
            FROM kolada_value v
            WHERE v.kpi IN (SELECT id FROM scope_kpi)
              AND v.municipality_id IN (SELECT id FROM scope_geo)
              AND (len($years) = 0 OR list_contains($years, v.year))
              AND NOT EXISTS (SELECT 1 FROM incoming i WHERE {_KEYS})
            """,
            {"at": at, "years": years},
        )
    return added, changed


def _resort(con: duckdb.DuckDBPyConnection) -> None:
    """Keep kolada_value ordered by (kpi, municipality_id) so zone maps keep pruning."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE sorted_values AS "
        "SELECT * FROM kolada_value ORDER BY kpi, municipality_id, year, gender"
    )
    con.execute("DELETE FROM kolada_value")
    con.execute("INSERT INTO kolada_value SELECT * FROM sorted_values")
    con.execute("DROP TABLE sorted_values")


def clear_goal_tables(con: duckdb.DuckDBPyConnection) -> None:
    for table in GOAL_DERIVED_TABLES:
        con.execute(f"DELETE FROM {table}")
