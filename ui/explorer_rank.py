"""The explorer's ranking and distribution views over all kommuner.

Rangordning ranks by the app's one rule (core.ranking.places) in the desired direction
core.ranking.ranking_basis finds (the goal file's, Målpuls's Agenda 2030 one, our reading
of the title, else highest first), so a goal KPI gets the place Översikt and Mål show.
Both views say when the database has values for fewer kommuner than all (core.coverage).
The answer sentence goes into `answer`, a container the page keeps above its filters,
so on a phone it is on the first screen."""

from __future__ import annotations

import statistics

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.format import SOURCE_COMPUTED, SOURCE_RAW, format_number
from core.ranking import RankingBasis, places, ranking_basis
from core.scope import peer_group
from db import explorer, queries
from ui import data
from ui.chart_alt import distribution_text, ranking_text, show_chart
from ui.charts import distribution_chart, ranking_chart
from ui.explorer_coverage import kommun_ids, kpi_type, missing_note
from ui.explorer_look import Look

REGION_ONLY = (
    "Kolada publicerar {title} bara för regioner och riket; Rangordning och Fördelning "
    "jämför kommuner. Se Tabell eller Diagram."
)


GENDER_WORDS = {"T": "", "K": ", kvinnor", "M": ", män"}


def _first_kpi_note(look: Look) -> None:
    if len(look.kpis) > 1:
        st.caption(f"Visar det först valda nyckeltalet: {look.titles.get(look.kpis[0])}.")


def _kommun_values(look: Look, kpi: str) -> pd.DataFrame | None:
    """Every kommun's value in the latest year up to the chosen last year, or None after
    saying why there is nothing to rank."""
    title = look.titles.get(kpi, kpi)
    if kpi_type(look, kpi) == "L":
        st.info(REGION_ONLY.format(title=title))
        return None
    values = data.query(explorer.query_kommun_values, kpi, look.gender, look.years[1])
    if values.empty:
        note = missing_note(look, kpi, kommun_ids(), set(), f"till {look.years[1]}")
        st.info(note or f"Inga kommunvärden för {title} till och med {look.years[1]}.")
        return None
    return values


def _coverage(look: Look, kpi: str, values: pd.DataFrame, year: int) -> None:
    note = missing_note(look, kpi, kommun_ids(), set(values["municipality_id"]), str(year))
    if note:
        st.warning(note + " Jämförelsen gäller bara kommunerna med värden.", icon=":material/info:")


def _basis(look: Look, kpi: str) -> RankingBasis:
    goal, sdg = data.query(explorer.query_direction_sources, look.municipality_id, kpi)
    return ranking_basis(goal, sdg, look.titles.get(kpi, kpi), look.gender)


def _peers(look: Look) -> list[str]:
    found = peer_group(data.query(queries.query_peer_groups), look.name)
    return found[1] if found else []


def ranked(values: pd.DataFrame, direction: str | None) -> pd.DataFrame:
    """`values` with each kommun's place (core.ranking.places), best first."""
    place = places(dict(zip(values["municipality_id"], values["value"], strict=True)), direction)
    return (
        values.assign(Plats=values["municipality_id"].map(place))
        .sort_values(["Plats", "municipality"])
        .reset_index(drop=True)
    )


def ranking_sentence(
    look: Look, kpi: str, ranking: pd.DataFrame, basis: RankingBasis, peers: list[str]
) -> str:
    """The answer: the own kommun's place among all with a value, what place 1 means, and
    its place among its Liknande kommuner."""
    title = look.titles.get(kpi, kpi) + GENDER_WORDS[look.gender]
    year = int(ranking["year"].iloc[0])
    own = ranking[ranking["municipality_id"] == look.municipality_id]
    if own.empty:
        return f"**{look.name}** har inget värde för {title} {year} ({len(ranking)} kommuner har)."
    text = (
        f"**{look.name}** har plats {int(own['Plats'].iloc[0])} av {len(ranking)} "
        f"({basis.order_words}) för {title}, {year}."
    )
    group = ranking[ranking["municipality_id"].isin([*peers, look.municipality_id])]
    if len(group) > 1:
        place = places(
            dict(zip(group["municipality_id"], group["value"], strict=True)), basis.direction
        )[look.municipality_id]
        text += f" Bland liknande kommuner: plats {place} av {len(group)}."
    return text


def render_ranking(look: Look, answer: DeltaGenerator) -> None:
    kpi = look.kpis[0]
    values = _kommun_values(look, kpi)
    if values is None:
        return
    basis = _basis(look, kpi)
    ranking = ranked(values, basis.direction)
    year = int(ranking["year"].iloc[0])
    with answer:
        st.markdown(ranking_sentence(look, kpi, ranking, basis, _peers(look)))
        st.caption(basis.explanation(look.name))
        _coverage(look, kpi, ranking, year)
    _first_kpi_note(look)
    order = "plats 1 (bäst) till vänster" if basis.direction else "högst värde till vänster"
    text = ranking_text(ranking, look.municipality_id, basis.order_words, year)
    show_chart(
        ranking_chart(ranking, look.municipality_id, order),
        description=text.description,
        table=text.table,
        caption=f"{look.name}: orange stapel med namnet över. Rangordningen: "
        f"{SOURCE_COMPUTED}. Värdena: {SOURCE_RAW}.",
        table_caption=f"Rangordning {year}",
    )


def render_distribution(look: Look, answer: DeltaGenerator) -> None:
    kpi = look.kpis[0]
    values = _kommun_values(look, kpi)
    if values is None:
        return
    year = int(values["year"].iloc[0])
    own = values.loc[values["municipality_id"] == look.municipality_id, "value"]
    median = statistics.median(values["value"])
    with answer:
        mine = (
            f"**{look.name}** {format_number(own.iloc[0])}"
            if not own.empty
            else f"**{look.name}** har inget värde"
        )
        st.markdown(
            f"{mine} för {look.titles.get(kpi, kpi)}{GENDER_WORDS[look.gender]}, {year}; "
            f"medianen för "
            f"{len(values)} kommuner är {format_number(median)}."
        )
        _coverage(look, kpi, values, year)
    _first_kpi_note(look)
    chart = distribution_chart(values["value"], look.name, own.iloc[0] if not own.empty else None)
    text = distribution_text(values, look.municipality_id, look.name)
    show_chart(
        chart,
        description=text.description,
        table=text.table,
        caption=f"Fördelningen över kommunerna med värden, {year}; orange linje med namnet: "
        f"{look.name}. Fördelning och median: {SOURCE_COMPUTED}. Värdena: {SOURCE_RAW}.",
        table_caption=f"Kommunernas värden {year}, högst först",
    )
