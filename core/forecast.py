"""Point forecasts, prediction intervals and P(ambition met) for annual Kolada series.

Pure and vectorised: every function takes a 2-D array `y` of shape (series, years) with NaN
for missing years, and an `origin` column index (the last year the forecaster may see). The
same code serves the back-test in bench/backtest.py (hundreds of thousands of series at
once) and a single indicator in the app (one row).

Forecast errors are measured in units of each series' own noise (its mean absolute
year-to-year change up to the origin, the MASE scale), so the empirical error distribution
learned in the back-test across all municipalities and KPIs applies to any series: the 80 %
interval is the point ± the back-tested 10th/90th percentiles of scaled errors, and
P(ambition met) is read off the same empirical distribution. The percentiles are learned per
horizon 1-8 and per series class (regular, short, gappy, flat), because those classes err
differently; `forecastable` is the one rule for which series get a forecast at all, used
by the dashboard (core.status) and the back-test alike.

Read straight off the error distribution, P(ambition met) was overconfident above 0.5 (0.88
predicted, 0.82 observed). `fit_recalibration` learns a monotone (isotonic) map from that raw
probability to the frequency observed on the back-test's calibration half, and
`probability_at_least` applies it (`Calibration.recalibration`; none stored: identity).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

# Methods compared by the back-test (bench/backtest.py); the engine uses the one the
# back-test selects (data/forecast_calibration.csv).
METHODS = ("naive", "destatis", "theil_sen", "damped", "pooled_growth")
POOLED_DAMPING = 0.5
WINDOW = 6  # years of history the trend methods look at
DAMPING = 0.7  # damped trend: each further year keeps 70 % of the previous year's slope
PERCENTILES = tuple(range(1, 100))
HORIZONS = tuple(range(1, 9))  # back-tested horizons (years after the latest value)
MIN_POINTS = 3  # fewer observations up to the origin: no forecast ("för kort serie")
MAX_AGE_YEARS = 3  # latest value older than this (judging year − its year): no forecast
SHORT_POINTS = 4  # series with at most this many observations form the "short" class
# Scale floor: a constant or near-constant series still has an uncertain future. Its scale is
# at least 1 % of its latest level and at least 0.1 of a unit (0.1 procentenheter for shares,
# the commonest unit), so no interval has zero width.
SCALE_FLOOR_REL = 0.01
SCALE_FLOOR_ABS = 0.1
MIN_HALF_WIDTH = 1.0  # the 80 % interval reaches at least one (floored) scale each side
P_MIN = 0.01  # percentiles 1-99 are stored: no probability beyond them is claimed
CLASSES = ("regular", "short", "gappy", "flat")
RECAL_BINS = 100  # raw probabilities are pooled into bins this wide (1 %) before the fit
POOLED = 0  # key of the recalibration map for all horizons together


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


def series_scale(y: np.ndarray, origin: int) -> np.ndarray:
    """The series' normal year-to-year change: `noise_scale` where the series has
    consecutive years; otherwise the mean change between successive observations per year
    apart, so a series published every other year still has a scale. NaN with fewer than
    two observations."""
    scale = noise_scale(y, origin)
    miss = np.isnan(scale)
    if miss.any():
        sub = y[miss, : origin + 1]
        steps = np.full(sub.shape, np.nan)
        prev_val = np.full(len(sub), np.nan)
        prev_idx = np.full(len(sub), np.nan)
        for j in range(sub.shape[1]):
            col = sub[:, j]
            seen = ~np.isnan(col)
            with np.errstate(all="ignore"):
                steps[:, j] = np.abs(col - prev_val) / (j - prev_idx)
            prev_val = np.where(seen, col, prev_val)
            prev_idx = np.where(seen, j, prev_idx)
        with _quiet():
            scale[miss] = np.nanmean(steps, axis=1)
    return scale


def floored_scale(scale: np.ndarray, last: np.ndarray) -> np.ndarray:
    """The error scale actually used: the series' noise, but never below the floor (1 % of
    the latest level, 0.1 of a unit), so a constant series gets a real interval."""
    floor = np.maximum(SCALE_FLOOR_REL * np.abs(last), SCALE_FLOOR_ABS)
    return np.fmax(scale, floor)


def forecastable(
    y: np.ndarray,
    origin: int,
    max_age_years: int = MAX_AGE_YEARS,
    scale: np.ndarray | None = None,
) -> np.ndarray:
    """Which series get a forecast when column `origin` is the last year that may be seen
    (the year before the judging year): at least MIN_POINTS observations, the latest no
    more than `max_age_years` before the judging year, and a scale. The dashboard
    (core.status) and the back-test (bench/backtest.py) both call this: what is forecast
    is what is evaluated. `scale`: series_scale(y, origin) where the caller has it already."""
    seen = ~np.isnan(y[:, : origin + 1])
    n = seen.sum(axis=1)
    _, last_idx = last_value(y, origin)
    age = origin + 1 - last_idx
    scale = series_scale(y, origin) if scale is None else scale
    return (n >= MIN_POINTS) & (last_idx >= 0) & (age <= max_age_years) & np.isfinite(scale)


def series_class(y: np.ndarray, origin: int, scale: np.ndarray | None = None) -> np.ndarray:
    """Calibration class of each series at `origin` (index into CLASSES): flat where the
    scale floor binds, short with at most SHORT_POINTS observations, gappy where a year is
    missing between the first and latest observations of the last WINDOW years, regular
    otherwise. Each class has its own back-tested error percentiles. `scale`:
    series_scale(y, origin) where the caller has it already."""
    seen = ~np.isnan(y[:, : origin + 1])
    n = seen.sum(axis=1)
    last, last_idx = last_value(y, origin)
    lo = np.maximum(last_idx - WINDOW + 1, 0)
    cols = np.arange(origin + 1)
    in_win = (cols[None, :] >= lo[:, None]) & (cols[None, :] <= last_idx[:, None])
    first_in_win = np.where(in_win & seen, cols[None, :], origin + 1).min(axis=1)
    span = last_idx - first_in_win + 1
    n_in_win = (in_win & seen).sum(axis=1)
    gappy = n_in_win < span
    scale = series_scale(y, origin) if scale is None else scale
    flat = ~(scale >= floored_scale(scale, last))  # NaN scale counts as flat
    out = np.zeros(len(y), dtype=int)
    out[gappy] = CLASSES.index("gappy")
    out[n <= SHORT_POINTS] = CLASSES.index("short")
    out[flat] = CLASSES.index("flat")
    return out


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
    per horizon: `percentiles[h]` holds the 1st … 99th percentiles over all series;
    `by_class[c][h]` the same for one series class (CLASSES) where the back-test learned
    it. Past the longest stored horizon the longest one's percentiles apply (not tested)."""

    method: str
    percentiles: dict[int, np.ndarray]
    by_class: dict[str, dict[int, np.ndarray]] = field(default_factory=dict)
    # Recalibration of P(actual ≥ threshold): knots (2 × k: raw, recalibrated) per horizon,
    # POOLED for every horizon without its own. Empty: raw probabilities are used as they are.
    recalibration: dict[int, np.ndarray] = field(default_factory=dict)

    def recalibrate(self, horizon: int, p: np.ndarray) -> np.ndarray:
        """Raw P(actual ≥ threshold) through the horizon's map (else the pooled one, else
        unchanged)."""
        knots = self.recalibration.get(horizon, self.recalibration.get(POOLED))
        return p if knots is None else apply_recalibration(p, knots)

    def _pct(self, horizon: int, cls: str | None) -> np.ndarray:
        table = self.by_class.get(cls, self.percentiles) if cls else self.percentiles
        h = min(max(horizon, 1), max(table))
        return table[h]

    def quantile(self, horizon: int, q: float, cls: str | None = None) -> float:
        return float(np.interp(q * 100, PERCENTILES, self._pct(horizon, cls)))

    def cdf(self, horizon: int, z: np.ndarray | float, cls: str | None = None) -> np.ndarray:
        """P(scaled error ≤ z), interpolated between the stored percentiles."""
        return np.interp(
            z, self._pct(horizon, cls), np.array(PERCENTILES) / 100, left=0.0, right=1.0
        )


