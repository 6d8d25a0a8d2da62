"""core.scope: what the nightly run fetches and whether it is full or incremental."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from core.goals import ReferenceData
from core.scope import (
    FetchPart,
    RunMode,
    Scope,
    decide_mode,
    peer_group,
    plan_fetch,
    plan_scope,
    region_of,
)
from etl.goal_files import read_goal_files

NOW = dt.datetime(2026, 11, 22, 3, 0)


def test_region_of_uses_county_code() -> None:
    assert region_of("0665") == "0006"
    assert region_of("1962") == "0019"


def test_peer_group_picks_newest_overall_group() -> None:
    groups = [
        ("G1", "Liknande kommuner, övergripande, Norberg, 2024", ["0001"]),
        ("G2", "Liknande kommuner, övergripande, Norberg, 2025", ["0002", "0003"]),
        ("G3", "Liknande kommuner grundskola, Norberg, 2026", ["0004"]),
        ("G4", "Liknande kommuner, övergripande, Norbergs, 2030", ["0005"]),
    ]
    assert peer_group(groups, "Norberg") == ("G2", ["0002", "0003"])
    assert peer_group(groups, "Vaggeryd") is None


def test_scope_from_real_goal_files(goals_dir: Path, reference: ReferenceData) -> None:
    files = read_goal_files(goals_dir, reference)
    geos = [f"{i:04d}" for i in range(0, 3000)]
    groups = [("G37477", "Liknande kommuner, övergripande, Norberg, 2025", ["1060", "1272"])]
    kpi_groups = [("GK1", "Analys", ["N00001", "N15428"])]
    scope = plan_scope(
        files,
        geographies=geos,
        municipality_groups=groups,
        kpi_groups=kpi_groups,
        extra_kpis=["N99999"],
        extra_kpi_groups=["GK1"],
        known_kpis={"N00001", "N15428"},
    )
    assert "N15428" in scope.goal_kpis and "N15643" in scope.goal_kpis  # successor included
    assert scope.extra_kpis == ("N00001",)  # goal KPI not repeated; unknown id dropped
    assert {"1962", "0665", "0685", "0000", "0019", "0006", "1060", "1272"} <= set(
        scope.core_geographies
    )
    # A full run: the goal KPIs for every geography in KPI batch × year batch questions
    # (1990–2027: two year batches), the extra KPI for the core ones in one question.
    full = plan_fetch(scope, RunMode("full", None, ""), years=range(1990, 2028))
    assert sum(p.requests for p in full) == -(-len(scope.goal_kpis) // 25) * 2 + 1


def test_decide_mode() -> None:
    day = dt.timedelta(days=1)
    kw = {"full_reload_days": 7, "safety_margin_days": 3}
    assert (
        decide_mode(now=NOW, full=True, since=None, last_success=NOW, last_full=NOW, **kw).mode
        == "full"
    )
    first = decide_mode(now=NOW, full=False, since=None, last_success=None, last_full=None, **kw)
    assert first.mode == "full" and first.from_date is None
    stale = decide_mode(
        now=NOW, full=False, since=None, last_success=NOW - day, last_full=NOW - 8 * day, **kw
    )
    assert stale.mode == "full"
    inc = decide_mode(
        now=NOW, full=False, since=None, last_success=NOW - day, last_full=NOW - 2 * day, **kw
    )
    assert (inc.mode, inc.from_date) == ("incremental", dt.date(2026, 11, 18))
    since = decide_mode(
        now=NOW, full=False, since=dt.date(2026, 1, 1), last_success=None, last_full=None, **kw
    )
    assert (since.mode, since.from_date) == ("incremental", dt.date(2026, 1, 1))


def test_plan_fetch_asks_for_kpis_new_to_the_scope_whole() -> None:
    """Incremental: changes since from_date, except a KPI with no history to add them to
    (issue 14): that one is asked for whole, for its own geographies."""
    scope = Scope(("A", "B", "C"), ("X", "Y"), GEOS, ("0000", "0006", "0665"))
    since = dt.date(2026, 11, 18)
    plan = plan_fetch(
        scope, RunMode("incremental", since, ""), years=YEARS, backfill={"B", "Y", "Z"}
    )
    assert [(p.kpis, p.geographies, p.from_date, bool(p.years)) for p in plan] == [
        (("A", "C"), GEOS, since, True),  # every municipality at once, per year batch
        (("X",), scope.core_geographies, since, False),
        (("B",), GEOS, None, True),
        (("Y",), scope.core_geographies, None, False),
    ]
    assert [p.requests for p in plan] == [2, 1, 2, 1]
    nothing_new = plan_fetch(scope, RunMode("incremental", since, ""), years=YEARS)
    assert all(p.from_date == since for p in nothing_new)
    assert sum(p.requests for p in nothing_new) == 3
    # A full run asks for everything anyway: every geography per year batch (2 questions,
    # not 13 municipality batches), the core geographies with the KPIs named (1).
    full = plan_fetch(scope, RunMode("full", None, ""), years=YEARS, backfill={"B"})
    assert [(p.kpis, p.from_date, p.years) for p in full] == [
        (("A", "B", "C"), None, tuple(YEARS)),
        (("X", "Y"), None, ()),
    ]
    assert [p.requests for p in full] == [2, 1]


GEOS = tuple(f"{i:04d}" for i in range(312))
YEARS = range(1990, 2028)  # 38 years: two year batches
CATALOGUE = tuple(f"N{i:05d}" for i in range(6099))  # Kolada's catalogue, 2026-03


def _whole_kolada(*, extras_everywhere: bool = False) -> Scope:
    """all_kpis = true, with two goal KPIs (plan_scope takes them from goal files)."""
    scope = plan_scope(
        [],
        geographies=GEOS,
        municipality_groups=[],
        kpi_groups=[],
        known_kpis=CATALOGUE,
        all_kpis=True,
        extras_everywhere=extras_everywhere,
    )
    goals = ("N00001", "N00002")
    extras = tuple(k for k in scope.extra_kpis if k not in goals)
    return replace(scope, goal_kpis=goals, extra_kpis=extras)


@pytest.mark.parametrize(
    ("n_kpis", "n_geos", "n_years", "every", "expected"),
    [
        # Every KPI × every geography: every KPI at once, per 25 geographies and 25 years.
        (6099, 312, 38, True, 13 * 2),
        (6099, 312, 25, True, 13 * 1),
        (6099, 312, 26, True, 13 * 2),
        (6099, 20, 38, True, 1 * 2),
        # KPI batch × year batch: ceil(K/25) × ceil(Y/25), whatever the geographies.
        (6099, 312, 38, False, 244 * 2),
        (100, 312, 38, False, 4 * 2),
        (26, 312, 25, False, 2 * 1),
    ],
)
def test_requests_of_questions_that_leave_a_list_out(
    n_kpis: int, n_geos: int, n_years: int, every: bool, expected: int
) -> None:
    part = FetchPart(
        CATALOGUE[:n_kpis], GEOS[:n_geos], None, tuple(range(1990, 1990 + n_years)), every
    )
    assert part.requests == expected


def test_all_of_kolada_is_26_questions_about_every_kpi_at_once() -> None:
    """all_kpis = true and extra_geographies = "alla": every KPI × every geography. The
    cheapest questions name no KPI: ceil(312/25) × ceil(38/25) = 26, against 244 × 2 = 488
    KPI batch × year batch questions and 244 × 13 = 3,172 KPI batch × municipality batch."""
    scope = _whole_kolada(extras_everywhere=True)
    assert scope.whole_catalogue and scope.extras_everywhere
    assert set(scope.goal_kpis) | set(scope.extra_kpis) == set(CATALOGUE)
    assert scope.extra_geographies == GEOS
    full = plan_fetch(scope, RunMode("full", None, ""), years=YEARS)
    assert len(full) == 1
    (part,) = full
    assert (part.kpis, part.geographies, part.years, part.every_kpi) == (
        CATALOGUE,
        GEOS,
        tuple(YEARS),
        True,
    )
    assert part.requests == 26 and part.shape == "kommun × år"
    # The nightly run asks the same 26 questions for the changes since from_date.
    since = dt.date(2026, 11, 18)
    (nightly,) = plan_fetch(scope, RunMode("incremental", since, ""), years=YEARS)
    assert (nightly.from_date, nightly.every_kpi, nightly.requests) == (since, True, 26)


def test_new_kpis_in_all_of_kolada_are_asked_for_by_name() -> None:
    """A KPI new to the catalogue is fetched whole: by name (its KPI batch × year batch),
    not by asking every KPI's values again; the rest stays changes only."""
    scope = _whole_kolada(extras_everywhere=True)
    since = dt.date(2026, 11, 18)
    changes, whole = plan_fetch(
        scope, RunMode("incremental", since, ""), years=YEARS, backfill={"N00007", "N06000"}
    )
    assert (changes.from_date, changes.every_kpi, changes.requests) == (since, True, 26)
    assert "N00007" not in changes.kpis
    assert (whole.kpis, whole.from_date, whole.every_kpi, whole.requests) == (
        ("N00007", "N06000"),
        None,
        False,
        2,
    )
    # Switched on without a full run: nearly everything is new, and the cheapest way to
    # fetch most of the catalogue whole is again every KPI at once.
    most = set(CATALOGUE[100:])
    _, whole = plan_fetch(scope, RunMode("incremental", since, ""), years=YEARS, backfill=most)
    assert (whole.every_kpi, whole.requests, len(whole.kpis)) == (True, 26, len(most))


