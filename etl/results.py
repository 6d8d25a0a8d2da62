"""Materialise indicator and goal results into the database being built, so pages only
read. Called by the offline build and the live run after the goals are loaded.

Assessment dates: the data date (the snapshot's date offline, the run date live) and every
report checkpoint in each framework's period up to that date.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from core.engine import IndicatorInput, evaluate, panel_growth
from core.errors import DataError
from core.forecast import PERCENTILES, Calibration
from core.scope import peer_group
from core.status import Ambition, IndicatorResult, assess_indicator, summarise_goal
from db import load, queries


def read_calibration(path: Path) -> Calibration:
    """The back-test's selected method and its error percentiles (bench/backtest.py)."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["selected"] == "1"]
    except (OSError, KeyError) as exc:
        raise DataError(f"Kalibreringsfilen {path} kan inte läsas ({exc})") from exc
    if not rows:
        raise DataError(f"Kalibreringsfilen {path} anger ingen vald metod")
    return Calibration(
        rows[0]["method"],
        {int(r["horizon"]): np.array([float(r[f"p{p}"]) for p in PERCENTILES]) for r in rows},
    )


def _share(unit: Any, title: Any) -> bool:
    text = f"{unit or ''} {title or ''}".lower()
    return "%" in text or "andel" in text


def _assessment_dates(goals: pd.DataFrame, data_date: dt.date) -> dict[str, list[tuple]]:
    """framework → [(date, label)]: the data date plus the framework's own checkpoint
    occurrences within its period, up to the data date."""
    out: dict[str, set[tuple]] = {}
    for _, g in goals.drop_duplicates("framework_id").iterrows():
        dates = out.setdefault(g["framework_id"], {(data_date, None)})
        start = pd.Timestamp(g["period_start"]).date()
        end = pd.Timestamp(g["period_end"]).date()
        for label, month_day in g["checkpoints"]:
            month, day = (int(p) for p in month_day.split("-"))
            for year in range(start.year, end.year + 1):
                d = dt.date(year, month, day)
                if start <= d <= end and d <= data_date:
                    dates.add((d, f"{label} {year}"))
    return {f: sorted(v, key=lambda x: x[0]) for f, v in out.items()}


def compute_results(
    con: duckdb.DuckDBPyConnection,
    calibration: Calibration,
    data_date: dt.date,
    progress: Callable[[str], object] = print,
) -> int:
    ind = queries.query_engine_indicators(con)
    goals = queries.query_goal_frames(con)
    amb: dict[tuple[str, str], list[Ambition]] = {}
    for m, i, d, v, kind in queries.query_ambitions(con):
        amb.setdefault((m, i), []).append(Ambition(d, v, kind))
    assessments: dict[tuple[str, str], list[tuple[dt.date, str]]] = {}
    for m, g, d, status in queries.query_assessments(con):
        assessments.setdefault((m, g), []).append((d, status))
    peers = queries.query_peer_groups(con)
    names = dict(zip(goals["municipality_id"], goals["municipality"], strict=False))
    dates = _assessment_dates(goals, data_date)
    period_end = {
        (r["municipality_id"], r["goal_id"]): pd.Timestamp(r["period_end"]).date()
        for _, r in goals.iterrows()
    }
    framework_of = {
        (r["municipality_id"], r["goal_id"]): r["framework_id"] for _, r in goals.iterrows()
    }

    kpis = sorted({k for col in ("kpi_id", "successor_kpi_id") for k in ind[col].dropna()})
    growth: dict[tuple[str, int], float] = {}
    for kpi in kpis:
        for year, g in panel_growth(queries.query_kpi_panel(con, kpi)).items():
            growth[(kpi, year)] = g

    rank_cache: dict[tuple, list[tuple[str, float]]] = {}
    indicator_rows: list[dict[str, Any]] = []
    results: dict[tuple[str, str, dt.date], list[tuple[str, IndicatorResult]]] = {}
    for _, row in ind.iterrows():
        m = row["municipality_id"]
        inp = IndicatorInput(
            municipality_id=m,
            indicator_id=row["indicator_id"],
            goal_id=row["goal_id"],
            kpi_id=_opt(row["kpi_id"]),
            successor_kpi_id=_opt(row["successor_kpi_id"]),
            kpi_retired=bool(row["kpi_retired"]),
            direction=row["direction"],
            bounded_share=_share(row["unit"], row["kpi_title"]),
            ambitions=tuple(amb.get((m, row["indicator_id"]), ())),
        )
        wanted = [k for k in (inp.kpi_id, inp.successor_kpi_id) if k]
        series = queries.query_series(con, m, wanted, row["gender"]) if wanted else {}
        peer = peer_group(peers, names.get(m, ""))
        for as_of, label in dates.get(framework_of[(m, inp.goal_id)], [(data_date, None)]):
            kpi, res = evaluate(
                inp,
                series,
                as_of=as_of,
                calibration=calibration,
                growth=growth,
                period_end=period_end.get((m, inp.goal_id)),
            )
            results.setdefault((m, inp.goal_id, as_of), []).append((inp.indicator_id, res))
            rel = _relative(con, rank_cache, kpi, row["gender"], res, m, peer[1] if peer else [])
            pub = row["succ_publication"] if kpi and kpi != inp.kpi_id else row["publication_date"]
            indicator_rows.append(_indicator_row(inp, as_of, label, kpi, res, pub, rel))

    goal_rows = []
    for _, g in goals.iterrows():
        m = g["municipality_id"]
        for as_of, label in dates.get(g["framework_id"], [(data_date, None)]):
            s = summarise_goal(
                g["type"],
                g["measurability"],
                g["definition_status"],
                results.get((m, g["goal_id"], as_of), []),
                assessment=_latest_assessment(assessments.get((m, g["goal_id"]), []), as_of),
            )
            goal_rows.append(
                {
                    "municipality_id": m,
                    "goal_id": g["goal_id"],
                    "as_of": as_of,
                    "checkpoint_label": label,
                    "status": s.status,
                    "reason": s.reason,
                    "counts": json.dumps(s.counts, ensure_ascii=False),
                    "weakest_indicator": s.weakest,
                    "forecast_allowed": s.forecast_allowed,
                    "assessment": s.assessment,
                    "disagrees": s.disagrees,
                }
            )
    load.replace_results(con, indicator_rows, goal_rows)
    progress(f"  {len(indicator_rows)} indikatorbedömningar, {len(goal_rows)} målbedömningar")
    n_sdg = compute_sdg_results(con, calibration, data_date)
    progress(f"  {n_sdg} bedömningar av Agenda 2030-nyckeltal")
    return len(indicator_rows)


