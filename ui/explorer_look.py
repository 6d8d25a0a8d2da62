"""What the explorer's views are given: the one choice the page made (KPIs, comparison
set, years, gender) and the values it read. A plain value, so each view module depends on
this and not on the page."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd


@dataclass(frozen=True)
class Look:
    municipality_id: str  # the own municipality
    name: str  # its name
    kpis: list[str]  # the chosen KPIs, in the order chosen
    meta: pd.DataFrame  # query_kpi_meta rows of the chosen KPIs
    which: str  # comparison set key: egen | liknande | alla | lista
    set_label: str  # the comparison set in words, e.g. "Liknande kommuner"
    municipalities: list[str]  # the ids the comparison asked for
    years: tuple[int, int]  # first and last year chosen
    gender: str  # T | K | M
    values: pd.DataFrame  # query_values: kpi, municipality_id, municipality, year, value

    @cached_property
    def titles(self) -> dict[str, str]:
        return dict(zip(self.meta["id"], self.meta["title"], strict=True))

    @cached_property
    def meta_rows(self) -> dict[str, dict]:
        """Each chosen KPI's catalogue row by id (looked up per KPI by every view)."""
        return {row["id"]: row for row in self.meta.to_dict("records")}
