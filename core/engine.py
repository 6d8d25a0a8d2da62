"""Glue between goal indicators and the status rules: which series to judge, against which
ambition, with which pooled trend. Pure; the ETL (etl/results.py) feeds it database rows
and stores what it returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from core.forecast import Calibration, group_median, last_value, theil_sen_slope
from core.status import Ambition, IndicatorResult, assess_indicator

Series = tuple[Sequence[int], Sequence[float]]


@dataclass(frozen=True)
class IndicatorInput:
    municipality_id: str
    indicator_id: str
    goal_id: str
    kpi_id: str | None
    successor_kpi_id: str | None
    kpi_retired: bool
    direction: str
    bounded_share: bool
    ambitions: tuple[Ambition, ...]


def pick_ambition(ambitions: Sequence[Ambition], as_of: dt.date) -> Ambition | None:
    """The next ambition on or after the assessment date (this year's delmål before the
    period target); once all dates have passed, the last one (judged as passed)."""
    if not ambitions:
        return None
    ordered = sorted(ambitions, key=lambda a: a.date)
    upcoming = [a for a in ordered if a.date >= as_of]
    return upcoming[0] if upcoming else ordered[-1]


def pick_series(inp: IndicatorInput, series: Mapping[str, Series]) -> tuple[str | None, Series]:
    """The series to judge. A retired KPI with a successor is judged on the successor's own
    series once it has any data, and never across the break (the two are not joined)."""
    empty: Series = ((), ())
    if inp.kpi_id is None:
        return None, empty
    succ = inp.successor_kpi_id
    if succ and inp.kpi_retired and len(series.get(succ, empty)[0]) > 0:
        return succ, series[succ]
    return inp.kpi_id, series.get(inp.kpi_id, empty)


def pooled_growth_by_origin(
    matrix: np.ndarray, first_year: int, origins: Sequence[int]
) -> dict[int, float]:
    """One KPI's pooled relative trend at each origin year: the median over all its series
    (rows) of robust slope / |last value|, exactly as the back-tested method computes it."""
    out: dict[int, float] = {}
    groups = np.zeros(len(matrix), dtype=int)
    for year in origins:
        o = year - first_year
        if o < 1 or o >= matrix.shape[1]:
            continue
        slope = theil_sen_slope(matrix, o)
        last, _ = last_value(matrix, o)
        with np.errstate(all="ignore"):
            rel = slope / np.abs(last)
        g = group_median(np.where(np.isfinite(rel), rel, np.nan), groups)
        if len(g) and np.isfinite(g[0]):
            out[year] = float(g[0])
    return out


def panel_growth(
    panel: Sequence[tuple[str, Sequence[int], Sequence[float]]],
    origins: Sequence[int] | None = None,
) -> dict[int, float]:
    """Pooled trend by origin year from one KPI's panel of (geography, years, values)
    series; every year after the first when `origins` is None."""
    if not panel:
        return {}
    first = min(min(y) for _, y, _ in panel)
    last = max(max(y) for _, y, _ in panel)
    matrix = np.full((len(panel), last - first + 1), np.nan)
    for r, (_, ys, vs) in enumerate(panel):
        matrix[r, np.array(ys) - first] = vs
    years = range(first + 1, last + 1) if origins is None else origins
    return pooled_growth_by_origin(matrix, first, years)


def evaluate(
    inp: IndicatorInput,
    series: Mapping[str, Series],
    *,
    as_of: dt.date,
    calibration: Calibration,
    growth: Mapping[tuple[str, int], float],
    period_end: dt.date | None = None,
) -> tuple[str | None, IndicatorResult]:
    kpi, (years, values) = pick_series(inp, series)
    ambition = pick_ambition(inp.ambitions, as_of)
    if inp.kpi_id is None:
        return None, IndicatorResult(
            "Ej bedömbart",
            "ingen",
            "Lokal indikator: inga värden i Kolada.",
            as_of,
            inp.direction,
        )
    visible = [y for y in years if y < as_of.year]
    origin = max(visible) if visible else None
    g = growth.get((kpi, origin)) if kpi and origin is not None else None
    result = assess_indicator(
        years,
        values,
        direction=inp.direction,
        as_of=as_of,
        ambition=ambition,
        calibration=calibration,
        kpi_growth=g,
        bounded_share=inp.bounded_share,
        forecast_year=period_end.year if period_end else None,
    )
    if kpi != inp.kpi_id:
        result = _with_reason(
            result,
            f"Bedöms på efterföljaren {kpi} (ingen sammanfogning "
            f"över seriebrottet). " + result.reason,
        )
    elif inp.kpi_retired and inp.successor_kpi_id:
        result = _with_reason(
            result,
            f"Serien har upphört; efterföljaren "
            f"{inp.successor_kpi_id} saknar ännu värden. " + result.reason,
        )
    return kpi, result


def _with_reason(r: IndicatorResult, reason: str) -> IndicatorResult:
    return replace(r, reason=reason)
