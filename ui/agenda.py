"""The Agenda 2030 page: which of the 17 global goals the municipality's goals address,
how the indicators behind each global goal are doing, and which global goals nothing
addresses. Every link says where it came from (core/agenda.py).

URL: /agenda-2030?kommun=0685[&sdg=11]. Clicking a cell in a matrix selects that column's
global goal, exactly as the select box below it does; the select box is the keyboard's way
(a link beside the matrix leads to it), and every chart has its text and table
(ui/chart_alt.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd
import streamlit as st

from core.agenda import (
    PROVENANCE_HELP,
    PROVENANCE_LABEL,
    SDG_NUMBERS,
    STATUS_ORDER,
    Cell,
    GoalLink,
    chain_cells,
    coverage,
    goal_sdg_cells,
    indicators_behind_sdgs,
    status_distribution,
)
from core.contrast import readable_text_colour
from core.format import SOURCE_COMPUTED, SOURCE_RAW, format_number, numbered_label
from core.labels import STATUS_CHART_HEX, status_text
from core.params import parse_sdg
from db import queries
from ui import data, export
from ui.chart_alt import matrix_text, show_chart, status_bars_text
from ui.charts import EMPTY_CELL, LINK_CELL, MATRIX_SELECTION, sdg_matrix, sdg_status_bars
from ui.components import adopt_url_param, set_url_param
from ui.judging_date import current_day
from ui.overview import with_targets

SDG_PARAM = "sdg"
DETAIL_ANCHOR = "valj-globalt-mal"
MATRIX_GENERATION = "_matrix_generation"
LINK_TYPES = ("sdg", "sdg_target")
LINKS_SOURCE = (
    "Kopplingar: kommunens dokument, Målpuls förslag och Målpuls bedömning av vilket globalt "
    "mål Koladas Agenda 2030-nyckeltal hör till. Status: Egen bearbetning av data från Kolada."
)
PROVENANCE_MARK = {"källa": "■", "förslag": "▨", "nyckeltal": "□"}


class AgendaView:
    """Everything the page shows for one municipality, assembled once per run from
    cached queries and the pure rules in core/agenda.py."""

    def __init__(self, municipality_id: str, as_of: dt.date | None = None) -> None:
        self.municipality_id = municipality_id
        self.sdgs = data.query(queries.query_sdg_reference).set_index("sdg")
        targets = data.query(queries.query_sdg_targets)
        self.target_goal = dict(zip(targets["target_code"], targets["sdg"], strict=True))
        self.target_title = {
            r.target_code: r.short_title_sv if isinstance(r.short_title_sv, str) else r.text_en
            for r in targets.itertuples()
        }
        self.goals = data.query(queries.query_goals, municipality_id, as_of)
        areas = data.query(queries.query_areas, municipality_id)
        self.area_label = {r.area_id: _goal_label(r.number, r.title) for r in areas.itertuples()}
        self.frameworks = data.query(queries.query_frameworks, municipality_id)
        self.links = data.query(queries.query_links, municipality_id)
        self.indicators = with_targets(
            data.query(queries.query_indicator_overview, municipality_id, as_of),
            data.query(queries.query_indicator_ambitions, municipality_id),
        )
        self.agenda_kpis = data.query(queries.query_sdg_kpis, municipality_id)
        kpi_sdgs: dict[str, list[int]] = {}
        for r in self.agenda_kpis.itertuples():
            kpi_sdgs.setdefault(r.kpi_id, []).append(int(r.sdg))
        sdg_links = self.links[self.links["link_type"].isin(LINK_TYPES)]
        with_kpi = [r for r in self.indicators.itertuples() if isinstance(r.kpi_id, str)]
        # A goal reaches an SDG through an indicator we proposed only as a proposal: such
        # a link is a förslag, never "via nyckeltal" beside the document's own indicators.
        proposed = [
            GoalLink(
                r.goal_id,
                "sdg",
                str(sdg),
                "förslag",
                f"Via det föreslagna nyckeltalet {r.kpi_id} ({_text(r.title)}).",
            )
            for r in with_kpi
            if r.provenance == "förslag"
            for sdg in kpi_sdgs.get(r.kpi_id, [])
        ]
        self.cells = goal_sdg_cells(
            [
                GoalLink(r.goal_id, r.link_type, r.target_id, r.provenance, _text(r.reason))
                for r in sdg_links.itertuples()
            ]
            + proposed,
            [(r.goal_id, r.kpi_id) for r in with_kpi if r.provenance != "förslag"],
            kpi_sdgs,
            self.target_goal,
        )
        self.coverage = coverage(self.cells)
        self.goal_label = {
            r.goal_id: _goal_label(r.number, r.title) for r in self.goals.itertuples()
        }

    def sdg_name(self, sdg: int) -> str:
        return f"{sdg} {self.sdgs.loc[sdg, 'name_sv_short']}"

    def behind(self) -> list:
        """The indicators behind each SDG: all indicators of goals linked to it in the
        document or as a proposal, the goal indicators whose KPI is mapped to it, and the
        curated Agenda 2030 KPIs no goal names (counted once per SDG)."""
        by_goal = dict(list(self.indicators.groupby("goal_id")))
        goal_items = []
        for c in self.cells:
            grp = by_goal.get(c.goal_id)
            if grp is None:
                continue
            if c.provenance == "nyckeltal":
                grp = grp[grp["kpi_id"].isin(c.kpis)]
            for r in grp.itertuples():
                kpi = r.kpi_id if isinstance(r.kpi_id, str) else None
                goal_items.append((c.sdg, kpi, r.status if isinstance(r.status, str) else ""))
        agenda_items = [(int(r.sdg), r.kpi_id, r.status) for r in self.agenda_kpis.itertuples()]
        return indicators_behind_sdgs([g for g in goal_items if g[2]], agenda_items)


def render_agenda(municipality_id: str, name: str) -> None:
    st.title("Agenda 2030")
    st.caption(
        f"Vilka av de 17 globala målen {name}s mål tar upp, hur nyckeltalen bakom varje "
        "globalt mål utvecklas, och vilka globala mål inget mål berör."
    )
    day = current_day()
    if day is not None:
        st.header(day.heading)
        st.caption(
            f"{day.data_line}. Målens och deras nyckeltals status gäller bedömningsdagen; "
            "övriga Agenda 2030-nyckeltal bedöms på dagen då datan hämtades."
        )
    view = AgendaView(municipality_id, day.date if day else None)
    if view.goals.empty:
        st.info(f"{name} har inga mål inlagda ännu, så det finns inga kopplingar att visa.")
        return
    adopt_url_param(SDG_PARAM, lambda raw: str(parse_sdg(SDG_PARAM, raw)))

    _render_summary(view)
    _render_legend()
    st.header("Mål × globala mål")
    # The matrix answers clicks only: the keyboard's way is the select box "Globalt mål"
    # further down (the same choice, ?sdg=N), one link away (WCAG 2.1.1).
    st.caption(
        "Klicka på en ruta för att se det globala målet i detalj längre ner, eller "
        f"[välj det globala målet i en lista](#{DETAIL_ANCHOR}) (fungerar med tangentbordet). "
        "Under matrisen: Visa som tabell."
    )
    for fw in view.frameworks.itertuples():
        goals = view.goals[view.goals["framework_id"] == fw.framework_id]
        if len(view.frameworks) > 1:
            st.markdown(f"**{fw.name}**")
        rows = [(g.goal_id, view.goal_label[g.goal_id]) for g in goals.itertuples()]
        _matrix(view, rows, view.cells, fw.goal_level_name.capitalize(), f"mal_{fw.framework_id}")
    _render_coverage(view)

    st.header("Status per globalt mål")
    _render_status_by_sdg(view)

    st.header("Globalt mål i detalj", anchor=DETAIL_ANCHOR)
    options = ["", *(str(s) for s in SDG_NUMBERS)]
    chosen = st.selectbox(
        "Globalt mål",
        options,
        format_func=lambda s: "Välj ett globalt mål" if not s else _option_label(view, int(s)),
        key=SDG_PARAM,
        on_change=_forget_matrix_clicks,
    )
    set_url_param(SDG_PARAM, chosen or None)
    if chosen:
        _render_sdg_detail(view, int(chosen))
    else:
        st.caption("Välj ett globalt mål här eller klicka i en matris ovan.")

    st.header("Från mål till Agenda 2030")
    _render_reverse(view, name)
    _render_other_links(view)


def _text(v: object) -> str | None:
    return v if isinstance(v, str) and v else None


def _goal_label(number: object, title: str, limit: int = 60) -> str:
    text = title if len(title) <= limit else title[: limit - 1].rstrip() + "…"
    return numbered_label(number, text)


def _option_label(view: AgendaView, sdg: int) -> str:
    n_goals = len({c.goal_id for c in view.cells if c.sdg == sdg})
    return f"{view.sdg_name(sdg)} ({n_goals} mål)"


def _render_summary(view: AgendaView) -> None:
    # The headline counts what the municipality's documents say: a proposed link is
    # Målpuls' reading, never the municipality's decision, so it has its own count.
    from_doc = [s for s, p in view.coverage.items() if p == "källa"]
    only_proposed = [s for s, p in view.coverage.items() if p == "förslag"]
    only_kpi = [s for s, p in view.coverage.items() if p == "nyckeltal"]
    none = [s for s, p in view.coverage.items() if p is None]
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(
        "Globala mål som målen tar upp",
        f"{len(from_doc)} av 17",
        help="Med koppling i kommunens eget dokument. Målpuls förslag räknas inte här.",
    )
    c2.metric(
        "Bara som förslag",
        len(only_proposed),
        help="Inget dokument kopplar dit, men Målpuls föreslår en koppling: ett förslag, "
        "inte kommunens beslut.",
    )
    c3.metric(
        "Bara via nyckeltal",
        len(only_kpi),
        help="Inget mål kopplas dit, men något mål följs upp med ett nyckeltal som hör dit.",
    )
    c4.metric("Inte berörda alls", len(none))
    if not from_doc and not only_proposed:
        st.info(
            "Kommunens dokument kopplar inga mål direkt till Agenda 2030. Kopplingarna nedan "
            "går via målens nyckeltal: de som Kolada räknar till Agenda 2030."
        )


def _render_legend() -> None:
    st.markdown(
        "  \n".join(
            f"{PROVENANCE_MARK[p]} **{PROVENANCE_LABEL[p]}:** {PROVENANCE_HELP[p]}"
            for p in PROVENANCE_LABEL
        )
    )
    # The matrix draws every link in one colour that no status uses: beside the status
    # bars (green, orange, red) its colour must never read as "how it goes".
    st.caption(
        "I matrisen betyder färgen bara att det finns en koppling, inte hur det går: lila "
        "ruta ■ koppling från dokumentet, ljusare lila med streckad kant ▨ förslag, ljusast "
        "lila □ via nyckeltal, grå ruta ingen koppling. Hur det går visas av status med "
        "symbol och ord."
    )


def _cell_frame(
    view: AgendaView, rows: list[tuple[str, str]], cells: Iterable[Cell]
) -> pd.DataFrame:
    by_key = {(c.goal_id, c.sdg): c for c in cells}
    out = []
    for order, (row_id, label) in enumerate(rows):
        for sdg in SDG_NUMBERS:
            c = by_key.get((row_id, sdg))
            prov = c.provenance if c else ""
            koppling = PROVENANCE_LABEL[prov] if c else "Ingen koppling"
            out.append(
                {
                    "row_id": row_id,
                    "row_label": label,
                    "row_order": order,
                    "sdg": sdg,
                    "sdg_name": view.sdg_name(sdg),
                    "colour": LINK_CELL if c else EMPTY_CELL,
                    "provenance": prov,
                    "koppling": koppling,
                    "detaljer": _cell_details(view, c) if c else "",
                    "description": f"Globalt mål {sdg} och {label}: {koppling}",
                }
            )
    return pd.DataFrame(out)


def _cell_details(view: AgendaView, c: Cell) -> str:
    parts = []
    if c.targets:
        parts.append("Delmål " + ", ".join(c.targets))
    if c.kpis:
        parts.append("Nyckeltal " + ", ".join(c.kpis))
    if c.via:
        parts.append("Via " + "; ".join(view.goal_label.get(g, g) for g in c.via))
    return ". ".join(parts)


def _matrix(
    view: AgendaView,
    rows: list[tuple[str, str]],
    cells: Iterable[Cell],
    row_title: str,
    key: str,
) -> None:
    """One matrix; a click on a cell (a new selection) chooses its SDG below."""
    if not rows:
        return
    frame = _cell_frame(view, rows, cells)
    text = matrix_text(frame, row_title, PROVENANCE_LABEL)
    event = show_chart(
        sdg_matrix(frame, row_title),
        description=text.description,
        table=text.table,
        table_caption="Globala mål per rad, efter slag av koppling",
        width=None,  # the spec's own width, as before
        on_select="rerun",
        key=f"matrix_{key}_{st.session_state.get(MATRIX_GENERATION, 0)}",
    )
    picked = (event or {}).get("selection", {}).get(MATRIX_SELECTION) or []
    sdg = str(picked[0].get("sdg")) if picked and picked[0].get("sdg") is not None else None
    seen = f"_matrix_seen_{key}"
    if sdg is not None and sdg != st.session_state.get(seen):
        st.session_state[SDG_PARAM] = sdg
    st.session_state[seen] = sdg


def _forget_matrix_clicks() -> None:
    """The select box moved away from the SDG a matrix click chose: give the matrices new
    keys, so they start without a selection and a click on that same cell counts again
    (clicking an already selected cell changes nothing and sends no event)."""
    st.session_state[MATRIX_GENERATION] = st.session_state.get(MATRIX_GENERATION, 0) + 1


def _render_coverage(view: AgendaView) -> None:
    none = [s for s, p in view.coverage.items() if p is None]
    only_kpi = [s for s, p in view.coverage.items() if p == "nyckeltal"]
    if none:
        st.markdown(
            "**Globala mål som inget mål berör:** " + ", ".join(view.sdg_name(s) for s in none)
        )
    else:
        st.markdown("**Alla 17 globala mål berörs av något mål.**")
    if only_kpi:
        st.markdown(
            "**Berörs bara via nyckeltal:** " + ", ".join(view.sdg_name(s) for s in only_kpi)
        )


def _render_status_by_sdg(view: AgendaView) -> None:
    items = view.behind()
    dist = status_distribution(items)
    rows = [
        {
            "sdg": sdg,
            "sdg_label": view.sdg_name(sdg),
            "status": status,
            "n": n,
            "order": STATUS_ORDER.index(status),
        }
        for sdg, counts in dist.items()
        for status, n in counts.items()
    ]
    if not rows:
        st.info("Inga indikatorer med status finns bakom de globala målen.")
        return
    frame = pd.DataFrame(rows)
    present = [s for s in STATUS_ORDER if s in set(frame["status"])]
    # The legend and the table name each status with its icon and word (core.labels), so
    # the bars' colours are never the only carrier.
    words = {s: status_text(s) for s in present}
    text = status_bars_text(frame, words)
    show_chart(
        sdg_status_bars(
            frame.assign(status=frame["status"].map(words)),
            {words[s]: STATUS_CHART_HEX[s] for s in present},
        ),
        description=text.description,
        table=text.table,
        table_caption="Antal indikatorer per globalt mål och status",
        width=None,  # the spec's own width, as before
    )
    n_goal = sum(1 for i in items if i.source == "mål")
    linked = {c.goal_id for c in view.cells}
    ind = view.indicators
    n_proposed = int((ind["goal_id"].isin(linked) & (ind["target_provenance"] == "förslag")).sum())
    proposed = (
        f"; {n_proposed} av målens nyckeltal bedöms mot förslag till målvärde (ej beslutat)"
        if n_proposed
        else ""
    )
    st.caption(
        f"{len(items)} indikatorer: {n_goal} från målen (bedömda mot beslutat målvärde där "
        f"det finns) och {len(items) - n_goal} Agenda 2030-nyckeltal som inget mål använder "
        f"(bedömda efter riktning){proposed}. {SOURCE_COMPUTED}."
    )


def _render_sdg_detail(view: AgendaView, sdg: int) -> None:
    colour = view.sdgs.loc[sdg, "color_hex"]
    # Black or white text, whichever reads on the SDG's colour (white fails AA on 10 of
    # the 17, e.g. the yellow of goal 7). A heading under "Globalt mål i detalj", so a
    # screen reader's list of headings reaches the chosen goal.
    ink = readable_text_colour(colour)
    st.markdown(
        f'<h3 style="background:{colour};color:{ink};padding:0.5rem 0.8rem;margin:0;'
        f'border-radius:4px;font-weight:600;font-size:1rem;line-height:1.6">Mål {sdg}: '
        f"{view.sdgs.loc[sdg, 'name_sv_short']}</h3>",
        unsafe_allow_html=True,
    )
    st.markdown(f"*{view.sdgs.loc[sdg, 'name_sv_long']}*")
    cells = [c for c in view.cells if c.sdg == sdg]
    status = dict(zip(view.goals["goal_id"], view.goals["status"], strict=True))
    if cells:
        st.markdown("**Mål som kopplas hit**")
        st.dataframe(
            pd.DataFrame(
                {
                    "Mål": [view.goal_label[c.goal_id] for c in cells],
                    "Koppling": [PROVENANCE_LABEL[c.provenance] for c in cells],
                    "Delmål": [
                        "; ".join(f"{t} {view.target_title.get(t, '')}" for t in c.targets)
                        for c in cells
                    ],
                    "Motivering": [" ".join(c.reasons) for c in cells],
                    "Målstatus": [status_text(_text(status.get(c.goal_id))) for c in cells],
                }
            ),
            hide_index=True,
        )
    else:
        st.markdown(f"**Inget av kommunens mål kopplas till mål {sdg}.**")

    _render_goal_indicators(view, cells)
    _render_agenda_kpis(view, sdg)


def _render_goal_indicators(view: AgendaView, cells: list[Cell]) -> None:
    """The goals' indicators behind this SDG, each a link to its place on the goal page."""
    shown = 0
    for c in cells:
        ind = view.indicators[view.indicators["goal_id"] == c.goal_id]
        if c.provenance == "nyckeltal":
            ind = ind[ind["kpi_id"].isin(c.kpis)]
        if ind.empty:
            continue
        if not shown:
            st.markdown("**Indikatorer i målen**")
        for r in ind.itertuples():
            value = (
                f" — {format_number(r.latest_value)} ({int(r.latest_year)})"
                if pd.notna(r.latest_value)
                else ""
            )
            st.page_link(
                "app_pages/goal.py",
                label=f"{status_text(_text(r.status))} · {r.title}{value} · "
                f"{view.goal_label[c.goal_id]}",
                query_params={
                    "kommun": view.municipality_id,
                    "mal": c.goal_id,
                    "indikator": r.indicator_id,
                },
            )
            shown += 1
    if shown:
        st.caption(f"Status: {SOURCE_COMPUTED}. Värden: {SOURCE_RAW}.")


