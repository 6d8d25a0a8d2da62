"""core.breaks: level breaks found in a KPI's panel, and judging after the latest one
(issue 15, item 3)."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pytest

from core.breaks import level_breaks, segment_start
from core.judging import IndicatorInput, KpiTrend, judge_indicator, panel_growth
from core.status import Ambition, Status
from tests.test_status import CAL

YEARS = list(range(2010, 2023))
KOMMUNER = [f"{1000 + 10 * i}" for i in range(40)]


def _indicator() -> IndicatorInput:
    return IndicatorInput(
        municipality_id="1962",
        indicator_id="i",
        goal_id="g",
        kpi_id="K",
        successor_kpi_id=None,
        kpi_retired=False,
        direction="minska",
        bounded_share=True,
        ambitions=(Ambition(dt.date(2026, 12, 31), 10.0),),
    )


Panel = list[tuple[str, list[int], list[float]]]


def _panel(
    level_of_year: dict[int, float] | None = None, own: tuple[str, int] | None = None
) -> Panel:
    """40 kommuner and Riket with a gentle, noisy common trend; `level_of_year` multiplies
    every geography's values from a year on (a redefinition), `own` one kommun's."""
    rng = np.random.default_rng(7)
    panel = []
    for geo in ["0000", *KOMMUNER]:
        base = rng.uniform(10, 30)
        values = []
        for y in YEARS:
            v = base * (1.01 ** (y - 2010)) * rng.normal(1, 0.02)
            for start, factor in (level_of_year or {}).items():
                if y >= start:
                    v *= factor
            if own and geo == own[0] and y >= own[1]:
                v *= 0.6
            values.append(v)
        panel.append((geo, YEARS, values))
    return panel


def test_a_jump_shared_by_all_is_a_break() -> None:
    panel = _panel({2019: 0.68})
    assert level_breaks(panel) == (2019,)
    assert segment_start(panel, 2022) == 2019
    # Never seen before the year is known, nor before the years after it tell a break
    # from a shock that returns.
    assert segment_start(panel, 2018) is None
    assert segment_start(panel, 2020) is None
    assert segment_start(panel, 2021) == 2019


def test_one_kommuns_own_jump_is_no_break() -> None:
    assert level_breaks(_panel(own=(KOMMUNER[3], 2019))) == ()


def test_a_smooth_trend_is_no_break() -> None:
    assert level_breaks(_panel()) == ()


def test_a_shock_that_returns_is_no_break_once_the_return_is_known() -> None:
    panel = _panel({2020: 0.6, 2022: 1 / 0.6})
    assert level_breaks(panel) == ()


def test_riket_moving_the_other_way_is_no_break() -> None:
    panel = _panel({2019: 0.68})
    geo, ys, vs = panel[0]
    panel[0] = (geo, ys, [v / 0.68**2 if y >= 2019 else v for y, v in zip(ys, vs, strict=True)])
    assert level_breaks(panel) == ()


def test_pooled_trend_and_judgement_start_at_the_break() -> None:
    panel = _panel({2019: 0.68})
    trends = panel_growth(panel)
    assert trends[2022].since == 2019 and trends[2020].since is None
    # The pooled trend after the break is the gentle common one, not the fall across it.
    assert trends[2020].growth < 0 < trends[2022].growth
    # A series that fell by a third in 2019 and worsened (rose) after it: judged from 2019.
    years, values = YEARS, [21.0] * 9 + [14.4, 14.6, 14.9, 15.3]
    inp = _indicator()
    _, res = judge_indicator(
        inp,
        {"K": (years, values)},
        as_of=dt.date(2024, 6, 1),
        calibration=CAL,
        growth={("K", 2022): trends[2022]},
    )
    assert res.reason.startswith("Serien bryts 2019 (nivåskifte i hela riket); bedömd från 2019.")
    assert res.base_year == 2019 and res.n_points == 4
    assert res.change_per_year > 0  # worsening, not the fall across the break
    # Too short after the break: said so, not judged across it.
    _, short = judge_indicator(
        inp,
        {"K": (years[:11], values[:11])},
        as_of=dt.date(2022, 6, 1),
        calibration=CAL,
        growth={("K", 2020): KpiTrend(None, 2019)},
    )
    assert "bara 2 värden" in short.reason and short.base_year == 2019
    assert short.status != Status.ON_TRACK


def test_norberg_low_income_not_judged_across_the_2019_break(
    tiny_con: duckdb.DuckDBPyConnection,
) -> None:
    """U01803 ("Invånare 18-64 år med låg inkomst") for Norberg on the real tiny
    database: Riket and every kommun fell in 2019 (a redefinition); the stored results on
    the data date judge only 2019 on."""
    rows = tiny_con.execute(
        """
        SELECT base_year, reason, change_per_year, status FROM indicator_result
        WHERE municipality_id = '1962' AND judged_kpi_id = 'U01803'
          AND checkpoint_label IS NULL
        """
    ).fetchall()
    if not rows:
        pytest.skip("U01803 is not judged for 1962 in the goal files")
    for base_year, reason, change, _status in rows:
        assert base_year == 2019
        assert reason.startswith("Serien bryts 2019 (nivåskifte i hela riket)")
        assert change is None or change >= 0  # worsening since the break, not improving


def test_agenda_kpi_judged_after_its_break(tiny_con: duckdb.DuckDBPyConnection) -> None:
    """The Agenda 2030 results take the same cut: N07900 (fast bredband ≥ 100 Mbit/s)
    fell in 2010 in Riket and nine kommuner in ten, a change of measure."""
    rows = tiny_con.execute(
        "SELECT reason FROM sdg_kpi_result WHERE kpi_id = 'N07900' AND n_points > 0"
    ).fetchall()
    assert rows
    assert all(r.startswith("Serien bryts 2010 (nivåskifte i hela riket)") for (r,) in rows)
