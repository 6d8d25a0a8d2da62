"""Materialise indicator and goal results into the database being built, so pages only
read. Called by the offline build and the live run after the goals are loaded.

Orchestration only: the reads are db.judging's, every rule is core.judging's, the writes
are db.load's. Judged on the data date (the snapshot's date offline, the run date live)
and on every report checkpoint in each framework's period up to that date. Local
indicators are judged on the values uploaded in the app, read (never written) from the
app's own store (db.app_store.read_local_versions).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import duckdb

from core.breaks import segment_start
from core.forecast import Calibration
from core.judging import (
    JudgedGoal,
    JudgedIndicator,
    group_local_versions,
    is_bounded_share,
    judge_all,
    judge_series_since,
    known_series,
)
from db import load
from db.app_store import read_local_versions
from db.judging import (
    IndicatorFacts,
    ValuesAsOf,
    query_indicator_facts,
    query_judging_inputs,
    query_kpi_panel,
    query_kpi_publications,
    query_sdg_kpi_directions,
    query_series,
)
from db.queries import query_framework_municipalities


def compute_results(
    con: duckdb.DuckDBPyConnection,
    calibration: Calibration,
    data_date: dt.date,
    progress: Callable[[str], object] = print,
    *,
    app_db_path: Path | None = None,
) -> int:
    """Judge every goal on its dates (core.judging.checkpoint_dates): the checkpoints up to
    the data date, the next one and the data date, each with the values known on it (the
    KPI's publication pattern, read with the inputs). Local indicators are judged on the
    uploads in the app's store at `app_db_path` (none without it, or without the file),
    each date on the upload in force then."""
    inputs = query_judging_inputs(con)
    if app_db_path is not None:
        inputs = replace(inputs, local=group_local_versions(read_local_versions(app_db_path)))
    # Each indicator's own gender, and gender T for the pooled trend.
    values = ValuesAsOf(
        con, {(k, g) for i in inputs.indicators for k in i.wanted_kpis for g in (i.gender, "T")}
    )
    judged, goals = judge_all(inputs, values, calibration, data_date)
    facts = query_indicator_facts(con)
    indicator_rows = [indicator_row(j, facts) for j in judged]
    load.replace_results(con, indicator_rows, [goal_row(g) for g in goals])
    progress(f"  {len(indicator_rows)} indikatorbedömningar, {len(goals)} målbedömningar")
    n_sdg = compute_sdg_results(con, calibration, data_date)
    progress(f"  {n_sdg} bedömningar av Agenda 2030-nyckeltal")
    return len(indicator_rows)


def compute_sdg_results(
    con: duckdb.DuckDBPyConnection, calibration: Calibration, data_date: dt.date
) -> int:
    """Judge each curated Agenda 2030 KPI by its direction (there is no ambition) for each
    municipality with a goal file, as of the data date. Same rules as a goal indicator
    without an ambition, so an SDG's statuses mean the same whichever way they were
    reached, and only values published by the data date count (core.judging.is_known);
    a series is judged from its KPI's latest level break up to its last year on
    (core.breaks), as a goal indicator is."""
    directions = query_sdg_kpi_directions(con)
    publications = query_kpi_publications(con, sorted(directions))
    panels: dict[str, list] = {}
    starts: dict[tuple[str, int], int | None] = {}

    def since(kpi: str, years: list[int]) -> int | None:
        if not years:
            return None
        if kpi not in panels:
            panels[kpi] = query_kpi_panel(con, kpi)
        if (kpi, max(years)) not in starts:
            starts[(kpi, max(years))] = segment_start(panels[kpi], max(years))
        return starts[(kpi, max(years))]

    rows: list[dict[str, Any]] = []
    for m, _name in query_framework_municipalities(con):
        series = query_series(con, m, sorted(directions), "T")
        for kpi, (direction, title) in sorted(directions.items()):
            years, values = known_series(series.get(kpi, ((), ())), data_date, publications[kpi])
            res = judge_series_since(
                years,
                values,
                since=since(kpi, list(years)),
                direction=direction,
                as_of=data_date,
                ambition=None,
                calibration=calibration,
                bounded_share=is_bounded_share(None, title),
            )
            rows.append(
                {
                    "municipality_id": m,
                    "kpi_id": kpi,
                    "as_of": data_date,
                    "status": str(res.status),
                    "basis": res.basis,
                    "reason": res.reason,
                    "direction": direction,
                    "n_points": res.n_points,
                    "latest_year": res.latest_year,
                    "latest_value": res.latest_value,
                    "change_per_year": _num(res.change_per_year),
                }
            )
    load.replace_sdg_results(con, rows)
    return len(rows)


def _num(v: float | None) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


def goal_row(g: JudgedGoal) -> dict[str, Any]:
    s = g.result
    return {
        "municipality_id": g.goal.municipality_id,
        "goal_id": g.goal.goal_id,
        "as_of": g.as_of,
        "checkpoint_label": g.label,
        "status": str(s.status),
        "reason": s.reason,
        "counts": json.dumps(s.counts, ensure_ascii=False),
        "weakest_indicator": s.weakest,
        "forecast_allowed": s.forecast_allowed,
        "assessment": s.assessment,
        "disagrees": s.disagrees,
    }


def indicator_row(
    j: JudgedIndicator, facts: dict[tuple[str, str, str | None], IndicatorFacts]
) -> dict[str, Any]:
    inp, r = j.inp, j.result
    fact = facts.get((inp.municipality_id, inp.indicator_id, j.kpi))
    return {
        "municipality_id": inp.municipality_id,
        "indicator_id": inp.indicator_id,
        "goal_id": inp.goal_id,
        "as_of": j.as_of,
        "checkpoint_label": j.label,
        "judged_kpi_id": j.kpi,
        "status": str(r.status),
        "basis": r.basis,
        "reason": r.reason,
        "direction": r.direction,
        "n_points": r.n_points,
        "base_year": r.base_year,
        "base_value": r.base_value,
        "latest_year": r.latest_year,
        "latest_value": r.latest_value,
        "data_age_years": r.data_age_years,
        "next_publication": fact.publication_date if fact else None,
        "noise": _num(r.noise),
        "change_per_year": _num(r.change_per_year),
        "target_value": r.target_value,
        "target_date": r.target_date,
        "horizon_years": r.horizon_years,
        "method": r.method,
        "point": _num(r.point),
        "lo80": _num(r.lo80),
        "hi80": _num(r.hi80),
        "p_met": _num(r.p_met),
        "thresholds": json.dumps(r.thresholds, ensure_ascii=False),
        "target_provenance": r.target_provenance,
        # A local indicator's upload judged: its values are the municipality's, not Kolada's.
        "local_version": j.local.version if j.local else None,
        **(asdict(j.rank) if j.rank else {}),
    }
