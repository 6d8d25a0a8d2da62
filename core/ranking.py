"""The one ranking rule of the app, and the desired direction a ranking is ordered by.

Every place in the app (Översikt and Mål through core.judging.rank_among, the target
proposals through core.targets, Utforska's Rangordning) goes through `places`, so one
KPI, year and gender gives one place wherever it is shown (issue 17: Ohälsotal was plats
46 in Utforska, ranked highest first, and 245 on Översikt, ranked by desired direction).

Which direction a ranking uses, for a KPI a municipality looks at (`ranking_basis`), in
the order the app trusts them:
1. the municipality's own goal file, where an indicator names the KPI (the direction
   Översikt and Mål rank by; "bevaka" there means no desired direction);
2. Målpuls's curated Agenda 2030 mapping (data/reference/kpi_sdg_mapping.csv), the
   direction the Agenda 2030 page judges the KPI by;
3. our reading of the KPI's title (core.direction.direction_from_title);
4. none: highest value first, and the page says so.
Pure: the callers read the goal file's and the mapping's directions from the database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.direction import direction_from_title

# The directions a ranking can be ordered by; anything else (bevaka, None) is highest first.
RANKED_DIRECTIONS = ("öka", "minska")

GOAL_FILE = "målfil"
SDG_MAPPING = "agenda2030"
TITLE = "titel"
NO_DIRECTION = "ingen"


def places(values: Mapping[str, float], direction: str | None) -> dict[str, int]:
    """Each geography's place among `values`: 1 + the number of values strictly better
    (competition ranking: two equal values share a place and the next place is skipped).
    Better is higher for "öka" and lower for "minska"; any other direction (None, "bevaka")
    ranks the highest value first. Values that are not finite numbers get no place."""
    sign = -1.0 if direction == "minska" else 1.0
    ordered = sorted(
        ((m, float(v)) for m, v in values.items() if v is not None and math.isfinite(v)),
        key=lambda mv: (-sign * mv[1], mv[0]),
    )
    out: dict[str, int] = {}
    for i, (m, v) in enumerate(ordered):
        if i and v == ordered[i - 1][1]:
            out[m] = out[ordered[i - 1][0]]
        else:
            out[m] = i + 1
    return out


@dataclass(frozen=True)
class GoalDirection:
    """A direction the municipality's goal file gives a KPI (one indicator's)."""

    direction: str  # öka | minska | bevaka
    provenance: str  # källa (the municipality's own) | förslag (Målpuls's proposal)
    gender: str  # the indicator's gender: T | K | M


@dataclass(frozen=True)
class RankingBasis:
    """The direction a ranking is ordered by and where it comes from, with the words the
    page shows. `direction` None: highest value first (no desired direction known)."""

    direction: str | None
    source: str  # GOAL_FILE | SDG_MAPPING | TITLE | NO_DIRECTION
    provenance: str | None = None  # the goal file's: källa | förslag
    word: str | None = None  # the title's word a TITLE direction was read from
    # Who says the KPI has no desired direction ("bevaka"): GOAL_FILE or SDG_MAPPING.
    watched_by: str | None = None

    @property
    def order_words(self) -> str:
        """What place 1 means, in the answer sentence's parenthesis."""
        if self.direction == "minska":
            return "plats 1 = bäst, lägst värde är bäst"
        if self.direction == "öka":
            return "plats 1 = bäst, högst värde är bäst"
        return "högst värde först; nyckeltalet har ingen önskad riktning"

    def explanation(self, municipality_name: str) -> str:
        """Where the direction comes from, in one sentence for the caption."""
        if self.source == GOAL_FILE:
            own = f"målfilen för {municipality_name}"
            if self.provenance == "förslag":
                return (
                    f"Riktningen ({self.direction}) står i {own} som Målpuls förslag; "
                    "Översikt och Mål rangordnar efter samma riktning."
                )
            return (
                f"Riktningen ({self.direction}) är den som {own} anger; Översikt och Mål "
                "rangordnar efter samma riktning."
            )
        if self.source == SDG_MAPPING:
            return (
                f"Riktningen ({self.direction}) är Målpuls bedömning för Agenda 2030 "
                "(samma som på sidan Agenda 2030)."
            )
        if self.source == TITLE:
            return (
                f"Riktningen ({self.direction}) är vår tolkning av nyckeltalets namn "
                f"(ordet ”{self.word}”)."
            )
        if self.watched_by == GOAL_FILE:
            return (
                f"Målfilen för {municipality_name} anger ingen önskad riktning (bevaka), "
                "så kommunerna visas med högst värde först."
            )
        if self.watched_by == SDG_MAPPING:
            return (
                "Målpuls bedömning för Agenda 2030 anger ingen önskad riktning (bevaka), "
                "så kommunerna visas med högst värde först."
            )
        return (
            "Varken en målfil, Målpuls Agenda 2030-bedömning eller nyckeltalets namn anger "
            "vilket håll som är bättre, så kommunerna visas med högst värde först."
        )


def ranking_basis(
    goal_directions: Iterable[GoalDirection],
    sdg_directions: Iterable[str],
    title: str,
    gender: str = "T",
) -> RankingBasis:
    """The direction to rank a KPI by (see the module docstring for the order).

    Of several goal indicators naming the KPI, one with the gender ranked wins, then the
    municipality's own direction (källa) over a proposal. The Agenda 2030 mapping counts
    only when all its rows for the KPI agree (on öka, minska or bevaka); a "bevaka" in the
    goal file or the mapping is a considered "no direction" and beats a reading of the
    title."""
    ranked = sorted(
        goal_directions,
        key=lambda g: (g.gender != gender, g.provenance != "källa", g.direction),
    )
    if ranked:
        first = ranked[0]
        if first.direction in RANKED_DIRECTIONS:
            return RankingBasis(first.direction, GOAL_FILE, provenance=first.provenance)
        return RankingBasis(None, NO_DIRECTION, watched_by=GOAL_FILE)
    sdg = set(sdg_directions)
    if len(sdg) == 1:
        (only,) = sdg
        if only in RANKED_DIRECTIONS:
            return RankingBasis(only, SDG_MAPPING)
        return RankingBasis(None, NO_DIRECTION, watched_by=SDG_MAPPING)
    reading = direction_from_title(title)
    if reading is not None:
        return RankingBasis(reading.direction, TITLE, word=reading.word)
    return RankingBasis(None, NO_DIRECTION)
