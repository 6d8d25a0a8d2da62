"""core.status: every rule, table-driven, with a fixed error distribution (standard
normal scaled errors) so the probabilities are known."""

from __future__ import annotations

import datetime as dt
from statistics import NormalDist

import numpy as np
import pytest

import core.status
from core.forecast import MIN_POINTS, P_MIN, PERCENTILES, POOLED, Calibration, forecastable
from core.status import Ambition, IndicatorResult, judge_goal, judge_series

NORMAL = np.array([NormalDist().inv_cdf(p / 100) for p in PERCENTILES])
CAL = Calibration("pooled_growth", {1: NORMAL, 2: NORMAL * 1.3, 3: NORMAL * 1.6})
NAIVE = Calibration("naive", {1: NORMAL, 2: NORMAL * 1.3, 3: NORMAL * 1.6})
LONG = Calibration("naive", {h: NORMAL * (1 + 0.3 * h) for h in range(1, 9)})
AS_OF = dt.date(2023, 8, 31)
YEARS = list(range(2014, 2023))


def _assess(
    values: list[float | None],
    direction: str = "öka",
    *,
    years: list[int] = YEARS,
    ambition: Ambition | None = None,
    growth: float | None = 0.0,
    share: bool = False,
    as_of: dt.date = AS_OF,
    cal: Calibration = CAL,
) -> IndicatorResult:
    return judge_series(
        years,
        values,
        direction=direction,
        as_of=as_of,
        ambition=ambition,
        calibration=cal,
        kpi_growth=growth,
        bounded_share=share,
    )


RISING = [10, 11, 12, 13, 14, 15, 16, 17, 18]
FALLING = list(reversed(RISING))
NOISY_FLAT = [10, 11, 9.5, 10.5, 10, 9.8, 10.4, 9.9, 10.1]


@pytest.mark.parametrize(
    ("values", "direction", "status", "words"),
    [
        ([None] * 9, "öka", "Ej bedömbart", "Inga värden"),
        ([None] * 7 + [5, 6], "öka", "Ej bedömbart", "Färre än 3 värden"),
        (RISING, "öka", "Förbättras", "i önskad riktning"),
        (RISING, "minska", "Försämras", "emot önskad riktning"),
        (FALLING, "minska", "Förbättras", "i önskad riktning"),
        (NOISY_FLAT, "öka", "Oförändrat", "normala variation"),
        ([0.0] * 9, "öka", "Oförändrat", "normala variation"),
        ([-5, -4, -3, -2, -1, 0, 1, 2, 3], "öka", "Förbättras", "i önskad riktning"),
        (RISING, "bevaka", "Bevakas", "utan önskad riktning"),
    ],
)
def test_direction_only(values: list, direction: str, status: str, words: str) -> None:
    r = _assess(values, direction)
    assert r.status == status
    assert words in r.reason
    if status in ("Förbättras", "Försämras", "Oförändrat"):
        assert r.thresholds["normalt_brus"] == pytest.approx(r.noise)


def test_old_data_is_not_judged() -> None:
    r = _assess([1, 2, 3, 4, 5, None, None, None, None])
    assert r.status == "Ej bedömbart"
    assert "från 2018" in r.reason and r.data_age_years == 5


def test_values_of_the_report_year_are_not_yet_published() -> None:
    r = _assess(RISING, years=list(range(2015, 2024)), as_of=dt.date(2023, 4, 30))
    assert r.latest_year == 2022 and r.n_points == 8


def test_gaps_use_real_year_distances() -> None:
    years = [2014, 2016, 2018, 2020, 2022]
    r = _assess([10, 12, 14, 16, 18], years=years)
    assert r.change_per_year == pytest.approx(1.0)
    assert r.status == "Förbättras"


@pytest.mark.parametrize(
    ("values", "direction", "target", "growth", "status"),
    [
        (RISING, "öka", 15.0, 0.0, "Uppnått"),
        ([None] * 8 + [20.0], "öka", 15.0, 0.0, "Uppnått"),  # met needs no history
        (FALLING, "minska", 12.0, 0.0, "Uppnått"),
        (NOISY_FLAT, "öka", 30.0, 0.0, "Ej på väg"),
        (NOISY_FLAT, "öka", 10.2, 0.0, "Osäkert"),
        (NOISY_FLAT, "öka", 10.2, 0.20, "På väg"),  # a strong pooled trend carries it
        (NOISY_FLAT, "minska", 9.8, 0.0, "Osäkert"),
        (NOISY_FLAT, "minska", 8.0, 0.0, "Ej på väg"),
        ([None] * 7 + [5.0, 6.0], "öka", 9.0, 0.0, "Ej bedömbart"),
    ],
)
def test_against_target(
    values: list, direction: str, target: float, growth: float, status: str
) -> None:
    r = _assess(values, direction, ambition=Ambition(dt.date(2025, 12, 31), target), growth=growth)
    assert r.status == status, r.reason
    assert r.target_value == target
    if status in ("På väg", "Osäkert", "Ej på väg"):
        assert r.horizon_years == 3 and r.method == "pooled_growth"
        assert r.lo80 < r.point < r.hi80
        assert 0.0 <= r.p_met <= 1.0
        assert r.thresholds == {"på_väg_minst": 0.8, "ej_på_väg_högst": 0.2}


