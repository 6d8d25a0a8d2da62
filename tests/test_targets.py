"""core.targets (målvärdesstöd, issue 16): the nulägesbild and the proposed målvärden, on
small hand-made panels whose answers can be worked out, with a fixed error distribution
(standard normal scaled errors, as tests/test_status.py) so the probabilities are known;
and db.proposals on the real data for Norberg."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from statistics import NormalDist

import duckdb
import numpy as np
import pytest

from core.forecast import PERCENTILES, Calibration, probability_at_least
from core.judging import KpiTrend
from core.status import Ambition, judge_series
from core.targets import (
    FLAG_NO_AMBITION,
    FLAG_UNREALISTIC,
    HOLD,
    OPTION_KINDS,
    PEER_MEDIAN,
    TOP_QUARTER,
    Nulage,
    Option,
    Proposal,
    TargetInputs,
    nulage,
    propose,
    realism_flag,
)
from db import queries
from db.proposals import build_proposals

NORMAL = np.array([NormalDist().inv_cdf(p / 100) for p in PERCENTILES])
NAIVE = Calibration("naive", {h: NORMAL * (1 + 0.3 * h) for h in range(1, 9)})
POOLED = Calibration("pooled_growth", {h: NORMAL * (1 + 0.3 * h) for h in range(1, 9)})
AS_OF = dt.date(2020, 6, 30)
START, END = dt.date(2020, 1, 1), dt.date(2022, 12, 31)
YEARS = list(range(2010, 2020))
OWN = "1962"
PEER_IDS = tuple(f"11{i:02d}" for i in range(1, 13))  # twelve Liknande kommuner
OTHER_IDS = tuple(f"12{i:02d}" for i in range(1, 21))


def _linear(level: float, rate: float) -> tuple[list[int], list[float]]:
    return YEARS, [level + rate * (y - YEARS[0]) for y in YEARS]


def _own(level: float = 50.0, wobble: float = 0.5) -> tuple[list[int], list[float]]:
    """Flat with a regular year-to-year wobble, so its scale is `wobble` (above the floor)."""
    return YEARS, [level + (wobble if i % 2 else 0.0) for i in range(len(YEARS))]


def _inputs(
    *,
    direction: str = "öka",
    series: tuple[list[int], list[float]] | None = None,
    peer_rate: float = 0.1,
    other_rate: float = 0.05,
    share: bool = True,
    trend: KpiTrend | None = None,
) -> TargetInputs:
    """Peers i = 1..12 change by i·peer_rate a year (sign by direction, so they improve),
    the other kommuner by i·other_rate."""
    d = 1 if direction != "minska" else -1
    panel = {m: _linear(40.0, d * peer_rate * (i + 1)) for i, m in enumerate(PEER_IDS)}
    panel |= {m: _linear(45.0, d * other_rate * (i + 1)) for i, m in enumerate(OTHER_IDS)}
    return TargetInputs(
        municipality_id=OWN,
        kpi="N00001",
        gender="T",
        direction=direction,
        unit="%" if share else "antal",
        series=series if series is not None else _own(),
        panel=panel,
        peers=PEER_IDS,
        peers_name="Liknande kommuner, övergripande, Norberg, 2025",
        riket=(YEARS, [48.0] * len(YEARS)),
        bounded_share=share,
        trend=trend,
    )


def _propose(inp: TargetInputs, cal: Calibration = NAIVE, **kw: object) -> Proposal:
    args = {"period_start": START, "period_end": END, "as_of": AS_OF, "calibration": cal}
    p = propose(inp, indicator_id="i", indicator_title="Titel", **{**args, **kw})
    assert p is not None
    return p


def _options(p: Proposal) -> dict[str, Option]:
    return {o.kind: o for o in p.options}


def test_three_options_with_a_delmal_per_year_and_the_periodmal_at_the_end() -> None:
    p = _propose(_inputs())
    assert [o.kind for o in p.options] == list(OPTION_KINDS)
    for o in p.options:
        assert [(m.date, m.kind) for m in o.milestones] == [
            (dt.date(2020, 12, 31), "delmål"),
            (dt.date(2021, 12, 31), "delmål"),
            (END, "periodmål"),
        ]
        assert o.target is o.milestones[-1]
        assert o.evidence == o.target.evidence
    assert p.note is None


def test_hold_option_has_the_forecasters_probability_for_todays_level() -> None:
    inp = _inputs()
    hold = _options(_propose(inp))[HOLD]
    latest = inp.series[1][-1]
    for m in hold.milestones:
        assert m.value == latest
        # Naive forecast = today's level, a symmetric error distribution: one in two.
        assert m.p_reached == pytest.approx(0.5, abs=1e-6)
        direct = probability_at_least(
            np.array([latest]), np.array([0.5]), m.date.year - 2019, latest, NAIVE
        )[0]
        assert m.p_reached == pytest.approx(direct, abs=1e-6)


@pytest.mark.parametrize("direction", ["öka", "minska"])
def test_top_quarter_is_more_ambitious_than_the_median_than_holding(direction: str) -> None:
    d = 1 if direction == "öka" else -1
    opts = _options(_propose(_inputs(direction=direction)))
    hold, median, top = (opts[k].target for k in (HOLD, PEER_MEDIAN, TOP_QUARTER))
    assert d * top.value > d * median.value > d * hold.value
    assert top.p_reached < median.p_reached < hold.p_reached


def test_paces_are_the_peers_median_and_upper_quartile_over_the_horizon() -> None:
    """Peers improve by 0,1·i a year (i = 1..12): over three years 0,3·i, whose median is
    1,95 and upper quartile 2,925 (numpy's linear percentiles of 0,3·1..12)."""
    inp = _inputs()
    nl = nulage(inp, as_of=AS_OF, calibration=NAIVE)
    assert nl is not None
    three = next(a for a in nl.achieved if a.years == 3 and a.group == "liknande")
    assert three.n == 12 * 5  # twelve peers, windows ending in the last five years
    assert three.median == pytest.approx(1.95)
    assert three.q75 == pytest.approx(np.percentile([0.3 * i for i in range(1, 13)], 75))
    assert three.n_improved == three.n
    assert not three.relative  # a share: procentenheter
    opts = _options(_propose(inp))
    latest = inp.series[1][-1]
    assert opts[PEER_MEDIAN].target.value == pytest.approx(latest + 1.95)
    assert opts[PEER_MEDIAN].milestones[0].value == pytest.approx(latest + 0.65)
    assert opts[TOP_QUARTER].target.value == pytest.approx(latest + three.q75)
    # Every peer window held its level; 0,3·i ≥ 1,95 for i = 7..12: half the windows.
    assert (
        "höll minst sin nivå på tre år bland Liknande kommuner (12 kommuner) i 60 av 60 fall"
        in (opts[HOLD].evidence)
    )
    assert (
        "förbättrades minst så mycket på tre år bland Liknande kommuner (12 kommuner) i 30 av 60"
        in (opts[PEER_MEDIAN].evidence)
    )


def test_counts_change_relative_to_their_level() -> None:
    """A count's peers (level 40) grow 0,1·i a year; from the municipality's level (80)
    the same relative pace is twice as many."""
    inp = _inputs(share=False, series=_own(80.0), peer_rate=0.1)
    nl = nulage(inp, as_of=AS_OF, calibration=NAIVE)
    assert nl is not None
    one = next(a for a in nl.achieved if a.years == 1 and a.group == "liknande")
    assert one.relative
    # Relative one-year changes 0,1·i / (its level the year before), times the own
    # latest level (80,5).
    rel = [
        0.1 * i / (40.0 + 0.1 * i * (end - 1 - 2010)) for i in range(1, 13) for end in YEARS[-5:]
    ]
    assert one.median == pytest.approx(float(np.median(rel)) * 80.5)
    assert one.median > 1.5 * np.median([0.1 * i for i in range(1, 13)])  # not absolute


def test_a_share_is_never_proposed_above_100() -> None:
    inp = _inputs(series=_own(98.0, 0.5), peer_rate=1.0)
    p = _propose(inp)
    values = [m.value for o in p.options for m in o.milestones]
    assert max(values) <= 100.0
    assert _options(p)[TOP_QUARTER].target.value == 100.0
    assert all(0 <= o.accepted_limit <= 100 for o in p.options)


def test_accepted_limit_is_one_normal_change_below_the_worse_of_today_and_target() -> None:
    # Wobble 1,0: the series' scale, above the floor (1 % of the level).
    p = _propose(_inputs(series=_own(50.0, 1.0)))
    latest = 51.0
    for o in p.options:
        assert o.accepted_limit == pytest.approx(min(latest, o.target.value) - 1.0)
    down = _propose(_inputs(direction="minska", series=_own(50.0, 1.0)))
    for o in down.options:
        assert o.accepted_limit == pytest.approx(max(latest, o.target.value) + 1.0)


@pytest.mark.parametrize(
    ("p", "flag"),
    [
        (0.05, FLAG_UNREALISTIC),
        (0.0999, FLAG_UNREALISTIC),
        (0.10, None),
        (0.5, None),
        (0.90, None),
        (0.9001, FLAG_NO_AMBITION),
        (None, None),
    ],
)
def test_realism_flag_at_10_and_90_percent(p: float | None, flag: str | None) -> None:
    assert realism_flag(p) == flag


def test_flags_on_the_options() -> None:
    # Peers improve far faster than the municipality's noise: their pace is unrealistic.
    fast = _options(_propose(_inputs(peer_rate=3.0, series=_own(30.0, 0.3))))
    assert fast[TOP_QUARTER].flag == FLAG_UNREALISTIC
    assert fast[HOLD].flag is None
    # Peers worsen fast: their median pace allows a fall far beyond the noise.
    slow = _options(_propose(_inputs(peer_rate=-3.0, series=_own(60.0, 0.3))))
    assert slow[PEER_MEDIAN].flag == FLAG_NO_AMBITION
    assert "försämring" in slow[PEER_MEDIAN].description


def test_bevaka_gets_a_nulage_and_no_options() -> None:
    p = _propose(_inputs(direction="bevaka"))
    assert p.options == ()
    assert p.note is not None and "bevaka" in p.note
    assert p.nulage.trend_words == "Ingen önskad riktning"
    assert p.nulage.rank_all is None and p.nulage.achieved == ()
    assert p.nulage.spread_all is not None


def test_too_short_too_old_and_passed_periods_say_why() -> None:
    short = _propose(_inputs(series=([2018, 2019], [50.0, 51.0])))
    assert short.options == () and "för kort" in (short.note or "")
    old = _propose(_inputs(series=([2012, 2013, 2014, 2015], [50.0, 51.0, 50.0, 51.0])))
    assert old.options == () and "för gammalt" in (old.note or "")
    assert old.nulage.latest_year == 2015
    passed = _propose(_inputs(), period_start=dt.date(2016, 1, 1), period_end=END.replace(2019))
    assert passed.options == () and "bakom" in (passed.note or "")
    none = propose(
        _inputs(series=([], [])),
        indicator_id="i",
        indicator_title="t",
        period_start=START,
        period_end=END,
        as_of=AS_OF,
        calibration=NAIVE,
    )
    assert none is None


@pytest.mark.parametrize(("direction", "place"), [("öka", 1), ("minska", 33)])
def test_ranks_follow_the_desired_direction(direction: str, place: int) -> None:
    inp = _inputs(direction="öka", series=_own(99.0, 0.5))  # above every other kommun
    inp = replace(inp, direction=direction)
    nl = nulage(inp, as_of=AS_OF, calibration=NAIVE)
    assert nl is not None and nl.rank_all is not None and nl.rank_peers is not None
    assert (nl.rank_all.place, nl.rank_all.of, nl.rank_all.year) == (place, 33, 2019)
    assert nl.rank_peers.place == (1 if direction == "öka" else 13)
    assert nl.rank_peers.of == 13
    assert nl.spread_peers is not None and nl.spread_peers.n == 12
    assert nl.riket == 48.0


def test_probability_is_the_dashboards_for_the_same_target() -> None:
    """A target taken from a proposal and written into the goal file gets the same P on
    the dashboard (core.status.judge_series with the pooled trend)."""
    inp = _inputs(trend=KpiTrend(growth=0.004))
    top = _options(_propose(inp, cal=POOLED))[TOP_QUARTER]
    for m in top.milestones:
        judged = judge_series(
            *inp.series,
            direction="öka",
            as_of=AS_OF,
            ambition=Ambition(m.date, m.value),
            calibration=POOLED,
            kpi_growth=0.004,
            bounded_share=True,
        )
        assert judged.p_met == pytest.approx(m.p_reached)


def test_a_level_break_starts_the_series_and_the_windows() -> None:
    inp = _inputs(trend=KpiTrend(growth=None, since=2017))
    nl = nulage(inp, as_of=AS_OF, calibration=NAIVE)
    assert nl is not None
    assert nl.n_points == 3  # 2017-2019
    assert max(a.years for a in nl.achieved) == 2  # no window reaches across 2017
    # Three years to the period's end, but only two-year windows since the break.
    hold = _options(_propose(inp))[HOLD]
    assert hold.target.evidence.startswith("Inga perioder om tre år finns i Koladas data; ")
    assert "på två år" in hold.target.evidence


# ------------------------------------------------------------------ the real data


def test_norberg_every_quantitative_indicator_gets_three_options(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """Norberg's goals (2020-2022, styrande, kvantitativ) as of the day the period began:
    every indicator with a desired direction and a series the forecaster takes gets the
    three options, a delmål for each year of the period after its latest value and the
    periodmål at the end, each with a probability strictly between 0 and 1."""
    goals = build_proposals(con, "1962", as_of=START)
    frames = queries.query_frameworks(con, "1962")
    period = frames.iloc[0]
    start, end = period["period_start"].date(), period["period_end"].date()
    assert [g.goal_id for g in goals] == [f"mal-{i}" for i in range(1, 11)]
    with_options = 0
    for g in goals:
        assert (g.period_start, g.period_end) == (start, end)
        for p in g.proposals:
            nl = p.nulage
            if nl.direction == "bevaka" or p.note is not None:
                assert p.options == () and p.note
                continue
            with_options += 1
            assert [o.kind for o in p.options] == list(OPTION_KINDS), p.indicator_id
            years = [y for y in range(start.year, end.year + 1) if y > nl.latest_year]
            for o in p.options:
                assert [m.date.year for m in o.milestones] == years
                assert [m.kind for m in o.milestones] == ["delmål"] * (len(years) - 1) + [
                    "periodmål"
                ]
                assert all(0 < m.p_reached < 1 for m in o.milestones)
                assert all(m.evidence for m in o.milestones)
            assert nl.rank_all is not None and nl.rank_all.of > 100
            assert nl.rank_peers is not None and nl.rank_peers.of <= 8
    assert with_options >= 20
    # As of the data date the period lies behind most of the data: an indicator whose
    # latest value is from the period's last year has no options and a note says why;
    # one a year behind still gets the periodmål alone.
    late = build_proposals(con, "1962", as_of=dt.date(2024, 8, 30))
    passed = [p for g in late for p in g.proposals if p.nulage.latest_year >= end.year]
    assert len(passed) >= 20
    assert all(not p.options and p.note for p in passed)
    assert sum("bakom" in (p.note or "") for p in passed) >= 15
    for p in (p for g in late for p in g.proposals if p.options):
        assert all([m.date for m in o.milestones] == [end] for o in p.options)


def test_an_option_below_todays_level_is_flagged_as_allowing_a_decline() -> None:
    """Peers that got worse give a 'pace' that allows a decline: the option says so, and
    `python -m etl propose` holds today's level instead (etl.propose.choose_option)."""
    from core.targets import FLAG_DECLINE, Milestone, allows_decline, option_flags

    def option(value: float, flag: str | None = None) -> Option:
        m = Milestone(dt.date(2022, 12, 31), "periodmål", value, 0.5, "")
        return Option(PEER_MEDIAN, "", (m,), value - 5, flag, "")

    base = _nulage_for_flags()
    assert allows_decline(option(69.4), base) and not allows_decline(option(75.0), base)
    assert option_flags(option(69.4), base) == FLAG_DECLINE
    assert option_flags(option(75.0), base) is None
    assert option_flags(option(69.4, "knappast en ambition"), base) == (
        "knappast en ambition, " + FLAG_DECLINE
    )
    lower_better = replace(base, direction="minska")
    assert allows_decline(option(75.0), lower_better)
    assert not allows_decline(option(69.4), lower_better)


def _nulage_for_flags() -> Nulage:
    return Nulage(
        kpi="N15428",
        gender="T",
        direction="öka",
        unit="%",
        latest_year=2019,
        latest_value=72.9,
        n_points=10,
        trend_per_year=None,
        trend_words="Oförändrat",
        rank_all=None,
        rank_peers=None,
        peers_name=None,
        spread_all=None,
        spread_peers=None,
        riket=None,
    )