def _per_class(
    n: int, classes: np.ndarray | None, fn: Callable[[str | None, np.ndarray], None]
) -> None:
    if classes is None:
        fn(None, np.ones(n, dtype=bool))
        return
    for i, c in enumerate(CLASSES):
        mask = classes == i
        if mask.any():
            fn(c, mask)


def interval(
    point: np.ndarray,
    scale: np.ndarray,
    horizon: int,
    cal: Calibration,
    level: float = 0.8,
    classes: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Interval at `level` around `point`: the back-tested error percentiles of the series'
    class (`classes`: indices into CLASSES, or None for all series) times its scale."""
    point, scale = np.asarray(point, dtype=float), np.asarray(scale, dtype=float)
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    lo, hi = np.empty(len(point)), np.empty(len(point))

    def fill(cls: str | None, m: np.ndarray) -> None:
        lo[m] = point[m] + cal.quantile(horizon, lo_q, cls) * scale[m]
        hi[m] = point[m] + cal.quantile(horizon, hi_q, cls) * scale[m]

    _per_class(len(point), classes, fill)
    return lo, hi


def probability_at_least(
    point: np.ndarray,
    scale: np.ndarray,
    horizon: int,
    threshold: np.ndarray | float,
    cal: Calibration,
    classes: np.ndarray | None = None,
    bounds: tuple[np.ndarray | float, np.ndarray | float] = (-np.inf, np.inf),
    recalibrated: bool = True,
) -> np.ndarray:
    """P(actual ≥ threshold) under the back-tested error distribution of each series'
    class, passed through the calibration's recalibration map (`recalibrated=False`: the
    raw probability, which the back-test fits the map on). For a 'lower is better' ambition
    use 1 − this: the map calibrates the event and so its complement. The outcome cannot
    leave `bounds` (a share 0-100, a count ≥ 0): a threshold at or below the lower bound is
    reached for sure, one above the upper bound never (the map does not touch these); but
    no probability is closer to 0 or 1 than P_MIN, because the stored percentiles (1-99)
    resolve no further."""
    point = np.asarray(point, dtype=float)
    thr = np.broadcast_to(np.asarray(threshold, dtype=float), point.shape)
    with np.errstate(all="ignore"):
        z = (thr - point) / np.asarray(scale, dtype=float)
    z = np.where(np.isnan(z), 0.0, z)  # 0/0: the threshold is the point itself
    p = np.empty(len(point))

    def fill(cls: str | None, m: np.ndarray) -> None:
        p[m] = 1.0 - cal.cdf(horizon, z[m], cls)

    _per_class(len(point), classes, fill)
    if recalibrated:
        p = cal.recalibrate(horizon, p)
    lo_b, hi_b = (np.broadcast_to(np.asarray(b, dtype=float), point.shape) for b in bounds)
    p = np.where(thr <= lo_b, 1.0, np.where(thr > hi_b, 0.0, p))
    return np.clip(p, P_MIN, 1 - P_MIN)


def clip_to_bounds(
    values: np.ndarray, bounds: tuple[np.ndarray | float, np.ndarray | float]
) -> np.ndarray:
    return np.clip(values, bounds[0], bounds[1])


def value_bounds(
    y: np.ndarray, origin: int, share: np.ndarray | bool
) -> tuple[np.ndarray, np.ndarray]:
    """Natural bounds of each series' outcome: 0-100 for a share; ≥ 0 for a series never
    negative up to the origin (a count, a cost: the back-test checks how rarely such a
    series later goes below 0); unbounded otherwise."""
    share = np.broadcast_to(np.asarray(share, dtype=bool), (len(y),))
    with _quiet():
        nonneg = np.nanmin(y[:, : origin + 1], axis=1) >= 0
        # A "share" by its title whose own history has left 0-100 is no share (a count of
        # "deltidsanställda (75-99 %)", a net rate): the back-test found such outcomes
        # outside 0-100 in a quarter of the cases near a bound.
        share = share & nonneg & (np.nanmax(y[:, : origin + 1], axis=1) <= 100)
    lo = np.where(share | nonneg, 0.0, -np.inf)
    hi = np.where(share, 100.0, np.inf)
    return lo, hi


def empirical_percentiles(errors: Sequence[float] | np.ndarray) -> np.ndarray:
    """The 1st-99th percentiles of scaled errors, spread so the 80 % interval reaches at
    least MIN_HALF_WIDTH scales each side (a flat class, mostly exact repeats, would
    otherwise get a zero-width interval) and strictly increasing (so the CDF is defined)."""
    e = np.asarray(errors, dtype=float)
    e = e[np.isfinite(e)]
    pct = np.percentile(e, PERCENTILES)
    q = np.array(PERCENTILES)
    pct = np.where(q <= 10, np.minimum(pct, -MIN_HALF_WIDTH), pct)
    pct = np.where(q >= 90, np.maximum(pct, MIN_HALF_WIDTH), pct)
    pct = np.maximum.accumulate(pct)
    return pct + 1e-9 * (q - 50)


def isotonic(y: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Weighted least-squares non-decreasing fit to `y` in its given order
    (pool-adjacent-violators): each run of values that falls is replaced by its weighted
    mean until nothing falls."""
    y = np.asarray(y, dtype=float)
    w = np.ones(len(y)) if w is None else np.asarray(w, dtype=float)
    means: list[float] = []
    weights: list[float] = []
    sizes: list[int] = []
    for v, wt in zip(y, w, strict=True):
        means.append(float(v))
        weights.append(float(wt))
        sizes.append(1)
        while len(means) > 1 and means[-2] > means[-1]:
            wsum = weights[-2] + weights[-1]
            means[-2] = (means[-2] * weights[-2] + means[-1] * weights[-1]) / wsum
            weights[-2] = wsum
            sizes[-2] += sizes[-1]
            del means[-1], weights[-1], sizes[-1]
    return np.repeat(means, sizes)


