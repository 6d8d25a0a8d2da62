"""The goal page: one goal with its text, ambition, decisions, indicators with charts and
explanations, links and conflicts. URL: /mal?kommun=1962&mal=mal-1[&indikator=…]."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.format import SOURCE_COMPUTED, SOURCE_RAW, format_number, numbered_label
from core.scope import peer_group
from db import queries
from ui import data
from ui.charts import history_chart
from ui.components import adopt_url_value, set_url_param
from ui.overview import (
    TYPE_LABEL,
    indicator_table,
    render_explanations,
    render_goal_status,
    render_links,
)

GOAL_PARAM = "mal"
INDICATOR_PARAM = "indikator"
ALL = "alla"


def render_goal_page(municipality_id: str, municipality_name: str) -> None:
    goals = data.query(queries.query_goal_ids, municipality_id)
    if not goals:
        st.info("Kommunen har inga mål inlagda.")
        return
    ids = [g for g, _ in goals]
    labels = dict(goals)
    requested = st.query_params.get(GOAL_PARAM)
    if requested is not None and requested not in ids:
        st.error(
            f"Målet {requested!r} finns inte för {municipality_name}. "
            "Välj ett mål i listan nedan eller gå till Översikt."
        )
        st.stop()
    adopt_url_value(GOAL_PARAM, ids)
    goal_id = st.selectbox(
        "Mål",
        ids,
        format_func=labels.get,
        key=GOAL_PARAM,
    )
    set_url_param(GOAL_PARAM, goal_id)
    goal = data.query(queries.query_goal, municipality_id, goal_id).iloc[0]
    indicators = data.query(queries.query_indicator_overview, municipality_id)
    indicators = indicators[indicators["goal_id"] == goal_id]
    _render_header(goal, indicators)
    if indicators.empty:
        st.info(_empty_text(goal))
    else:
        _render_indicators(municipality_id, municipality_name, indicators)
    links = data.query(queries.query_links, municipality_id)
    goal_links = links[links["goal_id"] == goal_id]
    if not goal_links.empty:
        st.subheader("Kopplingar")
        render_links(goal_links)
        sdgs = goal_links.loc[goal_links["link_type"] == "sdg", "target_id"]
        for sdg in sorted(sdgs.astype(int).unique()):
            st.page_link(
                "app_pages/agenda.py",
                label=f"Globalt mål {sdg} i Agenda 2030-vyn: alla mål och nyckeltal som hör dit",
                icon=":material/public:",
                query_params={"kommun": municipality_id, "sdg": str(sdg)},
            )
    incoming = links[(links["link_type"] == "goal") & (links["target_id"] == goal_id)]
    if not incoming.empty:
        st.markdown(
            "**Mål som hänvisar hit:** "
            + "; ".join(labels.get(g, g) for g in incoming["goal_id"].unique())
        )
    conflicts = data.query(queries.query_conflicts, municipality_id)
    mine = conflicts[conflicts["goal_ids"].map(lambda ids_: goal_id in list(ids_))]
    if not mine.empty:
        st.subheader("Målkonflikter")
        for _, c in mine.iterrows():
            origin = "nämns i dokumentet" if c["provenance"] == "källa" else "förslag"
            st.markdown(f"**{c['title']}** ({origin})  \n{c['description']}")
    st.page_link(
        "app_pages/overview.py",
        label="Tillbaka till översikten",
        icon="↩",
        query_params={"kommun": municipality_id},
    )


def _render_header(goal: pd.Series, indicators: pd.DataFrame) -> None:
    st.title(numbered_label(goal["number"], goal["title"], goal["goal_level_name"]))
    facts = [goal["framework_name"]]
    if isinstance(goal["area_title"], str):
        facts.append(goal["area_title"])
    facts.append(TYPE_LABEL.get(goal["type"], goal["type"]))
    if goal["measurability"] != "ej angiven":
        facts.append(goal["measurability"])
    facts.append(goal["definition_status"])
    if goal["responsible"]:
        facts.append(f"ansvar: {goal['responsible']}")
    st.caption(" · ".join(facts))
    if isinstance(goal["status"], str):
        render_goal_status(goal, indicators)
        st.caption(SOURCE_COMPUTED)
    if goal["ambition_text"]:
        st.markdown(f"**Ambitionsnivå ({goal['ambition_status']}):** {goal['ambition_text']}")
    if goal["description"]:
        st.markdown(goal["description"])
    refs = list(goal["decision_refs"])
    if refs:
        st.markdown("**Beslut:** " + "; ".join(refs))
    docs = list(goal["governing_documents"])
    if docs:
        st.markdown("**Befintliga styrdokument:** " + ", ".join(docs))
    for note in list(goal["notes"]):
        st.caption(f"Anm.: {note}")


def _empty_text(goal: pd.Series) -> str:
    if goal["definition_status"] == "ej definierat":
        return "Målet är inte definierat ännu, så det har inga nyckeltal."
    if goal["type"] in ("inriktningsmål", "stödjande") or goal["measurability"] == "kvalitativ":
        return "Målet följs upp kvalitativt: inga nyckeltal och ingen prognos."
    return "Inga nyckeltal är kopplade till målet ännu."


def _render_indicators(municipality_id: str, name: str, ind: pd.DataFrame) -> None:
    st.subheader("Nyckeltal")
    st.table(indicator_table(ind), hide_index=True, border="horizontal")
    options = [ALL, *ind["indicator_id"]]
    titles = dict(zip(ind["indicator_id"], ind["title"], strict=True)) | {ALL: "Alla nyckeltal"}
    adopt_url_value(INDICATOR_PARAM, options)
    chosen = st.selectbox(
        "Visa diagram för",
        options,
        format_func=titles.get,
        key=INDICATOR_PARAM,
    )
    set_url_param(INDICATOR_PARAM, None if chosen == ALL else chosen)
    shown = ind if chosen == ALL else ind[ind["indicator_id"] == chosen]
    peers_info = peer_group(data.query(queries.query_peer_groups), name)
    peers = peers_info[1] if peers_info else []
    ambitions = data.query(queries.query_indicator_ambitions, municipality_id)
    for _, row in shown.iterrows():
        st.markdown(f"#### {row['title']}")
        kpi = row["judged_kpi_id"] if pd.notna(row["judged_kpi_id"]) else row["kpi_id"]
        if row["is_local"] or pd.isna(kpi):
            st.caption("Lokal indikator utan värden i Kolada.")
            continue
        history = data.query(queries.query_history, kpi, row["gender"], municipality_id, peers)
        if history.empty:
            st.caption(f"Kolada har inga värden för {kpi} i den här databasen.")
            continue
        forecast = None
        if pd.notna(row["point"]) and pd.notna(row["horizon_years"]):
            forecast = {
                "År": int(row["judged_year"]) + int(row["horizon_years"]),
                "point": row["point"],
                "lo80": row["lo80"],
                "hi80": row["hi80"],
            }
        chart = history_chart(
            history, name, ambitions[ambitions["indicator_id"] == row["indicator_id"]], forecast
        )
        st.altair_chart(chart, width="stretch")
        st.caption(
            f"{name} och Riket: {SOURCE_RAW}. Medianen för liknande kommuner"
            + (" och prognosen" if forecast else "")
            + f": {SOURCE_COMPUTED}. Nyckeltal {kpi}"
            + (
                f", senaste värde {format_number(row['judged_value'])}"
                if pd.notna(row["judged_value"])
                else ""
            )
            + "."
        )
    render_explanations(shown)
