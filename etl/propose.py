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
the KPI's title (core.kpi_search.direction_from_title); a KPI whose title says nothing
about what is better is left out rather than guessed.

Every write goes through etl.goal_edit: comments survive, the result is validated, and an
invalid result leaves the file as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.goals import GoalFile
from core.targets import OPTION_KINDS, GoalProposals, Option, Proposal, round_target
from db.proposals import build_proposals
from etl.goal_edit import add_ambitions

# Short names for the options on the command line (and in the Målvärden page's URL).
OPTION_KEYS = {"halla": OPTION_KINDS[0], "median": OPTION_KINDS[1], "kvartil": OPTION_KINDS[2]}
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


def worse_than_today(option: Option, proposal: Proposal) -> bool:
    """Whether the option's periodmål lies on the wrong side of today's level (the peers
    got worse, and their pace carried over allows a decline)."""
    sign = -1.0 if proposal.nulage.direction == "minska" else 1.0
    return sign * (option.target.value - proposal.nulage.latest_value) < 0


def choose_option(proposal: Proposal, option_kind: str) -> Option | None:
    """The option of the asked kind; but a target that allows a decline is no target a
    council would adopt, so where the asked option is worse than today's level, holding
    today's level is proposed instead (the page still shows every option)."""
    by_kind = {o.kind: o for o in proposal.options}
    option = by_kind.get(option_kind)
    if option is not None and worse_than_today(option, proposal):
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
    progress: Callable[[str], None] = print,
) -> list[Written]:
    """Write the chosen option for every eligible indicator of the file (see the module
    docstring); return what was written (or would be, with `dry_run`)."""
    written: list[Written] = []
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
                if proposal.indicator_id in decided:
                    progress(f"  {proposal.indicator_id}: har ett beslutat målvärde, orörd")
                    continue
                option = choose_option(proposal, option_kind)
                if option is None:
                    progress(f"  {proposal.indicator_id}: inget förslag ({proposal.note or '–'})")
                    continue
                if not dry_run:
                    add_ambitions(
                        path,
                        proposal.indicator_id,
                        target_entries(
                            option, proposal, gp.period_end, as_of=day, today=today, by=by
                        ),
                    )
                flag = f" [{option.flag}]" if option.flag else ""
                p = option.target.p_reached
                shown = "–" if p is None else f"{round(p * 100)} %"
                progress(
                    f"  {proposal.indicator_id}: {option.kind}, periodmål "
                    f"{round_target(option.target.value)} ({option.target.date.year}), "
                    f"P(nås) {shown}{flag}"
                )
                written.append(Written(proposal.indicator_id, proposal.indicator_title, option))
    return written
