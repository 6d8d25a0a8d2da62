"""Målvärdesstöd (issue 16): the nulägesbild of one indicator and proposed målvärden.

Pure functions, no I/O. The municipality's documents set no target value yet; this module
helps them get to one honestly, from Kolada's panel of 290 municipalities:

- `nulage` describes where the municipality stands today (latest value, trend, rank among
  all kommuner and among its Liknande kommuner, the peers' spread) and what changes
  municipalities actually achieved over 1-5 years.
- `propose` turns that into target options (hold today's level, the median similar
  municipality's pace, the top quarter's pace), each with a delmål per year of the goal
  period and an accepterad gräns, P(reached) at every date from the calibrated forecaster
  (core.forecast), the evidence in words and a realism flag.

Every figure here is computed ("Egen bearbetning av data från Kolada"), and every option is
a proposal (förslag), never a decision.

The dataclasses below are the contract the Målvärden page, the documents and the
`python -m etl propose` CLI are written against; keep their fields stable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Option kinds, in the order they are shown. The words are the UI's.
HOLD = "hålla nivån"
PEER_MEDIAN = "liknande kommuners mediantakt"
TOP_QUARTER = "bästa kvartilens takt"
OPTION_KINDS = (HOLD, PEER_MEDIAN, TOP_QUARTER)

# P(reached) at the period's end below this: unrealistic; above the other: hardly an ambition.
UNREALISTIC_BELOW = 0.10
NO_AMBITION_ABOVE = 0.90
FLAG_UNREALISTIC = "orealistiskt"
FLAG_NO_AMBITION = "knappast en ambition"


@dataclass(frozen=True)
class Rank:
    """Place 1 = best by the desired direction (highest for öka, lowest for minska), among
    `of` geographies with a value for `year`. None where there is no desired direction
    (bevaka) or no value."""

    place: int
    of: int
    year: int


@dataclass(frozen=True)
class Spread:
    """Distribution of the latest values of a set of municipalities (same year)."""

    year: int
    n: int
    minimum: float
    q25: float
    median: float
    q75: float
    maximum: float


@dataclass(frozen=True)
class AchievedChange:
    """What municipalities actually achieved over `years` years (all windows ending in the
    data's last `windows` years, pooled): the change in the desired direction (positive =
    better), as percentiles, and how many improved at all."""

    years: int
    group: str  # "liknande" (Liknande kommuner) or "alla" (all kommuner)
    n: int  # windows counted
    median: float
    q75: float  # the top quarter's change (better than 75 % of windows)
    q90: float
    n_improved: int


@dataclass(frozen=True)
class Nulage:
    kpi: str
    gender: str
    direction: str  # öka | minska | bevaka
    unit: str | None
    latest_year: int
    latest_value: float
    n_points: int
    trend_per_year: float | None  # robust slope (Theil-Sen) over the last years, None if too short
    trend_words: str  # "Förbättras", "Oförändrat", "Försämras" (or "Ingen önskad riktning")
    rank_all: Rank | None
    rank_peers: Rank | None
    peers_name: str | None  # e.g. "Liknande kommuner, övergripande, Norberg, 2023"
    spread_all: Spread | None
    spread_peers: Spread | None
    riket: float | None  # Riket's value in latest_year, when there is one
    achieved: tuple[AchievedChange, ...] = ()  # years 1-5, groups liknande and alla


@dataclass(frozen=True)
class Milestone:
    """One date of an option: a delmål (each year of the period) or the periodmål (its end),
    with the probability the calibrated forecaster gives it and the evidence in words."""

    date: dt.date
    kind: str  # "delmål" | "periodmål"
    value: float
    p_reached: float | None  # None where no forecast is possible (too short, too old)
    evidence: str  # e.g. "12 av 45 liknande kommuner förbättrades så mycket på tre år"


@dataclass(frozen=True)
class Option:
    kind: str  # one of OPTION_KINDS
    description: str  # one Swedish sentence: how the values were derived
    milestones: tuple[Milestone, ...]
    accepted_limit: float  # accepterad gräns: the level below which (öka) the goal has failed
    flag: str | None  # FLAG_UNREALISTIC, FLAG_NO_AMBITION or None
    evidence: str  # the period-end evidence in words

    @property
    def target(self) -> Milestone:
        return self.milestones[-1]


@dataclass(frozen=True)
class Proposal:
    """Nulägesbild plus the options for one indicator of one goal."""

    indicator_id: str
    indicator_title: str  # as the goal file writes it
    nulage: Nulage
    options: tuple[Option, ...] = field(default_factory=tuple)
    note: str | None = None  # why there are no options (bevaka, too short, ...), in Swedish


@dataclass(frozen=True)
class GoalProposals:
    """One goal's proposals, in goal-file order. Built by `reports.targets.build_proposals(con,
    municipality_id, as_of=...)` (database reads + this module), which the page, the
    documents and the CLI all use."""

    framework_id: str
    framework_name: str
    area_title: str | None
    goal_id: str
    goal_title: str
    goal_kind: str
    period_start: dt.date
    period_end: dt.date
    proposals: tuple[Proposal, ...]
