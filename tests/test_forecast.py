"""core.forecast on small known arrays."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest

from core.forecast import (
    CLASSES,
    MIN_HALF_WIDTH,
    P_MIN,
    PERCENTILES,
    Calibration,
    clip_to_bounds,
    empirical_percentiles,
    floored_scale,
    forecastable,
    group_median,
    interval,
    last_value,
    noise_scale,
    point_forecast,
    pooled_growth_forecast,
    probability_at_least,
    series_class,
    series_scale,
    theil_sen_slope,
    value_bounds,
)

nan = np.nan
Y = np.array(
    [
        [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],  # straight line
        [5.0, 5.0, 5.0, 5.0, 5.0, 5.0],  # constant
        [1.0, nan, 3.0, nan, 5.0, nan],  # gaps, nothing at the origin
        [1.0, 2.0, 3.0, 4.0, 50.0, 6.0],  # one odd year
    ]
)


def test_last_value_and_noise() -> None:
    val, idx = last_value(Y, 5)
    assert list(val) == [6.0, 5.0, 5.0, 6.0]
    assert list(idx) == [5, 5, 4, 5]
    scale = noise_scale(Y, 5)
    assert scale[0] == 1.0 and scale[1] == 0.0 and np.isnan(scale[2])


def test_theil_sen_is_robust_to_one_odd_year() -> None:
    s = theil_sen_slope(Y, 5)
    assert s[0] == pytest.approx(1.0) and s[1] == 0.0
    assert s[3] == pytest.approx(1.0)  # the 50 does not move the median slope


@pytest.mark.parametrize(
    ("method", "expected"),
    [("naive", 6.0), ("destatis", 8.0), ("theil_sen", 8.0), ("damped", 6.0 + 0.7 + 0.49)],
)
def test_methods_on_a_line(method: str, expected: float) -> None:
    assert point_forecast(Y[:1], 5, 2, method)[0] == pytest.approx(expected)


def test_pooled_growth_uses_the_group_median_trend() -> None:
    groups = np.array([0, 0, 1, 1])
    pooled = point_forecast(Y, 5, 1, "pooled_growth", groups)
    # group 0: relative slopes 1/6 and 0 → median 1/12; one year ahead, damping 0.5
    assert pooled[0] == pytest.approx(6.0 + 6.0 * (1 / 12) * 0.5)
    assert pooled[1] == pytest.approx(5.0 + 5.0 * (1 / 12) * 0.5)
    assert pooled_growth_forecast(-4.0, 0.1, 1) == pytest.approx(-4.0 + 4.0 * 0.1 * 0.5)
    with pytest.raises(ValueError, match="needs groups"):
        point_forecast(Y, 5, 1, "pooled_growth")


def test_group_median() -> None:
    assert list(group_median(np.array([1.0, 3.0, nan, 10.0]), np.array([0, 0, 1, 1]))) == [
        2.0,
        2.0,
        10.0,
        10.0,
    ]


def test_interval_and_probability_from_calibration() -> None:
    normal = np.array([NormalDist().inv_cdf(p / 100) for p in PERCENTILES])
    cal = Calibration("naive", {1: normal})
    lo, hi = interval(np.array([10.0]), np.array([2.0]), 1, cal)
    assert lo[0] == pytest.approx(10 - 1.2816 * 2, abs=0.01)
    assert hi[0] == pytest.approx(10 + 1.2816 * 2, abs=0.01)
    p = probability_at_least(np.array([10.0, 10.0]), np.array([2.0, 0.0]), 1, 12.0, cal)
    assert p[0] == pytest.approx(1 - NormalDist().cdf(1.0), abs=0.01)
    assert p[1] == P_MIN  # even a zero scale never claims certainty


NORMAL = np.array([NormalDist().inv_cdf(p / 100) for p in PERCENTILES])


def test_series_scale_falls_back_to_steps_across_gaps() -> None:
    scale = series_scale(Y, 5)
    assert scale[0] == 1.0 and scale[1] == 0.0
    assert scale[2] == pytest.approx(1.0)  # 1 → 3 → 5, two years apart each
    assert np.isnan(series_scale(np.array([[nan, 4.0, nan]]), 2)[0])


def test_scale_floor_for_constant_series() -> None:
    s = floored_scale(np.array([0.0, 0.0, 5.0, 0.001]), np.array([200.0, 0.0, 10.0, 1.0]))
    assert list(s) == pytest.approx([2.0, 0.1, 5.0, 0.1])


@pytest.mark.parametrize(
    ("row", "origin", "expected"),
    [
        ([1.0, 2.0, 3.0, nan, nan], 2, True),  # three values, latest in the origin year
        ([1.0, 2.0, nan, nan, nan], 2, False),  # two values: too short
        ([1.0, 2.0, 3.0, nan, nan], 4, True),  # latest 3 years before the judging year
        ([1.0, 2.0, 3.0, nan, nan, nan], 5, False),  # 4 years: too old
        ([5.0, 5.0, 5.0, 5.0, 5.0], 4, True),  # constant series are forecast
        ([1.0, nan, 3.0, nan, 5.0], 4, True),  # every other year
        ([nan, nan, nan, nan, nan], 4, False),
    ],
)
def test_forecastable_is_the_one_rule(row: list[float], origin: int, expected: bool) -> None:
    assert bool(forecastable(np.array([row]), origin)[0]) is expected


def test_series_class() -> None:
    y = np.array(
        [
            [1.0, 2.0, 1.5, 2.5, 2.0, 3.0],  # regular
            [nan, nan, 1.0, 2.0, 1.5, 2.5],  # short (4 values)
            [1.0, 2.0, 3.0, nan, 5.0, 6.0],  # gappy
            [7.0, 7.0, 7.0, 7.0, 7.0, 7.0],  # flat
        ]
    )
    assert [CLASSES[c] for c in series_class(y, 5)] == ["regular", "short", "gappy", "flat"]


def test_percentiles_never_give_a_zero_width_interval() -> None:
    pct = empirical_percentiles(np.r_[np.zeros(95), np.linspace(-3, 3, 5)])
    assert pct[9] <= -MIN_HALF_WIDTH and pct[89] >= MIN_HALF_WIDTH
    assert np.all(np.diff(pct) > 0)


def test_per_class_percentiles_and_horizons_beyond_the_tested() -> None:
    cal = Calibration("naive", {1: NORMAL, 8: NORMAL * 3}, {"flat": {1: NORMAL * 2}})
    _, hi = interval(np.array([0.0, 0.0]), np.array([1.0, 1.0]), 1, cal, classes=np.array([0, 3]))
    assert hi[1] == pytest.approx(2 * hi[0])
    assert cal.quantile(12, 0.9) == cal.quantile(8, 0.9)  # past 8 years: the 8-year errors


def test_bounds_hold_in_interval_and_probability() -> None:
    y = np.array([[98.0, 99.0, 100.0], [3.0, 1.0, 0.0], [-1.0, 2.0, 3.0]])
    lo_b, hi_b = value_bounds(y, 2, np.array([True, False, False]))
    assert list(lo_b) == [0.0, 0.0, -np.inf] and list(hi_b) == [100.0, np.inf, np.inf]
    assert list(clip_to_bounds(np.array([101.0, -2.0, -2.0]), (lo_b, hi_b))) == [100.0, 0.0, -2.0]
    cal = Calibration("naive", {1: NORMAL})
    p = probability_at_least(
        np.array([100.0, 0.0, 0.0]), np.ones(3), 1, np.array([100.5, 0.0, -5.0]), cal,
        bounds=(lo_b, hi_b),
    )  # fmt: skip
    assert p[0] == P_MIN  # a share cannot pass 100
    assert p[1] == 1 - P_MIN  # a count is at least 0 for sure, but never claimed certain
    assert 0.99 <= p[2] < 1.0
