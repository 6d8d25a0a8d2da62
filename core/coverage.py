"""How many of the geographies a comparison asked for have values in the database, and
why the others have none, in words for the explorer (issue 17: "Alla kommuner" said
"Norberg har plats 5 av 24" with no word that 266 kommuner were missing).

Two reasons a value is missing. The nightly run fetches the KPIs goal files name for every
kommun and region, every other KPI only for the framework municipalities, their regions,
their "Liknande kommuner" and Riket (core.scope.plan_scope): a geography outside that is
missing because Målpuls did not fetch it. A geography the run does fetch is missing
because Kolada has no value for it. Kolada publishes a KPI for kommuner, for regions or
for both (the catalogue's municipality_type K, L or A; Riket counts with either), so a
region never counts as missing for a kommun KPI. Pure: the explorer reads the facts.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from core.scope import RIKET, peer_group, region_of

# At most this many missing geographies are named; more are counted.
MAX_NAMED = 3


def publishes_for(kpi_type: str | None, geography: str, geography_type: str) -> bool:
    """Whether Kolada publishes a KPI of `kpi_type` (K kommuner, L regions, A or unknown
    both) for a geography of `geography_type` (K or L; Riket is L in the catalogue and
    counts for every KPI)."""
    if geography == RIKET or kpi_type not in ("K", "L"):
        return True
    return geography_type == kpi_type


def fetched_geographies(
    framework_municipalities: Iterable[tuple[str, str]],
    groups: Sequence[tuple[str, str, Sequence[str]]],
) -> frozenset[str]:
    """The geographies the nightly run fetches a KPI no goal file names for: the framework
    municipalities ((id, name)), their regions, their newest "Liknande kommuner" group and
    Riket, as core.scope.plan_scope plans them."""
    out = {RIKET}
    for municipality_id, name in framework_municipalities:
        out |= {municipality_id, region_of(municipality_id)}
        peers = peer_group(groups, name)
        if peers:
            out |= set(peers[1])
    return frozenset(out)


def fetch_scope(
    *,
    goal_kpi: bool,
    extras_everywhere: bool,
    core: frozenset[str],
    with_values: Collection[str],
) -> frozenset[str] | None:
    """Where the nightly run fetches a KPI: None for everywhere, else the `core`
    geographies (fetched_geographies). Everywhere for a goal KPI, when the run fetches
    every KPI for every geography (etl.toml [scope] extra_geographies = "alla", which the
    run records in meta), and when the database holds values of the KPI outside the core
    geographies: then they were fetched there, and a missing one is Kolada's gap."""
    if goal_kpi or extras_everywhere or any(g not in core for g in with_values):
        return None
    return core


@dataclass(frozen=True)
class Coverage:
    """One KPI's values against the geographies a comparison asked for."""

    asked: tuple[str, ...]  # asked for, and published by Kolada for their type
    covered: tuple[str, ...]  # of those, the ones with a value in the database
    not_fetched: tuple[str, ...]  # missing ones the nightly run does not fetch the KPI for
    left_out: int  # asked for, but Kolada publishes the KPI for the other type only
    only_kommuner: bool = True  # every geography asked for (and published) is a kommun

    @property
    def missing(self) -> tuple[str, ...]:
        covered = set(self.covered)
        return tuple(g for g in self.asked if g not in covered)

    @property
    def complete(self) -> bool:
        return not self.missing


def compute_coverage(
    asked: Iterable[str],
    geography_types: Mapping[str, str],
    kpi_type: str | None,
    with_values: Collection[str],
    fetched: Collection[str] | None,
) -> Coverage:
    """`fetched` is where the nightly run fetches this KPI, None for everywhere (a goal
    KPI)."""
    asked = list(dict.fromkeys(asked))
    applies = [g for g in asked if publishes_for(kpi_type, g, geography_types.get(g, "K"))]
    covered = tuple(g for g in applies if g in with_values)
    not_fetched = tuple(
        g for g in applies if g not in with_values and fetched is not None and g not in fetched
    )
    only_kommuner = all(geography_types.get(g) == "K" for g in applies)
    return Coverage(tuple(applies), covered, not_fetched, len(asked) - len(applies), only_kommuner)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _names(ids: Sequence[str], names: Mapping[str, str]) -> str:
    shown = [names.get(g, g) for g in ids]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " och " + shown[-1]


def coverage_note(
    cov: Coverage,
    *,
    kpi_type: str | None,
    names: Mapping[str, str],
    period: str,
) -> str | None:
    """What the database lacks for the comparison, and why, in Swedish; None when it has a
    value for every geography asked for. `period` is "2022" or "2013–2022"."""
    if not cov.asked:
        if not cov.left_out:
            return None
        only = "regioner och riket" if kpi_type == "L" else "kommuner och riket"
        return f"Kolada publicerar nyckeltalet bara för {only}, och jämförelsen har inga sådana."
    missing = cov.missing
    if not missing:
        return None
    noun = (
        ("kommun", "kommuner")
        if cov.only_kommuner
        else ("kommun eller region", "kommuner och regioner")
    )
    not_fetched = cov.not_fetched
    gaps = [g for g in missing if g not in set(not_fetched)]
    if len(missing) <= MAX_NAMED:
        head = f"Värden saknas för {_names(missing, names)} ({period})"
        if not not_fetched:
            return head + ": Kolada har inga."
        parts = [head + "."]
        whom_not_fetched = _names(not_fetched, names)
        whom_gaps = _names(gaps, names) if gaps else ""
    else:
        parts = [f"Värden för {len(cov.covered)} av {_count(len(cov.asked), *noun)} ({period})."]
        whom_not_fetched = _count(len(not_fetched), *noun)
        whom_gaps = f"de övriga {len(gaps)}" if not_fetched else f"de {len(gaps)} som saknas"
    if not_fetched:
        parts.append(
            f"Målpuls hämtar inte nyckeltalet för {whom_not_fetched}: ett nyckeltal som ingen "
            "målfil använder hämtar den nattliga körningen bara för kommunerna med målfil, "
            "deras län, liknande kommuner och riket."
        )
    if gaps:
        parts.append(f"För {whom_gaps} har Kolada inga värden.")
    return " ".join(parts)
