"""Målvärdesstöd (issue 16): the nulägesbild of one indicator and proposed målvärden.

Pure functions, no I/O. The municipality's documents set no target value yet; this module
helps them get to one honestly, from Kolada's panel of 290 municipalities:

- `nulage` describes where the municipality stands today (latest value, trend, rank among
  all kommuner and among its Liknande kommuner, the peers' spread) and what changes
  municipalities actually achieved over 1-5 years.
- `propose` turns that into target options (hold today's level, the median similar
  municipality's pace, the top quarter's pace), each with a delmål per year of the goal
  period and an accepterad gräns, P(reached) at every date from the calibrated forecaster
  (core.forecast), the evidence in words and a realism flag.

Every figure here is computed ("Egen bearbetning av data från Kolada"), and every option is
a proposal (förslag), never a decision.

The dataclasses below are the contract the Målvärden page, the documents and the
`python -m etl propose` CLI are written against; keep their fields stable.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.forecast import (
    MAX_AGE_YEARS,
    MIN_POINTS,
    Calibration,
    value_bounds,
)
from core.format import format_change, format_number
from core.judging import KpiTrend, Series, judge_series_since, rank_among
from core.status import SeriesForecaster, series_forecaster
from core.vocabulary import Status

# Option kinds, in the order they are shown. The words are the UI's.
HOLD = "hålla nivån"
PEER_MEDIAN = "liknande kommuners mediantakt"
TOP_QUARTER = "bästa kvartilens takt"
OPTION_KINDS = (HOLD, PEER_MEDIAN, TOP_QUARTER)
# Short names for the options in URLs (the Målvärden page) and on the command line.
OPTION_KEYS = {"halla": HOLD, "median": PEER_MEDIAN, "kvartil": TOP_QUARTER}

# P(reached) at the period's end below this: unrealistic; above the other: hardly an ambition.
UNREALISTIC_BELOW = 0.10
NO_AMBITION_ABOVE = 0.90
FLAG_UNREALISTIC = "orealistiskt"
FLAG_NO_AMBITION = "knappast en ambition"
# An option whose periodmål is worse than today's level (its peers got worse): shown as
# such, and never written into a goal file by `python -m etl propose`.
FLAG_DECLINE = "tillåter en försämring"


@dataclass(frozen=True)
class Rank:
    """Place 1 = best by the desired direction (highest for öka, lowest for minska), among
    `of` geographies with a value for `year`. None where there is no desired direction
    (bevaka) or no value."""

    place: int
    of: int
    year: int


@dataclass(frozen=True)
class Spread:
    """Distribution of the latest values of a set of municipalities (same year)."""

    year: int
    n: int
    minimum: float
    q25: float
    median: float
    q75: float
    maximum: float


@dataclass(frozen=True)
class AchievedChange:
    """What municipalities actually achieved over `years` years (all windows ending in the
    data's last `windows` years, pooled): the change in the desired direction (positive =
    better), as percentiles, and how many improved at all."""

    years: int
    group: str  # "liknande" (Liknande kommuner) or "alla" (all kommuner)
    n: int  # windows counted
    median: float
    q75: float  # the top quarter's change (better than 75 % of windows)
    q90: float
    n_improved: int
    # True: measured relative to each window's starting level (a count, a rate) and shown
    # in the municipality's own units at its latest level; False: absolute (a share).
    relative: bool = False


@dataclass(frozen=True)
class Nulage:
    kpi: str
    gender: str
    direction: str  # öka | minska | bevaka
    unit: str | None
    latest_year: int
    latest_value: float
    n_points: int
    trend_per_year: float | None  # robust slope (Theil-Sen) over the last years, None if too short
    trend_words: str  # "Förbättras", "Oförändrat", "Försämras" (or "Ingen önskad riktning")
    rank_all: Rank | None
    rank_peers: Rank | None
    peers_name: str | None  # e.g. "Liknande kommuner, övergripande, Norberg, 2023"
    spread_all: Spread | None
    spread_peers: Spread | None
    riket: float | None  # Riket's value in latest_year, when there is one
    achieved: tuple[AchievedChange, ...] = ()  # years 1-5, groups liknande and alla


@dataclass(frozen=True)
class Milestone:
    """One date of an option: a delmål (each year of the period) or the periodmål (its end),
    with the probability the calibrated forecaster gives it and the evidence in words."""

    date: dt.date
    kind: str  # "delmål" | "periodmål"
    value: float
    p_reached: float | None  # None where no forecast is possible (too short, too old)
    evidence: str  # e.g. "12 av 45 liknande kommuner förbättrades så mycket på tre år"


@dataclass(frozen=True)
class Option:
    kind: str  # one of OPTION_KINDS
    description: str  # one Swedish sentence: how the values were derived
    milestones: tuple[Milestone, ...]
    accepted_limit: float  # accepterad gräns: the level below which (öka) the goal has failed
    flag: str | None  # FLAG_UNREALISTIC, FLAG_NO_AMBITION or None
    evidence: str  # the period-end evidence in words

    @property
    def target(self) -> Milestone:
        return self.milestones[-1]


@dataclass(frozen=True)
class Proposal:
    """Nulägesbild plus the options for one indicator of one goal."""

    indicator_id: str
    indicator_title: str  # as the goal file writes it
    nulage: Nulage
    options: tuple[Option, ...] = field(default_factory=tuple)
    note: str | None = None  # why there are no options (bevaka, too short, ...), in Swedish


@dataclass(frozen=True)
class GoalProposals:
    """One goal's proposals, in goal-file order. Built by `db.proposals.build_proposals(con,
    municipality_id, as_of=...)` (database reads + this module), which the page, the
    documents and the CLI all use."""

    framework_id: str
    framework_name: str
    area_title: str | None
    goal_id: str
    goal_title: str
    goal_kind: str
    period_start: dt.date
    period_end: dt.date
    proposals: tuple[Proposal, ...]
    # Indicators with a KPI but no value known for the municipality: (indicator id, title,
    # Swedish note). A Proposal needs a nulägesbild, so these are listed here instead.
    missing: tuple[tuple[str, str, str], ...] = ()


# ------------------------------------------------------------------ computation

# What municipalities achieved is counted over windows of 1-5 years ending in the panel's
# last WINDOW_END_YEARS years: recent enough to be today's possibilities, and enough
# windows (7 peers × 5 end years = 35) for a median and a quartile.
ACHIEVED_YEARS = (1, 2, 3, 4, 5)
WINDOW_END_YEARS = 5
# A pace is read from the Liknande kommuner only when their windows are at least this
# many; otherwise from all kommuner (said in the option's description).
MIN_WINDOWS = 10
PEERS = "liknande"
ALL = "alla"
TREND_NONE = "Ingen önskad riktning"

_YEARS_WORDS = {
    1: "ett år",
    2: "två år",
    3: "tre år",
    4: "fyra år",
    5: "fem år",
    6: "sex år",
    7: "sju år",
    8: "åtta år",
    9: "nio år",
    10: "tio år",
}


@dataclass(frozen=True)
class TargetInputs:
    """What `nulage` and `propose` need for one indicator, as plain data (read by
    db.proposals). Every series holds only the values known on the judging date
    (core.judging.known_series), so a proposal as of a past date uses what was known then.

    `panel`: every kommun's series of the KPI (all 290, the municipality's own among them
    or not: `series` is used for it); `peers`: the ids of its Liknande kommuner, without
    itself; `trend`: the KPI's pooled trend at the municipality's latest year and the level
    break it starts at (core.judging.panel_growth), as the dashboard judges with it."""

    municipality_id: str
    kpi: str
    gender: str
    direction: str  # öka | minska | bevaka
    unit: str | None
    series: Series
    panel: Mapping[str, Series]
    peers: tuple[str, ...] = ()
    peers_name: str | None = None
    riket: Series = ((), ())
    bounded_share: bool = False
    trend: KpiTrend | None = None


def _sign(direction: str) -> int | None:
    return {"öka": 1, "minska": -1}.get(direction)


def _clean(series: Series, since: int | None) -> tuple[list[int], list[float]]:
    """Sorted finite values, from the level break `since` on."""
    pairs = sorted(
        (int(y), float(v))
        for y, v in zip(*series, strict=True)
        if v is not None and math.isfinite(float(v)) and (since is None or y >= since)
    )
    return [y for y, _ in pairs], [v for _, v in pairs]


def _spread(values: Sequence[float], year: int) -> Spread | None:
    if not values:
        return None
    a = np.asarray(values, dtype=float)
    q25, med, q75 = np.percentile(a, [25, 50, 75])
    return Spread(year, len(a), float(a.min()), float(q25), float(med), float(q75), float(a.max()))


# ------------------------------------------------------------------ achieved changes


@dataclass(frozen=True)
class _Panel:
    """Every kommun's series of the KPI from the level break on, as one matrix, and how a
    change is measured: `relative` for a KPI whose level differs by orders of magnitude
    between municipalities (counts, rates, costs: 300 inflyttningar in Norberg, 50 000 in
    Stockholm), so a change is a share of the starting level, turned into the
    municipality's own units at its latest level (`level`); absolute (procentenheter) for a
    share, whose relative change means nothing near 100 %, and for a KPI that can be
    negative."""

    ids: tuple[str, ...]
    first: int
    matrix: np.ndarray
    peer_rows: np.ndarray  # bool per row: a Liknande kommun
    last_year: int
    relative: bool
    level: float  # the municipality's latest value (|·|): relative changes in its units
    d: int


@dataclass(frozen=True)
class _Full:
    """Every kommun's series (the municipality's own from `series`) as one matrix over all
    years: built once per indicator, cut at the level break by `_panel`."""

    ids: tuple[str, ...]
    first: int
    matrix: np.ndarray


def _full(inp: TargetInputs) -> _Full:
    own = _clean(inp.series, None)
    items = [(m, s) for m, s in inp.panel.items() if m != inp.municipality_id]
    items.append((inp.municipality_id, own))
    rows = [
        (m, np.asarray(ys, dtype=int), np.asarray(vs, dtype=float))
        for m, (ys, vs) in items
        if len(ys)
    ]
    first = min(int(ys.min()) for _, ys, _ in rows)
    last = max(int(ys.max()) for _, ys, _ in rows)
    matrix = np.full((len(rows), last - first + 1), np.nan)
    for r, (_, ys, vs) in enumerate(rows):
        matrix[r, ys - first] = vs
    return _Full(tuple(m for m, _, _ in rows), first, matrix)


def _panel(
    full: _Full, inp: TargetInputs, since: int | None, latest: float, share: bool, d: int
) -> _Panel:
    first = full.first if since is None else max(full.first, since)
    matrix = full.matrix[:, first - full.first :]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN panel: not relative
        nonneg = bool(np.nanmin(matrix) >= 0)
    relative = not share and nonneg and latest > 0
    peers = set(inp.peers) - {inp.municipality_id}
    return _Panel(
        full.ids,
        first,
        matrix,
        np.array([m in peers for m in full.ids], dtype=bool),
        first + matrix.shape[1] - 1,
        relative,
        abs(latest),
        d,
    )


@dataclass(frozen=True)
class _Windows:
    """The changes (in the desired direction, in comparison units) of every window of
    `years` years ending in the panel's last WINDOW_END_YEARS years, of one group."""

    years: int
    group: str
    changes: np.ndarray
    municipalities: int  # distinct municipalities with at least one window
    first_end: int | None
    last_end: int | None


def _windows(p: _Panel, years: int, group: str) -> _Windows:
    rows = p.peer_rows if group == PEERS else np.ones(len(p.ids), dtype=bool)
    m = p.matrix[rows]
    changes: list[np.ndarray] = []
    seen = np.zeros(len(m), dtype=bool)
    ends: list[int] = []
    for end in range(p.last_year - WINDOW_END_YEARS + 1, p.last_year + 1):
        start = end - years
        if start < p.first:
            continue
        a, b = m[:, start - p.first], m[:, end - p.first]
        ok = np.isfinite(a) & np.isfinite(b)
        if p.relative:
            ok &= a > 0
        if not ok.any():
            continue
        with np.errstate(all="ignore"):
            c = p.d * (b - a) / (np.abs(a) if p.relative else 1.0)
        changes.append(c[ok])
        seen |= ok
        ends.append(end)
    return _Windows(
        years,
        group,
        np.concatenate(changes) if changes else np.array([]),
        int(seen.sum()),
        min(ends) if ends else None,
        max(ends) if ends else None,
    )


def _units(p: _Panel, change: float) -> float:
    """A change in comparison units as a change in the municipality's own units."""
    return change * p.level if p.relative else change


def _achieved(w: _Windows, p: _Panel) -> AchievedChange | None:
    if not len(w.changes):
        return None
    med, q75, q90 = np.percentile(w.changes, [50, 75, 90])
    return AchievedChange(
        years=w.years,
        group=w.group,
        n=len(w.changes),
        median=_units(p, float(med)),
        q75=_units(p, float(q75)),
        q90=_units(p, float(q90)),
        n_improved=int((w.changes > 0).sum()),
        relative=p.relative,
    )


# ------------------------------------------------------------------ nulägesbild


def nulage(inp: TargetInputs, *, as_of: dt.date, calibration: Calibration) -> Nulage | None:
    """Where the municipality stands on one KPI as of `as_of`, or None without any value.

    The trend and its words are the dashboard's own direction rule (core.status via
    core.judging.judge_series_since, from the KPI's latest level break on), so the
    nulägesbild never contradicts the indicator's status. Ranks are by the desired
    direction among the kommuner with a value for the latest year (core.judging.rank_among;
    none for bevaka); the peers' spread is of the Liknande kommuner without the
    municipality itself. `achieved` holds, for 1-5 years and for the Liknande kommuner and
    all kommuner, what windows of that length ending in the panel's last
    WINDOW_END_YEARS years achieved (changes across a level break are left out: a
    redefinition is no achievement)."""
    all_years, _ = _clean(inp.series, None)
    return _nulage(inp, as_of, calibration, _full(inp)) if all_years else None


def _nulage(inp: TargetInputs, as_of: dt.date, calibration: Calibration, full: _Full) -> Nulage:
    since = inp.trend.since if inp.trend is not None else None
    all_years, all_values = _clean(inp.series, None)
    latest_year, latest = all_years[-1], all_values[-1]
    d = _sign(inp.direction)
    result = judge_series_since(
        all_years,
        all_values,
        since=since,
        as_of=as_of,
        direction=inp.direction,
        ambition=None,
        calibration=calibration,
        kpi_growth=inp.trend.growth if inp.trend is not None else None,
        bounded_share=inp.bounded_share,
    )
    if d is None:
        words = TREND_NONE
    elif result.status in (Status.IMPROVING, Status.UNCHANGED, Status.WORSENING):
        words = str(result.status)
    else:
        words = str(Status.NOT_JUDGEABLE)
    trend = result.change_per_year if result.n_points >= MIN_POINTS else None

    column = full.matrix[:, latest_year - full.first]
    year_values = {m: float(v) for m, v in zip(full.ids, column, strict=True) if math.isfinite(v)}
    year_values[inp.municipality_id] = latest
    peers = tuple(p for p in inp.peers if p != inp.municipality_id)
    rank = rank_among(year_values, inp.municipality_id, inp.direction, peers)
    riket = dict(zip(*_clean(inp.riket, None), strict=True)).get(latest_year)

    achieved: list[AchievedChange] = []
    if d is not None:
        share = _is_share(inp, since)
        p = _panel(full, inp, since, latest, share, d)
        for years in ACHIEVED_YEARS:
            for group in (PEERS, ALL):
                a = _achieved(_windows(p, years, group), p)
                if a is not None:
                    achieved.append(a)
    return Nulage(
        kpi=inp.kpi,
        gender=inp.gender,
        direction=inp.direction,
        unit=inp.unit,
        latest_year=latest_year,
        latest_value=latest,
        n_points=result.n_points,
        trend_per_year=trend,
        trend_words=words,
        rank_all=Rank(rank.rank_all, rank.n_all, latest_year) if rank else None,
        rank_peers=(
            Rank(rank.rank_peers, rank.n_peers, latest_year)
            if rank and rank.rank_peers is not None and rank.n_peers is not None
            else None
        ),
        peers_name=inp.peers_name,
        spread_all=_spread(list(year_values.values()), latest_year),
        spread_peers=_spread([year_values[m] for m in peers if m in year_values], latest_year),
        riket=riket,
        achieved=tuple(achieved),
    )


def _is_share(inp: TargetInputs, since: int | None) -> bool:
    """A bounded share by its unit or title whose own history stays within 0-100
    (core.forecast.value_bounds decides)."""
    ys, vs = _clean(inp.series, since)
    if not ys:
        return False
    row = np.array([vs], dtype=float)
    return bool(value_bounds(row, row.shape[1] - 1, inp.bounded_share)[1][0] == 100.0)


# ------------------------------------------------------------------ the forecaster


# ------------------------------------------------------------------ proposals


def _count(n: int) -> str:
    """1449 → '1 449' (Swedish grouping)."""
    return format_number(float(n), 0)


def _years_words(years: int) -> str:
    return _YEARS_WORDS.get(years, f"{years} år")


def _evidence(need: float, years: int, groups: Sequence[_Windows], peers_label: str) -> str:
    """How often municipalities achieved at least the change `need` (comparison units,
    positive = better) in `years` years, in words, per group; windows are counted as
    "fall" because a municipality has one per end year."""
    tol = 1e-9 * max(1.0, abs(need))
    if need > tol:
        verb = "förbättrades minst så mycket"
    elif need >= -tol:
        verb = "höll minst sin nivå"
    else:
        verb = "försämrades högst så mycket"
    parts = []
    ends: tuple[int | None, int | None] = (None, None)
    for w in groups:
        if not len(w.changes):
            continue
        hits = int((w.changes >= need - tol).sum())
        label = (
            f"bland {peers_label} ({w.municipalities} kommuner)"
            if w.group == PEERS
            else f"bland alla kommuner ({w.municipalities} kommuner)"
        )
        parts.append(f"{label} i {_count(hits)} av {_count(len(w.changes))} fall")
        ends = (w.first_end, w.last_end)
    if not parts:
        return (
            f"Inga jämförbara perioder om {_years_words(years)} finns i Koladas data för "
            "andra kommuner."
        )
    span = f"{ends[0]}–{ends[1]}" if ends[0] != ends[1] else f"{ends[0]}"
    return (
        f"Nyckeltalet {verb} på {_years_words(years)} "
        + "; ".join(parts)
        + f" (perioder som slutar {span})."
    )


def _milestone_evidence(
    p: _Panel, need: float, years: int, peers_label: str, cache: dict[int, list[_Windows]]
) -> str:
    """`_evidence` over windows as long as the milestone's distance from the latest value;
    where the data has none that long (a KPI only a few years old), over the longest
    shorter windows it has, with the change needed scaled to their length (the same pace
    per year), and the text says so."""
    for k in range(years, 0, -1):
        if k not in cache:
            cache[k] = [_windows(p, k, PEERS), _windows(p, k, ALL)]
        if any(len(w.changes) for w in cache[k]):
            text = _evidence(need * k / years, k, cache[k], peers_label)
            if k == years:
                return text
            return (
                f"Inga perioder om {_years_words(years)} finns i Koladas data; i samma takt "
                f"per år räknat: {text[0].lower()}{text[1:]}"
            )
    return _evidence(need, years, [], peers_label)


def _pace(p: _Panel, horizon: int) -> tuple[_Windows, float, float] | None:
    """The windows a pace is read from and the median's and top quarter's change per year
    (comparison units). The window length closest to the horizon (at most five years)
    with enough windows, the Liknande kommuner before all kommuner: a short window's
    pace run over a long period overstates what is sustained less than a window of the
    period's own length does."""
    target = max(1, min(horizon, max(ACHIEVED_YEARS)))
    lengths = sorted(ACHIEVED_YEARS, key=lambda k: (abs(k - target), -k))
    for group in (PEERS, ALL):
        for k in lengths:
            w = _windows(p, k, group)
            if len(w.changes) >= MIN_WINDOWS:
                med, q75 = np.percentile(w.changes, [50, 75])
                return w, float(med) / k, float(q75) / k
    return None


def _fmt_value(value: float, unit: str | None) -> str:
    u = (unit or "").strip()
    if u == "%":
        return f"{format_number(value, 1)} %"
    return f"{format_number(value)}{(' ' + u) if u else ''}"


def propose(
    inp: TargetInputs,
    *,
    indicator_id: str,
    indicator_title: str,
    period_start: dt.date,
    period_end: dt.date,
    as_of: dt.date,
    calibration: Calibration,
) -> Proposal | None:
    """The nulägesbild and three target options for one indicator of a goal whose period is
    `period_start`-`period_end`, as of `as_of`; None without any value.

    Dates follow core.status, which judges an ambition dated D on the value for D.year: a
    delmål for each year of the period after the latest value, dated 31 December, and the
    periodmål at the period's end. Each option's value at a year Y:

    - hålla nivån: the latest value;
    - liknande kommuners mediantakt / bästa kvartilens takt: the latest value moved, per
      year after the latest, by the median's / the top quarter's change per year of the
      Liknande kommuner (all kommuner when they have fewer than MIN_WINDOWS windows),
      measured over windows as long as the horizon (at most five years; `_pace`);
      relative to the level for counts and rates, in procentenheter for shares (`_Panel`);

    always kept within the KPI's natural bounds (a share 0-100, a count ≥ 0). P(reached) at
    each date is the dashboard's forecaster (core.forecast with the calibration and its
    recalibration; for minska 1 − P(at least)), so a target taken from here and written
    into the goal file gets the same probability there.

    Accepterad gräns: the worse of today's level and the periodmål, moved by one normal
    year-to-year change of the series (its floored noise scale) in the undesired
    direction, within the bounds. The dashboard calls a change within that noise
    "Oförändrat" (core.status), so only a result beyond it is a real deterioration, i.e. a
    failed goal rather than the ordinary wobble of a small municipality's figure.

    No options, with a note saying why, for bevaka indicators, series too short or too old
    for a forecast, and periods already behind the data."""
    if not _clean(inp.series, None)[0]:
        return None
    full = _full(inp)
    nl = _nulage(inp, as_of, calibration, full)

    def none(note: str) -> Proposal:
        return Proposal(indicator_id, indicator_title, nl, (), note)

    d = _sign(inp.direction)
    if d is None:
        return none(
            "Nyckeltalet följs som omvärldsfaktor utan önskad riktning (bevaka): inga "
            "målvärden föreslås."
        )
    since = inp.trend.since if inp.trend is not None else None
    ys, vs = _clean(inp.series, since)
    fc = series_forecaster(
        ys,
        vs,
        as_of=as_of,
        calibration=calibration,
        kpi_growth=inp.trend.growth if inp.trend is not None else None,
        bounded_share=inp.bounded_share,
    )
    if fc is None:
        after = f" efter seriebrottet {since}" if since is not None else ""
        if as_of.year - nl.latest_year > MAX_AGE_YEARS:
            return none(
                f"Senaste värdet är från {nl.latest_year}, mer än {MAX_AGE_YEARS} år före "
                f"{as_of.year}: för gammalt för en prognos, så inga målvärden föreslås."
            )
        return none(
            f"Färre än {MIN_POINTS} värden{after}: för kort serie för en prognos, så inga "
            "målvärden föreslås."
        )
    latest_year, latest = fc.latest_year, fc.latest
    years = [y for y in range(period_start.year, period_end.year + 1) if y > latest_year]
    if not years:
        return none(
            f"Målperioden {period_start.year}–{period_end.year} ligger redan bakom senaste "
            f"värdet ({latest_year}): det finns inget år kvar att sätta målvärden för."
        )
    p = _panel(full, inp, since, latest, _is_share(inp, since), d)
    peers_label = "Liknande kommuner"
    horizon = years[-1] - latest_year
    options = [
        _option(HOLD, 0.0, None, years, period_end, p, fc, d, inp, peers_label),
    ]
    pace = _pace(p, horizon)
    if pace is None:
        return Proposal(
            indicator_id,
            indicator_title,
            nl,
            tuple(options),
            "För få jämförbara perioder hos andra kommuner för att föreslå en takt: "
            "bara alternativet att hålla nivån.",
        )
    windows, median, top = pace
    options.append(
        _option(PEER_MEDIAN, median, windows, years, period_end, p, fc, d, inp, peers_label)
    )
    options.append(
        _option(TOP_QUARTER, top, windows, years, period_end, p, fc, d, inp, peers_label)
    )
    return Proposal(indicator_id, indicator_title, nl, tuple(options))


def realism_flag(p_reached: float | None) -> str | None:
    """FLAG_UNREALISTIC below UNREALISTIC_BELOW, FLAG_NO_AMBITION above NO_AMBITION_ABOVE
    (P(reached) at the period's end), else None; None without a probability."""
    if p_reached is None:
        return None
    if p_reached < UNREALISTIC_BELOW:
        return FLAG_UNREALISTIC
    if p_reached > NO_AMBITION_ABOVE:
        return FLAG_NO_AMBITION
    return None


def _option(
    kind: str,
    pace: float,
    windows: _Windows | None,
    years: list[int],
    period_end: dt.date,
    p: _Panel,
    fc: SeriesForecaster,
    d: int,
    inp: TargetInputs,
    peers_label: str,
) -> Option:
    """One option: the value at each milestone year, P(reached) and the evidence, which
    is counted in the groups the nulägesbild shows over windows as long as each
    milestone's distance from the latest value."""
    lo, hi = fc.bounds
    step = d * _units(p, pace)  # change per year in the KPI's own units
    milestones = []
    cache: dict[int, list[_Windows]] = {}
    for y in years:
        last = y == years[-1]
        value = float(np.clip(fc.latest + step * (y - fc.latest_year), lo, hi))
        k = y - fc.latest_year
        need = d * (value - fc.latest) / (p.level if p.relative else 1.0)
        milestones.append(
            Milestone(
                date=period_end if last else dt.date(y, 12, 31),
                kind="periodmål" if last else "delmål",
                value=value,
                p_reached=fc.p_reached(y, value, d),
                evidence=_milestone_evidence(p, need, k, peers_label, cache),
            )
        )
    target = milestones[-1]
    worse = min(d * fc.latest, d * target.value) * d
    limit = float(np.clip(worse - d * fc.scale, lo, hi))
    flag = realism_flag(target.p_reached)
    return Option(
        kind=kind,
        description=_description(kind, step, windows, fc, target, inp, peers_label, p),
        milestones=tuple(milestones),
        accepted_limit=limit,
        flag=flag,
        evidence=target.evidence,
    )


def _description(
    kind: str,
    step: float,
    windows: _Windows | None,
    fc: SeriesForecaster,
    target: Milestone,
    inp: TargetInputs,
    peers_label: str,
    p: _Panel,
) -> str:
    today = f"{_fmt_value(fc.latest, inp.unit)} ({fc.latest_year})"
    if kind == HOLD or windows is None:
        return f"Dagens nivå, {today}, hålls varje år till {target.date.year}."
    who = (
        f"{peers_label} ({windows.municipalities} kommuner)"
        if windows.group == PEERS
        else "alla kommuner (för få jämförbara perioder bland Liknande kommuner)"
    )
    which = "medianen" if kind == PEER_MEDIAN else "gränsen till bästa kvartilen"
    how = " räknat som andel av nivån" if p.relative else ""
    span = (
        f"{windows.first_end}–{windows.last_end}"
        if windows.first_end != windows.last_end
        else f"{windows.first_end}"
    )
    return (
        f"Från {today} med {format_change(step, inp.unit)} per år till "
        f"{_fmt_value(target.value, inp.unit)} {target.date.year}: {which} av vad "
        f"{who} åstadkom på {_years_words(windows.years)}{how} ({_count(len(windows.changes))} "
        f"fall, perioder som slutar {span})."
        + (
            " Där gick nyckeltalet alltså åt fel håll: alternativet tillåter en försämring."
            if p.d * step < 0
            else ""
        )
    )


def round_target(value: float) -> float:
    """A proposed value as a goal file and a decision would write it: three significant
    figures, at most two decimals (81.47 → 81.5, 0.734 → 0.73, 12 345 → 12 300). Finer
    digits would claim a precision the forecast does not have."""
    if value == 0 or not math.isfinite(value):
        return value
    digits = 3 - math.floor(math.log10(abs(value))) - 1
    out = round(value, min(digits, 2))
    return float(out)


def allows_decline(option: Option, nulage: Nulage) -> bool:
    """Whether the option's periodmål lies on the wrong side of today's level."""
    sign = -1.0 if nulage.direction == "minska" else 1.0
    return sign * (option.target.value - nulage.latest_value) < 0


def option_flags(option: Option, nulage: Nulage) -> str | None:
    """What a reader must know about an option before choosing it, in words: the realism
    flag and whether it allows a decline; None when neither applies."""
    flags = [
        f for f in (option.flag, FLAG_DECLINE if allows_decline(option, nulage) else None) if f
    ]
    return ", ".join(flags) or None