def test_every_kpi_for_the_core_geographies() -> None:
    """all_kpis = true, extra_geographies = "kärna": the goal KPIs for every geography (KPI
    batch × year batch), every other KPI for the few core geographies: every KPI at once
    for them (1 × 2 questions instead of 244 KPI batches), kept to the extra KPIs."""
    geos = ("0000", "0006", "0665")
    scope = replace(_whole_kolada(), core_geographies=geos)
    goal_part, extra_part = plan_fetch(scope, RunMode("full", None, ""), years=YEARS)
    assert (goal_part.kpis, goal_part.every_kpi, goal_part.requests) == (
        ("N00001", "N00002"),
        False,
        2,
    )
    assert (extra_part.geographies, extra_part.every_kpi, extra_part.requests) == (geos, True, 2)
    assert len(extra_part.kpis) == 6097


def test_a_small_extra_list_is_not_asked_as_every_kpi() -> None:
    """Without all_kpis the KPI list is always named: leaving it out would bring the whole
    catalogue's values to throw away."""
    scope = plan_scope(
        [],
        geographies=GEOS,
        municipality_groups=[],
        kpi_groups=[],
        extra_kpis=CATALOGUE[:3000],
        known_kpis=CATALOGUE,
        extras_everywhere=True,
    )
    assert not scope.whole_catalogue
    (part,) = plan_fetch(scope, RunMode("full", None, ""), years=YEARS)
    assert (part.every_kpi, part.requests) == (False, 120 * 2)