def compute_sdg_results(
    con: duckdb.DuckDBPyConnection, calibration: Calibration, data_date: dt.date
) -> int:
    """Judge each curated Agenda 2030 KPI by its direction (there is no ambition) for each
    municipality with a goal file, as of the data date. Same rules as a goal indicator
    without an ambition, so an SDG's statuses mean the same whichever way they were
    reached."""
    directions = queries.query_sdg_kpi_directions(con)
    rows: list[dict[str, Any]] = []
    for m, _name in queries.query_framework_municipalities(con):
        series = queries.query_series(con, m, sorted(directions), "T")
        for kpi, (direction, title) in sorted(directions.items()):
            res = assess_indicator(
                *series.get(kpi, ((), ())),
                direction=direction,
                as_of=data_date,
                ambition=None,
                calibration=calibration,
                bounded_share=_share(None, title),
            )
            rows.append(
                {
                    "municipality_id": m,
                    "kpi_id": kpi,
                    "as_of": data_date,
                    "status": res.status,
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


def _latest_assessment(items: list[tuple[dt.date, str]], as_of: dt.date) -> str | None:
    """Leadership's most recent assessment on or before the assessment date."""
    earlier = [(d, s) for d, s in items if d <= as_of]
    return max(earlier)[1] if earlier else None


def _relative(
    con: duckdb.DuckDBPyConnection,
    cache: dict,
    kpi: str | None,
    gender: str,
    res: IndicatorResult,
    municipality: str,
    peers: list[str],
) -> dict[str, Any]:
    """Rank (1 = best) and quartile among all kommuner, and rank among the peers, for the
    year judged. A separate signal from goal status, never merged into it."""
    d = {"öka": -1, "minska": 1}.get(res.direction)
    if kpi is None or d is None or res.latest_year is None:
        return {}
    key = (kpi, gender, res.latest_year)
    if key not in cache:
        cache[key] = queries.query_kommun_values(con, kpi, gender, res.latest_year)
    values = dict(cache[key])
    if municipality not in values:
        return {}
    own = values[municipality]
    better = sum(1 for v in values.values() if d * v < d * own)
    n = len(values)
    rank = better + 1
    group = [p for p in [*peers, municipality] if p in values]
    peer_rank = sum(1 for p in group if d * values[p] < d * own) + 1
    return {
        "rank_all": rank,
        "n_all": n,
        "quartile_all": min(4, 1 + (4 * (rank - 1)) // n),
        "rank_peers": peer_rank if len(group) > 1 else None,
        "n_peers": len(group) if len(group) > 1 else None,
    }


def _opt(v: Any) -> Any:
    """pandas gives NaN for a missing text value; the engine wants None."""
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v


def _num(v: float | None) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else v


def _indicator_row(
    inp: IndicatorInput,
    as_of: dt.date,
    label: str | None,
    kpi: str | None,
    r: IndicatorResult,
    publication: Any,
    rel: dict[str, Any],
) -> dict[str, Any]:
    return {
        "municipality_id": inp.municipality_id,
        "indicator_id": inp.indicator_id,
        "goal_id": inp.goal_id,
        "as_of": as_of,
        "checkpoint_label": label,
        "judged_kpi_id": kpi,
        "status": r.status,
        "basis": r.basis,
        "reason": r.reason,
        "direction": r.direction,
        "n_points": r.n_points,
        "base_year": r.base_year,
        "base_value": r.base_value,
        "latest_year": r.latest_year,
        "latest_value": r.latest_value,
        "data_age_years": r.data_age_years,
        "next_publication": _opt(publication),
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
        **rel,
    }
