"""Point forecasts, prediction intervals and P(ambition met) for annual Kolada series.

Pure and vectorised: every function takes a 2-D array `y` of shape (series, years) with NaN
for missing years, and an `origin` column index (the last year the forecaster may see). The
same code serves the back-test in bench/backtest.py (hundreds of thousands of series at
once) and a single indicator in the app (one row).

Forecast errors are measured in units of each series' own noise (its mean absolute
year-to-year change up to the origin, the MASE scale), so the empirical error distribution
learned in the back-test across all municipalities and KPIs applies to any series: the 80 %
interval is the point ± the back-tested 10th/90th percentiles of scaled errors, and
P(ambition met) is read off the same empirical distribution.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

# Methods compared by the back-test (bench/backtest.py); the engine uses the one the
# back-test selects (data/forecast_calibration.csv).
METHODS = ("naive", "destatis", "theil_sen", "damped", "pooled_growth")
POOLED_DAMPING = 0.5
WINDOW = 6  # years of history the trend methods look at
DAMPING = 0.7  # damped trend: each further year keeps 70 % of the previous year's slope
PERCENTILES = tuple(range(1, 100))


@contextmanager
def _quiet() -> Iterator[None]:
    """All-NaN rows are expected (series without data in a window); their NaN result is
    the answer, not a problem worth a warning."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _last_window(y: np.ndarray, origin: int, window: int) -> np.ndarray:
    lo = max(0, origin - window + 1)
    return y[:, lo : origin + 1]


def last_value(y: np.ndarray, origin: int) -> tuple[np.ndarray, np.ndarray]:
    """(value, column index) of each series' latest observation at or before `origin`."""
    seen = ~np.isnan(y[:, : origin + 1])
    idx = np.where(seen.any(axis=1), origin - np.argmax(seen[:, ::-1], axis=1), -1)
    val = np.where(idx >= 0, y[np.arange(len(y)), np.clip(idx, 0, None)], np.nan)
    return val, idx


def noise_scale(y: np.ndarray, origin: int) -> np.ndarray:
    """Mean absolute change between consecutive observed years up to `origin` (the MASE
    scale): a series' normal year-to-year noise. NaN where fewer than two consecutive
    observations exist; 0 for a constant series."""
    d = np.abs(np.diff(y[:, : origin + 1], axis=1))
    with _quiet():
        return np.nanmean(d, axis=1) if d.shape[1] else np.full(len(y), np.nan)


def theil_sen_slope(y: np.ndarray, origin: int, window: int = WINDOW) -> np.ndarray:
    """Median of pairwise slopes over the last `window` years: robust to one odd year,
    which small municipalities' series often have."""
    w = _last_window(y, origin, window)
    n = w.shape[1]
    slopes = []
    for i in range(n):
        for j in range(i + 1, n):
            slopes.append((w[:, j] - w[:, i]) / (j - i))
    if not slopes:
        return np.full(len(y), np.nan)
    with _quiet():
        return np.nanmedian(np.stack(slopes, axis=1), axis=1)


def group_median(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each element replaced by the median of its group (NaN ignored): a KPI's typical
    trend across all municipalities at this origin."""
    out = np.full(len(values), np.nan)
    order = np.argsort(groups, kind="stable")
    g, v = groups[order], values[order]
    bounds = np.flatnonzero(np.r_[True, g[1:] != g[:-1], True])
    for a, b in itertools.pairwise(bounds):
        chunk = v[a:b]
        if np.isfinite(chunk).any():
            with _quiet():
                out[order[a:b]] = np.nanmedian(chunk)
    return out


def pooled_growth_forecast(
    last: np.ndarray | float, growth: np.ndarray | float, steps: np.ndarray | int
) -> np.ndarray | float:
    """Last value moved by the KPI's pooled relative trend, damped by POOLED_DAMPING a year
    (a trend seen across municipalities fades rather than runs on for ever)."""
    p = POOLED_DAMPING
    return last + np.abs(last) * growth * p * (1 - p**steps) / (1 - p)


def point_forecast(
    y: np.ndarray, origin: int, horizon: int, method: str, groups: np.ndarray | None = None
) -> np.ndarray:
    """Forecast of the value `horizon` years after `origin` for every series. `groups`
    (one label per series, e.g. the KPI) is needed by the pooled method only."""
    last, last_idx = last_value(y, origin)
    steps = origin + horizon - last_idx  # years from the latest observation to the target
    if method == "naive":
        return last
    if method == "destatis":
        # Destatis: continue the average annual change of the last five years.
        base = y[:, origin - 5] if origin >= 5 else np.full(len(y), np.nan)
        slope = (y[:, origin] - base) / 5
        return y[:, origin] + slope * horizon
    slope = theil_sen_slope(y, origin)
    if method == "theil_sen":
        return last + slope * steps
    phi = DAMPING
    factor = phi * (1 - phi**steps) / (1 - phi)
    if method == "damped":
        return last + slope * factor
    if method == "pooled_growth":
        # Pool across municipalities: the KPI's median relative trend (robust slope / level)
        # at this origin, damped, applied to this series' last value. One municipality's
        # own slope is mostly noise; the common drift of a KPI is not.
        if groups is None:
            raise ValueError("the pooled_growth method needs groups (one label per series)")
        with np.errstate(all="ignore"):
            rel = slope / np.abs(last)
        g = group_median(np.where(np.isfinite(rel), rel, np.nan), groups)
        return pooled_growth_forecast(last, np.nan_to_num(g), steps)
    raise ValueError(f"unknown method {method!r}")


@dataclass(frozen=True)
class Calibration:
    """Back-tested distribution of scaled errors (actual − forecast) / scale for one method,
    per horizon: `percentiles[h]` holds the 1st … 99th percentiles."""

    method: str
    percentiles: dict[int, np.ndarray]

    def quantile(self, horizon: int, q: float) -> float:
        h = min(max(horizon, 1), max(self.percentiles))
        return float(np.interp(q * 100, PERCENTILES, self.percentiles[h]))

    def cdf(self, horizon: int, z: np.ndarray | float) -> np.ndarray:
        """P(scaled error ≤ z), interpolated between the stored percentiles."""
        h = min(max(horizon, 1), max(self.percentiles))
        return np.interp(z, self.percentiles[h], np.array(PERCENTILES) / 100, left=0.0, right=1.0)


def interval(
    point: np.ndarray, scale: np.ndarray, horizon: int, cal: Calibration, level: float = 0.8
) -> tuple[np.ndarray, np.ndarray]:
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    return point + cal.quantile(horizon, lo_q) * scale, point + cal.quantile(horizon, hi_q) * scale


def probability_at_least(
    point: np.ndarray,
    scale: np.ndarray,
    horizon: int,
    threshold: np.ndarray | float,
    cal: Calibration,
) -> np.ndarray:
    """P(actual ≥ threshold) under the back-tested error distribution. For a 'lower is
    better' ambition use 1 − this. A zero scale (constant series) gives 0 or 1."""
    with np.errstate(all="ignore"):
        z = (np.asarray(threshold) - point) / scale
    p = 1.0 - cal.cdf(horizon, np.where(np.isfinite(z), z, 0.0))
    constant = scale == 0
    return np.where(constant, (point >= threshold).astype(float), p)


def empirical_percentiles(errors: Sequence[float] | np.ndarray) -> np.ndarray:
    e = np.asarray(errors, dtype=float)
    e = e[np.isfinite(e)]
    return np.percentile(e, PERCENTILES)
