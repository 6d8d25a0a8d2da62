"""The explorer's coverage notes: where the database holds values for fewer of the
geographies than a comparison asked for, the page says so and why (core.coverage)."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
import streamlit as st

from core.coverage import compute_coverage, coverage_note, fetch_scope, fetched_geographies
from db import explorer, queries
from ui import data
from ui.explorer_look import Look

# The meta key where a live run would record etl.toml's [scope] extra_geographies ("alla"
# or "kärna"); without it, core.coverage.fetch_scope infers the scope from the values.
EXTRAS_SCOPE_KEY = "extra_geographies"

GENDER_NOT_DIVIDED = "Kolada delar inte upp {title} på kön: välj Kön: Totalt för att se värden."


def kpi_row(look: Look, kpi: str) -> dict:
    """The chosen KPI's catalogue row (query_kpi_meta), as a dict."""
    return look.meta_rows[kpi]


def kpi_type(look: Look, kpi: str) -> str | None:
    """The catalogue's municipality_type of a KPI: K, L, A or None."""
    t = kpi_row(look, kpi)["municipality_type"]
    return t if isinstance(t, str) else None


def kommun_ids() -> list[str]:
    return [m for m, t in data.query(queries.query_all_municipalities) if t == "K"]


def missing_note(
    look: Look, kpi: str, asked: list[str], with_values: Collection[str], period: str
) -> str | None:
    """The note for one KPI: what the database lacks of `asked`, and why; None when
    nothing is missing."""
    kpi_meta = kpi_row(look, kpi)
    divided = kpi_meta["is_divided_by_gender"]
    if look.gender != "T" and pd.notna(divided) and not bool(divided):
        return GENDER_NOT_DIVIDED.format(title=kpi_meta["title"])
    types = dict(data.query(queries.query_all_municipalities))
    fetched = fetch_scope(
        goal_kpi=kpi in data.query(explorer.query_goal_kpi_ids),
        extras_everywhere=data.meta().get(EXTRAS_SCOPE_KEY) == "alla",
        core=fetched_geographies(
            data.query(queries.query_framework_municipalities),
            data.query(queries.query_peer_groups),
        ),
        with_values=with_values,
    )
    cov = compute_coverage(asked, types, kpi_type(look, kpi), with_values, fetched)
    names = dict(data.query(queries.query_municipality_names))
    return coverage_note(cov, kpi_type=kpi_type(look, kpi), names=names, period=period)


def render_set_coverage(look: Look) -> None:
    """Tabell and Diagram: per chosen KPI, its values in the chosen years against the
    comparison set's municipalities."""
    first, last = look.years
    period = str(first) if first == last else f"{first}–{last}"
    notes = []
    for kpi in look.kpis:
        have = set(look.values.loc[look.values["kpi"] == kpi, "municipality_id"])
        note = missing_note(look, kpi, look.municipalities, have, period)
        if note:
            notes.append(f"**{look.titles.get(kpi, kpi)}**: {note}" if len(look.kpis) > 1 else note)
    if notes:
        st.warning("\n\n".join(notes), icon=":material/info:")
