"""The overview page: frameworks → areas → goals → indicators for one municipality, with
each indicator's latest Kolada value, its year, Riket's value that year and the desired
direction."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.format import DIRECTION_LABEL, format_date, format_number
from ui import data
from ui.components import source_caption

TYPE_LABEL = {
    "styrande": "Styrande mål",
    "inriktningsmål": "Inriktningsmål",
    "stödjande": "Stödjande mål",
    "ej fastställt": "Ej fastställt",
}
LINK_TYPE_LABEL = {
    "sdg": "Agenda 2030",
    "sdg_target": "Agenda 2030-delmål",
    "crc": "Barnkonventionen",
    "challenge": "Utmaningar",
    "rus": "Regional utvecklingsstrategi",
    "goal": "Kopplade mål",
}


def render_overview(kommun: str, name: str) -> None:
    st.title(f"Översikt – {name}")
    frameworks = data.frame("query_frameworks", kommun)
    if frameworks.empty:
        st.info("Det finns inga mål inlagda för den här kommunen.")
        return
    areas = data.frame("query_areas", kommun)
    goals = data.frame("query_goals", kommun)
    indicators = data.frame("query_indicator_overview", kommun)
    links = data.frame("query_links", kommun)
    conflicts = data.frame("query_conflicts", kommun)

    for _, fw in frameworks.iterrows():
        _render_framework(fw, areas, goals, indicators, links, conflicts)


def _render_framework(
    fw: pd.Series,
    areas: pd.DataFrame,
    goals: pd.DataFrame,
    indicators: pd.DataFrame,
    links: pd.DataFrame,
    conflicts: pd.DataFrame,
) -> None:
    st.header(fw["name"], divider="gray")
    if fw["motto"]:
        st.markdown(f"*{fw['motto']}*")
    if fw["vision"]:
        st.markdown(f"> **Vision:** {fw['vision']}")
    facts = [
        f"Period {format_date(fw['period_start'])} – {format_date(fw['period_end'])}",
        f"Status: {fw['definition_status']}",
    ]
    if fw["decision_refs"] is not None and len(fw["decision_refs"]):
        facts.append("Beslut: " + "; ".join(fw["decision_refs"]))
    if fw["checkpoint_labels"] is not None and len(fw["checkpoint_labels"]):
        facts.append("Rapportpunkter: " + ", ".join(fw["checkpoint_labels"]))
    st.caption(" · ".join(facts))

    fw_goals = goals[goals["framework_id"] == fw["framework_id"]]
    fw_areas = areas[areas["framework_id"] == fw["framework_id"]]
    if fw_goals["perspective_id"].notna().any():
        _render_grid(fw_areas, fw_goals)

    for _, area in fw_areas.iterrows():
        number = f" {int(area['number'])}" if pd.notna(area["number"]) else ""
        st.subheader(f"{fw['area_level_name']}{number}: {area['title']}")
        for _, goal in fw_goals[fw_goals["area_id"] == area["area_id"]].iterrows():
            _render_goal(goal, fw["goal_level_name"], indicators, links)
    unplaced = fw_goals[fw_goals["area_id"].isna()]
    if not unplaced.empty:
        st.subheader(f"{fw['goal_level_name']} utan område")
        for _, goal in unplaced.iterrows():
            _render_goal(goal, fw["goal_level_name"], indicators, links)

    fw_conflicts = conflicts[conflicts["framework_id"] == fw["framework_id"]]
    if not fw_conflicts.empty:
        with st.expander(f"Målkonflikter ({len(fw_conflicts)})"):
            for _, c in fw_conflicts.iterrows():
                origin = "nämns i dokumentet" if c["provenance"] == "källa" else "förslag"
                st.markdown(f"**{c['title']}** ({origin})  \n{c['description']}")
    if fw["notes"] is not None and len(fw["notes"]):
        with st.expander("Anmärkningar om källan"):
            for note in fw["notes"]:
                st.markdown(f"- {note}")


def _render_grid(areas: pd.DataFrame, goals: pd.DataFrame) -> None:
    """Vetlanda's riktning × perspektiv grid of delstrategier."""
    grid = goals.assign(
        cell=goals["number"].map(lambda n: f"{int(n)}. " if pd.notna(n) else "") + goals["title"]
    )
    table = (
        grid.groupby(["area_id", "perspective_title"], sort=False)["cell"]
        .agg(lambda s: " • ".join(s))
        .unstack("perspective_title")
    )
    table.index = table.index.map(dict(zip(areas["area_id"], areas["title"], strict=True)))
    table.index.name = None
    # A static table wraps the long delstrategi titles; a grid of truncated cells would not.
    st.table(table.fillna("–"))


