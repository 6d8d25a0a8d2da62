"""core.scope: what the nightly run fetches and whether it is full or incremental."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from core.goals import ReferenceData
from core.scope import RunMode, Scope, decide_mode, peer_group, plan_fetch, plan_scope, region_of
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
    assert scope.minimum_requests == (
        -(-len(scope.goal_kpis) // 25) * -(-len(geos) // 25)
        + 1 * -(-len(scope.core_geographies) // 25)
    )


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
    geos = tuple(f"{i:04d}" for i in range(312))
    scope = Scope(("A", "B", "C"), ("X", "Y"), geos, ("0000", "0006", "0665"))
    years = range(1990, 2028)  # 38 years: two year batches
    since = dt.date(2026, 11, 18)
    plan = plan_fetch(
        scope, RunMode("incremental", since, ""), years=years, backfill={"B", "Y", "Z"}
    )
    assert [(p.kpis, p.geographies, p.from_date, bool(p.years)) for p in plan] == [
        (("A", "C"), geos, since, True),  # every municipality at once, per year batch
        (("X",), scope.core_geographies, since, False),
        (("B",), geos, None, False),
        (("Y",), scope.core_geographies, None, False),
    ]
    assert [p.requests for p in plan] == [2, 1, 13, 1]
    nothing_new = plan_fetch(scope, RunMode("incremental", since, ""), years=years)
    assert all(p.from_date == since for p in nothing_new)
    assert sum(p.requests for p in nothing_new) == 3
    # A full run asks for everything anyway: the plan is the scope, its count the minimum.
    full = plan_fetch(scope, RunMode("full", None, ""), years=years, backfill={"B"})
    assert [(p.kpis, p.from_date, p.years) for p in full] == [
        (("A", "B", "C"), None, ()),
        (("X", "Y"), None, ()),
    ]
    assert sum(p.requests for p in full) == scope.minimum_requests
