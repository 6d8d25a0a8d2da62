"""The goal page: one goal with its text, ambition, decisions, indicators with charts and
explanations, links and conflicts. URL: /mal?kommun=1962&mal=mal-1[&indikator=…]."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.format import SOURCE_COMPUTED, SOURCE_RAW, format_number, numbered_label
from core.params import UrlParamError, parse_choice
from core.scope import peer_group
from db import queries
from ui import data
from ui.assessments import render_assessment_section, with_assessments
from ui.chart_alt import history_text, show_chart
from ui.charts import history_chart
from ui.components import (
    MUNICIPALITY_PARAM,
    OVERVIEW_PAGE,
    PageLink,
    adopt_url_param,
    render_not_found,
    render_table,
    set_url_param,
)
from ui.judging_date import current_day
from ui.local_values import render_local_indicator
from ui.overview import (
    TYPE_LABEL,
    ambitions_with_provenance,
    indicator_table,
    render_explanations,
    render_goal_status,
    render_links,
    with_targets,
)

GOAL_PAGE = "app_pages/goal.py"
GOAL_PARAM = "mal"
INDICATOR_PARAM = "indikator"
ALL = "alla"
LINK_LABEL_LIMIT = 40  # a page link does not wrap: this fits a phone 390 px wide


def render_goal_page(municipality_id: str, municipality_name: str) -> None:
    goals = data.query(queries.query_goal_ids, municipality_id)
    if not goals:
        st.info("Kommunen har inga mål inlagda.")
        return
    ids = [g for g, _ in goals]
    labels = dict(goals)

    def parse_goal(raw: str) -> str:
        return parse_choice(GOAL_PARAM, raw, ids, "Målet", f" för {municipality_name}")

    requested = st.query_params.get(GOAL_PARAM)
    try:
        if requested:
            parse_goal(requested)
    except UrlParamError as exc:
        # A stale or mistyped link: name what is missing and offer every goal, rather
        # than quietly showing another goal than the one linked.
        render_not_found(
            f"{exc} Välj ett av kommunens mål:",
            [
                PageLink(
                    _short(labels[g]),
                    GOAL_PAGE,
                    {MUNICIPALITY_PARAM: municipality_id, GOAL_PARAM: g},
                    help=labels[g],
                )
                for g in ids
            ]
            + [
                PageLink(
                    "Tillbaka till översikten",
                    OVERVIEW_PAGE,
                    {MUNICIPALITY_PARAM: municipality_id},
                    "↩",
                )
            ],
        )
    adopt_url_param(GOAL_PARAM, parse_goal)
    goal_id = st.selectbox(
        "Mål",
        ids,
        format_func=labels.get,
        key=GOAL_PARAM,
    )
    set_url_param(GOAL_PARAM, goal_id)
    day = current_day()
    as_of = day.date if day else None
    goal_frame = data.query(queries.query_goal, municipality_id, goal_id, as_of)
    if day is not None:
        goal_frame = with_assessments(goal_frame, municipality_id, day.date)
    goal = goal_frame.iloc[0]
    ambitions = ambitions_with_provenance(
        data.query(queries.query_indicator_ambitions, municipality_id)
    )
    indicators = with_targets(
        data.query(queries.query_indicator_overview, municipality_id, as_of), ambitions
    )
    indicators = indicators[indicators["goal_id"] == goal_id]
    # Checked before the header, so a note about the link is seen before the page.
    options = [ALL, *indicators["indicator_id"]]
    adopt_url_param(
        INDICATOR_PARAM,
        lambda raw: parse_choice(INDICATOR_PARAM, raw, options, "Indikatorn", " i målet"),
    )
    _render_header(goal, indicators)
    if day is not None:
        st.caption(f"{day.heading} · {day.data_line}")
    if indicators.empty:
        set_url_param(INDICATOR_PARAM, None)
        st.info(_empty_text(goal))
    else:
        deciding = goal["weakest_indicator"]
        _render_indicators(
            municipality_id,
            municipality_name,
            goal,
            indicators,
            ambitions,
            deciding if isinstance(deciding, str) else None,
        )
    render_assessment_section(municipality_id, goal, day)
    links = data.query(queries.query_links, municipality_id)
    goal_links = links[links["goal_id"] == goal_id]
    if not goal_links.empty:
        st.header("Kopplingar")
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
        st.header("Målkonflikter")
        for _, c in mine.iterrows():
            origin = "nämns i dokumentet" if c["provenance"] == "källa" else "förslag"
            st.markdown(f"**{c['title']}** ({origin})  \n{c['description']}")
    st.page_link(
        "app_pages/overview.py",
        label="Tillbaka till översikten",
        icon="↩",
        query_params={"kommun": municipality_id},
    )


def _short(label: str, limit: int = LINK_LABEL_LIMIT) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip(" ,.") + "…"


def _render_header(goal: pd.Series, indicators: pd.DataFrame) -> None:
    st.title(numbered_label(goal["number"], goal["title"], goal["goal_level_name"]))
    facts = [_text(goal["framework_name"]), _text(goal["area_title"])]
    facts.append(TYPE_LABEL.get(goal["type"], _text(goal["type"])))
    if goal["measurability"] != "ej angiven":
        facts.append(_text(goal["measurability"]))
    facts.append(_text(goal["definition_status"]))
    if _text(goal["responsible"]):
        facts.append(f"ansvar: {goal['responsible']}")
    st.caption(" · ".join(f for f in facts if f))
    if isinstance(goal["status"], str):
        render_goal_status(goal, indicators)
        st.caption(SOURCE_COMPUTED)
    ambition = _text(goal["ambition_text"])
    if ambition:
        status = _text(goal["ambition_status"])
        st.markdown(f"**Ambitionsnivå{f' ({status})' if status else ''}:** {ambition}")
    if _text(goal["description"]):
        st.markdown(goal["description"])
    refs = list(goal["decision_refs"])
    if refs:
        st.markdown("**Beslut:** " + "; ".join(refs))
    docs = list(goal["governing_documents"])
    if docs:
        st.markdown("**Befintliga styrdokument:** " + ", ".join(docs))
    for note in list(goal["notes"]):
        st.caption(f"Anm.: {note}")


def _text(value: object) -> str | None:
    """A text field of the goal, or None where it is missing: a pandas frame gives a
    missing text as None, NaN or NA (all but None are truthy, and would print "nan")."""
    return (value.strip() or None) if isinstance(value, str) else None


def _empty_text(goal: pd.Series) -> str:
    if goal["definition_status"] == "ej definierat":
        return "Målet är inte definierat ännu, så det har inga nyckeltal."
    if goal["type"] in ("inriktningsmål", "stödjande") or goal["measurability"] == "kvalitativ":
        return "Målet följs upp kvalitativt: inga nyckeltal och ingen prognos."
    return "Inga nyckeltal är kopplade till målet ännu."


def _render_indicators(
    municipality_id: str,
    name: str,
    goal: pd.Series,
    ind: pd.DataFrame,
    ambitions: pd.DataFrame,
    deciding: str | None,
) -> None:
    st.header("Nyckeltal")
    options = [ALL, *ind["indicator_id"]]
    titles = dict(zip(ind["indicator_id"], ind["title"], strict=True)) | {ALL: "Alla nyckeltal"}
    # The chart shown first is the indicator that decides the goal's status: it answers
    # "why", and one chart draws in a fraction of the time of all of them on a phone.
    default = deciding if deciding in options else options[1]
    if st.session_state.get(INDICATOR_PARAM) not in options:  # first view, or another goal's
        st.session_state[INDICATOR_PARAM] = default
    chosen = st.selectbox(
        "Visa diagram för",
        options,
        format_func=lambda i: titles[i] + (" (avgör målets status)" if i == deciding else ""),
        key=INDICATOR_PARAM,
    )
    set_url_param(INDICATOR_PARAM, None if chosen == default else chosen)
    shown = ind if chosen == ALL else ind[ind["indicator_id"] == chosen]
    peers_info = peer_group(data.query(queries.query_peer_groups), name)
    peers = peers_info[1] if peers_info else []
    for _, row in shown.iterrows():
        st.markdown(f"### {row['title']}")
        if row["n_proposed"] and not row["n_decided"]:
            # Said before the chart: the target drawn in it is not the municipality's.
            st.caption(
                "Målvärdet är ett förslag till målvärde, inte beslutat: status och prognos "
                "bedöms mot förslaget."
            )
        kpi = row["judged_kpi_id"] if pd.notna(row["judged_kpi_id"]) else row["kpi_id"]
        if row["is_local"]:
            render_local_indicator(municipality_id, name, goal, row)
            continue
        if pd.isna(kpi):
            st.caption("Indikatorn saknar nyckeltal i Kolada.")
            continue
        history = data.query(queries.query_history, kpi, row["gender"], municipality_id, peers)
        if history.empty:
            st.caption(f"Kolada har inga värden för nyckeltalet {kpi}.")
            continue
        forecast = None
        if pd.notna(row["point"]) and pd.notna(row["horizon_years"]):
            forecast = {
                "År": int(row["judged_year"]) + int(row["horizon_years"]),
                "point": row["point"],
                "lo80": row["lo80"],
                "hi80": row["hi80"],
            }
        mine = ambitions[ambitions["indicator_id"] == row["indicator_id"]]
        text = history_text(history, name, mine, forecast)
        show_chart(
            history_chart(history, name, mine, forecast),
            description=text.description,
            table=text.table,
            table_caption=row["title"],
            caption=f"{name} och Riket: {SOURCE_RAW}. Medianen för liknande kommuner"
            + (" och prognosen" if forecast else "")
            + f": {SOURCE_COMPUTED}. Nyckeltal {kpi}"
            + (
                f", senaste värde {format_number(row['judged_value'])}"
                if pd.notna(row["judged_value"])
                else ""
            )
            + ".",
        )
    render_explanations(shown)
    # The whole set after the chart that explains the status: the chart answers "why",
    # the table is for comparing the indicators.
    render_table(indicator_table(ind), caption="Alla nyckeltal i målet")
