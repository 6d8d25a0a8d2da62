"""core.judging: the rules that judge goal indicators and goals on a date, the results the
ETL materialises from the real data, and the three callers (ETL, report freezer, what-if)
agreeing on the same inputs."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import duckdb
import numpy as np
import pytest

from config import Paths
from core.forecast import Calibration
from core.judging import (
    NO_LOCAL_VALUES,
    FrameworkSchedule,
    GoalInput,
    IndicatorInput,
    JudgedIndicator,
    JudgingInputs,
    Publication,
    checkpoint_dates,
    group_local_versions,
    is_bounded_share,
    is_known,
    judge_all,
    latest_assessment,
    local_version_in_force,
    pick_ambition,
    pick_series,
    pooled_growth_by_origin,
    rank_among,
    vintage_date,
)
from core.people import LocalRow, LocalVersion
from core.status import SEVERITY, Ambition, Status, judge_series
from db import queries
from etl.pipeline import build_offline
from tests.conftest import goal_file_without_proposals


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


def test_accepted_limit_is_never_the_target_judged_against() -> None:
    # The floor on the period's last day must not stand in for the periodmål there.
    limit = Ambition(dt.date(2022, 12, 31), 60, kind="accepterad gräns")
    target = Ambition(dt.date(2022, 12, 31), 90, kind="periodmål")
    assert pick_ambition([limit, target], dt.date(2022, 4, 30)) is target
    assert pick_ambition([limit], dt.date(2022, 4, 30)) is None


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
        if judged and all(s == "Uppnått" for s in statuses):
            assert status == "Uppnått", (m, goal)
        elif judged:
            # Uppnått only when every indicator is; else the weakest judged one decides.
            weakest = max(severity[s] for s in judged)
            assert severity[status] == max(weakest, severity["På väg"]), (m, goal)
        else:
            assert status == "Ej bedömbart"


def test_relative_position_matches_a_direct_ranking(con: duckdb.DuckDBPyConnection) -> None:
    rank, n, quartile = con.execute(
        """
        SELECT rank_all, n_all, quartile_all FROM indicator_result
        WHERE municipality_id = '1962' AND indicator_id = 'n1-behoriga-yrkesprogram'
          AND as_of = (SELECT CAST(value AS DATE) FROM meta WHERE key = 'data_date')
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
        SELECT latest_year, horizon_years, point, lo80, hi80, basis, target_date
        FROM indicator_result
        WHERE municipality_id = '1962' AND checkpoint_label LIKE '%2021'
          AND point IS NOT NULL
        """
    ).fetchall()
    assert len(rows) > 30
    for latest, horizon, point, lo, hi, basis, target_date in rows:
        # Against a (proposed) target: to the target's year (the 2021 delmål); by direction
        # only: to the period's end.
        assert latest + horizon == (target_date.year if basis == "mål" else 2022)
        assert lo <= point <= hi
    assert any(basis == "mål" for *_, basis, _ in rows)
    assert any(basis != "mål" for *_, basis, _ in rows)


def test_checkpoint_dates_within_period_and_up_to_the_data_date() -> None:
    f = FrameworkSchedule(
        "f", dt.date(2020, 1, 1), dt.date(2022, 12, 31), (("Delår", "08-31"), ("ÅR", "12-31"))
    )
    dates = checkpoint_dates([f], dt.date(2021, 9, 1))["f"]
    assert dates == [
        (dt.date(2020, 8, 31), "Delår 2020"),
        (dt.date(2020, 12, 31), "ÅR 2020"),
        (dt.date(2021, 8, 31), "Delår 2021"),
        (dt.date(2021, 9, 1), None),  # the data date itself, unlabelled
        (dt.date(2021, 12, 31), "ÅR 2021"),  # the next checkpoint
    ]


def test_what_counts_as_known_on_a_date() -> None:
    # The publication-aware rule is tests/test_vintage.py's; a KPI published on 1 January
    # is known from the day after its year, and never within it.
    new_year = Publication(years_after=1, month=1, day=1)
    assert not is_known(2022, dt.date(2022, 12, 31), new_year)
    assert is_known(2022, dt.date(2023, 1, 1), new_year)
    revised = dt.date(2026, 9, 1)
    assert vintage_date(dt.date(2026, 8, 31), revised) == dt.date(2026, 8, 31)
    assert vintage_date(dt.date(2026, 9, 1), revised) is None  # current values
    assert vintage_date(dt.date(2020, 1, 1), None) is None  # no live run changed anything


def test_bounded_share_from_unit_or_title() -> None:
    assert is_bounded_share("%", None)
    assert is_bounded_share(None, "Andel elever med examen")
    assert not is_bounded_share("kr/inv", "Kostnad per invånare")
    assert is_bounded_share(None, "Invånare 0-19 år i ekonomiskt utsatta hushåll, andel (%)")
    assert is_bounded_share(None, "Elever i åk 9 som är behöriga till yrkesprogram, %")
    # Not shares, though a title rule reading "%" or "andel" anywhere took them for one.
    assert not is_bounded_share(None, "Anmälda brott om misshandel, antal/100 000 inv")
    assert not is_bounded_share(None, "Antal elever med betyg i åk 9 (75-99 %)")


def test_rank_by_desired_direction_with_ties_and_peers() -> None:
    values = {"a": 10.0, "b": 20.0, "c": 20.0, "d": 30.0}
    up = rank_among(values, "b", "öka", peers=["a", "d"])
    assert (up.rank_all, up.n_all, up.quartile_all) == (2, 4, 2)  # only d is better
    assert (up.rank_peers, up.n_peers) == (2, 3)
    down = rank_among(values, "b", "minska", peers=[])
    assert down.rank_all == 2 and down.rank_peers is None  # a alone is better
    assert rank_among(values, "b", "bevaka", peers=[]) is None
    assert rank_among(values, "x", "öka", peers=[]) is None


def test_latest_assessment_on_or_before_the_date() -> None:
    items = [(dt.date(2021, 4, 30), "På väg", "april"), (dt.date(2021, 8, 31), "Osäkert", "aug")]
    assert latest_assessment(items, dt.date(2021, 8, 30)) == items[0]
    assert latest_assessment(items, dt.date(2021, 8, 31)) == items[1]
    assert latest_assessment(items, dt.date(2020, 1, 1)) is None


# ------------------------------------------------------------------ the three callers agree

INDICATOR = "n1-behoriga-yrkesprogram"  # N15428, öka, share: Norberg's goal file
TARGET = 85.0


@pytest.fixture(scope="module")
def ambition_db(tmp_path_factory: pytest.TempPathFactory, tiny_paths: Paths) -> Paths:
    """Norberg's goal file with a target value on one indicator, built by the real pipeline
    from the tiny real Kolada snapshot."""
    root = tmp_path_factory.mktemp("judging")
    goals = root / "goals"
    goals.mkdir()
    text = goal_file_without_proposals("1962-norberg.yaml", root / "pristine.yaml").read_text(
        encoding="utf-8"
    )
    marked = text.replace(
        "                kpi: N15428\n",
        "                kpi: N15428\n"
        "                ambitions:\n"
        f"                  - {{kind: periodmål, date: '2022-12-31', value: {TARGET}, "
        "provenance: beslut, decision: 'KF 2020-06-15 § 40'}\n",
        1,
    )
    assert marked != text
    (goals / "1962-norberg.yaml").write_text(marked, encoding="utf-8")
    state = root / "state"
    state.mkdir()
    paths = replace(
        tiny_paths,
        goals_dir=goals,
        db_path=state / "malpuls.duckdb",
        status_path=state / "etl_status.json",
        reports_dir=state / "reports",
    )
    build_offline(paths, now=dt.datetime(2026, 1, 1), progress=lambda _m: None)
    return paths


FIELDS = ("status", "reason", "latest_year", "horizon_years", "point", "lo80", "hi80", "p_met")


def test_etl_freezer_and_what_if_judge_alike(
    ambition_db: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One indicator with a target, judged on its past checkpoints by the ETL (stored
    rows), the report freezer and the what-if (the same target typed in): identical
    results. Mid-year checkpoints too, where the KPI's publication pattern decides which
    years are known."""
    from reports.freeze import build_report
    from ui.whatif import what_if

    con = duckdb.connect(str(ambition_db.db_path), read_only=True)
    try:
        names = ", ".join(FIELDS)
        rows = con.execute(
            f"""
            SELECT as_of, {names} FROM indicator_result
            WHERE municipality_id = '1962' AND indicator_id = ? AND checkpoint_label IS NOT NULL
              AND p_met IS NOT NULL
            ORDER BY as_of
            """,
            [INDICATOR],
        ).fetchall()
        overview = queries.query_indicator_overview(con, "1962")
    finally:
        con.close()
    assert {as_of.month for as_of, *_ in rows} >= {6, 12}  # mid-year and year-end
    monkeypatch.setenv("MALPULS_DATA_DIR", str(ambition_db.db_path.parent))
    row = overview[overview["indicator_id"] == INDICATOR].iloc[0]
    for as_of, *stored in rows:
        assert stored[FIELDS.index("horizon_years")] >= 1  # a real forecast against the target
        report, _ = build_report(ambition_db, "1962", as_of, dt.datetime(2026, 1, 1))
        frozen = next(i for i in report.indicators if i.indicator_id == INDICATOR)
        live = what_if("1962", row, TARGET, 2022, as_of)
        assert [getattr(frozen, f) for f in FIELDS] == pytest.approx(stored), as_of
        assert [getattr(live, f) for f in FIELDS] == pytest.approx(stored), as_of


