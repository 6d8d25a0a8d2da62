"""Agenda 2030 links: from a municipality's goals to the 17 global goals and back, and from
the global goals to the indicators that show how the municipality is doing on them.

Pure. Three kinds of link, never merged silently (the page shows which it is):
- "källa": the municipality's own document links the goal to the SDG (or to one of its
  targets);
- "förslag": a link proposed in the goal file (provenance: förslag, with a reason) until the
  municipality confirms it, by changing it to källa, or removes it;
- "nyckeltal": the goal has an indicator whose Kolada KPI is in Kolada's Agenda 2030
  selection; which SDG that KPI belongs to comes from our curated mapping
  (data/reference/kpi_sdg_mapping.csv), since Kolada's group does not say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.errors import Problem
from core.vocabulary import Status

SDG_NUMBERS = tuple(range(1, 18))

# Strongest first: a cell with a document link is shown as a document link.
PROVENANCE_ORDER = ("källa", "förslag", "nyckeltal")
PROVENANCE_LABEL = {
    "källa": "Från dokumentet",
    "förslag": "Förslag",
    "nyckeltal": "Via nyckeltal",
}
PROVENANCE_HELP = {
    "källa": "Kopplingen står i kommunens eget dokument.",
    "förslag": (
        "Kopplingen är Målpuls motiverade förslag, inte kommunens eget beslut. Kommunen "
        "bekräftar eller stryker den; till dess visas den som förslag."
    ),
    "nyckeltal": (
        "Målet har en indikator som Kolada räknar till Agenda 2030. Vilket globalt mål "
        "nyckeltalet hör till är Målpuls egen bedömning, motiverad för varje nyckeltal."
    ),
}
DIRECTIONS = ("öka", "minska", "bevaka")
MAPPING_FIELDS = ("kpi_id", "sdg", "target", "direction", "reason")

# Order in which statuses are stacked in the distribution (best first, unknown last).
STATUS_ORDER = tuple(Status)


@dataclass(frozen=True)
class SdgMapping:
    """One curated KPI → SDG link: which global goal (and target) a Kolada KPI measures,
    and which direction is better (for a status without an ambition)."""

    kpi_id: str
    sdg: int
    target: str | None
    direction: str
    reason: str


def parse_sdg_mapping(
    file: str,
    rows: Iterable[Mapping[str, str]],
    *,
    target_goal: Mapping[str, int],
    kpis: Iterable[str],
) -> tuple[list[SdgMapping], list[Problem]]:
    """Validate the curated mapping's rows (as read by csv.DictReader). Returns the
    mappings and every problem found, each naming the row (1 = the first data row) and
    field, so one bad line in a hand-edited file is easy to find."""
    known = set(kpis)
    out: list[SdgMapping] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, int], int] = {}
    direction_of: dict[str, tuple[str, int]] = {}
    for n, row in enumerate(rows, start=1):
        where = f"rad {n}"

        def bad(field: str, message: str, where: str = where) -> None:
            problems.append(Problem(file, f"{where}.{field}", message))

        missing = [f for f in MAPPING_FIELDS if f not in row]
        if missing:
            bad(missing[0], "kolumnen saknas")
            continue
        kpi = (row["kpi_id"] or "").strip()
        if not kpi:
            bad("kpi_id", "saknas")
        elif kpi not in known:
            bad("kpi_id", f"{kpi} finns inte i Koladas nyckeltalskatalog")
        try:
            sdg = int((row["sdg"] or "").strip())
        except ValueError:
            bad("sdg", f"'{row['sdg']}' är inte ett tal 1–17")
            continue
        if sdg not in SDG_NUMBERS:
            bad("sdg", f"{sdg} är inte ett av de 17 globala målen")
            continue
        target = (row["target"] or "").strip() or None
        if target is not None:
            if target not in target_goal:
                bad("target", f"delmålet {target} finns inte")
            elif target_goal[target] != sdg:
                bad("target", f"delmålet {target} hör till mål {target_goal[target]}, inte {sdg}")
        direction = (row["direction"] or "").strip()
        if direction not in DIRECTIONS:
            bad("direction", f"'{direction}' ska vara något av {', '.join(DIRECTIONS)}")
        elif kpi in direction_of and direction_of[kpi][0] != direction:
            bad(
                "direction",
                f"{kpi} har riktningen '{direction_of[kpi][0]}' på rad "
                f"{direction_of[kpi][1]}; ett nyckeltal har en riktning",
            )
        else:
            direction_of.setdefault(kpi, (direction, n))
        reason = (row["reason"] or "").strip()
        if not reason:
            bad("reason", "en kurerad koppling behöver en motivering")
        if (kpi, sdg) in seen:
            bad("sdg", f"{kpi} → mål {sdg} står redan på rad {seen[(kpi, sdg)]}")
        seen.setdefault((kpi, sdg), n)
        out.append(SdgMapping(kpi, sdg, target, direction, reason))
    return out, problems


@dataclass(frozen=True)
class GoalLink:
    """A goal's link to an SDG or one of its targets, as stored from the goal file."""

    goal_id: str
    link_type: str  # sdg | sdg_target
    target_id: str
    provenance: str  # källa | förslag
    reason: str | None = None


