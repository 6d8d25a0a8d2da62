"""core.engine rules, and the results the ETL materialises from the real data."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pytest

from core.engine import IndicatorInput, pick_ambition, pick_series, pooled_growth_by_origin
from core.status import SEVERITY, Ambition


def _inp(**kw: object) -> IndicatorInput:
    base = {
        "municipality_id": "1962",
        "indicator_id": "i",
        "goal_id": "g",
        "kpi_id": "OLD",
        "successor_kpi_id": None,
        "kpi_retired": False,
        "direction": "öka",
        "bounded_share": False,
        "ambitions": (),
    }
    return IndicatorInput(**{**base, **kw})


def test_pick_ambition_next_then_last() -> None:
    a = [Ambition(dt.date(2022, 12, 31), 90), Ambition(dt.date(2020, 12, 31), 80)]
    assert pick_ambition(a, dt.date(2020, 8, 31)).value == 80
    assert pick_ambition(a, dt.date(2021, 4, 30)).value == 90
    assert pick_ambition(a, dt.date(2023, 4, 30)).value == 90
    assert pick_ambition([], dt.date(2023, 4, 30)) is None


def test_pick_series_never_joins_across_a_break() -> None:
    series = {"OLD": ([2018, 2019], [1.0, 2.0]), "NEW": ([2021], [5.0])}
    retired = _inp(kpi_retired=True, successor_kpi_id="NEW")
    assert pick_series(retired, series) == ("NEW", series["NEW"])
    no_data_yet = _inp(kpi_retired=True, successor_kpi_id="NEW2")
    assert pick_series(no_data_yet, series) == ("OLD", series["OLD"])
    current = _inp(successor_kpi_id="NEW")  # not retired: keep its own series
    assert pick_series(current, series)[0] == "OLD"


def test_pooled_growth_by_origin() -> None:
    m = np.array([[10.0, 11.0, 12.0], [20.0, 20.0, 20.0], [5.0, 5.5, 6.0]])
    g = pooled_growth_by_origin(m, 2020, [2021, 2022])
    # 2022: relative slopes 1/12, 0, 0.5/6 → median 1/12
    assert g[2022] == pytest.approx(1 / 12)


def test_materialised_goal_status_is_its_weakest_indicator(
    con: duckdb.DuckDBPyConnection,
) -> None:
    severity = SEVERITY
    rows = con.execute(
        """
        SELECT g.municipality_id, g.goal_id, g.status, list(i.status)
        FROM goal_result g JOIN indicator_result i
          ON i.municipality_id = g.municipality_id AND i.goal_id = g.goal_id
         AND i.as_of = g.as_of
        GROUP BY ALL
        """
    ).fetchall()
    assert rows
    for m, goal, status, statuses in rows:
        judged = [s for s in statuses if s in severity]
        if judged:
            assert severity[status] == max(severity[s] for s in judged), (m, goal)
        else:
            assert status == "Ej bedömbart"


def test_relative_position_matches_a_direct_ranking(con: duckdb.DuckDBPyConnection) -> None:
    rank, n, quartile = con.execute(
        """
        SELECT rank_all, n_all, quartile_all FROM indicator_result
        WHERE municipality_id = '1962' AND indicator_id = 'n1-behoriga-yrkesprogram'
          AND checkpoint_label IS NULL
        """
    ).fetchall()[0]
    values = con.execute(
        """
        SELECT v.municipality_id, v.value FROM kolada_value v
        JOIN municipality m ON m.id = v.municipality_id AND m.type = 'K'
        WHERE v.kpi = 'N15428' AND v.gender = 'T' AND v.year = 2022
        """
    ).fetchall()
    own = dict(values)["1962"]
    assert n == len(values)
    assert rank == 1 + sum(1 for _, v in values if v > own)  # higher is better
    assert quartile == 1 + (4 * (rank - 1)) // n


def test_results_are_labelled_and_explainable(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT status, reason, thresholds FROM indicator_result WHERE basis = 'riktning'"
    ).fetchall()
    assert rows and all(reason for _, reason, _ in rows)
    judged = [t for s, _, t in rows if s in ("Förbättras", "Oförändrat", "Försämras")]
    assert judged and all("normalt_brus" in t for t in judged)


def test_checkpoint_results_forecast_to_period_end(con: duckdb.DuckDBPyConnection) -> None:
    """At Norberg's 2021 checkpoints the data reaches 2020 and the period ends 2022: the
    judged indicators carry a two-year forecast with an interval."""
    rows = con.execute(
        """
        SELECT latest_year, horizon_years, point, lo80, hi80 FROM indicator_result
        WHERE municipality_id = '1962' AND checkpoint_label LIKE '%2021'
          AND point IS NOT NULL
        """
    ).fetchall()
    assert len(rows) > 30
    for latest, horizon, point, lo, hi in rows:
        assert latest + horizon == 2022
        assert lo <= point <= hi