def test_checkpoint_dates_shared_by_a_municipality_with_standard_dates() -> None:
    """A framework without checkpoints is followed up on the standard report dates, and all
    of a municipality's frameworks share every date."""
    plain = FrameworkSchedule("v", dt.date(2024, 1, 1), dt.date(2030, 12, 31), (), "0685")
    named = FrameworkSchedule(
        "n", dt.date(2024, 1, 1), dt.date(2024, 12, 31), (("Halvår", "06-30"),), "0685"
    )
    dates = checkpoint_dates([plain, named], dt.date(2024, 8, 30))
    assert dates["v"] == [
        (dt.date(2024, 4, 30), "Delårsrapport per 30 april 2024"),
        (dt.date(2024, 6, 30), "Halvår 2024"),  # the other framework's checkpoint, shared
        (dt.date(2024, 8, 30), None),  # the data date
        (dt.date(2024, 8, 31), "Delårsrapport per 31 augusti 2024"),  # the next checkpoint
    ]
    assert [d for d, _ in dates["n"]] == [d for d, _ in dates["v"]]


# ------------------------------------------------------------------ local indicators

UPLOADED = dt.datetime(2023, 3, 15, 14, 30)


def _upload(version: int, at: dt.datetime, rows: tuple[LocalRow, ...]) -> LocalVersion:
    return LocalVersion("1962", "lokal", version, rows, "%", "f.csv", "anna", at)