@dataclass(frozen=True)
class Cell:
    """One goal × SDG cell of the matrix: the strongest link and everything behind it."""

    goal_id: str
    sdg: int
    provenance: str  # strongest of källa | förslag | nyckeltal
    targets: tuple[str, ...]  # SDG targets named by the links
    kpis: tuple[str, ...]  # the goal's KPIs mapped to this SDG
    reasons: tuple[str, ...]
    via: tuple[str, ...] = ()  # for a chained row (a challenge, a RUS area): its goals


def goal_sdg_cells(
    links: Iterable[GoalLink],
    goal_kpis: Iterable[tuple[str, str]],
    kpi_sdgs: Mapping[str, Iterable[int]],
    target_goal: Mapping[str, int],
) -> list[Cell]:
    """Every goal × SDG pair with at least one link of any kind.

    `goal_kpis` is (goal_id, kpi_id) for the goals' indicators; `kpi_sdgs` maps a KPI to
    its curated SDGs. A link to a target (e.g. 11.2) is a link to its SDG (11) too."""
    acc: dict[tuple[str, int], dict[str, set]] = {}

    def entry(goal: str, sdg: int) -> dict[str, set]:
        return acc.setdefault((goal, sdg), _empty_entry())

    for link in links:
        if link.link_type == "sdg":
            sdg = int(link.target_id)
        elif link.link_type == "sdg_target" and link.target_id in target_goal:
            sdg = target_goal[link.target_id]
        else:
            continue
        e = entry(link.goal_id, sdg)
        e["prov"].add(link.provenance)
        if link.link_type == "sdg_target":
            e["targets"].add(link.target_id)
        if link.reason:
            e["reasons"].add(link.reason)
    for goal, kpi in goal_kpis:
        for sdg in kpi_sdgs.get(kpi, ()):
            e = entry(goal, sdg)
            e["prov"].add("nyckeltal")
            e["kpis"].add(kpi)
    return _cells(acc)


def _empty_entry() -> dict[str, set]:
    return {"prov": set(), "targets": set(), "kpis": set(), "reasons": set(), "via": set()}


def _cells(acc: dict[tuple[str, int], dict[str, set]]) -> list[Cell]:
    """Accumulated links per (row, SDG) → one Cell each, strongest provenance, sorted."""
    return [
        Cell(
            row,
            sdg,
            strongest(e["prov"]),
            tuple(sorted(e["targets"], key=target_sort_key)),
            tuple(sorted(e["kpis"])),
            tuple(sorted(e["reasons"])),
            tuple(sorted(e["via"])),
        )
        for (row, sdg), e in sorted(acc.items())
    ]


