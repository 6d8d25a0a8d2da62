"""The explorer's ranking and distribution views over all kommuner."""

from __future__ import annotations

import streamlit as st

from core.format import SOURCE_COMPUTED, SOURCE_RAW
from db import queries
from ui import data
from ui.charts import distribution_chart, ranking_chart
from ui.explorer_look import Look


def render_ranking(look: Look) -> None:
    municipality_id, name, kpi = look.municipality_id, look.name, look.kpis[0]
    ranking = data.query(queries.query_ranking, kpi, look.gender, None)
    if ranking.empty:
        st.info("Inga kommunvärden att rangordna.")
        return
    year = int(ranking["year"].iloc[0])
    ranking = ranking.reset_index(drop=True).assign(Plats=lambda d: d.index + 1)
    own = ranking[ranking["municipality_id"] == municipality_id]
    if not own.empty:
        st.markdown(
            f"**{name}** har plats {int(own['Plats'].iloc[0])} av {len(ranking)} "
            f"(högst värde först) för {look.titles.get(kpi, kpi)}, {year}."
        )
    st.altair_chart(ranking_chart(ranking, municipality_id), width="stretch")
    st.caption(f"Rangordningen: {SOURCE_COMPUTED}. Värdena: {SOURCE_RAW}.")


def render_distribution(look: Look) -> None:
    municipality_id, name, kpi = look.municipality_id, look.name, look.kpis[0]
    ranking = data.query(queries.query_ranking, kpi, look.gender, None)
    if ranking.empty:
        st.info("Inga kommunvärden.")
        return
    own = ranking[ranking["municipality_id"] == municipality_id]["value"]
    chart = distribution_chart(ranking["value"], name, own.iloc[0] if not own.empty else None)
    st.altair_chart(chart, width="stretch")
    st.caption(
        f"Fördelningen över alla kommuner, {int(ranking['year'].iloc[0])}; "
        f"orange linje: {name}. {SOURCE_COMPUTED}."
    )
