"""The Målvärden page (issue 16): for the controller, per goal and indicator the
nulägesbild, a chart (history, the peers' band, Riket, the forecast fan, the proposed
options), the options table, the choice and the downloads.

URL: /malvarden?kommun=1962&mal=mal-1&indikator=n1-behoriga-yrkesprogram&alternativ=median.
The proposals come from db.proposals.build_proposals (read once per database file and
bedömningsdag); the words, chart and documents from reports.targets_doc. Choosing an option
here writes nothing: it is a förslag, and the page shows the command that writes it into
the goal file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from core.forecast import Calibration
from core.format import SOURCE_COMPUTED, SOURCE_RAW, format_number
from core.params import UrlParamError, parse_choice
from core.targets import (
    OPTION_KEYS,
    OPTION_KINDS,
    GoalProposals,
    Proposal,
    option_flags,
)
from db import queries
from db.calibration import read_calibration
from db.proposals import build_proposals
from reports import targets_doc
from ui import data
from ui.chart_alt import show_chart, target_text
from ui.components import (
    MUNICIPALITY_PARAM,
    OVERVIEW_PAGE,
    PageLink,
    render_not_found,
    render_table,
    render_url_note,
    set_url_param,
    sync_url_param,
)
from ui.judging_date import current_day

TARGETS_PAGE = "app_pages/targets.py"
GOAL_PAGE = "app_pages/goal.py"
EXPLORER_PAGE = "app_pages/explorer.py"
GOAL_PARAM = "mal"
INDICATOR_PARAM = "indikator"
OPTION_PARAM = "alternativ"
# Widget keys of their own: the Mål page keeps other values under "mal"/"indikator"
# (its indicator select also offers "alla").
_GOAL_KEY = "mv_mal"
_INDICATOR_KEY = "mv_indikator"
_OPTION_KEY = "mv_alternativ"
# The option kinds in the URL: short ASCII words, not the UI's phrases.
OPTION_SLUGS = {kind: key for key, kind in OPTION_KEYS.items()}
KIND_OF_SLUG = {v: k for k, v in OPTION_SLUGS.items()}
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LABEL_LIMIT = 40


def _read_proposals(
    con: duckdb.DuckDBPyConnection, municipality_id: str, as_of: dt.date
) -> list[GoalProposals]:
    """db.proposals.build_proposals as a read for data.query (cached per file)."""
    return build_proposals(con, municipality_id, as_of=as_of)


@st.cache_resource(show_spinner=False)
def _calibration(path: str) -> Calibration:
    return read_calibration(Path(path))


def _chart(
    municipality_id: str,
    name: str,
    proposal: Proposal,
    end_year: int,
    as_of: dt.date,
) -> targets_doc.TargetChart:
    n = proposal.nulage
    inputs = data.query(targets_doc.query_chart_inputs, municipality_id, name, n.kpi, n.gender)
    return targets_doc.chart_data(
        inputs,
        proposal,
        municipality_id,
        as_of=as_of,
        end_year=end_year,
        calibration=_calibration(str(data.paths().calibration_path)),
    )


def render_targets_page(municipality_id: str, name: str) -> None:
    st.title(f"Målvärden – {name}")
    st.caption(
        "Förslag till delmål och periodmål ur Koladas jämförelser mellan landets 290 "
        "kommuner: var kommunen står i dag, vad liknande kommuner faktiskt har klarat och "
        "hur sannolikt varje värde är. Allt på sidan är förslag, inget är beslutat."
    )
    day = current_day()
    as_of = day.date if day else dt.date.fromisoformat(data.meta()["data_date"])
    if day is not None:
        st.caption(f"{day.heading} · {day.data_line}")
    goals = [g for g in data.query(_read_proposals, municipality_id, as_of) if g.proposals]
    if not goals:
        _render_empty(municipality_id, name)
        return
    goal = _pick_goal(goals, municipality_id, name)
    proposal = _pick_indicator(goal)
    _render_proposal(municipality_id, name, goal, proposal, as_of)
    _render_downloads(municipality_id, name, goals, as_of)


def _render_empty(municipality_id: str, name: str) -> None:
    for key in (GOAL_PARAM, INDICATOR_PARAM, OPTION_PARAM):
        set_url_param(key, None)
    st.info(
        f"{name} har inga styrande mål med nyckeltal från Kolada ännu, så Målpuls kan inte "
        "föreslå målvärden. Målvärden föreslås bara för styrande mål, de som får en prognos; "
        "inriktningsmål och stödjande mål följs med riktningen (Förbättras, Oförändrat, "
        "Försämras). Förslagen bygger på ett nyckeltals historia och på hur liknande kommuner "
        "har utvecklats. När nyckeltal är kopplade till styrande mål i målfilen (som förslag "
        "eller beslut) visas förslagen till målvärden här.",
        icon=":material/info:",
    )
    st.page_link(
        EXPLORER_PAGE,
        label="Hitta nyckeltal att följa målen med i Utforska",
        icon=":material/search:",
        query_params={MUNICIPALITY_PARAM: municipality_id},
    )
    st.page_link(
        OVERVIEW_PAGE,
        label="Tillbaka till översikten",
        icon="↩",
        query_params={MUNICIPALITY_PARAM: municipality_id},
    )


def _short(label: str, limit: int = LABEL_LIMIT) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip(" ,.") + "…"


def _adopt(param: str, key: str, value: str | None) -> None:
    """A URL value that changed since the last run (a pasted link, back/forward) wins over
    the widget's remembered one (ui.components.adopt_url_param, for a widget key other
    than the parameter's name)."""
    requested = st.query_params.get(param)
    seen = f"_url_seen_{param}"
    if value is not None and requested != st.session_state.get(seen):
        st.session_state[key] = value
        sync_url_param(param, value)
    st.session_state[seen] = st.query_params.get(param)