def chain_cells(row_goals: Iterable[tuple[str, str, str]], cells: Iterable[Cell]) -> list[Cell]:
    """Cells for things that reach the SDGs through goals, e.g. a challenge → its
    delstrategier → their SDGs. `row_goals` is (row_id, goal_id, provenance of that link).
    A chain is only as firm as its weakest link (a challenge from the document tied to a
    proposed SDG link is a proposal); over several goals the firmest chain wins."""
    by_goal: dict[str, list[Cell]] = {}
    for c in cells:
        by_goal.setdefault(c.goal_id, []).append(c)
    acc: dict[tuple[str, int], dict[str, set]] = {}
    for row, goal, prov in row_goals:
        for c in by_goal.get(goal, []):
            e = acc.setdefault((row, c.sdg), _empty_entry())
            e["prov"].add(weakest([prov, c.provenance]))
            e["targets"].update(c.targets)
            e["kpis"].update(c.kpis)
            e["via"].add(goal)
    return _cells(acc)


def weakest(provenances: Iterable[str]) -> str:
    present = set(provenances)
    for p in reversed(PROVENANCE_ORDER):
        if p in present:
            return p
    raise ValueError(f"okänd proveniens: {sorted(present)}")


def strongest(provenances: Iterable[str]) -> str:
    present = set(provenances)
    for p in PROVENANCE_ORDER:
        if p in present:
            return p
    raise ValueError(f"okänd proveniens: {sorted(present)}")


def target_sort_key(code: str) -> tuple[int, int, str]:
    """'1.2' < '1.10' < '1.a': numeric targets first, then the lettered means targets."""
    goal, _, sub = code.partition(".")
    return (int(goal), 0, f"{int(sub):03d}") if sub.isdigit() else (int(goal), 1, sub)


def coverage(cells: Iterable[Cell]) -> dict[int, str | None]:
    """SDG → the strongest link any goal has to it; None where no goal reaches it."""
    by_sdg: dict[int, set[str]] = {s: set() for s in SDG_NUMBERS}
    for c in cells:
        by_sdg[c.sdg].add(c.provenance)
    return {s: (strongest(p) if p else None) for s, p in by_sdg.items()}


@dataclass(frozen=True)
class IndicatorStatus:
    """One indicator behind an SDG: a goal indicator (judged against its ambition or
    direction) or a curated Agenda 2030 KPI no goal names (judged by direction)."""

    sdg: int
    kpi_id: str | None
    status: str
    source: str  # "mål" (a goal's indicator) | "agenda" (curated Agenda 2030 KPI)


def indicators_behind_sdgs(
    goal_indicators: Iterable[tuple[int, str | None, str]],
    agenda_kpis: Iterable[tuple[int, str, str]],
) -> list[IndicatorStatus]:
    """The indicators behind each SDG, each KPI counted once per SDG.

    `goal_indicators` is (sdg, kpi_id, status) for the indicators of goals linked to the
    SDG in any way; `agenda_kpis` is (sdg, kpi_id, status) for the curated KPIs. A KPI that
    is both keeps the goal indicator's status, which is judged against the municipality's
    own ambition where it has one."""
    out: list[IndicatorStatus] = []
    seen: set[tuple[int, str]] = set()
    for sdg, kpi, status in goal_indicators:
        if kpi is not None:
            if (sdg, kpi) in seen:
                continue
            seen.add((sdg, kpi))
        out.append(IndicatorStatus(sdg, kpi, status, "mål"))
    for sdg, kpi, status in agenda_kpis:
        if (sdg, kpi) in seen:
            continue
        seen.add((sdg, kpi))
        out.append(IndicatorStatus(sdg, kpi, status, "agenda"))
    return out


def status_distribution(items: Iterable[IndicatorStatus]) -> dict[int, dict[str, int]]:
    """SDG → status → number of indicators, statuses in STATUS_ORDER."""
    counts: dict[int, dict[str, int]] = {s: {} for s in SDG_NUMBERS}
    for it in items:
        counts[it.sdg][it.status] = counts[it.sdg].get(it.status, 0) + 1
    rank = {s: i for i, s in enumerate(STATUS_ORDER)}
    return {
        s: dict(sorted(c.items(), key=lambda kv: rank.get(kv[0], len(rank))))
        for s, c in counts.items()
    }
