"""The overview page: frameworks → areas → goals → indicators for one municipality, with
each indicator's latest Kolada value, its year, Riket's value that year and the desired
direction."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.format import DIRECTION_LABEL, format_change, format_date, format_number, numbered_label
from core.labels import STATUS_STYLE, status_badge, status_text
from core.vocabulary import Status
from db import queries
from ui import data
from ui.components import adopt_url_value, set_url_param, source_caption

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


def render_overview(municipality_id: str, name: str) -> None:
    st.title(f"Översikt – {name}")
    frameworks = data.query(queries.query_frameworks, municipality_id)
    if frameworks.empty:
        st.info("Det finns inga mål inlagda för den här kommunen.")
        return
    areas = data.query(queries.query_areas, municipality_id)
    goals = data.query(queries.query_goals, municipality_id)
    indicators = data.query(queries.query_indicator_overview, municipality_id)
    links = data.query(queries.query_links, municipality_id)
    conflicts = data.query(queries.query_conflicts, municipality_id)

    goals = _filter_goals(goals, areas)
    for _, fw in frameworks.iterrows():
        _render_framework(fw, areas, goals, indicators, links, conflicts)


def _filter_goals(goals: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Filters by area and goal type, kept in the URL (?omrade=…&typ=…) so a filtered
    view can be shared."""
    c1, c2 = st.columns(2)
    area_labels = {"alla": "Alla områden"} | dict(
        zip(areas["area_id"], areas["title"], strict=True)
    )
    adopt_url_value("omrade", list(area_labels))
    area = c1.selectbox("Område", list(area_labels), format_func=area_labels.get, key="omrade")
    types = [t for t in TYPE_LABEL if t in set(goals["type"])]
    type_labels = {"alla": "Alla måltyper"} | {t: TYPE_LABEL[t] for t in types}
    adopt_url_value("typ", list(type_labels))
    kind = c2.selectbox("Måltyp", list(type_labels), format_func=type_labels.get, key="typ")
    # Only filters in use go in the URL, so the plain overview link stays short.
    for key, value in (("omrade", area), ("typ", kind)):
        set_url_param(key, None if value == "alla" else value)
    if area != "alla":
        goals = goals[goals["area_id"] == area]
    if kind != "alla":
        goals = goals[goals["type"] == kind]
    if goals.empty:
        st.info("Inga mål matchar filtret.")
    return goals


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
        area_goals = fw_goals[fw_goals["area_id"] == area["area_id"]]
        st.markdown(_distribution(area_goals))
        for _, goal in area_goals.iterrows():
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
        st.page_link(
            "app_pages/goal.py",
            label=f"**{numbered_label(goal['number'], goal['title'], level_name)}**",
            query_params={"kommun": goal["municipality_id"], "mal": goal["goal_id"]},
        )
        st.caption(_badge_line(goal))
        goal_ind = indicators[indicators["goal_id"] == goal["goal_id"]]
        render_goal_status(goal, goal_ind)
        if goal["ambition_text"]:
            with st.expander(f"Ambitionsnivå ({goal['ambition_status']})"):
                st.write(goal["ambition_text"])
        if goal["description"] and not goal["ambition_text"]:
            with st.expander("Beskrivning"):
                st.write(goal["description"])
        if goal_ind.empty:
            st.caption(_no_indicator_text(goal))
        else:
            # A static table wraps long indicator titles and keeps every column visible,
            # which a leadership group reading the page needs more than sorting.
            st.table(indicator_table(goal_ind), hide_index=True, border="horizontal")
            source_caption()
            st.caption(
                "Status, förändring och placering: Egen bearbetning av data från Kolada "
                "(se sidan Metod)."
            )
            render_explanations(goal_ind)
            if (goal_ind["provenance"] == "förslag").any():
                st.caption("Nyckeltal markerade *(förslag)* namnges inte i dokumentet.")
        render_links(links[links["goal_id"] == goal["goal_id"]])
        for note in goal["notes"] if goal["notes"] is not None else []:
            st.caption(f"Anm.: {note}")


def _no_indicator_text(goal: pd.Series) -> str:
    if goal["definition_status"] == "ej definierat":
        return "Målet är inte definierat ännu."
    if goal["type"] in ("inriktningsmål", "stödjande") or goal["measurability"] == "kvalitativ":
        return "Inga nyckeltal: målet följs upp kvalitativt och får ingen prognos."
    return "Inga nyckeltal är kopplade till målet ännu."


