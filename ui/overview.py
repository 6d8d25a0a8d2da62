"""Översikt: "are we on track, and why?" for one municipality on the bedömningsdag.

First the whole municipality (goals per status, what changed since the previous judged
date, which frameworks have ended), then one compact row per goal: status, title, the
indicator that decides it with its latest value, a small trend line and the forecast
against the target where there is one. The indicator tables are one click away ("Alla
nyckeltal", or the goal page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from core.format import (
    DIRECTION_LABEL,
    SOURCE_COMPUTED,
    format_change,
    format_date,
    format_number,
    numbered_label,
    sparkline,
)
from core.judging import can_judge
from core.labels import status_badge, status_text
from core.status import AGAINST_PROPOSAL, SEVERITY
from core.vocabulary import Status
from db import queries
from ui import data
from ui.assessments import assessment_line, with_assessments
from ui.components import adopt_url_value, set_url_param, source_caption
from ui.judging_date import PARAM, JudgingDay, current_day

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
    day = current_day()
    frameworks = data.query(queries.query_frameworks, municipality_id)
    if frameworks.empty or day is None:
        st.info("Det finns inga mål inlagda för den här kommunen.")
        return
    areas = data.query(queries.query_areas, municipality_id)
    goals = with_assessments(
        data.query(queries.query_goals, municipality_id, day.date), municipality_id, day.date
    )
    indicators = with_targets(
        data.query(queries.query_indicator_overview, municipality_id, day.date),
        data.query(queries.query_indicator_ambitions, municipality_id),
    )
    history = data.query(queries.query_goal_statuses, municipality_id)

    st.header(day.heading)
    st.caption(f"{day.data_line}. {SOURCE_COMPUTED}.")
    render_staleness(day)
    _render_summary(goals, history, day)
    _render_target_count(indicators)
    for _, fw in frameworks.iterrows():
        _render_period(fw, goals, history, day)

    c0, c1, c2 = st.columns(3)
    view_labels = {"mal": "Målen", "nyckeltal": "Alla nyckeltal"}
    adopt_url_value("vy", list(view_labels))
    view = (
        c0.segmented_control(
            "Visa", list(view_labels), format_func=view_labels.get, key="vy", default="mal"
        )
        or "mal"
    )
    set_url_param("vy", None if view == "mal" else view)
    shown = _filter_goals(goals, areas, c1, c2)
    # Each view reads only what it draws: trend lines for the rows, links for the tables.
    full = view == "nyckeltal"
    series = {} if full else data.query(queries.query_indicator_series, municipality_id)
    links = data.query(queries.query_links, municipality_id) if full else None
    conflicts = data.query(queries.query_conflicts, municipality_id)
    for _, fw in frameworks.iterrows():
        _render_framework(fw, areas, shown, indicators, links, conflicts, series, day)


def rests_on_proposal(reason: object) -> bool:
    """Whether a stored status reason says it rests on a proposed target (core.status)."""
    return isinstance(reason, str) and AGAINST_PROPOSAL in reason


def _render_summary(goals: pd.DataFrame, history: pd.DataFrame, day: JudgingDay) -> None:
    """The whole municipality first: how many goals in each status (word, icon, colour),
    and what changed since the previous judged date."""
    counts = goals["status"].value_counts()
    # Bad news first; what cannot be judged last, never counted as good.
    order = sorted(Status, key=lambda s: -SEVERITY[s] if s in SEVERITY else 1)
    parts = [f"{status_badge(s)} **{counts[s]}**" for s in order if s in counts]
    st.markdown(f"**{len(goals)} mål:** " + " &nbsp; ".join(parts))
    n_proposal = int(goals["status_reason"].map(rests_on_proposal).sum())
    if n_proposal:
        st.markdown(
            f":orange-badge[Förslag] {n_proposal} av målen är bedömda mot förslag till "
            "målvärden som Målpuls har räknat fram, inte mot beslutade mål."
        )
    previous = day.previous()
    if previous is None:
        return
    before = history[history["as_of"].map(_as_date) == previous[0]].set_index("goal_id")["status"]
    changed = []
    for _, g in goals.iterrows():
        old = before.get(g["goal_id"])
        if isinstance(old, str) and isinstance(g["status"], str) and old != g["status"]:
            label = numbered_label(g["number"], g["title"])
            changed.append(f"{_short(label)}: {status_text(old)} → {status_text(g['status'])}")
    since = previous[1] or format_date(previous[0])
    if changed:
        st.markdown(f"**Ändrat sedan {since}:** " + "; ".join(changed))
    else:
        st.caption(f"Ingen status har ändrats sedan {since}.")


def ambitions_with_provenance(ambitions: pd.DataFrame) -> pd.DataFrame:
    """The ambitions with `provenance` (beslut | förslag). core.goals guarantees that a
    decided target names its decision and a proposal never does, so `decision` tells
    them apart in the rows db.queries.query_indicator_ambitions returns."""
    return ambitions.assign(
        provenance=ambitions["decision"].map(
            lambda d: "beslut" if isinstance(d, str) else "förslag"
        )
    )


def with_targets(indicators: pd.DataFrame, ambitions: pd.DataFrame) -> pd.DataFrame:
    """The indicator rows with how many decided and proposed target values each has, and
    `target_provenance`: what a result judged against a target was judged against. It is
    a proposal exactly when the indicator has no decided target (core.judging.pick_ambition
    judges against proposals only while nothing is decided)."""
    amb = ambitions_with_provenance(ambitions)
    decided = amb[amb["provenance"] == "beslut"]["indicator_id"].value_counts()
    proposed = amb[amb["provenance"] == "förslag"]["indicator_id"].value_counts()
    out = indicators.assign(
        n_decided=indicators["indicator_id"].map(decided).fillna(0).astype(int),
        n_proposed=indicators["indicator_id"].map(proposed).fillna(0).astype(int),
    )
    judged_on_target = out["target_value"].notna()
    return out.assign(
        target_provenance=[
            ("beslut" if n else "förslag") if on_target else None
            for n, on_target in zip(out["n_decided"], judged_on_target, strict=True)
        ]
    )


def _render_target_count(indicators: pd.DataFrame) -> None:
    """How many indicators have a decided target value: a proposal is never counted as
    one, and is named as what it is."""
    if indicators.empty:
        return
    n = len(indicators)
    decided = int((indicators["n_decided"] > 0).sum())
    proposed = int(((indicators["n_decided"] == 0) & (indicators["n_proposed"] > 0)).sum())
    text = f"**Målvärden:** {decided} av {n} nyckeltal har ett beslutat målvärde"
    if proposed:
        text += f"; {proposed} har bara ett förslag till målvärde (ej beslutat)"
    st.markdown(text + ".")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _as_date(v: object) -> dt.date:
    return pd.Timestamp(v).date()


def _render_period(
    fw: pd.Series, goals: pd.DataFrame, history: pd.DataFrame, day: JudgingDay
) -> None:
    """A framework whose period has ended says so and gives its slutbedömning (judged on
    the data date, with the final year's data once published); one not yet started or
    preliminary says so."""
    start, end = _as_date(fw["period_start"]), _as_date(fw["period_end"])
    name = fw["name"]
    preliminary = (
        " Målen är preliminära, inte antagna." if fw["definition_status"] == "preliminär" else ""
    )
    if day.date < start:
        st.info(f"**{name}** gäller från {format_date(start)}: inget att bedöma ännu.{preliminary}")
    elif end < day.date or end < day.data_date:
        fw_goals = set(goals.loc[goals["framework_id"] == fw["framework_id"], "goal_id"])
        final = history[
            (history["as_of"].map(_as_date) == day.data_date) & history["goal_id"].isin(fw_goals)
        ]["status"].value_counts()
        verdict = ", ".join(f"{n} {status_text(s).lower()}" for s, n in final.items())
        st.caption(
            f"**{name}**: perioden {_years(start, end)} är avslutad. Slutbedömning med "
            f"data t.o.m. {day.latest_year or '–'}: {verdict or 'inga mål att bedöma'}."
            f"{preliminary}"
        )
    elif preliminary:
        st.caption(f"**{name}** ({_years(start, end)}).{preliminary}")


def _years(start: dt.date, end: dt.date) -> str:
    return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"


def render_staleness(day: JudgingDay) -> None:
    """When the chosen day is too late for the data, say what is missing and offer the
    latest day the data can judge."""
    if can_judge(day.date, day.latest_year) or day.latest_year is None:
        return
    judgeable = [d for d, _ in day.dates if can_judge(d, day.latest_year)]
    st.warning(
        f"**Per {format_date(day.date)} är datan för gammal för en bedömning:** senaste "
        f"värdena är från {day.latest_year}, och ett värde äldre än tre år bedöms inte. "
        "Nya värden kommer när Kolada publicerar dem och den nattliga körningen hämtar dem."
    )
    if judgeable:
        latest = max(judgeable)
        if st.button(f"Visa läget per {format_date(latest)}", key="to_judgeable"):
            st.session_state["bedomningsdag"] = latest.isoformat()
            st.rerun()


def _filter_goals(goals: pd.DataFrame, areas: pd.DataFrame, c1: Any, c2: Any) -> pd.DataFrame:
    """Filters by area and goal type (in the columns given), kept in the URL
    (?omrade=…&typ=…) so a filtered view can be shared."""
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
    links: pd.DataFrame | None,
    conflicts: pd.DataFrame,
    series: dict,
    day: JudgingDay,
) -> None:
    st.header(fw["name"], divider="gray")
    if links is not None:  # the full view: the framework's facts and vision
        facts = [f"Period {format_date(fw['period_start'])} – {format_date(fw['period_end'])}"]
        if fw["decision_refs"] is not None and len(fw["decision_refs"]):
            facts.append("Beslut: " + "; ".join(fw["decision_refs"]))
        if fw["checkpoint_labels"] is not None and len(fw["checkpoint_labels"]):
            facts.append("Rapportpunkter: " + ", ".join(fw["checkpoint_labels"]))
        st.caption(" · ".join(facts))
        if fw["vision"]:
            st.caption(f"Vision: {fw['vision']}")

    fw_goals = goals[goals["framework_id"] == fw["framework_id"]]
    fw_areas = areas[areas["framework_id"] == fw["framework_id"]]
    if links is not None and fw_goals["perspective_id"].notna().any():
        _render_grid(fw_areas, fw_goals)

    # One grouping instead of a boolean filter per goal: on pyarrow-backed frames each
    # filter copies every column, and that was most of the page's server time.
    by_goal = dict(tuple(indicators.groupby("goal_id", sort=False)))
    no_indicators = indicators.iloc[0:0]

    def render(goal: pd.Series) -> None:
        goal_ind = by_goal.get(goal["goal_id"], no_indicators)
        if links is None:
            _render_goal_row(goal, fw["goal_level_name"], goal_ind, series, day)
        else:
            _render_goal(goal, fw["goal_level_name"], goal_ind, links)

    for _, area in fw_areas.iterrows():
        area_goals = fw_goals[fw_goals["area_id"] == area["area_id"]]
        if area_goals.empty:
            continue
        st.markdown(f"### {numbered_label(area['number'], area['title'], fw['area_level_name'])}")
        for _, goal in area_goals.iterrows():
            render(goal)
    unplaced = fw_goals[fw_goals["area_id"].isna()]
    if not unplaced.empty:
        st.subheader(f"{fw['goal_level_name']} utan område")
        for _, goal in unplaced.iterrows():
            render(goal)

    fw_conflicts = conflicts[conflicts["framework_id"] == fw["framework_id"]]
    if not fw_conflicts.empty:
        with st.expander(f"Målkonflikter ({len(fw_conflicts)})"):
            for _, c in fw_conflicts.iterrows():
                origin = "nämns i dokumentet" if c["provenance"] == "källa" else "förslag"
                st.markdown(f"**{c['title']}** ({origin})  \n{c['description']}")
    if links is not None and fw["notes"] is not None and len(fw["notes"]):
        with st.expander("Anmärkningar om källan"):
            for note in fw["notes"]:
                st.markdown(f"- {note}")


def _render_goal_row(
    goal: pd.Series, level_name: str, ind: pd.DataFrame, series: dict, day: JudgingDay
) -> None:
    """One compact row per goal: status, title (a link to the goal page), one line of
    reason from the indicator that decides it, with a small trend line."""
    with st.container(border=True):
        badge = status_badge(goal["status"]) if isinstance(goal["status"], str) else ""
        if rests_on_proposal(goal["status_reason"]):
            badge += " :orange-badge[mot förslag]"
        params = {"kommun": goal["municipality_id"], "mal": goal["goal_id"]}
        if PARAM in st.query_params:
            params[PARAM] = st.query_params[PARAM]
        st.page_link(
            "app_pages/goal.py",
            label=f"{badge} **{numbered_label(goal['number'], goal['title'], level_name)}**",
            query_params=params,
        )
        lines = [_reason_line(goal, ind, series, day)]
        assessed = assessment_line(goal)
        if assessed:
            lines.append(assessed)
        st.markdown("  \n".join(lines))


def _reason_line(goal: pd.Series, ind: pd.DataFrame, series: dict, day: JudgingDay) -> str:
    """Why the goal has its status, in one line: the deciding indicator, its latest value
    and trend, the forecast against the target where there is one."""
    if ind.empty:
        return _no_indicator_text(goal)
    decider = ind[ind["indicator_id"] == goal["weakest_indicator"]]
    row = decider.iloc[0] if not decider.empty else ind.iloc[0]
    if pd.isna(row["judged_year"]):
        reason = row["status_reason"] if isinstance(row["status_reason"], str) else ""
        return f"*{_short(indicator_name(row), 80)}*: {reason}"
    kpi = row["judged_kpi_id"] if isinstance(row["judged_kpi_id"], str) else row["kpi_id"]
    years, values = series.get((kpi, row["gender"]), ([], []))
    # The years known on the day end at the year judged (the stored result applied the
    # KPI's publication pattern, core.judging.is_known), so no pattern is needed here.
    known = [v for y, v in zip(years, values, strict=True) if y <= row["judged_year"]][-8:]
    # A goal judged through an indicator we proposed (the document names none) says so.
    proposed = " :orange-badge[föreslaget nyckeltal]" if row["provenance"] == "förslag" else ""
    line = (
        f"*{_short(indicator_name(row), 80)}*{proposed}: {format_number(row['judged_value'])} "
        f"({int(row['judged_year'])}) :gray[{sparkline(known)}]"
    )
    if pd.notna(row["p_met"]) and pd.notna(row["point"]):
        target_year = pd.Timestamp(row["target_date"]).year
        target = "förslaget till målvärde" if _on_proposal(row) else "målvärdet"
        line += (
            f" · prognos {target_year}: {format_number(row['point'])} mot {target} "
            f"{format_number(row['target_value'])}, {format_number(100 * row['p_met'], 0)} % "
            "sannolikhet"
        )
    elif pd.notna(row["change_per_year"]):
        line += f" · {format_change(row['change_per_year'], row['unit'])} per år"
    n_more = len(ind) - 1
    if n_more > 0:
        line += f" · {n_more} nyckeltal till"
    return line


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
    goal: pd.Series, level_name: str, goal_ind: pd.DataFrame, links: pd.DataFrame
) -> None:
    with st.container(border=True):
        st.page_link(
            "app_pages/goal.py",
            label=f"**{numbered_label(goal['number'], goal['title'], level_name)}**",
            query_params={"kommun": goal["municipality_id"], "mal": goal["goal_id"]},
        )
        st.caption(_badge_line(goal))
        render_goal_status(goal, goal_ind)
        if goal["ambition_text"]:
            status = goal["ambition_status"]
            with st.expander(
                f"Ambitionsnivå ({status})" if isinstance(status, str) else "Ambitionsnivå"
            ):
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


def _on_proposal(row: pd.Series) -> bool:
    return row.get("target_provenance") == "förslag"


def _target_text(row: pd.Series) -> str:
    if row["n_decided"]:
        return "Beslutat"
    return "Förslag" if row["n_proposed"] else "Inget beslutat"


def indicator_table(ind: pd.DataFrame) -> pd.DataFrame:
    """The indicators as a table; `ind` carries with_targets' columns."""

    def title(row: pd.Series) -> str:
        return indicator_name(row) + (" (förslag)" if row["provenance"] == "förslag" else "")

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
        if pd.notna(row[col]):
            return format_number(row[col]) + (" (egna värden)" if row["is_local"] else "")
        # A local indicator's values are uploaded in the app (ui.local_values), never Kolada's.
        return "Inga bedömda egna värden" if row["is_local"] else "Saknas"

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
            "Status": ind.apply(
                lambda r: (
                    status_text(r["status"])
                    + (" (mot förslag till målvärde)" if _on_proposal(r) else "")
                ),
                axis=1,
            ),
            "Förändring/år": ind.apply(
                lambda r: (
                    format_change(r["change_per_year"], r["unit"])
                    if pd.notna(r["change_per_year"])
                    else "–"
                ),
                axis=1,
            ),
            "Placering (av kommuner)": ind.apply(_rank_text, axis=1),
            "Nästa data": ind["next_publication"].map(_next_data),
            "Önskad riktning": ind.apply(
                lambda r: (
                    DIRECTION_LABEL[r["direction"]]
                    + (" (förslag)" if r["direction_provenance"] == "förslag" else "")
                ),
                axis=1,
            ),
            "Målvärde": ind.apply(_target_text, axis=1),
        }
    )


