"""Reads for judging: what the ETL, the report freezer and the what-if need to judge goals
as of a date. Kept apart from the page reads (db/queries.py): these feed core.judging and
return its types.

`ValuesAsOf` is core.judging's ValueSource over the database: values as they were known on
a date (the `values_as_of` table macro in schema.sql) where a live run has changed values
since, the current values otherwise, each read once per run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from core.judging import (
    FrameworkSchedule,
    GoalInput,
    IndicatorInput,
    JudgingInputs,
    Series,
    is_bounded_share,
    panel_growth,
    vintage_date,
)
from core.scope import peer_group
from core.status import Ambition
from db.queries import query_peer_groups


def _values_source(as_of: dt.date | None) -> tuple[str, list]:
    """The table expression for Kolada values: current, or as known at the end of a day
    (db/schema.sql: values_as_of) with its parameter."""
    if as_of is None:
        return "kolada_value", []
    return "values_as_of(?::DATE)", [as_of]


def query_series(
    con: duckdb.DuckDBPyConnection,
    municipality_id: str,
    kpis: list[str],
    gender: str,
    as_of: dt.date | None = None,
) -> dict[str, tuple[list[int], list[float]]]:
    source, params = _values_source(as_of)
    rows = con.execute(
        f"""
        SELECT kpi, list(year ORDER BY year), list(value ORDER BY year) FROM {source}
        WHERE municipality_id = ? AND list_contains(?, kpi) AND gender = ?
          AND value IS NOT NULL
        GROUP BY kpi
        """,
        [*params, municipality_id, kpis, gender],
    ).fetchall()
    return {k: (list(y), list(v)) for k, y, v in rows}


def query_kpi_panel(
    con: duckdb.DuckDBPyConnection, kpi: str, as_of: dt.date | None = None
) -> list[tuple[str, list, list]]:
    """Every geography's gender-T series of one KPI (for the pooled trend)."""
    source, params = _values_source(as_of)
    return con.execute(
        f"""
        SELECT municipality_id, list(year ORDER BY year), list(value ORDER BY year)
        FROM {source} WHERE kpi = ? AND gender = 'T' AND value IS NOT NULL
        GROUP BY municipality_id ORDER BY municipality_id
        """,
        [*params, kpi],
    ).fetchall()


def query_kommun_values(
    con: duckdb.DuckDBPyConnection,
    kpi: str,
    gender: str,
    year: int,
    as_of: dt.date | None = None,
) -> list[tuple[str, float]]:
    source, params = _values_source(as_of)
    return con.execute(
        f"""
        SELECT v.municipality_id, v.value FROM {source} v
        JOIN municipality m ON m.id = v.municipality_id AND m.type = 'K'
        WHERE v.kpi = ? AND v.gender = ? AND v.year = ? AND v.value IS NOT NULL
        """,
        [*params, kpi, gender, year],
    ).fetchall()


def query_last_revision_day(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The last day a live run changed a value: dates before it need values_as_of."""
    return con.execute("SELECT CAST(max(replaced_at) AS DATE) FROM value_revision").fetchall()[0][0]


class ValuesAsOf:
    """core.judging.ValueSource over the database, reading each (series, vintage) once."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.last_revision = query_last_revision_day(con)
        self._growth: dict[tuple[str, dt.date | None], dict[int, float]] = {}
        self._ranks: dict[tuple, dict[str, float]] = {}
        self._series: dict[tuple, dict[str, tuple[list[int], list[float]]]] = {}

    def series(
        self, municipality_id: str, kpis: list[str], gender: str, as_of: dt.date
    ) -> Mapping[str, Series]:
        # Every date after the last revision reads the same current values: one query.
        key = (municipality_id, tuple(kpis), gender, vintage_date(as_of, self.last_revision))
        if key not in self._series:
            self._series[key] = query_series(self.con, municipality_id, kpis, gender, key[3])
        return self._series[key]

    def growth(self, kpis: list[str], as_of: dt.date) -> Mapping[tuple[str, int], float]:
        v = vintage_date(as_of, self.last_revision)
        out: dict[tuple[str, int], float] = {}
        for kpi in kpis:
            if (kpi, v) not in self._growth:
                self._growth[(kpi, v)] = panel_growth(query_kpi_panel(self.con, kpi, v))
            out |= {(kpi, year): g for year, g in self._growth[(kpi, v)].items()}
        return out

    def kommun_values(
        self, kpi: str, gender: str, year: int, as_of: dt.date
    ) -> Mapping[str, float]:
        key = (kpi, gender, year, vintage_date(as_of, self.last_revision))
        if key not in self._ranks:
            self._ranks[key] = dict(query_kommun_values(self.con, kpi, gender, year, key[3]))
        return self._ranks[key]


@dataclass(frozen=True)
class IndicatorFacts:
    """What a stored result or a report shows beside the judgement (not an input to it)."""

    title: str
    unit: str | None
    publication_date: dt.date | None  # the next publication of the KPI judged


def _opt(v: Any) -> Any:
    """pandas gives NaN/NaT for a missing value; core wants None."""
    return None if v is None or (not isinstance(v, str | list) and pd.isna(v)) else v


def _date(v: Any) -> dt.date | None:
    v = _opt(v)
    return None if v is None else pd.Timestamp(v).date()


def _indicator_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """
        SELECT i.municipality_id, i.indicator_id, i.goal_id, i.title, i.kpi_id,
               i.successor_kpi_id, coalesce(k.is_retired, false) AS kpi_retired,
               i.direction, i.gender, i.unit,
               k.title AS kpi_title, k.publication_date, sk.publication_date AS succ_publication,
               f.period_end
        FROM indicator i
        JOIN goal g ON g.municipality_id = i.municipality_id AND g.goal_id = i.goal_id
        JOIN framework f ON f.framework_id = g.framework_id
        LEFT JOIN kpi k ON k.id = i.kpi_id
        LEFT JOIN kpi sk ON sk.id = i.successor_kpi_id
        ORDER BY i.municipality_id, i.goal_id, i.position
        """
    ).df()


