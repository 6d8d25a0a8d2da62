"""The gap between women's and men's values of a KPI (kvinnor − män), for the own
municipality and its peers: the explorer's Kön view (issue 17, item 6; gender
mainstreaming asks for exactly this in ordinary follow-up). Pure: the view reads the
values (db.explorer.query_gender_values) and draws what this computes."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.format import format_number

# (municipality_id, year, gender K|M, value) rows, as the database returns them.
GenderRow = tuple[str, int, str, float]


def gaps(rows: Iterable[GenderRow]) -> dict[tuple[str, int], tuple[float, float, float]]:
    """(municipality, year) → (kvinnor, män, kvinnor − män), for every municipality and
    year with both a women's and a men's value."""
    by_key: dict[tuple[str, int], dict[str, float]] = {}
    for municipality_id, year, gender, value in rows:
        by_key.setdefault((municipality_id, int(year)), {})[gender] = float(value)
    return {
        key: (v["K"], v["M"], v["K"] - v["M"])
        for key, v in sorted(by_key.items())
        if "K" in v and "M" in v
    }


@dataclass(frozen=True)
class GapSummary:
    """The own municipality's gap in the latest year with both values, the peers' median
    gap that year, and the gap in the first year of the period (for "narrowed?")."""

    year: int
    women: float
    men: float
    gap: float  # kvinnor − män
    peers_median: float | None  # the peers' (not the own) median gap in `year`
    n_peers: int  # peers with both values in `year`
    first_year: int | None  # the earliest year with both values, when before `year`
    first_gap: float | None

    @property
    def change(self) -> str | None:
        """ "minskat", "ökat" or "oförändrad": whether the gap's size (whoever is higher)
        changed from the first year to the latest, as the shown numbers read; None
        without a first year."""
        if self.first_gap is None:
            return None
        before, now = format_number(abs(self.first_gap)), format_number(abs(self.gap))
        if before == now:
            return "oförändrad"
        return "minskat" if abs(self.gap) < abs(self.first_gap) else "ökat"


def summarise_gap(
    by_key: dict[tuple[str, int], tuple[float, float, float]],
    municipality_id: str,
    peers: Sequence[str],
) -> GapSummary | None:
    """The own municipality's gap summary (see GapSummary), or None when it has no year
    with both a women's and a men's value."""
    own_years = sorted(y for m, y in by_key if m == municipality_id)
    if not own_years:
        return None
    year = own_years[-1]
    women, men, gap = by_key[(municipality_id, year)]
    peer_gaps = [
        by_key[(p, year)][2] for p in peers if p != municipality_id and (p, year) in by_key
    ]
    first = own_years[0] if own_years[0] < year else None
    return GapSummary(
        year=year,
        women=women,
        men=men,
        gap=gap,
        peers_median=statistics.median(peer_gaps) if peer_gaps else None,
        n_peers=len(peer_gaps),
        first_year=first,
        first_gap=by_key[(municipality_id, first)][2] if first is not None else None,
    )


def gap_sentence(s: GapSummary, name: str, peers_word: str = "liknande kommuner") -> str:
    """The answer first, in Swedish (markdown): the latest year's values and gap, the
    peers' median gap, and whether the gap narrowed over the period."""
    text = (
        f"**{name}** {s.year}: kvinnor {format_number(s.women)}, män {format_number(s.men)}, "
        f"skillnad {format_number(s.gap)} (kvinnor − män)."
    )
    if s.peers_median is not None:
        text += (
            f" Medianskillnaden bland {_count(s.n_peers, peers_word)}: "
            f"{format_number(s.peers_median)}."
        )
    if s.change is not None:
        if s.change == "oförändrad":
            text += f" Skillnaden är lika stor som {s.first_year} ({format_number(s.first_gap)})."
        else:
            text += (
                f" Skillnaden har {s.change} sedan {s.first_year} "
                f"(då {format_number(s.first_gap)})."
            )
    return text


def _count(n: int, word: str) -> str:
    # "1 liknande kommun", "7 liknande kommuner"
    return f"{n} {word[:-2] if n == 1 and word.endswith('er') else word}"
