"""core.forecast on small known arrays."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest

from core.errors import DataError
from core.forecast import (
    CLASSES,
    MIN_HALF_WIDTH,
    P_MIN,
    PERCENTILES,
    POOLED,
    Calibration,
    apply_recalibration,
    clip_to_bounds,
    empirical_percentiles,
    fit_recalibration,
    floored_scale,
    forecastable,
    group_median,
    interval,
    isotonic,
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
from db.calibration import read_calibration

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


def test_isotonic_pools_adjacent_violators() -> None:
    assert list(isotonic(np.array([1.0, 3.0, 2.0, 4.0]))) == [1.0, 2.5, 2.5, 4.0]
    # A fall pooled twice over, weighted: (3·1 + 2·3) / 4 = 2.25, then 2.25 > 1 … no more.
    assert list(isotonic(np.array([1.0, 3.0, 2.0]), np.array([1.0, 1.0, 3.0]))) == [
        1.0, 2.25, 2.25
    ]  # fmt: skip
    assert list(isotonic(np.array([3.0, 2.0, 1.0]))) == [2.0, 2.0, 2.0]
    rng = np.random.default_rng(1)
    assert np.all(np.diff(isotonic(rng.normal(size=500))) >= 0)


def _overconfident(n: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
    """Raw probabilities whose events happen with 0.5 + 0.7 · (p − 0.5): too sure both ways."""
    rng = np.random.default_rng(7)
    p = rng.uniform(P_MIN, 1 - P_MIN, n)
    return p, (rng.uniform(size=n) < 0.5 + 0.7 * (p - 0.5)).astype(float)


def test_recalibration_is_monotone_and_corrects_overconfidence() -> None:
    p, event = _overconfident()
    knots = fit_recalibration(p, event)
    assert np.all(np.diff(knots[0]) > 0) and np.all(np.diff(knots[1]) >= 0)
    assert knots[1].min() >= P_MIN and knots[1].max() <= 1 - P_MIN
    assert knots.shape[1] <= 100  # a small table
    fixed = apply_recalibration(np.array([0.12, 0.5, 0.88]), knots)
    assert list(fixed) == pytest.approx([0.5 - 0.7 * 0.38, 0.5, 0.5 + 0.7 * 0.38], abs=0.02)
    grid = apply_recalibration(np.linspace(0, 1, 101), knots)
    assert np.all(np.diff(grid) >= 0) and grid.min() >= P_MIN and grid.max() <= 1 - P_MIN


def test_probability_at_least_applies_the_map_but_not_to_bounds() -> None:
    knots = np.array([[0.1, 0.5, 0.9], [0.2, 0.5, 0.8]])  # pulls both ends toward 0.5
    raw = Calibration("naive", {1: NORMAL})
    cal = Calibration("naive", {1: NORMAL}, recalibration={POOLED: knots})
    point, scale = np.array([10.0, 10.0, 10.0]), np.ones(3)
    thr = np.array([10.0 - NormalDist().inv_cdf(0.88), 10.0, 101.0])
    bounds = (0.0, 100.0)
    p_raw = probability_at_least(point, scale, 1, thr, raw, bounds=bounds)
    p = probability_at_least(point, scale, 1, thr, cal, bounds=bounds)
    assert p_raw[0] == pytest.approx(0.88, abs=0.005)
    assert p[0] == pytest.approx(0.2 + 0.6 * (0.88 - 0.1) / 0.8, abs=0.005)  # ≈ 0.785
    assert p[0] < p_raw[0]
    assert p[1] == pytest.approx(0.5, abs=0.01)
    assert p[2] == P_MIN  # past a share's 100: out of reach, the map does not touch it
    assert list(probability_at_least(point, scale, 1, thr, cal, bounds=bounds,
                                     recalibrated=False)) == list(p_raw)  # fmt: skip
    # A horizon's own map wins over the pooled one.
    own = Calibration("naive", {1: NORMAL}, recalibration={POOLED: knots, 1: knots[:, [0, 2]]})
    assert own.recalibrate(1, np.array([0.5]))[0] == pytest.approx(0.5)
    assert own.recalibrate(3, np.array([0.88]))[0] == pytest.approx(p[0], abs=0.005)


CAL_HEADER = "method,horizon,selected,class," + ",".join(f"p{q}" for q in PERCENTILES)


def _calibration_file(tmp_path):
    path = tmp_path / "forecast_calibration.csv"
    row = ",".join(f"{v:.6g}" for v in NORMAL)
    path.write_text(f"{CAL_HEADER}\npooled_growth,1,1,all,{row}\nnaive,1,0,all,{row}\n")
    return path


def test_read_calibration_without_recalibration_file_is_identity(tmp_path) -> None:
    cal = read_calibration(_calibration_file(tmp_path))
    assert cal.method == "pooled_growth" and cal.recalibration == {}
    assert list(cal.recalibrate(1, np.array([0.88]))) == [0.88]


def test_read_calibration_reads_the_recalibration_map(tmp_path) -> None:
    path = _calibration_file(tmp_path)
    (tmp_path / "forecast_recalibration.csv").write_text(
        "method,horizon,raw,recalibrated\n"
        "pooled_growth,all,0.1,0.15\npooled_growth,all,0.9,0.82\n"
        "pooled_growth,1,0.1,0.12\npooled_growth,1,0.5,0.5\npooled_growth,1,0.9,0.85\n"
    )
    cal = read_calibration(path)
    assert set(cal.recalibration) == {POOLED, 1}
    assert cal.recalibrate(1, np.array([0.9]))[0] == pytest.approx(0.85)
    assert cal.recalibrate(4, np.array([0.9]))[0] == pytest.approx(0.82)  # pooled
    p = probability_at_least(np.array([10.0]), np.array([1.0]), 2, 8.83, cal)
    assert p[0] < 0.88


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        ("naive,all,0.1,0.2\n", "gäller metoden naive"),
        ("pooled_growth,all,0.1,0.5\npooled_growth,all,0.9,0.4\n", "inte växande"),
        ("pooled_growth,all,0.1,0.0\n", "inte växande"),
        ("pooled_growth,all,x,0.5\n", "kan inte läsas"),
    ],
)
def test_read_calibration_rejects_a_bad_recalibration(tmp_path, rows: str, words: str) -> None:
    path = _calibration_file(tmp_path)
    (tmp_path / "forecast_recalibration.csv").write_text("method,horizon,raw,recalibrated\n" + rows)
    with pytest.raises(DataError, match=words):
        read_calibration(path)


def test_shrunk_trend_candidate_blends_own_slope_and_pooled_trend() -> None:
    """bench.backtest's candidate: w · theil_sen + (1 − w) · pooled_growth, one key per
    weight on the grid, a plain key for the chosen weight."""
    from bench.backtest import Origin, points

    n = 2
    org = Origin(
        rows=np.arange(n),
        last=np.array([10.0, 50.0]),
        last_idx=np.array([5, 5]),
        scale=np.ones(n),
        cls=np.zeros(n, dtype=int),
        n_points=np.full(n, 6),
        slope=np.array([2.0, np.nan]),
        dslope=np.zeros(n),
        growth=np.array([0.1, 0.02]),
        bounds=(np.full(n, -np.inf), np.full(n, np.inf)),
        near_bound=np.zeros(n, dtype=bool),
    )
    grid = points(org, 2, (0.25, 0.5))
    one = points(org, 2, (0.25,))
    for key, pts, w in (("shrunk_trend@0.25", grid, 0.25), ("shrunk_trend", one, 0.25)):
        expected = w * pts["theil_sen"] + (1 - w) * pts["pooled_growth"]
        assert pts[key] == pytest.approx(expected)
    # theil_sen 10 + 2 · 2 = 14; pooled 10 + 10 · 0.1 · (0.5 + 0.25) = 10.75
    assert grid["shrunk_trend@0.5"][0] == pytest.approx(0.5 * 14.0 + 0.5 * 10.75)
    assert "shrunk_trend" not in points(org, 2)


def test_stored_calibration_selects_a_method_the_dashboard_implements() -> None:
    """The back-test may report candidates, but the file the dashboard reads holds only
    core.forecast.METHODS, one of them selected."""
    import csv

    from config import PROJECT_ROOT
    from core.forecast import METHODS

    with (PROJECT_ROOT / "data" / "forecast_calibration.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["method"] for r in rows} <= set(METHODS)
    assert len({r["method"] for r in rows if r["selected"] == "1"}) == 1


def test_kpi_scale_multiplier_is_shrunk_toward_one() -> None:
    """The per-KPI scale candidate: m = w · r + (1 − w), r clipped, 1 without history."""
    from core.forecast import kpi_scale_multiplier

    r = np.array([2.0, 2.0, 10.0, 0.0, np.nan])
    n = np.array([100, 10, 100, 100, 100])
    m = kpi_scale_multiplier(r, n, 0.25, min_errors=30, limits=(0.25, 4.0))
    assert m == pytest.approx([1.25, 1.0, 1.75, 1 - 0.25 * 0.75, 1.0])
    assert kpi_scale_multiplier(r, n, 0.0) == pytest.approx(np.ones(5))
    assert kpi_scale_multiplier(r, n, 1.0)[2] == pytest.approx(4.0)


def test_kpi_error_quantiles_see_no_outcome_after_the_cutoff() -> None:
    """bench.backtest's per-KPI history: at a cutoff only errors whose outcome column is at
    or before it count (no look-ahead), per KPI, with how many there are."""
    from bench.backtest import group_quantiles_up_to

    groups = np.array([0, 0, 0, 1, 1, 0])
    cols = np.array([1, 2, 5, 1, 3, 6])
    values = np.array([1.0, 2.0, 100.0, 3.0, 4.0, 50.0])
    out = group_quantiles_up_to(groups, cols, values, 3, [0, 2, 5], 0.5)
    med, n = out[2]
    assert med[:2] == pytest.approx([1.0, 3.0]) and np.isnan(med[2])
    assert n.tolist() == [2, 1, 0]
    med, n = out[5]
    assert med[:2] == pytest.approx([2.0, 3.0]) and n.tolist() == [3, 2, 0]
    assert np.isnan(out[0][0]).all() and out[0][1].tolist() == [0, 0, 0]
    q80, _ = group_quantiles_up_to(groups, cols, values, 3, [5], 0.8)[5]
    assert q80[0] == pytest.approx(100.0)  # rank ceil(0.8 · 3) = 3 of 1, 2, 100