def _badge_line(goal: pd.Series) -> str:
    parts = [TYPE_LABEL.get(goal["type"], goal["type"])]
    if goal["measurability"] != "ej angiven":
        parts.append(goal["measurability"])
    if goal["definition_status"] != "antagen":
        parts.append(goal["definition_status"])
    if pd.notna(goal["perspective_title"]):
        parts.append(f"perspektiv: {goal['perspective_title']}")
    return " · ".join(parts)


def _render_goal(
    goal: pd.Series, level_name: str, indicators: pd.DataFrame, links: pd.DataFrame
) -> None:
    with st.container(border=True):
        number = f" {int(goal['number'])}" if pd.notna(goal["number"]) else ""
        st.markdown(f"**{level_name}{number}. {goal['title']}**")
        st.caption(_badge_line(goal))
        if goal["ambition_text"]:
            with st.expander(f"Ambitionsnivå ({goal['ambition_status']})"):
                st.write(goal["ambition_text"])
        if goal["description"] and not goal["ambition_text"]:
            with st.expander("Beskrivning"):
                st.write(goal["description"])
        goal_ind = indicators[indicators["goal_id"] == goal["goal_id"]]
        if goal_ind.empty:
            st.caption(_no_indicator_text(goal))
        else:
            # A static table wraps long indicator titles and keeps every column visible,
            # which a leadership group reading the page needs more than sorting.
            st.table(_indicator_table(goal_ind), hide_index=True, border="horizontal")
            source_caption()
            if (goal_ind["provenance"] == "förslag").any():
                st.caption("Nyckeltal markerade *(förslag)* namnges inte i dokumentet.")
        _render_links(links[links["goal_id"] == goal["goal_id"]])
        for note in goal["notes"] if goal["notes"] is not None else []:
            st.caption(f"Anm.: {note}")


def _no_indicator_text(goal: pd.Series) -> str:
    if goal["definition_status"] == "ej definierat":
        return "Målet är inte definierat ännu."
    if goal["type"] in ("inriktningsmål", "stödjande") or goal["measurability"] == "kvalitativ":
        return "Inga nyckeltal: målet följs upp kvalitativt och får ingen prognos."
    return "Inga nyckeltal är kopplade till målet ännu."


def _indicator_table(ind: pd.DataFrame) -> pd.DataFrame:
    def title(row: pd.Series) -> str:
        return row["title"] + (" (förslag)" if row["provenance"] == "förslag" else "")

    def kpi(row: pd.Series) -> str:
        if row["is_local"]:
            return "Lokal indikator"
        text = row["kpi_id"]
        if row["is_retired"]:
            text += " (upphört"
            text += f", efterföljare {row['successor_kpi_id']})" if row["successor_kpi_id"] else ")"
        return text

    def year(v: object) -> str:
        return str(int(v)) if pd.notna(v) else "–"

    def value(row: pd.Series, col: str) -> str:
        if row["is_local"]:
            return "Ingen Kolada-data"
        return format_number(row[col]) if pd.notna(row[col]) else "Saknas"

    return pd.DataFrame(
        {
            "Nyckeltal": ind.apply(title, axis=1),
            "Kolada-id": ind.apply(kpi, axis=1),
            "Senaste värde": ind.apply(lambda r: value(r, "latest_value"), axis=1),
            "År": ind["latest_year"].map(year),
            "Riket samma år": ind.apply(
                lambda r: format_number(r["riket_value"]) if pd.notna(r["riket_value"]) else "–",
                axis=1,
            ),
            "Önskad riktning": ind.apply(
                lambda r: (
                    DIRECTION_LABEL[r["direction"]]
                    + (" (förslag)" if r["direction_provenance"] == "förslag" else "")
                ),
                axis=1,
            ),
            "Målvärde": ind["n_ambitions"].map(lambda n: "Beslutat" if n else "Inget beslutat"),
        }
    )


def _render_links(goal_links: pd.DataFrame) -> None:
    if goal_links.empty:
        return
    lines = []
    for link_type, group in goal_links.groupby("link_type", sort=False):
        items = [
            f"{row['label']}" + (" *(förslag)*" if row["provenance"] == "förslag" else "")
            for _, row in group.iterrows()
        ]
        lines.append(f"**{LINK_TYPE_LABEL.get(link_type, link_type)}:** " + "; ".join(items))
    st.markdown("  \n".join(lines))