def fit_recalibration(p_raw: np.ndarray, event: np.ndarray) -> np.ndarray:
    """Knots (2 × k: raw, recalibrated) of the isotonic map from raw probabilities to the
    observed frequency of `event` (1 or 0). The raw probabilities are pooled into
    RECAL_BINS equal bins first, so the table stays small; each block of bins the fit pools
    gives one knot at its mean raw probability. Recalibrated values lie within
    [P_MIN, 1 − P_MIN]; between knots the map is linear, beyond them flat."""
    p_raw = np.asarray(p_raw, dtype=float)
    event = np.asarray(event, dtype=float)
    ok = np.isfinite(p_raw) & np.isfinite(event)
    p_raw, event = p_raw[ok], event[ok]
    if not len(p_raw):
        raise ValueError("no probabilities to fit a recalibration on")
    b = np.minimum((p_raw * RECAL_BINS).astype(int), RECAL_BINS - 1)
    n = np.bincount(b, minlength=RECAL_BINS)
    used = n > 0
    n = n[used]
    mean_p = np.bincount(b, p_raw, RECAL_BINS)[used] / n
    freq = np.bincount(b, event, RECAL_BINS)[used] / n
    fitted = isotonic(freq, n)
    # One knot per block of equal fitted values.
    starts = np.flatnonzero(np.r_[True, np.diff(fitted) != 0])
    block_n = np.add.reduceat(n, starts)
    x = np.add.reduceat(mean_p * n, starts) / block_n
    y = np.clip(fitted[starts], P_MIN, 1 - P_MIN)
    return np.vstack([x, y])


def apply_recalibration(p: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """`p` through the map `knots` (from fit_recalibration): monotone, within
    [P_MIN, 1 − P_MIN]."""
    out = np.interp(np.asarray(p, dtype=float), knots[0], knots[1])
    return np.clip(out, P_MIN, 1 - P_MIN)


def kpi_scale_multiplier(
    error_ratio: np.ndarray | float,
    n_errors: np.ndarray | int,
    weight: float,
    min_errors: int = 30,
    limits: tuple[float, float] = (0.25, 4.0),
) -> np.ndarray:
    """A KPI's multiplier on its series' scale (a back-test candidate, issue 15; the
    dashboard does not use it): `error_ratio` is the KPI's own median |scaled error| one
    year ahead over its past forecasts (outcomes up to the origin), each error divided by
    the global median of its series class. The ratio is clipped to `limits` and shrunk
    toward 1 by `weight` (0: no per-KPI scale, 1: the KPI's own ratio); a KPI with fewer
    than `min_errors` past errors gets 1."""
    r = np.clip(np.asarray(error_ratio, dtype=float), *limits)
    n = np.asarray(n_errors)
    out = 1.0 + weight * (r - 1.0)
    return np.where((n >= min_errors) & np.isfinite(r), out, 1.0)