def _local_inputs(*versions: LocalVersion, gender: str = "T") -> JudgingInputs:
    ambition = Ambition(dt.date(2022, 12, 31), 10.0, "periodmål", "beslut")
    return JudgingInputs(
        indicators=(_inp(indicator_id="lokal", kpi_id=None, ambitions=(ambition,), gender=gender),),
        goals=(
            GoalInput("1962", "g", "f", "styrande", "mätbart", "antagen", dt.date(2026, 12, 31)),
        ),
        frameworks=(
            FrameworkSchedule("f", dt.date(2023, 1, 1), dt.date(2026, 12, 31), (), "1962"),
        ),
        local=group_local_versions(versions),
    )


class _NoKolada:
    """A ValueSource that fails if a local indicator asks Kolada for anything."""

    def series(self, *_a: object) -> dict:
        raise AssertionError("a local indicator read Kolada values")

    def growth(self, *_a: object) -> dict:
        raise AssertionError("a local indicator read a KPI trend")

    def kommun_values(self, *_a: object) -> dict:
        raise AssertionError("a local indicator was ranked")


def _judge_local(inputs: JudgingInputs, *days: dt.date) -> list[JudgedIndicator]:
    judged, _ = judge_all(
        inputs,
        _NoKolada(),
        Calibration("naive", {}),
        max(days),
        dates=[(d, None) for d in days],
    )
    return judged


