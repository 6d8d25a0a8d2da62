"""Which KPIs and municipalities the nightly ETL fetches, whether a run is full or
incremental, and the questions (requests) that fetch them. Pure: the ETL passes in the
catalogue, groups, goal files, what the database already holds and the clock."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.goals import GoalFile
from core.kolada import MAX_IDS_PER_LIST, minimum_requests, plan_year_batches

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
    # etl.toml [scope] extra_geographies = "alla": the extra KPIs for every geography too.
    extras_everywhere: bool = False
    # [scope] all_kpis = true: goal and extra KPIs together are the whole catalogue, so a
    # question may leave the KPI list out (see plan_fetch).
    whole_catalogue: bool = False

    @property
    def extra_geographies(self) -> tuple[str, ...]:
        """Where the extra KPIs are fetched: every geography, or the core ones."""
        return self.all_geographies if self.extras_everywhere else self.core_geographies

    @property
    def groups(self) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
        """(KPIs, geographies) the scope is made of: goal KPIs × every geography and extra
        KPIs × theirs; one group when the extras go everywhere too."""
        if self.extras_everywhere:
            kpis = tuple(sorted({*self.goal_kpis, *self.extra_kpis}))
            return ((kpis, self.all_geographies),) if kpis else ()
        return tuple(
            (kpis, geos)
            for kpis, geos in (
                (self.goal_kpis, self.all_geographies),
                (self.extra_kpis, self.core_geographies),
            )
            if kpis
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
    all_kpis: bool = False,
    extras_everywhere: bool = False,
) -> Scope:
    """Goal KPIs × every municipality, region and Riket (rankings need them all); extra
    analyst KPIs × the framework municipalities, their regions, Riket and their peers,
    or (`extras_everywhere`) × every geography too. `all_kpis`: every KPI of the
    catalogue (`known_kpis`) is an extra KPI; with `extras_everywhere`, all of Kolada."""
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
    whole = all_kpis and bool(known)
    if whole:
        extras = set(known)
    if known:
        extras &= known  # ids not in the catalogue would only cost requests
    return Scope(
        goal_kpis=tuple(sorted(goals)),
        extra_kpis=tuple(sorted(extras - goals)),
        all_geographies=tuple(all_geos),
        core_geographies=tuple(sorted(core & set(all_geos) if all_geos else core)),
        extras_everywhere=extras_everywhere,
        whole_catalogue=whole,
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
    for it, in `years` when they are given).

    The questions name two of Kolada's three lists (at most 25 ids each), and the third is
    left out, meaning "all" (core.kolada.MAX_IDS_PER_LIST):
    - no `years`: KPI batch × municipality batch, every year;
    - `years`: KPI batch × year batch, every municipality at once, answers kept to
      `geographies`;
    - `years` and `every_kpi`: municipality batch × year batch, every KPI at once,
      answers kept to `kpis`.
    """

    kpis: tuple[str, ...]
    geographies: tuple[str, ...]
    from_date: dt.date | None
    years: tuple[int, ...] = ()
    every_kpi: bool = False

    @property
    def requests(self) -> int:
        """Questions asked (first pages; a large answer adds pages)."""
        if self.every_kpi:
            return _batches(len(self.geographies)) * _batches(len(self.years))
        if self.years:
            return len(plan_year_batches(self.kpis, self.years))
        return minimum_requests(len(self.kpis), len(self.geographies))

    @property
    def shape(self) -> str:
        """The lists the questions name, for messages."""
        if self.every_kpi:
            return "kommun × år"
        return "nyckeltal × år" if self.years else "nyckeltal × kommun"


def _batches(n: int) -> int:
    return -(-n // MAX_IDS_PER_LIST)


def _cheapest(
    scope: Scope,
    kpis: tuple[str, ...],
    geographies: tuple[str, ...],
    from_date: dt.date | None,
    years: tuple[int, ...],
) -> FetchPart:
    """The part asking the fewest questions for `kpis` × `geographies`. A list may be left
    out only when (nearly) everything it would name is wanted, so that leaving it out does
    not fill the answers with values to throw away: municipalities when the part is for
    every geography, KPIs when the scope is the whole catalogue and the part holds at
    least half of it (the answers then carry at most as many KPIs unasked as asked; in
    practice the few goal KPIs, or the few new ones). On a tie the exact questions win."""
    options = [FetchPart(kpis, geographies, from_date)]
    if years and geographies == scope.all_geographies:
        options.append(FetchPart(kpis, geographies, from_date, years))
    catalogue = len(scope.goal_kpis) + len(scope.extra_kpis)
    if years and scope.whole_catalogue and 2 * len(kpis) >= catalogue:
        options.append(FetchPart(kpis, geographies, from_date, years, every_kpi=True))
    return min(options, key=lambda p: p.requests)


def plan_fetch(
    scope: Scope, mode: RunMode, *, years: Iterable[int], backfill: Iterable[str] = ()
) -> tuple[FetchPart, ...]:
    """The value questions of a run, the fewest that cover it (see _cheapest): for the
    goal KPIs × every geography, ceil(K/25) × ceil(Y/25) questions about every
    municipality at once instead of ceil(K/25) × 13; for all of Kolada (every KPI × every
    geography), ceil(312/25) × ceil(Y/25) = 26 questions about every KPI at once. Full:
    the whole scope, every value in `years`. Incremental: the changes since
    `mode.from_date`; but a KPI in `backfill` (new to the scope: no values stored for it,
    or back in the catalogue after vanishing) has no history to add changes to, so it is
    fetched whole, in the same run."""
    new = set(backfill) if mode.mode == "incremental" else set()
    span = tuple(sorted(set(years)))
    parts: list[FetchPart] = []
    if mode.mode == "full":
        parts = [_cheapest(scope, kpis, geos, None, span) for kpis, geos in scope.groups]
    else:
        for kpis, geos in scope.groups:
            old = tuple(k for k in kpis if k not in new)
            parts.append(_cheapest(scope, old, geos, mode.from_date, span))
        for kpis, geos in scope.groups:
            fresh = tuple(k for k in kpis if k in new)
            parts.append(_cheapest(scope, fresh, geos, None, span))
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
