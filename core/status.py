"""Indicator and goal status: target-aware, honest about uncertainty, explainable.

Pure functions. `judge_series` judges one series as of a date, against an ambition when
the goal file sets one and by direction of travel otherwise; `judge_goal` turns the
indicators' results into a goal status that never hides the weakest indicator. What is
judged on which date, with which ambition and series, is core.judging's. Every
result carries the inputs and thresholds that produced it, so the UI can explain any colour
without recomputing. The words are the field's (METHODS.md): Uppnått, På väg, Osäkert,
Ej på väg, Ej bedömbart; Förbättras, Oförändrat, Försämras.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from core.forecast import (
    CLASSES,
    MAX_AGE_YEARS,
    MIN_POINTS,
    Calibration,
    clip_to_bounds,
    floored_scale,
    forecastable,
    point_forecast,
    pooled_growth_forecast,
    probability_at_least,
    series_class,
    series_scale,
    value_bounds,
)
from core.vocabulary import Status

# What every result and summary resting on a proposed target value says (issue 16): the
# pages look for it to mark such a status as one against a proposal.
AGAINST_PROPOSAL = "mot förslag till målvärde"

# Thresholds for P(ambition met): at least 80 % → På väg, at most 20 % → Ej på väg.
P_ON_TRACK = 0.8
P_OFF_TRACK = 0.2
# Older latest data than this is not a basis for a judgement; with fewer than MIN_POINTS
# values there is no forecast (both core.forecast's, shared with the back-test; the
# Metod page imports them from here).
MAX_DATA_AGE_YEARS = MAX_AGE_YEARS
TREND_WINDOW = 6

# How bad each status is, for the goal summary (higher = worse). Direction statuses sit
# beside their target counterparts; Ej bedömbart is reported separately, never as "good".
SEVERITY = {
    Status.MET: 0,
    Status.ON_TRACK: 1,
    Status.IMPROVING: 1,
    Status.UNCERTAIN: 2,
    Status.UNCHANGED: 2,
    Status.OFF_TRACK: 3,
    Status.WORSENING: 3,
}


@dataclass(frozen=True)
class Ambition:
    date: dt.date
    value: float
    kind: str = "periodmål"
    # beslut | förslag (core.goals.TargetProvenance): a result against a proposal says so.
    provenance: str = "beslut"

    @property
    def is_proposal(self) -> bool:
        return self.provenance == "förslag"


@dataclass(frozen=True)
class IndicatorResult:
    status: Status
    basis: str  # "mål" (against an ambition), "riktning" (direction only), "bevakas", "ingen"
    reason: str
    as_of: dt.date
    direction: str
    base_year: int | None = None
    base_value: float | None = None
    latest_year: int | None = None
    latest_value: float | None = None
    data_age_years: int | None = None
    n_points: int = 0
    noise: float | None = None
    change_per_year: float | None = None
    target_value: float | None = None
    target_date: dt.date | None = None
    horizon_years: int | None = None
    method: str | None = None
    point: float | None = None
    lo80: float | None = None
    hi80: float | None = None
    p_met: float | None = None
    thresholds: dict[str, float] = field(default_factory=dict)
    # The target's provenance (beslut | förslag) when judged against one, else None: a
    # status resting on a proposal must never read as one against a decided target.
    target_provenance: str | None = None

    @property
    def against_proposal(self) -> bool:
        return self.target_provenance == "förslag"


def _clean(years: Sequence[int], values: Sequence[float | None]) -> tuple[list[int], list[float]]:
    pairs = sorted(
        (int(y), float(v))
        for y, v in zip(years, values, strict=True)
        if v is not None and not (isinstance(v, float) and math.isnan(v))
    )
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _matrix(years: list[int], values: list[float], last_year: int) -> tuple[np.ndarray, int]:
    """One series as a one-row matrix from its first year to `last_year` (the last year
    that may be seen), the shape core.forecast works on."""
    first = years[0]
    row = np.full(max(years[-1], last_year) - first + 1, np.nan)
    row[np.array(years) - first] = values
    return row[None, :], first


def judge_series(
    years: Sequence[int],
    values: Sequence[float | None],
    *,
    direction: str,
    as_of: dt.date,
    ambition: Ambition | None,
    calibration: Calibration,
    kpi_growth: float | None = None,
    bounded_share: bool = False,
    max_age_years: int = MAX_DATA_AGE_YEARS,
    forecast_year: int | None = None,
) -> IndicatorResult:
    """Judge one series (one municipality, one KPI, one gender) as of `as_of`. Only years
    before `as_of`'s year count: a year's Kolada figure is published after it ends.
    `kpi_growth` is the KPI's pooled relative trend across all municipalities (the
    back-tested method's input); without it the forecast is the last value.
    `forecast_year` (the goal period's last year): without an ambition, the result still
    carries a point forecast and 80 % interval for that year when it lies ahead."""
    ys, vs = _clean(years, values)
    keep = [i for i, y in enumerate(ys) if y < as_of.year]
    ys, vs = [ys[i] for i in keep], [vs[i] for i in keep]
    base = {"as_of": as_of, "direction": direction, "n_points": len(ys)}
    if not ys:
        return IndicatorResult(Status.NOT_JUDGEABLE, "ingen", "Inga värden finns ännu.", **base)
    latest_year, latest = ys[-1], vs[-1]
    age = as_of.year - latest_year
    facts = {
        "base_year": ys[0],
        "base_value": vs[0],
        "latest_year": latest_year,
        "latest_value": latest,
        "data_age_years": age,
    }
    if age > max_age_years:
        return IndicatorResult(
            Status.NOT_JUDGEABLE,
            "ingen",
            f"Senaste värdet är från {latest_year}, mer än {max_age_years} år före "
            f"bedömningsdagen.",
            **base,
            **facts,
        )
    fcr, can_forecast = _prepare(
        ys, vs, as_of, bounded_share, max_age_years, calibration, kpi_growth
    )
    noise = fcr.noise
    slope = _trend(ys, vs)
    facts |= {"noise": None if math.isnan(noise) else noise, "change_per_year": slope}
    d = {"öka": 1, "minska": -1}.get(direction)

    if (
        ambition is None
        and forecast_year is not None
        and forecast_year > latest_year
        and can_forecast
    ):
        # No ambition to judge against, but the period has not ended: show where the
        # series is heading (no probability: there is nothing to reach).
        fc = fcr.forecast(forecast_year - latest_year)
        facts |= {
            "horizon_years": forecast_year - latest_year,
            "method": fc.method,
            "point": fc.point,
            "lo80": fc.lo,
            "hi80": fc.hi,
        }
    if ambition is not None and d is not None:
        return _against_target(fcr, can_forecast, d, ambition, base, facts)
    if d is None:
        return IndicatorResult(
            Status.WATCHED,
            "bevakas",
            "Nyckeltalet följs som omvärldsfaktor utan önskad riktning.",
            **base,
            **facts,
        )
    return _by_direction(len(ys), noise, slope, d, base, facts)


def _trend(ys: list[int], vs: list[float]) -> float | None:
    """Theil-Sen slope per year over the last TREND_WINDOW years (pairs across gaps use the
    real year distance)."""
    pts = [(y, v) for y, v in zip(ys, vs, strict=True) if y > ys[-1] - TREND_WINDOW]
    slopes = [(v2 - v1) / (y2 - y1) for i, (y1, v1) in enumerate(pts) for (y2, v2) in pts[i + 1 :]]
    return float(np.median(slopes)) if slopes else None


def _by_direction(
    n: int, noise: float, slope: float | None, d: int, base: dict, facts: dict
) -> IndicatorResult:
    if n < MIN_POINTS or slope is None or math.isnan(noise):
        return IndicatorResult(
            Status.NOT_JUDGEABLE,
            "riktning",
            f"Färre än {MIN_POINTS} värden: riktningen går inte att bedöma.",
            **base,
            **facts,
        )
    span = min(TREND_WINDOW, n) - 1
    change = slope * span
    thresholds = {"förändring_över_perioden": change, "normalt_brus": noise}
    if abs(change) <= noise:
        return IndicatorResult(
            Status.UNCHANGED,
            "riktning",
            "Förändringen de senaste åren är inte större än seriens normala variation mellan "
            "två år.",
            thresholds=thresholds,
            **base,
            **facts,
        )
    better = d * change > 0
    return IndicatorResult(
        Status.IMPROVING if better else Status.WORSENING,
        "riktning",
        "Trenden de senaste åren går i önskad riktning och är större än seriens normala variation."
        if better
        else "Trenden de senaste åren går emot önskad riktning och är större än seriens normala "
        "variation.",
        thresholds=thresholds,
        **base,
        **facts,
    )


@dataclass(frozen=True)
class _Series:
    """One series as core.forecast sees it."""

    row: np.ndarray
    origin: int  # column of the latest value
    latest: float
    cls: str  # calibration class (core.forecast.CLASSES)
    bounds: tuple[float, float]  # the outcome's natural bounds


@dataclass(frozen=True)
class _Forecast:
    method: str
    point: float  # kept within the series' bounds, like the interval
    lo: float
    hi: float
    raw_point: float  # before the bounds: P(met) uses it with the bounds applied there
    scale: float  # the (floored) error scale the interval and probability use


def _forecast(
    s: _Series, horizon: int, noise: float, cal: Calibration, kpi_growth: float | None
) -> _Forecast:
    """Point and 80 % interval `horizon` years after the latest value, by the back-test's
    selected method, with the percentiles learned for this horizon and series class (past
    the longest back-tested horizon, 8 years, the longest one's). Kept within the bounds
    (a share 0-100, a series never negative ≥ 0)."""
    method = cal.method
    if method == "pooled_growth" and kpi_growth is None:
        method = "naive"  # no pooled trend known for this KPI: the honest fallback
    if method == "pooled_growth":
        # The pooled relative trend comes from all municipalities (computed by the ETL).
        point = float(pooled_growth_forecast(s.latest, kpi_growth, horizon))
    else:
        point = float(point_forecast(s.row, s.origin, horizon, method, np.zeros(1, dtype=int))[0])
    if not math.isfinite(point):
        point = s.latest  # the method lacks an input (e.g. no value five years back)
    scale = float(floored_scale(np.array([noise]), np.array([s.latest]))[0])
    lo = point + cal.quantile(horizon, 0.1, s.cls) * scale
    hi = point + cal.quantile(horizon, 0.9, s.cls) * scale
    bounded = clip_to_bounds(np.array([point, lo, hi]), s.bounds)
    return _Forecast(method, *(float(v) for v in bounded), point, scale)


@dataclass(frozen=True)
class SeriesForecaster:
    """How the dashboard forecasts one series as of a day: judge_series uses it for the
    goal file's targets, core.targets for proposed ones, so a proposed target's P(reached)
    is the P the dashboard gives it once it is in the goal file."""

    latest_year: int
    series: _Series
    noise: float  # the series' normal year-to-year change (NaN with one value)
    calibration: Calibration
    kpi_growth: float | None

    @property
    def latest(self) -> float:
        return self.series.latest

    @property
    def bounds(self) -> tuple[float, float]:
        return self.series.bounds

    @property
    def scale(self) -> float:
        """The floored error scale intervals and probabilities use."""
        return float(floored_scale(np.array([self.noise]), np.array([self.latest]))[0])

    def forecast(self, horizon: int) -> _Forecast:
        return _forecast(self.series, horizon, self.noise, self.calibration, self.kpi_growth)

    def p_reached(self, target_year: int, value: float, d: int) -> float:
        """P(the value for `target_year` reaches `value`): at least it for d = 1 (öka), at
        most for d = −1 (minska). Recalibrated by the back-test's isotonic map (none
        stored: raw); for minska its complement, which the same map calibrates."""
        horizon = target_year - self.latest_year
        fc = self.forecast(horizon)
        p_up = float(
            probability_at_least(
                np.array([fc.raw_point]),
                np.array([fc.scale]),
                horizon,
                value,
                self.calibration,
                np.array([CLASSES.index(self.series.cls)]),
                self.series.bounds,
            )[0]
        )
        return p_up if d > 0 else 1.0 - p_up


def _prepare(
    ys: list[int],
    vs: list[float],
    as_of: dt.date,
    bounded_share: bool,
    max_age_years: int,
    calibration: Calibration,
    kpi_growth: float | None,
) -> tuple[SeriesForecaster, bool]:
    """The forecaster for a cleaned, non-empty series of years before `as_of`'s, and
    whether the one rule shared with the back-test (core.forecast.forecastable) lets it
    forecast at all."""
    row, first = _matrix(ys, vs, as_of.year - 1)
    judged = as_of.year - 1 - first  # the last year that may be seen
    # The series' normal year-to-year change (nothing after the latest value is in the
    # row): consecutive years where it has them, otherwise the change between
    # observations per year apart, so a series published every other year can be judged.
    scale = series_scale(row, judged)
    noise = float(scale[0]) if len(ys) >= 2 else float("nan")
    can_forecast = bool(forecastable(row, judged, max_age_years, scale)[0])
    series = _Series(
        row,
        ys[-1] - first,
        vs[-1],
        CLASSES[int(series_class(row, judged, scale)[0])],
        tuple(float(b[0]) for b in value_bounds(row, judged, bounded_share)),
    )
    return SeriesForecaster(ys[-1], series, noise, calibration, kpi_growth), can_forecast


def series_forecaster(
    years: Sequence[int],
    values: Sequence[float | None],
    *,
    as_of: dt.date,
    calibration: Calibration,
    kpi_growth: float | None = None,
    bounded_share: bool = False,
    max_age_years: int = MAX_DATA_AGE_YEARS,
) -> SeriesForecaster | None:
    """The forecaster judge_series would use for this series as of `as_of`; None where it
    gives no forecast (no values, too short, too old, no scale)."""
    ys, vs = _clean(years, values)
    keep = [i for i, y in enumerate(ys) if y < as_of.year]
    ys, vs = [ys[i] for i in keep], [vs[i] for i in keep]
    if not ys or as_of.year - ys[-1] > max_age_years:
        return None
    fcr, can_forecast = _prepare(
        ys, vs, as_of, bounded_share, max_age_years, calibration, kpi_growth
    )
    return fcr if can_forecast else None


def _against_target(
    fcr: SeriesForecaster,
    can_forecast: bool,
    d: int,
    ambition: Ambition,
    base: dict,
    facts: dict,
) -> IndicatorResult:
    s, latest_year = fcr.series, fcr.latest_year
    target_year = ambition.date.year
    tfacts = {
        "target_value": ambition.value,
        "target_date": ambition.date,
        "target_provenance": ambition.provenance,
    }
    thresholds = {"på_väg_minst": P_ON_TRACK, "ej_på_väg_högst": P_OFF_TRACK}
    # The words say which kind of target the status rests on, in every reason.
    target = "förslaget till målvärde (ej beslutat)" if ambition.is_proposal else "målvärdet"
    if d * (s.latest - ambition.value) >= 0:
        return IndicatorResult(
            Status.MET,
            "mål",
            f"Senaste värdet ({latest_year}) når redan {target}.",
            thresholds=thresholds,
            **base,
            **facts,
            **tfacts,
        )
    horizon = target_year - latest_year
    if horizon <= 0:
        return IndicatorResult(
            Status.OFF_TRACK,
            "mål",
            f"Målåret {target_year} har passerat utan att {target} nåddes.",
            p_met=0.0,
            thresholds=thresholds,
            **base,
            **facts,
            **tfacts,
        )
    if not can_forecast:
        return IndicatorResult(
            Status.NOT_JUDGEABLE,
            "mål",
            f"Färre än {MIN_POINTS} värden: för kort serie för en prognos"
            + (" mot förslaget till målvärde (ej beslutat)." if ambition.is_proposal else "."),
            thresholds=thresholds,
            **base,
            **facts,
            **tfacts,
        )
    fc = fcr.forecast(horizon)
    method, point, lo, hi = fc.method, fc.point, fc.lo, fc.hi
    p_met = fcr.p_reached(target_year, ambition.value, d)
    status = (
        Status.ON_TRACK
        if p_met >= P_ON_TRACK
        else Status.OFF_TRACK
        if p_met <= P_OFF_TRACK
        else Status.UNCERTAIN
    )
    return IndicatorResult(
        status,
        "mål",
        (
            f"Prognos för {target_year} mot förslag till målvärde (ej beslutat): "
            f"sannolikheten att nå förslaget är {p_met:.0%}."
            if ambition.is_proposal
            else f"Prognos för {target_year}: sannolikheten att nå målvärdet är {p_met:.0%}."
        ),
        horizon_years=horizon,
        method=method,
        point=point,
        lo80=lo,
        hi80=hi,
        p_met=p_met,
        thresholds=thresholds,
        **base,
        **facts,
        **tfacts,
    )


@dataclass(frozen=True)
class GoalResult:
    status: Status
    reason: str
    counts: dict[str, int]
    weakest: str | None  # indicator id of the weakest judged indicator
    forecast_allowed: bool
    assessment: str | None = None
    disagrees: bool = False


def disagrees(status: str | None, assessment: str | None) -> bool:
    """Whether an assessment (the goal file's or one signed off in the app) differs from
    the computed status: both must be judged words, and of different severity."""
    return (
        status is not None
        and assessment is not None
        and status in SEVERITY
        and assessment in SEVERITY
        and SEVERITY[assessment] != SEVERITY[status]
    )


def judge_goal(
    goal_type: str,
    measurability: str,
    definition_status: str,
    results: Sequence[tuple[str, IndicatorResult]],
    assessment: str | None = None,
) -> GoalResult:
    """The goal's status is its weakest judged indicator's (never an average that hides bad
    news); Uppnått only when every indicator is Uppnått. Inriktningsmål, stödjande and
    qualitative goals get no numeric forecast: they show direction of travel only."""
    counts: dict[str, int] = {}
    for _, r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    forecast_allowed = goal_type == "styrande" and measurability != "kvalitativ"
    judged = [(i, r) for i, r in results if r.status in SEVERITY]

    def done(status: Status, reason: str, weakest: str | None = None) -> GoalResult:
        return GoalResult(
            status,
            reason,
            counts,
            weakest,
            forecast_allowed,
            assessment,
            disagrees(status, assessment),
        )

    if definition_status == "ej definierat":
        return done(Status.NOT_JUDGEABLE, "Målet är inte definierat ännu.")
    if not results:
        return done(Status.NOT_JUDGEABLE, "Målet har inga nyckeltal att bedöma.")
    if not judged:
        return done(Status.NOT_JUDGEABLE, "Inget av målets nyckeltal går att bedöma.")
    worst_id, worst = max(judged, key=lambda ir: SEVERITY[ir[1].status])
    n_proposals = sum(1 for _, r in results if r.against_proposal)
    if all(r.status == Status.MET for _, r in results):
        of = (
            f" ({n_proposals} av dem mot förslag till målvärde, ej beslutat)" if n_proposals else ""
        )
        return done(Status.MET, f"Alla nyckeltal har nått sina målvärden{of}.")
    status = worst.status if worst.status != Status.MET else Status.ON_TRACK
    n_unjudged = len(results) - len(judged)
    note = f" {n_unjudged} nyckeltal går inte att bedöma." if n_unjudged else ""
    # The summary inherits its weakest indicator's footing: a proposal stays a proposal.
    basis = " (mot förslag till målvärde, ej beslutat)" if worst.against_proposal else ""
    if worst.status == Status.MET:
        # Every judged indicator is met, but not every indicator: not yet Uppnått.
        return done(
            status,
            f"Alla bedömda nyckeltal har nått sina målvärden{basis}, men inte alla nyckeltal "
            f"går att bedöma: därför På väg, inte Uppnått.{note}",
            worst_id,
        )
    return done(
        status, f"Svagaste nyckeltalet avgör: {worst.status.lower()}{basis}.{note}", worst_id
    )
