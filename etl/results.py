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
from dataclasses import dataclass
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


@dataclass
class Assessed:
    """One indicator judged at one date, with the inputs that produced it (what a frozen
    report keeps)."""

    indicator: dict[str, Any]  # the query_engine_indicators row
    inp: IndicatorInput
    as_of: dt.date
    label: str | None
    kpi: str | None  # the series judged
    series: tuple[list[int], list[float]]  # as known at as_of (vintage-aware)
    result: IndicatorResult
    row: dict[str, Any]  # the indicator_result row


class _Values:
    """Series, pooled trends and rankings as known at an assessment date. Dates on or after
    the last day a live run changed a value read the current values; earlier dates read
    values_as_of, so a past checkpoint never sees a value fetched after it."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.last_revision = queries.query_last_revision_day(con)
        self._growth: dict[tuple[str, dt.date | None], dict[int, float]] = {}
        self._ranks: dict[tuple, list[tuple[str, float]]] = {}
        self._series: dict[tuple, dict] = {}

    def vintage(self, as_of: dt.date) -> dt.date | None:
        return as_of if self.last_revision is not None and self.last_revision > as_of else None

    def series(self, m: str, kpis: list[str], gender: str, as_of: dt.date) -> dict:
        # Every date after the last revision reads the same current values: one query.
        key = (m, tuple(kpis), gender, self.vintage(as_of))
        if key not in self._series:
            self._series[key] = queries.query_series(self.con, m, kpis, gender, key[3])
        return self._series[key]

    def growth(self, kpis: list[str], as_of: dt.date) -> dict[tuple[str, int], float]:
        v = self.vintage(as_of)
        out: dict[tuple[str, int], float] = {}
        for kpi in kpis:
            if (kpi, v) not in self._growth:
                self._growth[(kpi, v)] = panel_growth(queries.query_kpi_panel(self.con, kpi, v))
            out |= {(kpi, year): g for year, g in self._growth[(kpi, v)].items()}
        return out

    def kommun_values(self, kpi: str, gender: str, year: int, as_of: dt.date) -> list:
        key = (kpi, gender, year, self.vintage(as_of))
        if key not in self._ranks:
            self._ranks[key] = queries.query_kommun_values(self.con, kpi, gender, year, key[3])
        return self._ranks[key]


def assess(
    con: duckdb.DuckDBPyConnection,
    calibration: Calibration,
    data_date: dt.date,
    *,
    municipality: str | None = None,
    dates: list[tuple[dt.date, str | None]] | None = None,
) -> tuple[list[Assessed], list[dict[str, Any]]]:
    """Judge every goal indicator and goal (or one municipality's) at each assessment
    date: by default the data date and each framework's checkpoints up to it; `dates`
    replaces those (a report frozen for one checkpoint)."""
    ind = queries.query_engine_indicators(con)
    goals = queries.query_goal_frames(con)
    if municipality is not None:
        ind = ind[ind["municipality_id"] == municipality]
        goals = goals[goals["municipality_id"] == municipality]
    amb: dict[tuple[str, str], list[Ambition]] = {}
    for m, i, d, v, kind in queries.query_ambitions(con):
        amb.setdefault((m, i), []).append(Ambition(d, v, kind))
    assessments: dict[tuple[str, str], list[tuple[dt.date, str]]] = {}
    for m, g, d, status in queries.query_assessments(con):
        assessments.setdefault((m, g), []).append((d, status))
    peers = queries.query_peer_groups(con)
    names = dict(zip(goals["municipality_id"], goals["municipality"], strict=False))
    schedule = _assessment_dates(goals, data_date)
    period_end = {
        (r["municipality_id"], r["goal_id"]): pd.Timestamp(r["period_end"]).date()
        for _, r in goals.iterrows()
    }
    framework_of = {
        (r["municipality_id"], r["goal_id"]): r["framework_id"] for _, r in goals.iterrows()
    }
    values = _Values(con)

    out: list[Assessed] = []
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
        peer = peer_group(peers, names.get(m, ""))
        when = dates or schedule.get(framework_of[(m, inp.goal_id)], [(data_date, None)])
        for as_of, label in when:
            series = values.series(m, wanted, row["gender"], as_of) if wanted else {}
            kpi, res = evaluate(
                inp,
                series,
                as_of=as_of,
                calibration=calibration,
                growth=values.growth(wanted, as_of),
                period_end=period_end.get((m, inp.goal_id)),
            )
            results.setdefault((m, inp.goal_id, as_of), []).append((inp.indicator_id, res))
            rel = _relative(values, kpi, row["gender"], res, m, peer[1] if peer else [], as_of)
            pub = row["succ_publication"] if kpi and kpi != inp.kpi_id else row["publication_date"]
            used = series.get(kpi, ([], [])) if kpi else ([], [])
            out.append(
                Assessed(
                    row.to_dict(),
                    inp,
                    as_of,
                    label,
                    kpi,
                    (list(used[0]), list(used[1])),
                    res,
                    _indicator_row(inp, as_of, label, kpi, res, pub, rel),
                )
            )

    goal_rows = []
    for _, g in goals.iterrows():
        m = g["municipality_id"]
        for as_of, label in dates or schedule.get(g["framework_id"], [(data_date, None)]):
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
    return out, goal_rows


def compute_results(
    con: duckdb.DuckDBPyConnection,
    calibration: Calibration,
    data_date: dt.date,
    progress: Callable[[str], object] = print,
) -> int:
    assessed, goal_rows = assess(con, calibration, data_date)
    indicator_rows = [a.row for a in assessed]
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
    values_at: _Values,
    kpi: str | None,
    gender: str,
    res: IndicatorResult,
    municipality: str,
    peers: list[str],
    as_of: dt.date,
) -> dict[str, Any]:
    """Rank (1 = best) and quartile among all kommuner, and rank among the peers, for the
    year judged. A separate signal from goal status, never merged into it."""
    d = {"öka": -1, "minska": 1}.get(res.direction)
    if kpi is None or d is None or res.latest_year is None:
        return {}
    values = dict(values_at.kommun_values(kpi, gender, res.latest_year, as_of))
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