def _render_agenda_kpis(view: AgendaView, sdg: int) -> None:
    """Curated Agenda 2030 KPIs for this SDG that none of the goals uses."""
    used = set(view.indicators["kpi_id"].dropna())
    kpis = view.agenda_kpis[
        (view.agenda_kpis["sdg"] == sdg) & ~view.agenda_kpis["kpi_id"].isin(used)
    ]
    if kpis.empty:
        return
    st.markdown("**Fler nyckeltal för målet** (Koladas Agenda 2030-urval, inte i målen)")
    st.dataframe(
        pd.DataFrame(
            {
                "Status": [status_text(s) for s in kpis["status"]],
                "Nyckeltal": kpis["title"],
                "Senaste värde": [
                    format_number(v) if pd.notna(v) else "–" for v in kpis["latest_value"]
                ],
                "År": [str(int(y)) if pd.notna(y) else "–" for y in kpis["latest_year"]],
                "Delmål": kpis["target_code"].fillna(""),
                "Varför här": kpis["mapping_reason"],
                "Kolada": [
                    f"utforska?kommun={view.municipality_id}&kpi={k}&vy=Diagram"
                    for k in kpis["kpi_id"]
                ],
            }
        ),
        hide_index=True,
        column_config={
            "Kolada": st.column_config.LinkColumn("Utforska", display_text="Visa"),
        },
    )
    st.caption(
        "Status efter riktning de senaste åren (inget mål att mäta mot): "
        f"{SOURCE_COMPUTED}. Värden: {SOURCE_RAW}. Att nyckeltalet hör till Agenda 2030 "
        "kommer från Koladas Agenda 2030-grupp; vilket globalt mål det hör till är Målpuls "
        "kurering."
    )


