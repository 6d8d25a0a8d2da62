"""Judging goal indicators and goals as of a date: the one place for every rule that decides
what a status is on a given day.

Pure. The series-level rules (thresholds, forecast against an ambition, direction of travel)
are in core.status; this module holds everything around them that depends on the date and
on the goal definition: which values count as known on a date, which dates a framework is
judged on (its checkpoints), which ambition and which series apply, whether a KPI is a
bounded share, the pooled trend and the segment after a KPI's latest level break
(core.breaks), the rank among municipalities, and leadership's latest assessment.
`judge_all` runs them for many indicators and goals.

A local indicator (no KPI) is judged on the values the municipality uploaded
(core.people.LocalVersion): the upload in force on the date (local_version_in_force), by the
same series rules as a Kolada series, without the KPI-wide trend, break or rank (there is no
panel of other municipalities).

Three callers use it and must agree (tests/test_judging.py holds that):
- the ETL (etl/results.py) materialises results for the data date and every checkpoint;
- the report freezer (reports/freeze.py) judges one municipality on a report date;
- the what-if on the Metod page (ui/whatif.py) judges one indicator against a typed target.
Values reach `judge_all` through the `ValueSource` protocol, so the database reads
(db/judging.py) stay outside this module.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar

import numpy as np

from core.breaks import segment_start
from core.forecast import MIN_POINTS, Calibration, group_median, last_value, theil_sen_slope
from core.people import LocalVersion
from core.ranking import RANKED_DIRECTIONS, places
from core.status import (
    MAX_DATA_AGE_YEARS,
    Ambition,
    GoalResult,
    IndicatorResult,
    Status,
    judge_goal,
    judge_series,
)

Series = tuple[Sequence[int], Sequence[float]]
EMPTY_SERIES: Series = ((), ())


# ------------------------------------------------------------------ what is known on a date


@dataclass(frozen=True)
class Publication:
    """When Kolada publishes a KPI's value for a year: `years_after` years after the year,
    on `month`/`day` (read from the KPI catalogue by publication_pattern)."""

    years_after: int
    month: int
    day: int


# A KPI the catalogue gives no publication pattern for (retired KPIs, a few current ones):
# a value counts as known at the end of the year after it, 31 December. Deliberately late:
# in the KPI catalogue of 2026-03 about nine in ten patterns publish earlier (the 90th
# percentile is early October of the year after), so a judgement rarely uses a value
# before it existed, at the cost of using one a checkpoint later than it could.
FALLBACK_PUBLICATION = Publication(years_after=1, month=12, day=31)


def publication_pattern(
    publication_date: dt.date | None, publ_period: str | int | None
) -> Publication | None:
    """A KPI's publication pattern from the catalogue: its (next or latest) publication
    date and the year that publication covers (publ_period), so a value for year Y is
    published on date(Y + (publication year - publ_period), month, day). None when the
    catalogue has neither, or a period that is not a year.

    The final publication_date, not prel_publication_date: a preliminary figure comes
    months earlier (for the catalogue's ~980 KPIs with one, a median of 150 days), but the
    database keeps the final value only, which did not exist before the final publication;
    judging on it from the preliminary date would use a number no report then had."""
    if publication_date is None or publ_period is None:
        return None
    try:
        period = int(str(publ_period).strip())
    except ValueError:
        return None
    return Publication(publication_date.year - period, publication_date.month, publication_date.day)


def first_known_date(year: int, publication: Publication | None) -> dt.date:
    """The day a Kolada value for `year` counts as known: its KPI's publication day for
    that year (FALLBACK_PUBLICATION without a pattern), and never before 1 January of the
    next year: core.status judges only years before the judging date's year, so a KPI
    published within its own year (publ_period equal to the publication's year) counts
    from then."""
    p = publication or FALLBACK_PUBLICATION
    y = year + p.years_after
    # 29 February in a year without one: the 28th.
    day = min(p.day, 28) if p.month == 2 and not calendar.isleap(y) else p.day
    return max(dt.date(year + 1, 1, 1), dt.date(y, p.month, day))


def is_known(year: int, as_of: dt.date, publication: Publication | None) -> bool:
    """Whether a value for `year` of a KPI published as `publication` says is known on
    `as_of` (first_known_date)."""
    return first_known_date(year, publication) <= as_of


def known_series(series: Series, as_of: dt.date, publication: Publication | None) -> Series:
    """The years and values of a series that are known on `as_of`."""
    pairs = [(y, v) for y, v in zip(*series, strict=True) if is_known(y, as_of, publication)]
    return [y for y, _ in pairs], [v for _, v in pairs]


def vintage_date(as_of: dt.date, last_revision_day: dt.date | None) -> dt.date | None:
    """The day whose values a judgement as of `as_of` must read, or None for the current
    values. Every value a live run changed is kept with its time; a date before the last
    change must see the values as they were known then (a report is never judged on a value
    fetched after its date). Dates on or after the last change read the current values."""
    if last_revision_day is not None and last_revision_day > as_of:
        return as_of
    return None


# ------------------------------------------------------------------ which dates are judged


@dataclass(frozen=True)
class FrameworkSchedule:
    framework_id: str
    period_start: dt.date
    period_end: dt.date
    checkpoints: tuple[tuple[str, str], ...]  # (label, "MM-DD")
    municipality_id: str = ""


JudgingDate = tuple[dt.date, str | None]  # (as_of, checkpoint label or None)

# The report dates every Swedish municipality has (delårsrapport per 30 April and 31 August,
# årsredovisning per 31 December): a framework whose document names no checkpoints is
# followed up on these.
STANDARD_CHECKPOINTS: tuple[tuple[str, str], ...] = (
    ("Delårsrapport per 30 april", "04-30"),
    ("Delårsrapport per 31 augusti", "08-31"),
    ("Årsredovisning", "12-31"),
)


def checkpoint_occurrences(f: FrameworkSchedule) -> list[JudgingDate]:
    """Every checkpoint of the framework within its period, labelled "<checkpoint> <year>";
    the standard report dates where the framework names none."""
    out: list[JudgingDate] = []
    for label, month_day in f.checkpoints or STANDARD_CHECKPOINTS:
        month, day = (int(p) for p in month_day.split("-"))
        for year in range(f.period_start.year, f.period_end.year + 1):
            d = dt.date(year, month, day)
            if f.period_start <= d <= f.period_end:
                out.append((d, f"{label} {year}"))
    return sorted(out, key=lambda x: x[0])


def checkpoint_dates(
    frameworks: Iterable[FrameworkSchedule], data_date: dt.date
) -> dict[str, list[JudgingDate]]:
    """framework → the dates it is judged on: every checkpoint up to the data date, the next
    one after it (what the coming report will say if no new data arrives) and the data date
    itself (unlabelled). A municipality's frameworks share their dates, so one
    bedömningsdag judges all its goals."""
    own: dict[str, set[JudgingDate]] = {}
    by_municipality: dict[str, set[JudgingDate]] = {}
    for f in frameworks:
        occurrences = checkpoint_occurrences(f)
        dates = {o for o in occurrences if o[0] <= data_date}
        upcoming = [o for o in occurrences if o[0] > data_date]
        if upcoming:
            dates.add(upcoming[0])
        dates.add((data_date, None))
        own[f.framework_id] = dates
        by_municipality.setdefault(f.municipality_id, set()).update(dates)
    out: dict[str, list[JudgingDate]] = {}
    for f in frameworks:
        shared: dict[dt.date, str | None] = {}
        # The framework's own label for a date wins over another framework's.
        for d, label in sorted(by_municipality[f.municipality_id], key=lambda x: x[1] or ""):
            if shared.get(d) is None:
                shared[d] = label
        for d, label in own[f.framework_id]:
            if label is not None:
                shared[d] = label
        out[f.framework_id] = sorted(shared.items(), key=lambda x: x[0])
    return out


# ------------------------------------------------------------------ one indicator


# "andel" as a word ("…, andel (%)", "Andel elever …"), a unit of per cent ("(%)", "…, %").
# Not a "%" inside a range ("… (75-99 %)", a count), nor "andel" inside another word
# ("misshandel", "dagligvaruhandel"): those titles had bounded counts and sums at 100 (found
# by bench/backtest.py). Not "procent" either: "Befolkningsförändring …, procent" goes
# below zero.
_SHARE_TITLE = re.compile(r"\bandel(?:en|ar|arna)?\b|\(\s*%\s*\)|,\s*%\s*$")


def is_bounded_share(unit: str | None, title: str | None) -> bool:
    """A share (per cent) cannot leave 0–100: forecasts and intervals are kept inside."""
    if (unit or "").strip() == "%":
        return True
    return bool(_SHARE_TITLE.search((title or "").lower()))


@dataclass(frozen=True)
class IndicatorInput:
    """What judging one goal indicator needs besides its values."""

    municipality_id: str
    indicator_id: str
    goal_id: str
    kpi_id: str | None
    successor_kpi_id: str | None
    kpi_retired: bool
    direction: str
    bounded_share: bool
    ambitions: tuple[Ambition, ...]
    gender: str = "T"
    period_end: dt.date | None = None  # the goal period's end: forecasts reach to it
    # When Kolada publishes the KPI and its successor (publication_pattern); None is the
    # catalogue without a pattern, judged by FALLBACK_PUBLICATION.
    publication: Publication | None = None
    successor_publication: Publication | None = None

    @property
    def wanted_kpis(self) -> list[str]:
        return [k for k in (self.kpi_id, self.successor_kpi_id) if k]

    def publication_of(self, kpi: str | None) -> Publication | None:
        """The publication pattern of the KPI judged (the successor's when it is judged)."""
        if kpi is not None and kpi == self.successor_kpi_id and kpi != self.kpi_id:
            return self.successor_publication
        return self.publication


ACCEPTED_LIMIT = "accepterad gräns"


def pick_ambition(ambitions: Sequence[Ambition], as_of: dt.date) -> Ambition | None:
    """The next ambition on or after the assessment date (this year's delmål before the
    period target); once all dates have passed, the last one (judged as passed). Decided
    target values come first: proposals are judged against only while nothing is decided,
    so a proposal never stands in for the municipality's own target. An accepterad gräns
    is a floor, not a target: it is shown beside the targets and never judged against."""
    targets = [a for a in ambitions if a.kind != ACCEPTED_LIMIT]
    if not targets:
        return None
    decided = [a for a in targets if not a.is_proposal]
    ordered = sorted(decided or targets, key=lambda a: a.date)
    upcoming = [a for a in ordered if a.date >= as_of]
    return upcoming[0] if upcoming else ordered[-1]


def pick_series(inp: IndicatorInput, series: Mapping[str, Series]) -> tuple[str | None, Series]:
    """The series to judge. A retired KPI with a successor is judged on the successor's own
    series once it has any data, and never across the break (the two are not joined)."""
    if inp.kpi_id is None:
        return None, EMPTY_SERIES
    succ = inp.successor_kpi_id
    if succ and inp.kpi_retired and len(series.get(succ, EMPTY_SERIES)[0]) > 0:
        return succ, series[succ]
    return inp.kpi_id, series.get(inp.kpi_id, EMPTY_SERIES)


def pooled_growth_by_origin(
    matrix: np.ndarray, first_year: int, origins: Iterable[int]
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


@dataclass(frozen=True)
class KpiTrend:
    """One KPI's pooled trend at an origin year, and the segment it was taken on: `since`
    is the latest level break up to the origin (core.breaks), None without one. `growth`
    is None where the segment is too short for a trend. A series judged at this origin
    is judged from `since` on, never across the break."""

    growth: float | None
    since: int | None = None


def panel_growth(
    panel: Sequence[tuple[str, Sequence[int], Sequence[float]]],
    origins: Iterable[int] | None = None,
) -> dict[int, KpiTrend]:
    """Pooled trend by origin year from one KPI's panel of (geography, years, values)
    series; every year after the first when `origins` is None. At each origin the panel
    is cut at the latest level break seen up to it (core.breaks.segment_start), so the
    trend, like the series judged with it, starts at the break. An origin is left out
    when it has neither a trend nor a break."""
    if not panel:
        return {}
    first = min(min(y) for _, y, _ in panel)
    last = max(max(y) for _, y, _ in panel)
    matrix = np.full((len(panel), last - first + 1), np.nan)
    for r, (_, ys, vs) in enumerate(panel):
        matrix[r, np.array(ys) - first] = vs
    out: dict[int, KpiTrend] = {}
    for year in range(first + 1, last + 1) if origins is None else origins:
        since = segment_start(panel, year)
        if since is None:
            g = pooled_growth_by_origin(matrix, first, [year]).get(year)
        else:
            cut = max(since, first)
            g = pooled_growth_by_origin(matrix[:, cut - first :], cut, [year]).get(year)
        if g is not None or since is not None:
            out[year] = KpiTrend(g, since)
    return out


def since_break(years: Sequence[int], values: Sequence[float], since: int | None) -> Series:
    """The part of a series from the break year `since` on (all of it without a break)."""
    if since is None:
        return years, values
    pairs = [(y, v) for y, v in zip(years, values, strict=True) if y >= since]
    return [y for y, _ in pairs], [v for _, v in pairs]


def break_note(since: int, n_after: int) -> str:
    """The reason's opening when a series is judged after a level break."""
    note = f"Serien bryts {since} (nivåskifte i hela riket); bedömd från {since}"
    if n_after < MIN_POINTS:
        return (
            note + f", och efter brottet finns bara {n_after} "
            f"{'värde' if n_after == 1 else 'värden'}: för kort för att bedöma utvecklingen "
            "(värdena före brottet räknas inte). "
        )
    return note + ". "


def judge_series_since(
    years: Sequence[int],
    values: Sequence[float],
    *,
    since: int | None,
    as_of: dt.date,
    **judge: Any,
) -> IndicatorResult:
    """core.status.judge_series on the values from the level break `since` on (all of
    them without one), the reason opening with the break (break_note). The goal
    indicators (judge_indicator) and the Agenda 2030 KPIs (etl/results.py) both judge
    through here, so a break is handled alike."""
    ys, vs = since_break(years, values, since)
    result = judge_series(ys, vs, as_of=as_of, **judge)
    if since is None:
        return result
    n_after = sum(1 for y in ys if y < as_of.year)
    return replace(result, reason=break_note(since, n_after) + result.reason)


NO_LOCAL_VALUES = "Lokal indikator: inga värden har laddats upp ännu."


def local_version_in_force(versions: Iterable[LocalVersion], as_of: dt.date) -> LocalVersion | None:
    """The upload of a local indicator's values that counts on `as_of`: the latest uploaded
    on or before that day. An upload counts from the day it was made, as a Kolada value
    counts from its publication (is_known), so a report frozen for a date never uses values
    uploaded after it, and judging it again later gives the same answer."""
    earlier = [v for v in versions if v.uploaded_at.date() <= as_of]
    return max(earlier, key=lambda v: (v.uploaded_at, v.version)) if earlier else None


def local_series(version: LocalVersion, gender: str, as_of: dt.date) -> Series:
    """An upload's values of one gender (T, K or M) that count on `as_of`, by year: the
    years before its year, the only ones core.status judges (as a Kolada value is known at
    the earliest the year after)."""
    rows = sorted(
        (r for r in version.rows if r.gender == gender and r.year < as_of.year),
        key=lambda r: r.year,
    )
    return [r.year for r in rows], [r.value for r in rows]


def local_reason(version: LocalVersion) -> str:
    """The opening of a local indicator's reason: whose values, which upload."""
    return (
        "Lokal indikator, bedömd på kommunens egna värden "
        f"(uppladdad version {version.version}, {version.uploaded_at.date().isoformat()}). "
    )


def _judge_values(
    inp: IndicatorInput,
    years: Sequence[int],
    values: Sequence[float],
    *,
    as_of: dt.date,
    calibration: Calibration,
    trend: KpiTrend | None = None,
) -> IndicatorResult:
    """One indicator's known values judged against the ambition in force on the date: the
    same rule for a Kolada series (with its KPI's pooled trend and latest break) and for a
    municipality's own uploaded values (no trend, no break)."""
    return judge_series_since(
        years,
        values,
        since=trend.since if trend is not None else None,
        direction=inp.direction,
        as_of=as_of,
        ambition=pick_ambition(inp.ambitions, as_of),
        calibration=calibration,
        kpi_growth=trend.growth if trend is not None else None,
        bounded_share=inp.bounded_share,
        forecast_year=inp.period_end.year if inp.period_end else None,
    )


def judge_indicator(
    inp: IndicatorInput,
    series: Mapping[str, Series],
    *,
    as_of: dt.date,
    calibration: Calibration,
    growth: Mapping[tuple[str, int], KpiTrend],
    local: LocalVersion | None = None,
) -> tuple[str | None, IndicatorResult]:
    """Judge one goal indicator as of a date: the right series (successor rules), only its
    values known on the date (the KPI's publication pattern, is_known), the ambition that
    applies on the date, the pooled trend at the latest known year, and only the values
    from the KPI's latest level break up to that year (KpiTrend.since). Returns the KPI
    judged and the result.

    A local indicator (no KPI) is judged on `local`, the upload in force on the date
    (local_version_in_force), with the same ambition, direction and forecast rules and
    without a pooled trend or break; without an upload it is not judgeable."""
    if inp.kpi_id is None:
        if local is None:
            return None, IndicatorResult(
                Status.NOT_JUDGEABLE, "ingen", NO_LOCAL_VALUES, as_of, inp.direction
            )
        years, values = local_series(local, inp.gender, as_of)
        result = _judge_values(inp, years, values, as_of=as_of, calibration=calibration)
        return None, replace(result, reason=local_reason(local) + result.reason)
    kpi, picked = pick_series(inp, series)
    years, values = known_series(picked, as_of, inp.publication_of(kpi))
    origin = max(years) if years else None
    trend = growth.get((kpi, origin)) if kpi and origin is not None else None
    result = _judge_values(inp, years, values, as_of=as_of, calibration=calibration, trend=trend)
    if kpi != inp.kpi_id:
        result = replace(
            result,
            reason=f"Bedöms på efterföljaren {kpi} (ingen sammanfogning över seriebrottet). "
            + result.reason,
        )
    elif inp.kpi_retired and inp.successor_kpi_id:
        result = replace(
            result,
            reason=f"Serien har upphört; efterföljaren {inp.successor_kpi_id} saknar ännu "
            "värden. " + result.reason,
        )
    return kpi, result


# ------------------------------------------------------------------ relative position


@dataclass(frozen=True)
class Rank:
    """Rank (1 = best, by the desired direction) among all kommuner and among the peers,
    for the year judged. A separate signal from goal status, never merged into it."""

    rank_all: int
    n_all: int
    quartile_all: int
    rank_peers: int | None
    n_peers: int | None


def rank_among(
    values: Mapping[str, float], municipality_id: str, direction: str, peers: Sequence[str]
) -> Rank | None:
    """Where the municipality stands among `values` (every kommun's value for one year),
    or None without a desired direction or without its own value. The places are the
    app's one ranking rule (core.ranking.places), so Utforska's Rangordning shows the
    same place for the same KPI, year and direction."""
    if direction not in RANKED_DIRECTIONS or municipality_id not in values:
        return None
    everyone = places(values, direction)
    rank = everyone.get(municipality_id)
    if rank is None:  # its own value is not a number
        return None
    n = len(everyone)
    group = {p: values[p] for p in [*peers, municipality_id] if p in everyone}
    peer_rank = places(group, direction)[municipality_id]
    return Rank(
        rank_all=rank,
        n_all=n,
        quartile_all=min(4, 1 + (4 * (rank - 1)) // n),
        rank_peers=peer_rank if len(group) > 1 else None,
        n_peers=len(group) if len(group) > 1 else None,
    )


# ------------------------------------------------------------------ goals


AssessmentT = TypeVar("AssessmentT", bound=tuple)


def latest_assessment(items: Iterable[AssessmentT], as_of: dt.date) -> AssessmentT | None:
    """Leadership's most recent assessment on or before the date: of tuples that start with
    the assessment's date ((date, status) or (date, status, comment)), the latest."""
    earlier = [a for a in items if a[0] <= as_of]
    return max(earlier) if earlier else None


@dataclass(frozen=True)
class GoalInput:
    municipality_id: str
    goal_id: str
    framework_id: str
    type: str
    measurability: str
    definition_status: str
    period_end: dt.date


# ------------------------------------------------------------------ many at once


class ValueSource(Protocol):
    """Values as known on a date (see vintage_date); implemented over the database by
    db.judging.ValuesAsOf and in memory by the tests."""

    def series(
        self, municipality_id: str, kpis: list[str], gender: str, as_of: dt.date
    ) -> Mapping[str, Series]: ...

    def growth(self, kpis: list[str], as_of: dt.date) -> Mapping[tuple[str, int], KpiTrend]: ...

    def kommun_values(
        self, kpi: str, gender: str, year: int, as_of: dt.date
    ) -> Mapping[str, float]: ...


@dataclass(frozen=True)
class JudgingInputs:
    """Everything but the values: what db.judging.query_judging_inputs reads."""

    indicators: tuple[IndicatorInput, ...]
    goals: tuple[GoalInput, ...]
    frameworks: tuple[FrameworkSchedule, ...]
    assessments: Mapping[tuple[str, str], tuple[tuple[dt.date, str], ...]] = field(
        default_factory=dict
    )
    peers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # municipality → peers
    # (municipality, indicator) → every upload of a local indicator's values (not from the
    # database: the app's own store, db.app_store.read_local_versions), any order.
    local: Mapping[tuple[str, str], tuple[LocalVersion, ...]] = field(default_factory=dict)

    def only(self, municipality_id: str) -> JudgingInputs:
        keep = {g.framework_id for g in self.goals if g.municipality_id == municipality_id}
        return replace(
            self,
            indicators=tuple(i for i in self.indicators if i.municipality_id == municipality_id),
            goals=tuple(g for g in self.goals if g.municipality_id == municipality_id),
            frameworks=tuple(f for f in self.frameworks if f.framework_id in keep),
            local={k: v for k, v in self.local.items() if k[0] == municipality_id},
        )


def group_local_versions(
    versions: Iterable[LocalVersion],
) -> dict[tuple[str, str], tuple[LocalVersion, ...]]:
    """Uploads by (municipality, indicator), as JudgingInputs.local holds them."""
    out: dict[tuple[str, str], list[LocalVersion]] = {}
    for v in versions:
        out.setdefault((v.municipality_id, v.indicator_id), []).append(v)
    return {k: tuple(sorted(vs, key=lambda v: v.version)) for k, vs in out.items()}


@dataclass(frozen=True)
class JudgedIndicator:
    """One indicator judged on one date, with the inputs that produced it (what the ETL
    stores and a frozen report keeps)."""

    inp: IndicatorInput
    as_of: dt.date
    label: str | None
    kpi: str | None  # the series judged
    # The judged KPI's values known on as_of; a local indicator's uploaded values used.
    series: tuple[list[int], list[float]]
    result: IndicatorResult
    rank: Rank | None
    local: LocalVersion | None = None  # the upload judged (a local indicator with values)


@dataclass(frozen=True)
class JudgedGoal:
    goal: GoalInput
    as_of: dt.date
    label: str | None
    result: GoalResult


def judge_all(
    inputs: JudgingInputs,
    values: ValueSource,
    calibration: Calibration,
    data_date: dt.date,
    *,
    dates: Sequence[JudgingDate] | None = None,
) -> tuple[list[JudgedIndicator], list[JudgedGoal]]:
    """Judge every indicator and goal in `inputs` on each of its framework's dates
    (checkpoint_dates), or on `dates` when given (a report for one day)."""
    schedule = checkpoint_dates(inputs.frameworks, data_date)
    framework_of = {(g.municipality_id, g.goal_id): g.framework_id for g in inputs.goals}

    def when(municipality_id: str, goal_id: str) -> Sequence[JudgingDate]:
        if dates is not None:
            return dates
        return schedule.get(framework_of[(municipality_id, goal_id)], [(data_date, None)])

    judged: list[JudgedIndicator] = []
    by_goal: dict[tuple[str, str, dt.date], list[tuple[str, IndicatorResult]]] = {}
    for inp in inputs.indicators:
        m, wanted, uploads = inp.municipality_id, inp.wanted_kpis, ()
        if inp.kpi_id is None:  # judged on its uploads only, never on a successor KPI
            wanted, uploads = [], inputs.local.get((m, inp.indicator_id), ())
        for as_of, label in when(m, inp.goal_id):
            upload = local_version_in_force(uploads, as_of)
            series = values.series(m, wanted, inp.gender, as_of) if wanted else {}
            kpi, res = judge_indicator(
                inp,
                series,
                as_of=as_of,
                calibration=calibration,
                growth=values.growth(wanted, as_of) if wanted else {},
                local=upload,
            )
            by_goal.setdefault((m, inp.goal_id, as_of), []).append((inp.indicator_id, res))
            rank = None
            if kpi is not None and res.latest_year is not None:
                rank = rank_among(
                    values.kommun_values(kpi, inp.gender, res.latest_year, as_of),
                    m,
                    res.direction,
                    inputs.peers.get(m, ()),
                )
            if upload is not None:
                used = local_series(upload, inp.gender, as_of)
            elif kpi:
                used = known_series(series.get(kpi, EMPTY_SERIES), as_of, inp.publication_of(kpi))
            else:
                used = EMPTY_SERIES
            judged.append(
                JudgedIndicator(
                    inp, as_of, label, kpi, (list(used[0]), list(used[1])), res, rank, upload
                )
            )

    goals: list[JudgedGoal] = []
    for g in inputs.goals:
        for as_of, label in when(g.municipality_id, g.goal_id):
            latest = latest_assessment(
                inputs.assessments.get((g.municipality_id, g.goal_id), ()), as_of
            )
            result = judge_goal(
                g.type,
                g.measurability,
                g.definition_status,
                by_goal.get((g.municipality_id, g.goal_id, as_of), []),
                assessment=latest[1] if latest else None,
            )
            goals.append(JudgedGoal(g, as_of, label, result))
    return judged, goals


def judge_what_if(
    inp: IndicatorInput,
    series: Series,
    *,
    target: Ambition,
    as_of: dt.date,
    calibration: Calibration,
    panel: Sequence[tuple[str, Sequence[int], Sequence[float]]],
) -> IndicatorResult:
    """The Metod page's what-if: one indicator judged on a date against a typed-in target
    instead of the goal file's ambitions. Exactly the path of every stored result
    (judge_indicator, the pooled trend from the KPI's panel), so a target typed in equals
    the same target written in the goal file."""
    kpi = inp.kpi_id or ""
    growth = {(kpi, y): g for y, g in panel_growth(panel).items()}  # break-aware
    _, result = judge_indicator(
        replace(inp, ambitions=(target,), successor_kpi_id=None, kpi_retired=False),
        {kpi: series},
        as_of=as_of,
        calibration=calibration,
        growth=growth,
    )
    return result


# ------------------------------------------------------------------ the app's bedömningsdag


def default_judging_date(dates: Sequence[JudgingDate], data_date: dt.date) -> dt.date:
    """The date the app opens on: the latest checkpoint on or before the day the data was
    fetched (a report date the data can speak to), else the data date itself."""
    checkpoints = [d for d, label in dates if label is not None and d <= data_date]
    return max(checkpoints) if checkpoints else data_date


def can_judge(as_of: dt.date, latest_year: int | None) -> bool:
    """Whether data whose newest year is `latest_year` can still judge a goal on `as_of`
    (core.status: data older than MAX_DATA_AGE_YEARS is no basis for a judgement)."""
    return latest_year is not None and as_of.year - latest_year <= MAX_DATA_AGE_YEARS
