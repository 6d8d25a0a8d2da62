"""Which KPIs and municipalities the nightly ETL fetches, whether a run is full or
incremental, and the questions (requests) that fetch them. Pure: the ETL passes in the
catalogue, groups, goal files, what the database already holds and the clock."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.goals import GoalFile
from core.kolada import minimum_requests, plan_year_batches

RIKET = "0000"
_PEER_TITLE = re.compile(r"^Liknande kommuner, övergripande, (?P<name>.+), (?P<year>\d{4})$")


def region_of(municipality_id: str) -> str:
    """Kolada's region id for a kommun: '00' + the county code (the id's first two
    digits). Vaggeryd 0665 → Region Jönköpings län 0006."""
    return "00" + municipality_id[:2]


def peer_group(
    groups: Iterable[tuple[str, str, Sequence[str]]], municipality_name: str
) -> tuple[str, list[str]] | None:
    """The newest "Liknande kommuner, övergripande, <name>, <year>" group: (id, members)."""
    best: tuple[int, str, list[str]] | None = None
    for gid, title, members in groups:
        m = _PEER_TITLE.match(title)
        if m and m.group("name") == municipality_name:
            year = int(m.group("year"))
            if best is None or year > best[0]:
                best = (year, gid, list(members))
    return (best[1], best[2]) if best else None


def goal_kpis(files: Iterable[GoalFile]) -> set[str]:
    """Every KPI a goal file names, with the successors of retired series."""
    out: set[str] = set()
    for f in files:
        for fw in f.frameworks:
            for _, goal in fw.all_goals():
                for ind in goal.indicators:
                    if ind.kpi:
                        out.add(ind.kpi)
                    if ind.successor:
                        out.add(ind.successor.kpi)
    return out


def successor_kpis(files: Iterable[GoalFile]) -> set[str]:
    """The KPIs goal files name as the successor of a retired series."""
    return {
        ind.successor.kpi
        for f in files
        for fw in f.frameworks
        for _, goal in fw.all_goals()
        for ind in goal.indicators
        if ind.successor
    }


@dataclass(frozen=True)
class Scope:
    goal_kpis: tuple[str, ...]
    extra_kpis: tuple[str, ...]  # not among goal_kpis
    all_geographies: tuple[str, ...]
    core_geographies: tuple[str, ...]

    @property
    def minimum_requests(self) -> int:
        return minimum_requests(len(self.goal_kpis), len(self.all_geographies)) + (
            minimum_requests(len(self.extra_kpis), len(self.core_geographies))
            if self.extra_kpis
            else 0
        )


def plan_scope(
    files: Sequence[GoalFile],
    *,
    geographies: Iterable[str],
    municipality_groups: Sequence[tuple[str, str, Sequence[str]]],
    kpi_groups: Sequence[tuple[str, str, Sequence[str]]],
    extra_kpis: Iterable[str] = (),
    extra_kpi_groups: Iterable[str] = (),
    known_kpis: Iterable[str] = (),
) -> Scope:
    """Goal KPIs × every municipality, region and Riket (rankings need them all); extra
    analyst KPIs × the framework municipalities, their regions, Riket and their peers."""
    all_geos = sorted(set(geographies))
    core = {RIKET}
    for f in files:
        core |= {f.municipality.id, region_of(f.municipality.id)}
        peers = peer_group(municipality_groups, f.municipality.name)
        if peers:
            core |= set(peers[1])
    goals = goal_kpis(files)
    wanted_groups = set(extra_kpi_groups)
    extras = set(extra_kpis) | {
        k for gid, _, members in kpi_groups if gid in wanted_groups for k in members
    }
    known = set(known_kpis)
    if known:
        extras &= known  # ids not in the catalogue would only cost requests
    return Scope(
        goal_kpis=tuple(sorted(goals)),
        extra_kpis=tuple(sorted(extras - goals)),
        all_geographies=tuple(all_geos),
        core_geographies=tuple(sorted(core & set(all_geos) if all_geos else core)),
    )


@dataclass(frozen=True)
class RunMode:
    mode: str  # "full" | "incremental"
    from_date: dt.date | None
    reason: str


@dataclass(frozen=True)
class FetchPart:
    """One list of value questions: `kpis` for `geographies`, the changes since `from_date`
    or, when it is None, every value (and then the part replaces what the database holds
    for it). With `years` the questions go to every municipality at once, one per KPI batch
    and year batch, and the answers are kept to `geographies`: cheaper when the answers
    are few, as an incremental run's are."""

    kpis: tuple[str, ...]
    geographies: tuple[str, ...]
    from_date: dt.date | None
    years: tuple[int, ...] = ()

    @property
    def requests(self) -> int:
        """Questions asked (first pages; a large answer adds pages)."""
        if self.years:
            return len(plan_year_batches(self.kpis, self.years))
        return minimum_requests(len(self.kpis), len(self.geographies))


def plan_fetch(
    scope: Scope, mode: RunMode, *, years: Iterable[int], backfill: Iterable[str] = ()
) -> tuple[FetchPart, ...]:
    """The value questions of a run. Full: the whole scope, every value. Incremental: the
    goal KPIs' changes since `mode.from_date` for every municipality at once per year
    batch, the extra KPIs' changes for their geographies; but a KPI in `backfill` (new to
    the scope: no values stored for it, or back in the catalogue after vanishing) has no
    history to add changes to, so it is fetched whole, in the same run."""
    new = set(backfill) if mode.mode == "incremental" else set()
    goal_new = tuple(k for k in scope.goal_kpis if k in new)
    goal_old = tuple(k for k in scope.goal_kpis if k not in new)
    extra_new = tuple(k for k in scope.extra_kpis if k in new)
    extra_old = tuple(k for k in scope.extra_kpis if k not in new)
    if mode.mode == "full":
        parts = [
            FetchPart(scope.goal_kpis, scope.all_geographies, None),
            FetchPart(scope.extra_kpis, scope.core_geographies, None),
        ]
    else:
        parts = [
            FetchPart(goal_old, scope.all_geographies, mode.from_date, tuple(years)),
            FetchPart(extra_old, scope.core_geographies, mode.from_date),
            FetchPart(goal_new, scope.all_geographies, None),
            FetchPart(extra_new, scope.core_geographies, None),
        ]
    return tuple(p for p in parts if p.kpis)


def decide_mode(
    *,
    now: dt.datetime,
    full: bool,
    since: dt.date | None,
    last_success: dt.datetime | None,
    last_full: dt.datetime | None,
    full_reload_days: int,
    safety_margin_days: int,
) -> RunMode:
    if full:
        return RunMode("full", None, "begärd med --full")
    if since is not None:
        return RunMode("incremental", since, f"ändringar sedan {since} (--since)")
    if last_success is None or last_full is None:
        return RunMode("full", None, "ingen tidigare lyckad hämtning från Kolada")
    if now - last_full >= dt.timedelta(days=full_reload_days):
        return RunMode(
            "full", None, f"senaste fullständiga hämtningen är äldre än {full_reload_days} dagar"
        )
    start = (last_success - dt.timedelta(days=safety_margin_days)).date()
    return RunMode(
        "incremental",
        start,
        f"ändringar sedan senaste lyckade körning minus {safety_margin_days} dagar",
    )