def _reverse_table(view: AgendaView) -> pd.DataFrame:
    """One row per goal: its global goals by kind of link, and its other links."""
    other = view.links[~view.links["link_type"].isin(LINK_TYPES)]
    rows = []
    for g in view.goals.itertuples():
        mine = [c for c in view.cells if c.goal_id == g.goal_id]

        def sdgs(prov: str, mine: list[Cell] = mine) -> str:
            return ", ".join(str(c.sdg) for c in mine if c.provenance == prov)

        row = {
            "Område": view.area_label.get(g.area_id, "Utan område"),
            "Mål": view.goal_label[g.goal_id],
            "Målstatus": status_text(_text(g.status)),
            "Globala mål (dokument)": sdgs("källa"),
            "Globala mål (förslag)": sdgs("förslag"),
            "Via nyckeltal": sdgs("nyckeltal"),
            "Delmål": ", ".join(t for c in mine for t in c.targets),
        }
        for link_type, title in (
            ("crc", "Barnkonventionen"),
            ("challenge", "Utmaningar"),
            ("rus", "RUS"),
        ):
            if (other["link_type"] == link_type).any():
                mine_other = other[
                    (other["goal_id"] == g.goal_id) & (other["link_type"] == link_type)
                ]
                row[title] = "; ".join(
                    r.label + (" (förslag)" if r.provenance == "förslag" else "")
                    for r in mine_other.itertuples()
                )
        rows.append(row)
    return pd.DataFrame(rows)


