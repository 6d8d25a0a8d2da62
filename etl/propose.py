"""`python -m etl propose`: compute proposed målvärden (and, for goals without indicators,
proposed indicators) and write them into a goal file as proposals (issue 16, item 4).

Target values: for every indicator of a *styrande* goal (the only kind that gets a
forecast) with a Kolada KPI, a desired direction and no decided target, the chosen option
of db.proposals.build_proposals (the same figures the Målvärden page and the documents
show) is written as `ambitions` with `provenance: förslag` and a `proposal` record (which
option, when, by whom): a delmål per year, the periodmål and the accepterad gräns. They
are computed as of the framework period's first day by default: the nulägesbild the
municipality had when its goals were set, so every delmål of the period is ahead and the
forecast at each later checkpoint is judged against a target made without hindsight.

Indicators: a goal without any indicator gets the search engine's best KPIs with values
(core.kpi_search) as proposed indicators (`provenance: förslag`, the reason, `proposal`).
Their desired direction is our reading, `direction_provenance: förslag`, from the words of
the KPI's title (core.direction.direction_from_title); a KPI whose title says nothing
about what is better is left out rather than guessed.

Every write goes through etl.goal_edit: comments survive, the result is validated, and an
invalid result leaves the file as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.direction import direction_from_title
from core.forecast import MAX_AGE_YEARS, MIN_POINTS
from core.format import format_number
from core.goals import Area, Goal, GoalFile, ReferenceData
from core.kpi_search import KpiSearchIndex, propose_for_goal
from core.targets import (
    OPTION_KINDS,
    GoalProposals,
    Option,
    Proposal,
    allows_decline,
    round_target,
)
from db.proposals import build_proposals
from db.targets import query_series_coverage
from etl.goal_edit import add_ambitions_to_many, add_indicators

DEFAULT_BY = "Målpuls (python -m etl propose)"


@dataclass(frozen=True)
class Written:
    indicator_id: str
    title: str
    option: Option


def target_entries(
    option: Option,
    proposal: Proposal,
    period_end: dt.date,
    *,
    as_of: dt.date,
    today: dt.date,
    by: str,
) -> list[dict[str, object]]:
    """The ambitions one option becomes in the goal file: its milestones and the
    accepterad gräns (dated at the period's end), each a förslag saying how it was made."""
    record = {"method": f"{option.kind}, beräknat per {as_of.isoformat()}", "date": today, "by": by}
    entries: list[dict[str, object]] = []
    for m in option.milestones:
        p = "" if m.p_reached is None else f"P(nås) {round(m.p_reached * 100)} % enligt prognosen. "
        entries.append(
            {
                "kind": m.kind,
                "date": m.date,
                "value": round_target(m.value),
                "provenance": "förslag",
                "proposal": dict(record),
                "note": (p + m.evidence).strip(),
            }
        )
    entries.append(
        {
            "kind": "accepterad gräns",
            "date": period_end,
            "value": round_target(option.accepted_limit),
            "provenance": "förslag",
            "proposal": dict(record),
            "note": "Under (öka) eller över (minska) denna nivå har målet inte nåtts.",
        }
    )
    return entries


def choose_option(proposal: Proposal, option_kind: str) -> Option | None:
    """The option of the asked kind; but a target that allows a decline is no target a
    council would adopt, so where the asked option is worse than today's level, holding
    today's level is proposed instead (the page still shows every option)."""
    by_kind = {o.kind: o for o in proposal.options}
    option = by_kind.get(option_kind)
    if option is not None and allows_decline(option, proposal.nulage):
        return by_kind.get(OPTION_KINDS[0], option)
    return option


def propose_targets(
    con: duckdb.DuckDBPyConnection,
    goal_file: GoalFile,
    path: Path,
    *,
    option_kind: str,
    as_of: dt.date | None,
    by: str,
    today: dt.date,
    dry_run: bool = False,
    only: str | None = None,
    ref: ReferenceData | None = None,
    progress: Callable[[str], None] = print,
) -> list[Written]:
    """Write the chosen option for every eligible indicator of the file (see the module
    docstring); return what was written (or would be, with `dry_run`). `only`: one
    indicator's id."""
    written: list[Written] = []
    pending: dict[str, list[dict[str, object]]] = {}
    for fw in goal_file.frameworks:
        styrande = {g.id for _, g in fw.all_goals() if g.type == "styrande"}
        decided = {
            ind.id
            for _, g in fw.all_goals()
            for ind in g.indicators
            if any(a.provenance == "beslut" for a in ind.ambitions)
        }
        day = as_of or fw.period.start
        goals: list[GoalProposals] = build_proposals(
            con, goal_file.municipality.id, as_of=day, framework_id=fw.id
        )
        for gp in goals:
            if gp.goal_id not in styrande:
                continue
            for proposal in gp.proposals:
                if only is not None and proposal.indicator_id != only:
                    continue
                if proposal.indicator_id in decided:
                    progress(f"  {proposal.indicator_id}: har ett beslutat målvärde, orörd")
                    continue
                option = choose_option(proposal, option_kind)
                if option is None:
                    progress(f"  {proposal.indicator_id}: inget förslag ({proposal.note or '–'})")
                    continue
                pending[proposal.indicator_id] = target_entries(
                    option, proposal, gp.period_end, as_of=day, today=today, by=by
                )
                flag = f" [{option.flag}]" if option.flag else ""
                p = option.target.p_reached
                shown = "–" if p is None else f"{round(p * 100)} %"
                value = format_number(round_target(option.target.value))
                progress(
                    f"  {proposal.indicator_id}: {option.kind}, periodmål {value} "
                    f"({option.target.date.year}), P(nås) {shown}{flag}"
                )
                written.append(Written(proposal.indicator_id, proposal.indicator_title, option))
    if pending and not dry_run:
        # One edit for the whole file: read, validated and written once.
        add_ambitions_to_many(path, pending, ref=ref)
    return written


# A proposed indicator must be judgeable today: at least this many years of the
# municipality's own series, the latest no older than this many years before the newest
# year in the database (core.forecast's minimum length and maximum age).
MIN_YEARS = MIN_POINTS
MAX_AGE = MAX_AGE_YEARS
# How many search hits are looked at, and how many indicators a goal gets at most.
CANDIDATES = 40
PER_GOAL = 3
# A KPI proposed for this many goals of a file already is not proposed again: the same
# broad KPI (e.g. employment) under every delstrategi says little about any of them.
MAX_USES = 2
# Kolada marks a series that has ended in its title: "(-2024)", "gammal definition (-2021)".
_ENDED = re.compile(r"\(-\d{4}\)")


@dataclass(frozen=True)
class ProposedIndicator:
    goal_id: str
    kpi: str
    title: str
    direction: str
    reason: str


def indicator_proposals(
    con: duckdb.DuckDBPyConnection,
    goal_file: GoalFile,
    index: KpiSearchIndex,
    *,
    per_goal: int = PER_GOAL,
) -> list[ProposedIndicator]:
    """For every goal without indicators: the search engine's best KPIs that the
    municipality has a judgeable series for, that have not ended, and whose title says
    which way is better (core.direction), at most `per_goal` per goal and MAX_USES goals
    per KPI, each with the reasons it was proposed."""
    mid = goal_file.municipality.id
    out: list[ProposedIndicator] = []
    uses: Counter[str] = Counter()
    for fw in goal_file.frameworks:
        for area, goal in fw.all_goals():
            # A goal the document names but has not worked out ("ej definierat") is not
            # judged at all (core.status), so indicators proposed for it would show nothing.
            if goal.indicators or goal.definition_status == "ej definierat":
                continue
            hits = propose_for_goal(
                index,
                goal.title,
                goal.description,
                goal.ambition.text if goal.ambition else None,
                CANDIDATES,
                mid,
                **_goal_context(area, goal),
            )
            coverage = query_series_coverage(con, mid, [h.kpi for h in hits])
            newest = max((c.latest_year for c in coverage.values()), default=None)
            chosen = 0
            for rank, hit in enumerate(hits, start=1):
                cov = coverage.get(hit.kpi)
                if cov is None or newest is None:
                    continue
                if cov.n_years < MIN_YEARS or cov.latest_year < newest - MAX_AGE:
                    continue
                if uses[hit.kpi] >= MAX_USES or _ENDED.search(hit.title):
                    continue
                reading = direction_from_title(hit.title)
                if reading is None:
                    continue
                reason = (
                    f"Förslag från Målpuls nyckeltalssökning på målets text (plats {rank}): "
                    + "; ".join(hit.reasons)
                    + f". Värden för {goal_file.municipality.name} {cov.n_years} år, senast "
                    f"{cov.latest_year}. Den önskade {reading.reason}."
                )
                out.append(
                    ProposedIndicator(
                        goal.id, hit.kpi, " ".join(hit.title.split()), reading.direction, reason
                    )
                )
                chosen += 1
                uses[hit.kpi] += 1
                if chosen == per_goal:
                    break
    return out


def _goal_context(area: Area | None, goal: Goal) -> dict[str, object]:
    """What the search engine may use besides the goal's own words: its area's text and
    the Agenda 2030 goals and targets the file links it to."""
    return {
        "context": " ".join(t for t in (area.title, area.description) if t) if area else None,
        "sdg_goals": {int(link.id) for link in goal.links if link.type == "sdg"},
        "sdg_targets": {str(link.id) for link in goal.links if link.type == "sdg_target"},
    }


def write_indicators(
    path: Path,
    proposed: list[ProposedIndicator],
    *,
    today: dt.date,
    by: str,
    ref: ReferenceData | None = None,
) -> None:
    """Write the proposed indicators into the file in one edit."""
    if not proposed:
        return
    method = {"method": "nyckeltalssökning på målets text", "date": today, "by": by}
    add_indicators(
        path,
        [
            (
                p.goal_id,
                {
                    "id": f"{p.goal_id}-{p.kpi.lower()}"[:60],
                    "title": p.title,
                    "kpi": p.kpi,
                    "direction": p.direction,
                    "direction_provenance": "förslag",
                    **({"unit": "%"} if "(%)" in p.title else {}),
                    "provenance": "förslag",
                    "reason": p.reason,
                    "proposal": dict(method),
                },
            )
            for p in proposed
        ],
        ref=ref,
    )