def _pick_goal(goals: list[GoalProposals], municipality_id: str, name: str) -> GoalProposals:
    ids = [g.goal_id for g in goals]
    by_id = {g.goal_id: g for g in goals}
    requested = st.query_params.get(GOAL_PARAM)
    chosen_in_url = None
    if requested:
        try:
            chosen_in_url = parse_choice(
                GOAL_PARAM, requested, ids, "Målet", f" bland målen med nyckeltal för {name}"
            )
        except UrlParamError as exc:
            # A stale or mistyped link: say so and offer the goals that have proposals,
            # rather than quietly showing another goal.
            render_not_found(
                f"{exc} Välj ett av målen:",
                [
                    PageLink(
                        _short(g.goal_title),
                        TARGETS_PAGE,
                        {MUNICIPALITY_PARAM: municipality_id, GOAL_PARAM: g.goal_id},
                        help=g.goal_title,
                    )
                    for g in goals
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
    _adopt(GOAL_PARAM, _GOAL_KEY, chosen_in_url)
    if st.session_state.get(_GOAL_KEY) not in ids:
        st.session_state[_GOAL_KEY] = ids[0]
    goal_id = st.selectbox(
        "Mål",
        ids,
        format_func=lambda g: by_id[g].goal_title,
        key=_GOAL_KEY,
        help="Bara mål med nyckeltal från Kolada kan få förslag till målvärden.",
    )
    set_url_param(GOAL_PARAM, goal_id)
    return by_id[goal_id]


def _pick_indicator(goal: GoalProposals) -> Proposal:
    ids = [p.indicator_id for p in goal.proposals]
    by_id = {p.indicator_id: p for p in goal.proposals}
    requested = st.query_params.get(INDICATOR_PARAM)
    chosen_in_url = None
    if requested:
        try:
            chosen_in_url = parse_choice(INDICATOR_PARAM, requested, ids, "Indikatorn", " i målet")
        except UrlParamError as exc:
            render_url_note(exc)
            set_url_param(INDICATOR_PARAM, None)
    _adopt(INDICATOR_PARAM, _INDICATOR_KEY, chosen_in_url)
    if st.session_state.get(_INDICATOR_KEY) not in ids:  # first view, or another goal's
        st.session_state[_INDICATOR_KEY] = ids[0]
    chosen = st.selectbox(
        "Indikator",
        ids,
        format_func=lambda i: f"{by_id[i].indicator_title} ({by_id[i].nulage.kpi})",
        key=_INDICATOR_KEY,
    )
    set_url_param(INDICATOR_PARAM, chosen)
    missing = goal.missing
    if missing:
        st.caption(
            "Utan förslag, eftersom kommunen saknar värden i Kolada: "
            + "; ".join(title for _, title, _ in missing)
            + "."
        )
    return by_id[chosen]


def _render_proposal(
    municipality_id: str, name: str, goal: GoalProposals, p: Proposal, as_of: dt.date
) -> None:
    n = p.nulage
    st.header(p.indicator_title)
    facts = [
        goal.framework_name,
        goal.area_title,
        f"målperiod {goal.period_start.year}–{goal.period_end.year}",
        f"nyckeltal {n.kpi}",
        {"öka": "önskad riktning: öka", "minska": "önskad riktning: minska"}.get(
            n.direction, "ingen önskad riktning"
        ),
    ]
    st.caption(" · ".join(f for f in facts if f))

    st.markdown("### Nulägesbild")
    _render_metrics(p)
    st.markdown(" ".join(targets_doc.nulage_sentences(p, name)))
    st.caption(
        f"Värden: {SOURCE_RAW}. Platser, spridning och utveckling: {SOURCE_COMPUTED}."
        + (f" Jämförelsegrupp: {n.peers_name}." if n.peers_name else "")
    )

    chosen = _pick_option(p)
    chart = _chart(municipality_id, name, p, goal.period_end.year, as_of)
    text = target_text(
        chart.history if chart is not None else None,
        name,
        (n.latest_year, n.latest_value),
        [
            (targets_doc.option_label(o.kind), [(m.date.year, m.value) for m in o.milestones])
            for o in p.options
        ],
        first_year=n.latest_year - targets_doc.HISTORY_YEARS + 1,  # as the chart draws
    )
    show_chart(
        targets_doc.target_chart(chart, p, name, chosen=chosen),
        description=text.description,
        table=text.table,
        caption=f"{name} och Riket: {SOURCE_RAW}. Liknande kommuner (median och mittersta "
        f"hälften), prognosen med 80 % intervall och förslagen: {SOURCE_COMPUTED}. "
        "Streckade linjer med romber är förslag, inte beslutade mål.",
        table_caption=f"{p.indicator_title}: värden och förslag",
    )
    if not p.options:
        st.info(p.note or "Målpuls har inga förslag till målvärden för indikatorn.")
        return
    st.markdown("### Förslag till delmål")
    render_table(
        _table(p),
        caption="Alternativen: delmål per år, periodmål, accepterad gräns och P(nås)",
    )
    st.caption(
        "P(nås): sannolikheten att periodmålet nås, från Målpuls bakåttestade prognos. "
        f"{SOURCE_COMPUTED}."
    )
    with st.expander("Underlag och metod"):
        for o in p.options:
            flags = option_flags(o, p.nulage)
            flag = f" *Bedömning: {flags}.*" if flags else ""
            st.markdown(
                f"**{targets_doc.option_label(o.kind)}.** {o.description} {o.evidence}{flag}"
            )
            for m in o.milestones:
                st.markdown(
                    f"- {m.date.year} ({m.kind}): {format_number(m.value)}, "
                    f"P(nås) {targets_doc.format_p(m.p_reached)}. {m.evidence}"
                )
        st.markdown(targets_doc.METHOD_TEXT)
    _render_choice(municipality_id, goal, p, as_of)


def _render_metrics(p: Proposal) -> None:
    n = p.nulage
    unit = n.unit or ""
    shown = f"{format_number(n.latest_value)} {unit}".strip()
    cols = st.columns(4)
    cols[0].metric(f"Senaste värde ({n.latest_year})", shown, help=SOURCE_RAW)
    pace = targets_doc.trend_text(p)
    trend_help = (
        f"{pace[0].upper()}{pace[1:]}."
        if pace
        else "För kort serie, eller ingen önskad riktning, för en trend."
    )
    cols[1].metric("Utveckling", n.trend_words, help=trend_help)
    best = "Plats 1 är bäst i önskad riktning."
    cols[2].metric(
        "Plats bland alla kommuner",
        f"{n.rank_all.place} av {n.rank_all.of}" if n.rank_all else "–",
        help=best,
    )
    cols[3].metric(
        "Plats bland liknande",
        f"{n.rank_peers.place} av {n.rank_peers.of}" if n.rank_peers else "–",
        help=f"{n.peers_name}. {best}" if n.peers_name else best,
    )


def _table(p: Proposal) -> pd.DataFrame:
    return pd.DataFrame(targets_doc.option_rows(p)).drop(columns=["Underlag"])


def _pick_option(p: Proposal) -> str | None:
    """The option chosen in the URL (alternativ=halla|median|kvartil), None when none is."""
    kinds = [o.kind for o in p.options]
    slugs = [OPTION_SLUGS[k] for k in kinds if k in OPTION_SLUGS]
    requested = st.query_params.get(OPTION_PARAM)
    chosen_in_url = None
    if requested and slugs:
        try:
            chosen_in_url = KIND_OF_SLUG[
                parse_choice(OPTION_PARAM, requested, slugs, "Alternativet", "")
            ]
        except UrlParamError as exc:
            render_url_note(exc)
            set_url_param(OPTION_PARAM, None)
    _adopt(OPTION_PARAM, _OPTION_KEY, chosen_in_url)
    if st.session_state.get(_OPTION_KEY) not in kinds:
        st.session_state[_OPTION_KEY] = None
    return st.session_state.get(_OPTION_KEY)


def _render_choice(municipality_id: str, goal: GoalProposals, p: Proposal, as_of: dt.date) -> None:
    st.markdown("### Välj ett förslag")
    kinds = [k for k in OPTION_KINDS if k in {o.kind for o in p.options}]
    chosen = st.radio(
        "Förslag att lämna till politiken",
        kinds,
        format_func=targets_doc.option_label,
        key=_OPTION_KEY,  # its value is set by _pick_option: None until one is chosen
    )
    set_url_param(OPTION_PARAM, OPTION_SLUGS.get(chosen) if chosen else None)
    if chosen is None:
        st.caption("Välj ett alternativ för att se hur det förs in i målfilen som förslag.")
        return
    option = next(o for o in p.options if o.kind == chosen)
    st.info(
        f"**{targets_doc.option_label(chosen)}** är ett förslag till politiken, inte ett "
        f"beslut: periodmål {format_number(option.target.value)} år "
        f"{option.target.date.year}, accepterad gräns {format_number(option.accepted_limit)}. "
        "Att välja här ändrar ingenting i Målpuls; förslaget förs in i målfilen med "
        "kommandot nedan, och först fullmäktiges eller nämndens beslut gör det till mål.",
        icon=":material/how_to_vote:",
    )
    frameworks = data.query(queries.query_frameworks, municipality_id)
    source = frameworks.loc[frameworks["framework_id"] == goal.framework_id, "source_file"]
    goal_file = source.iloc[0] if not source.empty else f"data/goals/{municipality_id}-….yaml"
    st.code(
        f"python -m etl propose {goal_file} --indicator {p.indicator_id} "
        f"--option {OPTION_SLUGS[chosen]} --as-of {as_of.isoformat()}",
        language="bash",
        wrap_lines=True,
    )
    st.caption(
        "Kommandot skriver förslaget i målfilen som förslag (provenance förslag, med metod, "
        "datum och vem) och behåller filens kommentarer; ett förslag som skulle tillåta en "
        "försämring ersätts av att hålla nivån. När fullmäktige eller nämnden har beslutat "
        "förs beslutet in med `python -m etl adopt <målfil> --indicator <id> --beslut "
        '"KF ÅÅÅÅ-MM-DD § N"`.'
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _document(
    municipality_id: str, name: str, framework_id: str, as_of: dt.date, kind: str
) -> bytes:
    goals = [
        g
        for g in data.query(_read_proposals, municipality_id, as_of)
        if g.framework_id == framework_id
    ]
    framework_name = goals[0].framework_name if goals else framework_id
    if kind == "xlsx":
        return targets_doc.excel_workbook(goals, name, framework_name, as_of)
    charts = {
        (g.goal_id, p.indicator_id): _chart(municipality_id, name, p, g.period_end.year, as_of)
        for g in goals
        for p in g.proposals
    }
    return targets_doc.word_document(goals, name, framework_name, as_of, charts=charts)


def _render_downloads(
    municipality_id: str, name: str, goals: list[GoalProposals], as_of: dt.date
) -> None:
    st.markdown(f"### {targets_doc.TITLE}")
    st.caption(
        "Underlaget att bifoga en tjänsteskrivelse: per mål och indikator nulägesbild, "
        "diagram, alternativen med underlag och metoden. Word med diagram, Excel med ett "
        "värde per rad. Alla mål med nyckeltal i styrmodellen."
    )
    for framework_id, framework_name, _ in targets_doc.framework_goals(goals):
        stem = f"malvarden-{municipality_id}-{framework_id}-{as_of.isoformat()}"
        st.markdown(f"**{framework_name}**")
        c1, c2, _ = st.columns([1, 1, 2])
        c1.download_button(
            "Ladda ner Word",
            lambda f=framework_id: _document(municipality_id, name, f, as_of, "docx"),
            file_name=f"{stem}.docx",
            mime=DOCX_MIME,
            key=f"mv_docx_{framework_id}",
            on_click="ignore",  # a download needs no rerun of the page
            icon=":material/description:",
        )
        c2.download_button(
            "Ladda ner Excel",
            lambda f=framework_id: _document(municipality_id, name, f, as_of, "xlsx"),
            file_name=f"{stem}.xlsx",
            mime=XLSX_MIME,
            key=f"mv_xlsx_{framework_id}",
            on_click="ignore",
            icon=":material/table:",
        )
