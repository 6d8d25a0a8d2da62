"""core.forecast on small known arrays."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest

from core.forecast import (
    PERCENTILES,
    Calibration,
    group_median,
    interval,
    last_value,
    noise_scale,
    point_forecast,
    pooled_growth_forecast,
    probability_at_least,
    theil_sen_slope,
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
    assert p[1] == 0.0  # a constant series never moves
