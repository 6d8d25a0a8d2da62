"""Back-test of the forecast methods on the full real Kolada dataset (issue 4).

    .venv/bin/python -m bench.backtest            # prints the table, writes the outputs

Rolling origin over all municipalities, regions and Riket (gender T), every KPI with at least
100 series of 8+ observed years, horizons 1-3. Errors are scaled by each series' own
year-to-year noise up to the origin (the MASE scale), so KPIs in different units pool.

Honesty: the error distribution that makes the intervals and probabilities is learned on
origins 2006-2013 only; every figure reported is measured on later origins 2014-2019, whose
outcomes (up to 2022) the calibration never saw.

Outputs: data/forecast_calibration.csv (percentiles of scaled errors per method and horizon,
and which method the back-test selects) and docs/backtest.md (the table). Both are committed
and regenerated only by running this script.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
import time

import duckdb
import numpy as np

from config import PROJECT_ROOT
from core.forecast import (
    METHODS,
    PERCENTILES,
    Calibration,
    empirical_percentiles,
    interval,
    last_value,
    noise_scale,
    point_forecast,
    probability_at_least,
)

SOURCE = PROJECT_ROOT.parent / "shared" / "kolada" / "values_all_municipalities_2024-08-30.parquet"
CALIBRATION_OUT = PROJECT_ROOT / "data" / "forecast_calibration.csv"
DOC_OUT = PROJECT_ROOT / "docs" / "backtest.md"
FIRST_YEAR, LAST_YEAR = 1994, 2022
CAL_ORIGINS = range(2006, 2014)
EVAL_ORIGINS = range(2014, 2020)
HORIZONS = (1, 2, 3)
MIN_OBS_AT_ORIGIN = 3


def load_matrix() -> tuple[np.ndarray, np.ndarray, list[str], np.ndarray]:
    """(values [series × years], riket [series × years], kpi per series, is_riket)."""
    con = duckdb.connect()
    rows = con.execute(
        f"""
        WITH v AS (
            SELECT kpi, municipality_id, year, value FROM read_parquet('{SOURCE}')
            WHERE gender = 'T' AND value IS NOT NULL
        ),
        good AS (
            SELECT kpi FROM (
                SELECT kpi, municipality_id, count(*) AS n FROM v GROUP BY ALL
            ) WHERE n >= 8 GROUP BY kpi HAVING count(*) >= 100
        )
        SELECT kpi, municipality_id, list(year ORDER BY year), list(value ORDER BY year)
        FROM v WHERE kpi IN (SELECT kpi FROM good)
        GROUP BY kpi, municipality_id ORDER BY kpi, municipality_id
        """
    ).fetchall()
    n_years = LAST_YEAR - FIRST_YEAR + 1
    y = np.full((len(rows), n_years), np.nan)
    kpis, is_riket = [], np.zeros(len(rows), dtype=bool)
    riket_by_kpi: dict[str, np.ndarray] = {}
    for i, (kpi, muni, years, values) in enumerate(rows):
        y[i, np.array(years) - FIRST_YEAR] = values
        kpis.append(kpi)
        if muni == "0000":
            is_riket[i] = True
            riket_by_kpi[kpi] = y[i]
    empty = np.full(n_years, np.nan)
    riket = np.stack([riket_by_kpi.get(k, empty) for k in kpis])
    return y, riket, kpis, is_riket


def errors_for(
    y: np.ndarray, origin_year: int, horizon: int, groups: np.ndarray
) -> dict[str, np.ndarray]:
    """Scaled errors per method for every series usable at this origin and horizon, plus
    the points and scale needed to score intervals and probabilities."""
    o = origin_year - FIRST_YEAR
    actual = y[:, o + horizon]
    scale = noise_scale(y, o)
    n_obs = np.sum(~np.isnan(y[:, : o + 1]), axis=1)
    last, last_idx = last_value(y, o)
    points = {m: point_forecast(y, o, horizon, m, groups) for m in METHODS}
    ok = (
        ~np.isnan(actual)
        & (scale > 0)
        & (n_obs >= MIN_OBS_AT_ORIGIN)
        & (last_idx >= o - 1)
        & np.all([np.isfinite(p) for p in points.values()], axis=0)
    )
    out = {"ok": ok, "actual": actual, "scale": scale, "last": last}
    for m, p in points.items():
        out[f"point_{m}"] = p
        out[f"err_{m}"] = (actual - p) / scale
    return out


def main() -> int:
    t0 = time.perf_counter()
    if not SOURCE.exists():
        print(f"{SOURCE} not found: the back-test needs the full dataset in ../shared")
        return 1
    y, riket, kpis, is_riket = load_matrix()
    n_kpis = len(set(kpis))
    groups = np.unique(np.array(kpis), return_inverse=True)[1]
    print(
        f"Back-test on {y.shape[0]:,} series of {n_kpis} KPIs, years {FIRST_YEAR}-{LAST_YEAR} "
        f"({time.perf_counter() - t0:.1f} s to load)"
    )

    # 1. Learn scaled-error percentiles on the calibration origins.
    cal_errors: dict[tuple[str, int], list[np.ndarray]] = {}
    for origin in CAL_ORIGINS:
        for h in HORIZONS:
            r = errors_for(y, origin, h, groups)
            for m in METHODS:
                cal_errors.setdefault((m, h), []).append(r[f"err_{m}"][r["ok"]])
    calibrations = {
        m: Calibration(
            m, {h: empirical_percentiles(np.concatenate(cal_errors[(m, h)])) for h in HORIZONS}
        )
        for m in METHODS
    }

    # 2. Score every method on the later origins.
    stats: dict[tuple[str, int], dict[str, float]] = {}
    brier_ref: dict[int, dict[str, float]] = {}
    n_eval: dict[int, int] = {}
    for h in HORIZONS:
        acc: dict[str, list[np.ndarray]] = {}
        for origin in EVAL_ORIGINS:
            r = errors_for(y, origin, h, groups)
            o = origin - FIRST_YEAR
            ok = r["ok"] & ~is_riket
            thr = riket[:, o]  # ambition: reach Riket's level at the origin year
            has_thr = ok & ~np.isnan(thr)
            event = (r["actual"] >= thr).astype(float)
            acc.setdefault("n", []).append(np.array([ok.sum()]))
            for m in METHODS:
                e = r[f"err_{m}"][ok]
                lo, hi = interval(r[f"point_{m}"], r["scale"], h, calibrations[m])
                inside = (r["actual"] >= lo) & (r["actual"] <= hi)
                p = probability_at_least(r[f"point_{m}"], r["scale"], h, thr, calibrations[m])
                acc.setdefault(f"abs_{m}", []).append(np.abs(e))
                acc.setdefault(f"cov_{m}", []).append(inside[ok])
                acc.setdefault(f"brier_{m}", []).append((p[has_thr] - event[has_thr]) ** 2)
            destatis_rule = (r["point_destatis"] >= thr).astype(float)
            naive_rule = (r["last"] >= thr).astype(float)
            acc.setdefault("brier_destatis_rule", []).append(
                (destatis_rule[has_thr] - event[has_thr]) ** 2
            )
            acc.setdefault("brier_naive_rule", []).append(
                (naive_rule[has_thr] - event[has_thr]) ** 2
            )
        cat = {k: np.concatenate(v) for k, v in acc.items()}
        n_eval[h] = int(cat["n"].sum())
        naive_mae = cat["abs_naive"].mean()
        for m in METHODS:
            stats[(m, h)] = {
                "mase": cat[f"abs_{m}"].mean() / naive_mae,
                "coverage": cat[f"cov_{m}"].mean(),
                "brier": cat[f"brier_{m}"].mean(),
            }
        brier_ref[h] = {
            "destatis_rule": cat["brier_destatis_rule"].mean(),
            "naive_rule": cat["brier_naive_rule"].mean(),
            "n": len(cat["brier_naive_rule"]),
        }

    # 3. Select: best mean MASE over horizons 2-3 among methods whose 80 % interval covers
    # 75-85 % at every horizon.
    def calibrated(m: str) -> bool:
        return all(0.75 <= stats[(m, h)]["coverage"] <= 0.85 for h in HORIZONS)

    candidates = [m for m in METHODS if calibrated(m)] or list(METHODS)
    chosen = min(candidates, key=lambda m: stats[(m, 2)]["mase"] + stats[(m, 3)]["mase"])

    _write_calibration(calibrations, chosen)
    table = _table(stats, brier_ref, n_eval, chosen)
    print(table)
    _write_doc(table, y.shape[0], n_kpis, chosen, time.perf_counter() - t0)
    print(
        f"\nSelected method: {chosen}. Wrote {CALIBRATION_OUT.relative_to(PROJECT_ROOT)} and "
        f"{DOC_OUT.relative_to(PROJECT_ROOT)} in {time.perf_counter() - t0:.0f} s."
    )
    return 0


def _write_calibration(calibrations: dict[str, Calibration], chosen: str) -> None:
    with CALIBRATION_OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["method", "horizon", "selected", *[f"p{p}" for p in PERCENTILES]])
        for m, cal in calibrations.items():
            for h, pct in cal.percentiles.items():
                w.writerow([m, h, int(m == chosen), *[f"{v:.6g}" for v in pct]])


def _table(stats: dict, brier_ref: dict, n_eval: dict, chosen: str) -> str:
    lines = [
        "| method | horizon | MASE (vs naive) | 80 % interval coverage | Brier P(≥ Riket) |",
        "|---|---|---|---|---|",
    ]
    for m in METHODS:
        for h in HORIZONS:
            s = stats[(m, h)]
            mark = " **(selected)**" if m == chosen and h == 1 else ""
            lines.append(
                f"| {m}{mark} | {h} | {s['mase']:.3f} | {s['coverage']:.1%} | {s['brier']:.4f} |"
            )
    lines += [
        "",
        "| horizon | forecasts scored | Brier, selected method | Brier, Destatis rule "
        "| Brier, naive rule |",
        "|---|---|---|---|---|",
    ]
    for h in HORIZONS:
        b = brier_ref[h]
        lines.append(
            f"| {h} | {n_eval[h]:,} | {stats[(chosen, h)]['brier']:.4f} | "
            f"{b['destatis_rule']:.4f} | {b['naive_rule']:.4f} |"
        )
    return "\n".join(lines)


def _write_doc(table: str, n_series: int, n_kpis: int, chosen: str, seconds: float) -> None:
    DOC_OUT.parent.mkdir(exist_ok=True)
    DOC_OUT.write_text(
        f"""# Forecast back-test