PROPOSED = "förslag"


@pytest.mark.parametrize(
    ("values", "target", "year", "status", "decided_words", "proposed_words"),
    [
        (RISING, 15.0, 2025, "Uppnått", "når redan målvärdet", "når redan förslaget till målvärde"),
        (NOISY_FLAT, 30.0, 2021, "Ej på väg", "utan att målvärdet", "utan att förslaget till"),
        (
            NOISY_FLAT,
            10.2,
            2025,
            "Osäkert",
            "Prognos för 2025: sannolikheten att nå målvärdet är",
            "Prognos för 2025 mot förslag till målvärde (ej beslutat): sannolikheten att nå "
            "förslaget är",
        ),
        (
            [None] * 7 + [5.0, 6.0],
            9.0,
            2025,
            "Ej bedömbart",
            "för kort serie för en prognos.",
            "för kort serie för en prognos mot förslaget till målvärde (ej beslutat).",
        ),
    ],
)
def test_result_against_a_proposal_says_so(
    values: list,
    target: float,
    year: int,
    status: str,
    decided_words: str,
    proposed_words: str,
) -> None:
    """The same series and target, decided and proposed: the same status and probability,
    and every reason says when it rests on a proposal; the result carries the flag."""
    when = dt.date(year, 12, 31)
    decided = _assess(values, ambition=Ambition(when, target))
    proposed = _assess(values, ambition=Ambition(when, target, provenance=PROPOSED))
    assert decided.status == proposed.status == status
    assert decided.p_met == proposed.p_met
    assert decided_words in decided.reason and "förslag" not in decided.reason
    assert proposed_words in proposed.reason and "(ej beslutat)" in proposed.reason
    assert (decided.target_provenance, decided.against_proposal) == ("beslut", False)
    assert (proposed.target_provenance, proposed.against_proposal) == (PROPOSED, True)


def test_direction_only_result_has_no_target_provenance() -> None:
    assert _assess(RISING).target_provenance is None


def test_goal_summary_says_when_it_rests_on_a_proposal() -> None:
    proposal = IndicatorResult("Osäkert", "mål", "", AS_OF, "öka", target_provenance=PROPOSED)
    decided = IndicatorResult("På väg", "mål", "", AS_OF, "öka", target_provenance="beslut")
    s = judge_goal("styrande", "kvantitativ", "antagen", [("a", decided), ("b", proposal)])
    assert (
        s.reason == "Svagaste nyckeltalet avgör: osäkert (mot förslag till målvärde, ej beslutat)."
    )
    met = IndicatorResult("Uppnått", "mål", "", AS_OF, "öka", target_provenance=PROPOSED)
    both = judge_goal("styrande", "kvantitativ", "antagen", [("a", met), ("b", _r("Uppnått"))])
    assert "1 av dem mot förslag till målvärde" in both.reason
    plain = judge_goal("styrande", "kvantitativ", "antagen", [("a", decided)])
    assert "förslag" not in plain.reason


def test_a_decided_target_beats_a_proposal() -> None:
    """core.judging.pick_ambition: a proposal is judged against only while nothing is
    decided, even when the proposal's date comes first."""
    from core.judging import pick_ambition

    proposal = Ambition(dt.date(2024, 12, 31), 12.0, "delmål", PROPOSED)
    decided = Ambition(dt.date(2026, 12, 31), 15.0, "periodmål", "beslut")
    assert pick_ambition([proposal, decided], AS_OF) == decided
    assert pick_ambition([proposal], AS_OF) == proposal


