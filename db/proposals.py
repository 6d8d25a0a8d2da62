"""Målvärdesstöd (issue 16): the nulägesbild and proposed målvärden for a municipality's
goal indicators, as of a date. The database reads are db.targets' and db.judging's, the
computation core.targets'; the Målvärden page, the Word/Excel documents and the CLI all
call `build_proposals` (or `build_proposal` for one indicator), so they show the same
figures.

Every value used is one known on `as_of` (the KPI's publication pattern and the values
as a live run had them then, exactly as core.judging judges), so proposals made for a
past date, e.g. the day a programme was adopted, use only what was known that day.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from config import Paths
from core.errors import DataError
from core.forecast import Calibration
from core.format import format_date
from core.judging import (
    IndicatorInput,
    Publication,
    Series,
    is_known,
    known_series,
    pick_series,
)
from core.targets import GoalProposals, Proposal, TargetInputs, propose
from db.calibration import read_calibration
from db.judging import ValuesAsOf, query_judging_inputs
from db.targets import (
    KommunPanels,
    TargetGoal,
    TargetIndicator,
    query_peer_group,
    query_target_goals,
)

# How far back the last year known on a date is looked for (publication lags are 1-2
# years; a KPI published more than this late has no known values in the window anyway).
_MAX_LAG_YEARS = 10


def _last_known_year(as_of: dt.date, publication: Publication | None) -> int | None:
    """The latest year whose value counts as known on `as_of` (core.judging.is_known, which
    is monotone in the year)."""
    for year in range(as_of.year - 1, as_of.year - 1 - _MAX_LAG_YEARS, -1):
        if is_known(year, as_of, publication):
            return year
    return None


def _up_to(series: Series, last: int | None) -> Series:
    if last is None:
        return ((), ())
    pairs = [(y, v) for y, v in zip(*series, strict=True) if y <= last]
    return [y for y, _ in pairs], [v for _, v in pairs]


class _Builder:
    """What every indicator of one municipality shares: the judging inputs, the values
    reader (each KPI read once), the peer group and the calibration."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        municipality_id: str,
        as_of: dt.date,
        calibration: Calibration | None,
        indicator_ids: frozenset[str] | None = None,
    ) -> None:
        """`indicator_ids`: the indicators whose values to read up front (default all)."""
        self.municipality_id = municipality_id
        self.as_of = as_of
        self.calibration = calibration or read_calibration(Paths.from_env().calibration_path)
        self.inputs: dict[str, IndicatorInput] = {
            i.indicator_id: i for i in query_judging_inputs(con).only(municipality_id).indicators
        }
        wanted = {
            (k, i.gender)
            for i in self.inputs.values()
            if indicator_ids is None or i.indicator_id in indicator_ids
            for k in i.wanted_kpis
        }
        wanted |= {(k, "T") for k, _ in wanted}  # the pooled trend reads gender T
        self.values = ValuesAsOf(con, wanted)
        self.panels = KommunPanels(con, self.values)
        self.peers = query_peer_group(con, municipality_id)

    def proposal(self, goal: TargetGoal, ind: TargetIndicator) -> Proposal | str:
        """The proposal, or the Swedish note why there is none (no value known)."""
        inp = self.inputs[ind.indicator_id]
        m, as_of = self.municipality_id, self.as_of
        own = self.values.series(m, inp.wanted_kpis, inp.gender, as_of)
        kpi, picked = pick_series(inp, own)
        if kpi is None:
            return "Lokal indikator: inga värden i Kolada."
        publication = inp.publication_of(kpi)
        years, values = known_series(picked, as_of, publication)
        if not years:
            return f"Inga värden för kommunen i Kolada ({kpi}) kända {format_date(as_of)}."
        last = _last_known_year(as_of, publication)
        panel = {k: _up_to(s, last) for k, s in self.panels.panel(kpi, inp.gender, as_of).items()}
        data = TargetInputs(
            municipality_id=m,
            kpi=kpi,
            gender=inp.gender,
            direction=inp.direction,
            unit=ind.unit,
            series=(years, values),
            panel=panel,
            peers=self.peers.members if self.peers else (),
            peers_name=self.peers.title if self.peers else None,
            riket=_up_to(self.panels.riket(kpi, inp.gender, as_of), last),
            bounded_share=inp.bounded_share,
            trend=self.values.pooled_growth(kpi, max(years), as_of),
        )
        found = propose(
            data,
            indicator_id=ind.indicator_id,
            indicator_title=ind.title,
            period_start=goal.period_start,
            period_end=goal.period_end,
            as_of=as_of,
            calibration=self.calibration,
        )
        if found is None:  # pragma: no cover - known_series gave values
            return f"Inga värden för kommunen i Kolada ({kpi})."
        if kpi != inp.kpi_id:
            note = f"Bygger på efterföljaren {kpi} (ingen sammanfogning över seriebrottet)."
            found = Proposal(
                found.indicator_id,
                found.indicator_title,
                found.nulage,
                found.options,
                f"{note} {found.note}" if found.note else note,
            )
        return found

    def goal(self, goal: TargetGoal) -> GoalProposals:
        proposals: list[Proposal] = []
        missing: list[tuple[str, str, str]] = []
        for ind in goal.indicators:
            got = self.proposal(goal, ind)
            if isinstance(got, str):
                missing.append((ind.indicator_id, ind.title, got))
            else:
                proposals.append(got)
        return GoalProposals(
            framework_id=goal.framework_id,
            framework_name=goal.framework_name,
            area_title=goal.area_title,
            goal_id=goal.goal_id,
            goal_title=goal.goal_title,
            goal_kind=goal.goal_kind,
            period_start=goal.period_start,
            period_end=goal.period_end,
            proposals=tuple(proposals),
            missing=tuple(missing),
        )


def build_proposals(
    con: duckdb.DuckDBPyConnection,
    municipality_id: str,
    *,
    as_of: dt.date,
    framework_id: str | None = None,
    calibration: Calibration | None = None,
) -> list[GoalProposals]:
    """Proposals for every goal of the municipality's goal file that has an indicator with
    a KPI, in goal-file order (one framework's with `framework_id`), as of `as_of`.
    `calibration`: the forecaster's (default: read from data/forecast_calibration.csv,
    as the ETL does). An indicator without any value known is listed in the goal's
    `missing`, not as a proposal."""
    builder = _Builder(con, municipality_id, as_of, calibration)
    return [builder.goal(g) for g in query_target_goals(con, municipality_id, framework_id)]


def build_proposal(
    con: duckdb.DuckDBPyConnection,
    municipality_id: str,
    indicator_id: str,
    *,
    as_of: dt.date,
    calibration: Calibration | None = None,
) -> Proposal:
    """The proposal for one indicator (its goal's period). Raises DataError for an
    indicator the goal file does not have, a local one, or one without any value known
    on `as_of`."""
    for goal in query_target_goals(con, municipality_id):
        for ind in goal.indicators:
            if ind.indicator_id == indicator_id:
                builder = _Builder(
                    con, municipality_id, as_of, calibration, frozenset([indicator_id])
                )
                got = builder.proposal(goal, ind)
                if isinstance(got, str):
                    raise DataError(f"{ind.title}: {got}", title="Inget förslag")
                return got
    raise DataError(
        f"Kommunen {municipality_id} har ingen indikator {indicator_id!r} med ett "
        "nyckeltal i Kolada.",
        title="Inget förslag",
    )
