"""Reads for the analyst explorer's Rangordning, Fördelning and Kön views and its coverage
notes (issue 17). Like db.queries: each function takes an open connection, every value
from outside is a bound parameter, and the pages call them through ui.data.query."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from core.ranking import GoalDirection


def query_kommun_values(
    con: duckdb.DuckDBPyConnection, kpi: str, gender: str, last_year: int
) -> pd.DataFrame:
    """Every kommun's value for one KPI in the latest year up to `last_year` that has any
    kommun value: municipality_id, municipality, year, value (unordered: the ranking
    rule, core.ranking.places, orders them)."""
    return con.execute(
        """
        WITH y AS (
            SELECT max(v.year) AS year FROM kolada_value v
            JOIN municipality m ON m.id = v.municipality_id AND m.type = 'K'
            WHERE v.kpi = $k AND v.gender = $g AND v.year <= $y AND v.value IS NOT NULL
        )
        SELECT v.municipality_id, m.title AS municipality, v.year, v.value
        FROM kolada_value v JOIN municipality m ON m.id = v.municipality_id AND m.type = 'K'
        WHERE v.kpi = $k AND v.gender = $g AND v.year = (SELECT year FROM y)
          AND v.value IS NOT NULL
        ORDER BY v.municipality_id
        """,
        {"k": kpi, "g": gender, "y": last_year},
    ).df()


def query_direction_sources(
    con: duckdb.DuckDBPyConnection, municipality_id: str, kpi: str
) -> tuple[list[GoalDirection], list[str]]:
    """What says which way is better for a KPI (core.ranking.ranking_basis): the
    directions of the municipality's goal indicators that judge it (as the KPI or as a
    retired KPI's successor, as Översikt ranks it), and the directions Målpuls's Agenda
    2030 mapping gives it (one per SDG)."""
    goal = con.execute(
        """
        SELECT direction, direction_provenance, gender FROM indicator
        WHERE municipality_id = $m AND (kpi_id = $k OR successor_kpi_id = $k)
        ORDER BY goal_id, position
        """,
        {"m": municipality_id, "k": kpi},
    ).fetchall()
    sdg = con.execute(
        "SELECT direction FROM kpi_sdg_map WHERE kpi_id = ? ORDER BY sdg", [kpi]
    ).fetchall()
    return [GoalDirection(d, p, g) for d, p, g in goal], [d for (d,) in sdg]


def query_goal_kpi_ids(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Every KPI a goal file names (and the successors of retired ones): the KPIs the
    nightly run fetches for every kommun and region (core.scope.plan_scope); the others
    it fetches only for the framework municipalities, their regions, peers and Riket."""
    rows = con.execute(
        """
        SELECT kpi_id FROM indicator WHERE kpi_id IS NOT NULL
        UNION SELECT successor_kpi_id FROM indicator WHERE successor_kpi_id IS NOT NULL
        """
    ).fetchall()
    return frozenset(r[0] for r in rows)


def query_gender_values(
    con: duckdb.DuckDBPyConnection,
    kpi: str,
    municipality_ids: Sequence[str],
    first_year: int,
    last_year: int,
) -> pd.DataFrame:
    """Women's and men's values (gender K and M) of one KPI for the municipalities and
    years: municipality_id, municipality, year, gender, value."""
    return con.execute(
        """
        SELECT v.municipality_id, m.title AS municipality, v.year, v.gender, v.value
        FROM kolada_value v JOIN municipality m ON m.id = v.municipality_id
        WHERE v.kpi = $k AND list_contains($m, v.municipality_id) AND v.gender IN ('K', 'M')
          AND v.year BETWEEN $y0 AND $y1 AND v.value IS NOT NULL
        ORDER BY m.title, v.year, v.gender
        """,
        {"k": kpi, "m": list(municipality_ids), "y0": first_year, "y1": last_year},
    ).df()