def test_probability_matches_the_error_distribution() -> None:
    """Naive point 10.1, noise 0.5 (mean |Δ|), horizon 3 (normal × 1.6): P(y ≥ 10.9)."""
    values = [10.1, 10.6, 10.1, 10.6, 10.1, 10.6, 10.1, 10.6, 10.1]
    r = _assess(values, ambition=Ambition(dt.date(2025, 12, 31), 10.9), cal=NAIVE, growth=None)
    assert r.method == "naive" and r.point == pytest.approx(10.1)
    expected = 1 - NormalDist().cdf((10.9 - 10.1) / (0.5 * 1.6))
    assert r.p_met == pytest.approx(expected, abs=0.01)


def test_p_met_is_recalibrated_in_both_directions() -> None:
    """An overconfident raw 0.12 moves toward 0.5 through the map. For 'minska', P(met) =
    1 − the recalibrated P(≥ target): the same correction of the complementary event."""
    knots = np.array([[0.1, 0.5, 0.9], [0.2, 0.5, 0.8]])
    recal = Calibration("naive", NAIVE.percentiles, recalibration={POOLED: knots})
    values = [10.1, 10.6, 10.1, 10.6, 10.1, 10.6, 10.1, 10.6, 10.1]
    step = NormalDist().inv_cdf(0.88) * 0.5 * 1.6  # naive point 10.1, horizon 3
    expected = 0.2 + 0.3 * (0.12 - 0.1) / 0.4
    for direction, target in (("öka", 10.1 + step), ("minska", 10.1 - step)):
        ambition = Ambition(dt.date(2025, 12, 31), target)
        raw = _assess(values, direction, ambition=ambition, cal=NAIVE, growth=None)
        fixed = _assess(values, direction, ambition=ambition, cal=recal, growth=None)
        assert raw.p_met == pytest.approx(0.12, abs=0.01)
        assert fixed.p_met == pytest.approx(expected, abs=0.01)


def test_target_year_passed_without_reaching_it() -> None:
    r = _assess(NOISY_FLAT, ambition=Ambition(dt.date(2021, 12, 31), 30.0))
    assert r.status == "Ej på väg" and r.p_met == 0.0 and "har passerat" in r.reason


def test_bounded_share_stays_within_0_and_100() -> None:
    values = [90, 92, 94, 95, 96, 97, 98, 98.5, 99.0]
    r = _assess(values, ambition=Ambition(dt.date(2030, 12, 31), 99.5), growth=0.05, share=True)
    assert 0.0 <= r.lo80 <= r.point <= r.hi80 <= 100.0


def test_long_horizon_uses_its_own_percentiles() -> None:
    """Each horizon 1-8 has its own learned percentiles (no sqrt widening); past 8 the
    8-year ones apply."""
    widths = {}
    for year in (2025, 2030, 2034):
        r = _assess(NOISY_FLAT, ambition=Ambition(dt.date(year, 12, 31), 30.0), cal=LONG)
        widths[year] = r.hi80 - r.lo80
    assert widths[2030] / widths[2025] == pytest.approx((1 + 0.3 * 8) / (1 + 0.3 * 3))
    assert widths[2034] == pytest.approx(widths[2030])


def test_constant_series_gets_an_interval_and_no_certain_probability() -> None:
    r = _assess([50.0] * 9, ambition=Ambition(dt.date(2025, 12, 31), 50.2), growth=None)
    assert r.status in ("Osäkert", "Ej på väg")
    assert r.hi80 - r.lo80 > 0  # the scale floor: 1 % of 50
    assert P_MIN <= r.p_met < 0.5
    far = _assess([50.0] * 9, ambition=Ambition(dt.date(2025, 12, 31), 80.0), growth=None)
    assert far.p_met == P_MIN  # never exactly 0


def test_too_short_series_says_so() -> None:
    r = _assess([None] * 7 + [5.0, 6.0], ambition=Ambition(dt.date(2025, 12, 31), 9.0))
    assert r.status == "Ej bedömbart" and "för kort serie" in r.reason


def test_count_stays_at_or_above_zero() -> None:
    values = [9.0, 6.0, 4.0, 3.0, 2.0, 1.0, 1.0, 0.0, 0.0]
    r = _assess(values, "minska", ambition=Ambition(dt.date(2030, 12, 31), -1.0), cal=LONG)
    assert r.lo80 >= 0.0
    assert r.p_met == pytest.approx(P_MIN)  # below 0 is out of reach: never negative


CASES = [
    (RISING, YEARS),
    ([None] * 6 + [5.0, 6.0, 7.0], YEARS),
    ([None] * 7 + [5.0, 6.0], YEARS),
    ([50.0] * 9, YEARS),
    ([10, 12, 14, 16, 18], [2014, 2016, 2018, 2020, 2022]),
    ([10, 12, 14], [2016, 2018, 2020]),  # latest 3 years before 2023
    ([10, 12, 14], [2015, 2017, 2019]),  # 4 years: too old
]