def _long_table(view: AgendaView) -> pd.DataFrame:
    """Every goal × SDG link, one per row: the export."""
    return pd.DataFrame(
        [
            {
                "Mål-id": c.goal_id,
                "Mål": view.goal_label[c.goal_id],
                "Globalt mål": c.sdg,
                "Globalt mål, namn": view.sdgs.loc[c.sdg, "name_sv_short"],
                "Koppling": PROVENANCE_LABEL[c.provenance],
                "Delmål": ", ".join(c.targets),
                "Nyckeltal": ", ".join(c.kpis),
                "Motivering": " ".join(c.reasons),
            }
            for c in view.cells
        ]
    )


def _render_reverse(view: AgendaView, name: str) -> None:
    st.dataframe(_reverse_table(view), hide_index=True)
    long = _long_table(view)
    c1, c2 = st.columns(2)
    c1.download_button(
        "Ladda ner kopplingarna (CSV)",
        lambda: export.to_csv(long, LINKS_SOURCE),
        file_name=f"agenda2030-{view.municipality_id}.csv",
        mime="text/csv",
        key="a2030_csv",
        on_click="ignore",  # a download needs no rerun of the page
    )
    c2.download_button(
        "Ladda ner kopplingarna (Excel)",
        lambda: export.to_workbook(
            {"Kopplingar": long, "Mål": _reverse_table(view)},
            {
                "Kommun": f"{name} ({view.municipality_id})",
                "Kopplingar": "; ".join(
                    f"{PROVENANCE_LABEL[p]}: {PROVENANCE_HELP[p]}" for p in PROVENANCE_LABEL
                ),
            },
            dt.date.today(),
            source=LINKS_SOURCE,
        ),
        file_name=f"agenda2030-{view.municipality_id}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="a2030_xlsx",
        on_click="ignore",  # a download needs no rerun of the page
    )