def indicator_table(ind: pd.DataFrame) -> pd.DataFrame:
    def title(row: pd.Series) -> str:
        return row["title"] + (" (förslag)" if row["provenance"] == "förslag" else "")

    def kpi(row: pd.Series) -> str:
        if row["is_local"]:
            return "Lokal indikator"
        text = row["kpi_id"]
        succ = row["successor_kpi_id"] if pd.notna(row["successor_kpi_id"]) else None
        if row["is_retired"]:
            text += f" (upphört, efterföljare {succ})" if succ else " (upphört)"
        judged = row["judged_kpi_id"]
        if pd.notna(judged) and judged != row["kpi_id"]:
            text += f"; värden från {judged}"
        return text

    def year(v: object) -> str:
        return str(int(v)) if pd.notna(v) else "–"

    def value(row: pd.Series, col: str) -> str:
        if row["is_local"]:
            return "Ingen Kolada-data"
        return format_number(row[col]) if pd.notna(row[col]) else "Saknas"

    # Show the series the status was judged on (a successor after a break) when there is one.
    judged = ind["judged_year"].notna()
    ind = ind.assign(
        shown_value=ind["latest_value"].where(~judged, ind["judged_value"]),
        shown_year=ind["latest_year"].where(~judged, ind["judged_year"]),
    )
    return pd.DataFrame(
        {
            "Nyckeltal": ind.apply(title, axis=1),
            "Kolada-id": ind.apply(kpi, axis=1),
            "Senaste värde": ind.apply(lambda r: value(r, "shown_value"), axis=1),
            "År": ind["shown_year"].map(year),
            "Riket samma år": ind.apply(
                lambda r: format_number(r["riket_value"]) if pd.notna(r["riket_value"]) else "–",
                axis=1,
            ),
            "Status": ind["status"].map(status_text),
            "Förändring/år": ind.apply(
                lambda r: (
                    format_change(r["change_per_year"], r["unit"])
                    if pd.notna(r["change_per_year"])
                    else "–"
                ),
                axis=1,
            ),
            "Placering (av kommuner)": ind.apply(_rank_text, axis=1),
            "Nästa data": ind["next_publication"].map(
                lambda d: format_date(pd.Timestamp(d).date()) if pd.notna(d) else "–"
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


def render_links(goal_links: pd.DataFrame) -> None:
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


def _rank_text(row: pd.Series) -> str:
    if pd.isna(row["rank_all"]):
        return "–"
    text = f"{int(row['rank_all'])} av {int(row['n_all'])} (kvartil {int(row['quartile_all'])})"
    if pd.notna(row["rank_peers"]):
        text += f"; {int(row['rank_peers'])} av {int(row['n_peers'])} liknande"
    return text


def _distribution(goals: pd.DataFrame) -> str:
    """Status distribution of an area's goals, worst first, as badges."""
    order = list(STATUS_STYLE)
    counts = goals["status"].value_counts()
    parts = [f"{status_badge(s)} × {counts[s]}" for s in reversed(order) if s in counts]
    return "Målstatus: " + " ".join(parts) if parts else ""


def render_goal_status(goal: pd.Series, indicators: pd.DataFrame) -> None:
    """The goal's computed status with the reason, naming the weakest indicator so the
    reader sees at once why a goal is off track; leadership's own assessment beside it."""
    if pd.isna(goal["status"]):
        return
    line = f"{status_badge(goal['status'])} {goal['status_reason']}"
    weakest = indicators[indicators["indicator_id"] == goal["weakest_indicator"]]
    if not weakest.empty and goal["status"] not in (Status.MET, Status.ON_TRACK, Status.IMPROVING):
        line += f" Svagast: *{weakest.iloc[0]['title']}*."
    if not goal["forecast_allowed"] and goal["type"] != "ej fastställt":
        line += " *Ingen prognos: målet är inte ett styrande, kvantitativt mål.*"
    st.markdown(line)
    if isinstance(goal["assessment"], str) and goal["assessment"]:
        flag = " ⚠ Skiljer sig från den beräknade statusen." if goal["disagrees"] else ""
        st.markdown(f"Ledningens bedömning: {status_badge(goal['assessment'])}{flag}")


def render_explanations(ind: pd.DataFrame) -> None:
    """One click from any status to its inputs, method and thresholds."""
    with st.expander("Förklaring av status"):
        for _, r in ind.iterrows():
            if pd.isna(r["status"]):
                continue
            lines = [f"**{r['title']}**: {status_text(r['status'])}. {r['status_reason']}"]
            if pd.notna(r["judged_year"]):
                lines.append(
                    f"Senaste värde {format_number(r['latest_value'])} ({int(r['judged_year'])})"
                    + (
                        f", bedömd serie {r['judged_kpi_id']}"
                        if r["judged_kpi_id"] and r["judged_kpi_id"] != r["kpi_id"]
                        else ""
                    )
                )
            if pd.notna(r["change_per_year"]) and pd.notna(r["noise"]):
                lines.append(
                    f"Trend {format_number(r['change_per_year'])} per år (robust lutning, "
                    f"senaste sex åren); normal variation mellan två år "
                    f"{format_number(r['noise'])}."
                )
            if pd.notna(r["p_met"]) and pd.notna(r["point"]):
                lines.append(
                    f"Prognos {format_number(r['point'])} (80 % intervall "
                    f"{format_number(r['lo80'])}–{format_number(r['hi80'])}), "
                    f"sannolikhet att nå målvärdet {format_number(100 * r['p_met'], 0)} %."
                )
            elif pd.notna(r["point"]) and pd.notna(r["horizon_years"]):
                year = int(r["judged_year"]) + int(r["horizon_years"])
                lines.append(
                    f"Prognos för periodens slut ({year}): {format_number(r['point'])} "
                    f"(80 % intervall {format_number(r['lo80'])}–{format_number(r['hi80'])}); "
                    "inget målvärde att jämföra med."
                )
            st.markdown("  \n".join(lines))
        if ind["as_of"].notna().any():
            as_of = pd.Timestamp(ind["as_of"].dropna().iloc[0]).date()
            st.caption(
                f"Bedömningsdag: {format_date(as_of)}. Bara år före bedömningsdagens år räknas, "
                "eftersom ett års värde publiceras efter årets slut."
            )