@pytest.mark.parametrize(("values", "years"), CASES)
def test_dashboard_forecasts_exactly_what_the_backtest_evaluates(
    values: list, years: list[int]
) -> None:
    """core.forecast.forecastable is the one eligibility rule: the dashboard forecasts a
    series exactly when the back-test (which calls the same function) evaluates it."""
    r = _assess(values, years=years, ambition=Ambition(dt.date(2026, 12, 31), 1000.0))
    row = np.full(AS_OF.year - 2010, np.nan)
    for y, v in zip(years, values, strict=True):
        if v is not None:
            row[y - 2010] = v
    assert (r.point is not None) == bool(forecastable(row[None, :], AS_OF.year - 1 - 2010)[0])
    assert MIN_POINTS == core.status.MIN_POINTS


def test_status_and_backtest_call_the_same_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    import bench.backtest

    assert bench.backtest.forecastable is forecastable
    monkeypatch.setattr(core.status, "forecastable", lambda *a, **k: np.array([False]))
    r = _assess(RISING, ambition=Ambition(dt.date(2026, 12, 31), 1000.0))
    assert r.status == "Ej bedömbart" and r.point is None


def _r(status: str) -> IndicatorResult:
    return IndicatorResult(status, "mål", "", AS_OF, "öka")


@pytest.mark.parametrize(
    ("statuses", "expected", "weakest"),
    [
        (["Uppnått", "Uppnått"], "Uppnått", None),
        (["Uppnått", "På väg"], "På väg", "i1"),
        (["På väg", "Ej på väg", "Uppnått"], "Ej på väg", "i1"),
        (["Förbättras", "Oförändrat"], "Oförändrat", "i1"),
        (["Förbättras", "Ej bedömbart"], "Förbättras", "i0"),
        (["Ej bedömbart", "Bevakas"], "Ej bedömbart", None),
        ([], "Ej bedömbart", None),
    ],
)
def test_goal_summary_shows_the_weakest(
    statuses: list[str], expected: str, weakest: str | None
) -> None:
    s = judge_goal(
        "styrande", "kvantitativ", "antagen", [(f"i{i}", _r(st)) for i, st in enumerate(statuses)]
    )
    assert s.status == expected
    assert s.weakest == weakest
    assert sum(s.counts.values()) == len(statuses)


def test_uppnatt_only_when_all_met() -> None:
    s = judge_goal(
        "styrande", "kvantitativ", "antagen", [("a", _r("Uppnått")), ("b", _r("Ej bedömbart"))]
    )
    assert s.status == "På väg"  # not Uppnått while one indicator is unknown
    assert "1 nyckeltal går inte att bedöma" in s.reason


def test_inriktningsmal_gets_no_forecast_and_undefined_goal() -> None:
    s = judge_goal("inriktningsmål", "kvalitativ", "preliminär", [("a", _r("Förbättras"))])
    assert not s.forecast_allowed and s.status == "Förbättras"
    u = judge_goal("ej fastställt", "ej angiven", "ej definierat", [])
    assert u.status == "Ej bedömbart" and "inte definierat" in u.reason


def test_assessment_disagreement_is_flagged() -> None:
    agree = judge_goal(
        "styrande", "kvantitativ", "antagen", [("a", _r("På väg"))], assessment="På väg"
    )
    differ = judge_goal(
        "styrande", "kvantitativ", "antagen", [("a", _r("Ej på väg"))], assessment="På väg"
    )
    assert not agree.disagrees and differ.disagrees and differ.assessment == "På väg"


def test_forecast_to_period_end_without_an_ambition() -> None:
    r = judge_series(
        YEARS,
        RISING,
        direction="öka",
        as_of=AS_OF,
        ambition=None,
        calibration=CAL,
        kpi_growth=0.0,
        forecast_year=2025,
    )
    assert r.status == "Förbättras"  # the status is still by direction
    assert r.horizon_years == 3 and r.p_met is None  # nothing to reach, no probability
    assert r.point == pytest.approx(18.0)  # no pooled trend: the last value
    assert r.lo80 < r.point < r.hi80
    past = judge_series(
        YEARS,
        RISING,
        direction="öka",
        as_of=AS_OF,
        ambition=None,
        calibration=CAL,
        kpi_growth=0.0,
        forecast_year=2022,
    )
    assert past.point is None  # the period has ended: nothing to forecast
