"""The explorer's Kön view (issue 17, item 6): for the first chosen KPI, women's and men's
values for the own municipality over the chosen years, and the gap (kvinnor − män)
against its Liknande kommuner, the answer first (core.gender_gap). The view shows both
genders whatever the page's Kön choice."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.format import SOURCE_COMPUTED, SOURCE_RAW
from core.gender_gap import gap_sentence, gaps, summarise_gap
from core.scope import peer_group
from db import explorer, queries
from ui import data
from ui.chart_alt import gender_gap_text, gender_series_text, show_chart
from ui.charts import gender_gap_chart, gender_series_chart
from ui.explorer_coverage import kpi_row
from ui.explorer_look import Look

NOT_DIVIDED = (
    "Kolada delar inte upp {title} på kön, så det finns inga värden för kvinnor och män "
    "att jämföra. Välj ett nyckeltal som är uppdelat på kön, till exempel ett om "
    "sysselsättning, ohälsa eller utbildning (de flesta som gäller invånare är det)."
)


def render_gender(look: Look, answer: DeltaGenerator) -> None:
    kpi = look.kpis[0]
    title = look.titles.get(kpi, kpi)
    divided = kpi_row(look, kpi)["is_divided_by_gender"]
    if len(look.kpis) > 1:
        st.caption(f"Visar det först valda nyckeltalet: {title}.")
    if pd.isna(divided) or not bool(divided):
        with answer:
            st.info(NOT_DIVIDED.format(title=title), icon=":material/info:")
        return
    found = peer_group(data.query(queries.query_peer_groups), look.name)
    peers = found[1] if found else []
    first, last = look.years
    rows = data.query(
        explorer.query_gender_values, kpi, [look.municipality_id, *peers], first, last
    )
    by_key = gaps(
        zip(rows["municipality_id"], rows["year"], rows["gender"], rows["value"], strict=True)
    )
    summary = summarise_gap(by_key, look.municipality_id, peers)
    if summary is None:
        with answer:
            st.info(
                f"{look.name} har inga värden för både kvinnor och män för {title} {first}–{last}.",
                icon=":material/info:",
            )
        return
    with answer:
        st.markdown(gap_sentence(summary, look.name))
        if not found:
            st.caption(f"Kolada har ingen grupp Liknande kommuner för {look.name}.")
        else:
            n_peers = len([p for p in peers if p != look.municipality_id])
            if summary.n_peers < n_peers:
                st.caption(
                    f"{summary.n_peers} av {n_peers} liknande kommuner har värden för "
                    f"kvinnor och män {summary.year}."
                )

    own = rows[rows["municipality_id"] == look.municipality_id]
    st.markdown(f"**Kvinnor och män i {look.name}**, {title}")
    text = gender_series_text(own, look.name)
    show_chart(
        gender_series_chart(own),
        description=text.description,
        table=text.table,
        caption=SOURCE_RAW,
        table_caption=f"Kvinnor och män i {look.name}, {title}",
    )

    names = dict(zip(rows["municipality_id"], rows["municipality"], strict=False))
    year_gaps = pd.DataFrame(
        [
            {"municipality_id": m, "municipality": names[m], "women": w, "men": mm, "gap": g}
            for (m, y), (w, mm, g) in by_key.items()
            if y == summary.year
        ]
    )
    st.markdown(f"**Skillnaden kvinnor − män {summary.year}**: {look.name} och liknande kommuner")
    chart = gender_gap_chart(year_gaps, look.municipality_id, summary.peers_median)
    median = (
        " Streckad linje: liknande kommuners median." if summary.peers_median is not None else ""
    )
    text = gender_gap_text(year_gaps, look.municipality_id, summary.year, summary.peers_median)
    show_chart(
        chart,
        description=text.description,
        table=text.table,
        caption=f"Över noll: högre värde för kvinnor. {look.name}: orange stapel.{median} "
        f"Skillnaderna och medianen: {SOURCE_COMPUTED}. Värdena: {SOURCE_RAW}.",
        table_caption=f"Skillnaden kvinnor − män {summary.year}",
    )
