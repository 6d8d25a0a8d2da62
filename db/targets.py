"""Reads for målvärdesstöd (issue 16): the goals and indicators a municipality's proposals
are built for, its Liknande kommuner, and every kommun's series of a KPI as known on a
date. Called by db/proposals.py only; the values come through db.judging.ValuesAsOf,
the same reader the ETL judges with, so a proposal sees exactly the values a judgement
on the same date sees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from core.judging import Series
from core.scope import RIKET, peer_group
from db.judging import ValuesAsOf, query_kommun_ids
from db.queries import query_peer_groups


@dataclass(frozen=True)
class TargetIndicator:
    """One goal indicator with a KPI, as the goal file writes it."""

    indicator_id: str
    title: str
    unit: str | None


@dataclass(frozen=True)
class TargetGoal:
    """One goal of a municipality's goal file with its framework's period, and its
    indicators that have a KPI (local ones have no values to propose from)."""

    framework_id: str
    framework_name: str
    area_title: str | None
    goal_id: str
    goal_title: str
    goal_kind: str
    period_start: dt.date
    period_end: dt.date
    indicators: tuple[TargetIndicator, ...]


def query_target_goals(
    con: duckdb.DuckDBPyConnection, municipality_id: str, framework_id: str | None = None
) -> list[TargetGoal]:
    """The municipality's styrande goals in goal-file order (framework, then goal, then
    indicator position), only those with at least one indicator with a KPI; one
    framework's when `framework_id` is given. Only a styrande goal gets a forecast
    (core.status), so only its indicators get proposed target values: an inriktningsmål
    or a stödjande goal is followed by direction."""
    rows = con.execute(
        """
        SELECT f.framework_id, f.name, a.title, g.goal_id, g.title, g.kind,
               f.period_start, f.period_end,
               list((i.indicator_id, i.title, i.unit) ORDER BY i.position)
        FROM goal g
        JOIN framework f ON f.framework_id = g.framework_id
        LEFT JOIN area a ON a.municipality_id = g.municipality_id AND a.area_id = g.area_id
        JOIN indicator i ON i.municipality_id = g.municipality_id AND i.goal_id = g.goal_id
        WHERE g.municipality_id = $m AND i.kpi_id IS NOT NULL AND g.type = 'styrande'
          AND ($f::TEXT IS NULL OR f.framework_id = $f)
        GROUP BY ALL
        ORDER BY any_value(f.position), any_value(g.position)
        """,
        {"m": municipality_id, "f": framework_id},
    ).fetchall()
    return [
        TargetGoal(
            framework_id=fid,
            framework_name=fname,
            area_title=area,
            goal_id=gid,
            goal_title=gtitle,
            goal_kind=kind,
            period_start=start,
            period_end=end,
            indicators=tuple(TargetIndicator(i, t, u) for i, t, u in inds),
        )
        for fid, fname, area, gid, gtitle, kind, start, end, inds in rows
    ]


@dataclass(frozen=True)
class PeerGroup:
    id: str
    title: str  # "Liknande kommuner, övergripande, Norberg, 2025"
    members: tuple[str, ...]  # without the municipality itself


def query_peer_group(con: duckdb.DuckDBPyConnection, municipality_id: str) -> PeerGroup | None:
    """The municipality's newest "Liknande kommuner, övergripande" group (core.scope
    peer_group, as the ETL and the ranks find it), or None without one."""
    name = con.execute("SELECT title FROM municipality WHERE id = ?", [municipality_id]).fetchone()
    if name is None:
        return None
    groups = query_peer_groups(con)
    found = peer_group(groups, name[0])
    if found is None:
        return None
    title = next(t for gid, t, _ in groups if gid == found[0])
    return PeerGroup(found[0], title, tuple(m for m in found[1] if m != municipality_id))


class KommunPanels:
    """Every kommun's series of a KPI and Riket's, as known on a date, over one
    db.judging.ValuesAsOf (each (KPI, gender) read once, every date computed in memory)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, values: ValuesAsOf) -> None:
        self.values = values
        self.kommuner = tuple(sorted(query_kommun_ids(con)))
        self._kommun_set = frozenset(self.kommuner)

    def panel(self, kpi: str, gender: str, as_of: dt.date) -> dict[str, Series]:
        """Kommun id → its series of the KPI and gender (values as known on `as_of`,
        before any publication rule: the caller keeps the years known then)."""
        if gender == "T":
            # The T panel is cached by ValuesAsOf for the pooled trend already.
            _, panel = self.values.kpi_panel(kpi, as_of)
            return {m: (ys, vs) for m, ys, vs in panel if m in self._kommun_set}
        out: dict[str, Series] = {}
        for m in self.kommuner:
            s = self.values.series(m, [kpi], gender, as_of).get(kpi)
            if s is not None:
                out[m] = s
        return out

    def riket(self, kpi: str, gender: str, as_of: dt.date) -> Series:
        return self.values.series(RIKET, [kpi], gender, as_of).get(kpi, ((), ()))


@dataclass(frozen=True)
class SeriesCoverage:
    """How much of one KPI's series (gender T) a municipality has: enough to judge?"""

    kpi: str
    n_years: int
    latest_year: int
    municipality_type: str | None  # the catalogue's K (kommun), L (region), A (all)


def query_series_coverage(
    con: duckdb.DuckDBPyConnection, municipality_id: str, kpis: list[str]
) -> dict[str, SeriesCoverage]:
    """Years with a value and the latest year, for the municipality's T series of each KPI
    (KPIs without any value are absent): whether a proposed indicator could be judged."""
    if not kpis:
        return {}
    rows = con.execute(
        """
        SELECT v.kpi, count(DISTINCT v.year), max(v.year), any_value(k.municipality_type)
        FROM kolada_value v LEFT JOIN kpi k ON k.id = v.kpi
        WHERE v.municipality_id = $m AND v.gender = 'T' AND v.value IS NOT NULL
          AND list_contains($kpis, v.kpi)
        GROUP BY v.kpi
        """,
        {"m": municipality_id, "kpis": kpis},
    ).fetchall()
    return {r[0]: SeriesCoverage(r[0], int(r[1]), int(r[2]), r[3]) for r in rows}