Reproduce with `.venv/bin/python -m bench.backtest` (needs `../shared/kolada`; {seconds:.0f} s
on the 2-core machine, {dt.date.today():%Y-%m-%d}). Egen bearbetning av data från Kolada.

- Data: every real value for gender T in `values_all_municipalities_2024-08-30.parquet`,
  {n_series:,} series (municipality, region or Riket × KPI) of {n_kpis} KPIs with at least
  100 series of 8+ observed years, 1994–2022.
- Rolling origin: a forecast is made at each origin year from the data up to it, for 1, 2
  and 3 years ahead, wherever the series has at least {MIN_OBS_AT_ORIGIN} observations, an
  observation in the origin year or the year before, non-zero noise, and an observed outcome.
- Errors are scaled by the series' mean absolute year-to-year change up to the origin.
  **MASE** is the method's mean absolute scaled error divided by the naive last-value
  forecast's (below 1.0 beats naive).
- Intervals and probabilities come from the percentiles of scaled errors learned on origins
  {CAL_ORIGINS.start}–{CAL_ORIGINS.stop - 1}; every figure below is measured on origins
  {EVAL_ORIGINS.start}–{EVAL_ORIGINS.stop - 1}, out of sample.
- **Brier**: the ambition is "at least Riket's value in the origin year" (a realistic
  municipal target); the event is the outcome reaching it. The Destatis rule says 1 when the
  Destatis five-year line reaches it, the naive rule when the last value already does.
- Methods: `naive` (last value), `destatis` (last five years' average change, continued),
  `theil_sen` (robust median slope over the last {6} years, continued), `damped` (the same
  slope, damped by 0.7 a year), `pooled_growth` (the last value moved by the KPI's median
  relative trend across all municipalities at the origin, damped by 0.5 a year: pooling
  across municipalities). Selected: **{chosen}**, the best MASE at horizons 2–3 among
  methods whose intervals cover 75–85 % at every horizon.
- Targets (issue 4): coverage 75–85 % at every horizon; MASE below 1.0 at horizons 2 and 3;
  Brier better than both reference rules.

{table}
""",
        encoding="utf-8",
    )


if __name__ == "__main__":
    sys.exit(main())