def _render_other_links(view: AgendaView) -> None:
    """Challenges and RUS areas reach the SDGs through the goals linked to them; the
    Barnkonventionen links are listed article by article."""
    other = view.links[~view.links["link_type"].isin(LINK_TYPES)]
    chained = [
        ("challenge", "Utmaningar", "Utmaning"),
        ("rus", "Regional utvecklingsstrategi (RUS)", "RUS-område"),
    ]
    for link_type, heading, row_title in chained:
        part = other[other["link_type"] == link_type]
        if part.empty:
            continue
        st.header(f"{heading} → mål → globala mål")
        labels = dict(zip(part["target_id"], part["label"], strict=False))
        rows = list(labels.items())
        cells = chain_cells(
            [(r.target_id, r.goal_id, r.provenance) for r in part.itertuples()], view.cells
        )
        st.caption(
            "En kedja är aldrig säkrare än sin svagaste länk: en utmaning från dokumentet "
            "som når ett globalt mål via en föreslagen koppling visas som förslag."
        )
        _matrix(view, rows, cells, row_title, link_type)
    crc = other[other["link_type"] == "crc"]
    if not crc.empty:
        st.header("Barnkonventionen")
        st.dataframe(
            pd.DataFrame(
                {
                    "Artikel": crc["label"],
                    "Mål": [view.goal_label.get(g, g) for g in crc["goal_id"]],
                    "Koppling": [PROVENANCE_LABEL[p] for p in crc["provenance"]],
                    "Motivering": crc["reason"].fillna(""),
                }
            ).sort_values("Artikel", key=lambda s: s.str.extract(r"(\d+)")[0].astype(int)),
            hide_index=True,
        )