def indicator_name(row: pd.Series) -> str:
    """What an indicator is called on screen: Kolada's title of its KPI, which says exactly
    what is measured (the document's wording may carry a typo or an older title; it is
    shown beside it in the explanation), or the document's title for a local indicator."""
    kpi_title = row.get("kpi_title")
    return kpi_title if isinstance(kpi_title, str) and kpi_title else row["title"]


def _next_data(value: object, today: dt.date | None = None) -> str:
    """Kolada's next publication date; one that has passed is flagged, since the catalogue
    date then says only that new values are due."""
    if pd.isna(value):
        return "–"
    day = pd.Timestamp(value).date()
    today = today or dt.date.today()
    return format_date(day) + (" (passerat: nya värden väntas)" if day < today else "")


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


def render_goal_status(goal: pd.Series, indicators: pd.DataFrame) -> None:
    """The goal's computed status with the reason, naming the weakest indicator so the
    reader sees at once why a goal is off track; leadership's own assessment beside it."""
    if pd.isna(goal["status"]):
        return
    line = f"{status_badge(goal['status'])} {goal['status_reason']}"
    weakest = indicators[indicators["indicator_id"] == goal["weakest_indicator"]]
    if not weakest.empty and goal["status"] not in (Status.MET, Status.ON_TRACK, Status.IMPROVING):
        line += f" Svagast: *{indicator_name(weakest.iloc[0])}*."
    if not goal["forecast_allowed"] and goal["type"] != "ej fastställt":
        line += " *Ingen prognos: målet är inte ett styrande, kvantitativt mål.*"
    st.markdown(line)
    assessed = assessment_line(goal)
    if assessed:
        st.markdown(assessed)