def test_local_version_in_force_counts_from_its_upload_day() -> None:
    first = _upload(1, UPLOADED, ())
    second = _upload(2, dt.datetime(2023, 9, 1, 8, 0), ())
    assert local_version_in_force([second, first], dt.date(2023, 3, 14)) is None
    assert local_version_in_force([second, first], dt.date(2023, 3, 15)) == first  # same day
    assert local_version_in_force([second, first], dt.date(2023, 8, 31)) == first
    assert local_version_in_force([second, first], dt.date(2023, 9, 1)) == second
    assert local_version_in_force([], dt.date(2030, 1, 1)) is None


def test_local_indicator_judged_on_its_uploads_by_the_same_rules() -> None:
    """Version 1 (uploaded in March) meets the target; version 2 (September) revises 2022
    below it. Each date is judged on the upload in force then, with the reason naming it and
    the series holding the uploaded values used (not the current year's)."""
    meets = (LocalRow(2020, 8.0), LocalRow(2021, 9.0), LocalRow(2022, 12.0), LocalRow(2023, 1.0))
    misses = (LocalRow(2020, 8.0), LocalRow(2021, 9.0), LocalRow(2022, 9.5))
    inputs = _local_inputs(_upload(2, dt.datetime(2023, 9, 1), misses), _upload(1, UPLOADED, meets))
    before, spring, autumn = _judge_local(
        inputs, dt.date(2023, 2, 28), dt.date(2023, 4, 30), dt.date(2023, 12, 31)
    )
    assert before.result.status == Status.NOT_JUDGEABLE
    assert (
        before.result.reason
        == NO_LOCAL_VALUES
        == "Lokal indikator: inga värden har laddats upp ännu."
    )
    assert before.series == ([], []) and before.local is None

    direct = judge_series(
        [2020, 2021, 2022],
        [8.0, 9.0, 12.0],
        direction="öka",
        as_of=dt.date(2023, 4, 30),
        ambition=inputs.indicators[0].ambitions[0],
        calibration=Calibration("naive", {}),
        forecast_year=2026,
    )
    assert spring.result.status == Status.MET == direct.status
    assert spring.result.reason == (
        "Lokal indikator, bedömd på kommunens egna värden (uppladdad version 1, 2023-03-15). "
        + direct.reason
    )
    assert spring.kpi is None and spring.rank is None and spring.local.version == 1
    assert spring.series == ([2020, 2021, 2022], [8.0, 9.0, 12.0])  # 2023: not yet judged

    assert autumn.result.status == Status.OFF_TRACK
    assert "uppladdad version 2, 2023-09-01" in autumn.result.reason
    assert autumn.series == ([2020, 2021, 2022], [8.0, 9.0, 9.5])
    assert autumn.result.latest_value == 9.5


def test_local_indicator_takes_the_rows_of_its_gender() -> None:
    rows = (
        LocalRow(2021, 5.0, "T"),
        LocalRow(2022, 6.0, "T"),
        LocalRow(2021, 11.0, "K"),
        LocalRow(2022, 12.0, "K"),
        LocalRow(2022, 1.0, "M"),
    )
    (women,) = _judge_local(
        _local_inputs(_upload(1, UPLOADED, rows), gender="K"), dt.date(2023, 4, 30)
    )
    assert women.series == ([2021, 2022], [11.0, 12.0])
    assert women.result.status == Status.MET
    (total,) = _judge_local(_local_inputs(_upload(1, UPLOADED, rows)), dt.date(2023, 4, 30))
    assert total.series == ([2021, 2022], [5.0, 6.0])
    assert total.result.status == Status.OFF_TRACK


def test_only_keeps_the_municipalitys_uploads() -> None:
    mine = _upload(1, UPLOADED, ())
    other = LocalVersion("0685", "lokal", 1, (), None, "f.csv", "bo", UPLOADED)
    inputs = replace(_local_inputs(mine), local=group_local_versions([mine, other]))
    assert inputs.only("1962").local == {("1962", "lokal"): (mine,)}