def query_judging_inputs(con: duckdb.DuckDBPyConnection) -> JudgingInputs:
    """Every goal indicator and goal with what judging them needs (not the values)."""
    ambitions: dict[tuple[str, str], list[Ambition]] = {}
    for m, i, d, v, kind in con.execute(
        "SELECT municipality_id, indicator_id, date, value, kind FROM ambition ORDER BY ALL"
    ).fetchall():
        ambitions.setdefault((m, i), []).append(Ambition(d, v, kind))
    indicators = tuple(
        IndicatorInput(
            municipality_id=r.municipality_id,
            indicator_id=r.indicator_id,
            goal_id=r.goal_id,
            kpi_id=_opt(r.kpi_id),
            successor_kpi_id=_opt(r.successor_kpi_id),
            kpi_retired=bool(r.kpi_retired),
            direction=r.direction,
            bounded_share=is_bounded_share(_opt(r.unit), _opt(r.kpi_title)),
            ambitions=tuple(ambitions.get((r.municipality_id, r.indicator_id), ())),
            gender=r.gender,
            period_end=_date(r.period_end),
        )
        for r in _indicator_frame(con).itertuples()
    )
    goal_rows = con.execute(
        """
        SELECT g.municipality_id, g.goal_id, g.framework_id, g.type, g.measurability,
               g.definition_status, f.period_end, m.title AS municipality
        FROM goal g JOIN framework f ON f.framework_id = g.framework_id
        JOIN municipality m ON m.id = g.municipality_id
        ORDER BY g.municipality_id, g.framework_id, g.position
        """
    ).fetchall()
    goals = tuple(GoalInput(*r[:7]) for r in goal_rows)
    frameworks = tuple(
        FrameworkSchedule(f, start, end, tuple((label, md) for label, md in cps), m)
        for f, start, end, cps, m in con.execute(
            """
            SELECT f.framework_id, f.period_start, f.period_end,
                   coalesce((SELECT list((c.label, c.month_day) ORDER BY c.position)
                      FROM checkpoint c WHERE c.framework_id = f.framework_id), []),
                   f.municipality_id
            FROM framework f ORDER BY f.framework_id
            """
        ).fetchall()
    )
    assessments: dict[tuple[str, str], list[tuple[dt.date, str]]] = {}
    for m, g, d, status in con.execute(
        "SELECT municipality_id, goal_id, date, status FROM assessment ORDER BY ALL"
    ).fetchall():
        assessments.setdefault((m, g), []).append((d, status))
    groups = query_peer_groups(con)
    peers = {}
    for m, name in {(r[0], r[7]) for r in goal_rows}:
        group = peer_group(groups, name)
        peers[m] = tuple(group[1]) if group else ()
    return JudgingInputs(
        indicators=indicators,
        goals=goals,
        frameworks=frameworks,
        assessments={k: tuple(v) for k, v in assessments.items()},
        peers=peers,
    )


def query_indicator_facts(
    con: duckdb.DuckDBPyConnection,
) -> dict[tuple[str, str, str | None], IndicatorFacts]:
    """(municipality, indicator, KPI judged) → title, unit and next publication; the
    publication is the successor's when the successor is judged."""
    out: dict[tuple[str, str, str | None], IndicatorFacts] = {}
    for r in _indicator_frame(con).itertuples():
        key = (r.municipality_id, r.indicator_id)
        out[(*key, _opt(r.kpi_id))] = IndicatorFacts(
            r.title, _opt(r.unit), _date(r.publication_date)
        )
        if _opt(r.successor_kpi_id):
            out[(*key, r.successor_kpi_id)] = IndicatorFacts(
                r.title, _opt(r.unit), _date(r.succ_publication)
            )
    return out


def query_sdg_kpi_directions(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """Curated Agenda 2030 KPI → (its direction, its title), leaving out KPIs Kolada
    publishes for regions only (a kommun has no value for them). One direction per KPI is
    checked when the mapping is read."""
    rows = con.execute(
        """
        SELECT DISTINCT m.kpi_id, m.direction, coalesce(k.title, '')
        FROM kpi_sdg_map m LEFT JOIN kpi k ON k.id = m.kpi_id
        WHERE coalesce(k.municipality_type, '') <> 'L'
        ORDER BY 1
        """
    ).fetchall()
    return {kpi: (direction, title) for kpi, direction, title in rows}
