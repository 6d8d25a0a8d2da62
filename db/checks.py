"""Read-only checks the ETL runs on a freshly built file before publishing it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import duckdb


def query_row_counts(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> dict[str, int]:
    # Table names come from the ETL's own constant list, never from input.
    return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in tables}


def query_duplicate_values(
    con: duckdb.DuckDBPyConnection, kpis: Sequence[str] | None = None
) -> int:
    """Keys held more than once, in the whole value table or (`kpis`) among those KPIs'
    values only: a run can only have duplicated what it wrote, and grouping all 9.5 M
    values takes a nightly run one to two seconds."""
    if kpis is not None and not kpis:
        return 0
    where = "" if kpis is None else "WHERE kpi IN (SELECT unnest($kpis))"
    return con.execute(
        f"""
        SELECT count(*) FROM (
            SELECT 1 FROM kolada_value {where} GROUP BY kpi, municipality_id, year, gender
            HAVING count(*) > 1)
        """,
        {} if kpis is None else {"kpis": sorted(set(kpis))},
    ).fetchall()[0][0]


def query_unresolved_indicators(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """Goal indicators whose KPI id is not in the catalogue (current or retired)."""
    return con.execute(
        """
        SELECT i.municipality_id, i.indicator_id, i.kpi_id FROM indicator i
        LEFT JOIN kpi k ON k.id = i.kpi_id
        WHERE i.kpi_id IS NOT NULL AND k.id IS NULL ORDER BY ALL
        """
    ).fetchall()


def query_indicators_without_values(
    con: duckdb.DuckDBPyConnection,
) -> list[tuple[str, str, str]]:
    # The (KPI, municipality) pairs held are gathered among the indicators' own KPIs and
    # municipalities first: a NOT EXISTS against kolada_value made DuckDB hash every value
    # (800 MB for all of Kolada's 9.5 M, the peak of a nightly run), this a few thousand.
    return con.execute(
        """
        WITH held AS (
            SELECT DISTINCT v.kpi, v.municipality_id FROM kolada_value v
            WHERE v.kpi IN (SELECT kpi_id FROM indicator)
              AND v.municipality_id IN (SELECT municipality_id FROM indicator))
        SELECT i.municipality_id, i.indicator_id, i.kpi_id FROM indicator i
        LEFT JOIN held h ON h.kpi = i.kpi_id AND h.municipality_id = i.municipality_id
        WHERE i.kpi_id IS NOT NULL AND h.kpi IS NULL
        ORDER BY ALL
        """
    ).fetchall()


def checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Flush the WAL into the file so the published file is complete on its own."""
    con.execute("CHECKPOINT")


def query_vanished_goal_kpis(con: duckdb.DuckDBPyConnection) -> list[str]:
    """KPIs a goal file uses that vanished from the catalogue in a recorded run."""
    return [
        r[0]
        for r in con.execute(
            """
            SELECT DISTINCT c.kpi_id FROM kpi_change c
            JOIN indicator i ON i.kpi_id = c.kpi_id
            JOIN kpi k ON k.id = c.kpi_id
            WHERE c.change = 'vanished' AND k.is_retired ORDER BY 1
            """
        ).fetchall()
    ]