def render_explanations(ind: pd.DataFrame) -> None:
    """One click from any status to its inputs, method and thresholds."""
    with st.expander("Förklaring av status"):
        for _, r in ind.iterrows():
            if pd.isna(r["status"]):
                continue
            lines = [f"**{indicator_name(r)}**: {status_text(r['status'])}. {r['status_reason']}"]
            if indicator_name(r) != r["title"]:
                lines.append(f"I dokumentet: ”{r['title']}”")
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
                target = "förslaget till målvärde (ej beslutat)" if _on_proposal(r) else "målvärdet"
                lines.append(
                    f"Prognos {format_number(r['point'])} (80 % intervall "
                    f"{format_number(r['lo80'])}–{format_number(r['hi80'])}), "
                    f"sannolikhet att nå {target} {format_number(100 * r['p_met'], 0)} %."
                )
            elif pd.notna(r["point"]) and pd.notna(r["horizon_years"]):
                year = int(r["judged_year"]) + int(r["horizon_years"])
                lines.append(
                    f"Prognos för periodens slut ({year}): {format_number(r['point'])} "
                    f"(80 % intervall {format_number(r['lo80'])}–{format_number(r['hi80'])}); "
                    "inget målvärde att jämföra med."
                )
            if r["provenance"] == "förslag" and isinstance(r["reason"], str) and r["reason"]:
                # Why a proposed indicator was proposed: the document does not name it.
                lines.append(f":orange-badge[Föreslaget nyckeltal] {r['reason']}")
            st.markdown("  \n".join(lines))
        if ind["as_of"].notna().any():
            as_of = pd.Timestamp(ind["as_of"].dropna().iloc[0]).date()
            st.caption(
                f"Bedömningsdag: {format_date(as_of)}. Bara värden som Kolada hade publicerat "
                "den dagen räknas (enligt nyckeltalets publiceringsmönster)."
            )
