"""The analyst explorer: find any KPI, compare municipalities, rank, download.

URL state (shareable): q (search), kpi (comma-separated ids), urval, fran, till, kon,
omrade (goal area), mal, sdg, omr (operating area), persp, vy. Every query is
parameterised. The search text never reaches SQL: the filters select KPIs in the database,
and the KPI search engine (core.kpi_search, the one behind indicator proposals and
`python -m etl kpi-search`) ranks them by the text.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.format import format_number, numbered_label
from core.params import Nouns, parse_choice, parse_sdg, parse_year
from core.scope import RIKET, peer_group, region_of
from db import queries
from ui import data
from ui.components import adopt_url_param, adopt_url_value, set_url_param, url_id_list, url_value
from ui.explorer_coverage import render_set_coverage
from ui.explorer_gender import render_gender
from ui.explorer_look import Look
from ui.explorer_rank import render_distribution, render_ranking
from ui.explorer_table import GENDERS, render_series, render_table

SETS = {
    "egen": "Egen kommun, region och riket",
    "liknande": "Liknande kommuner",
    "alla": "Alla kommuner",
    "lista": "Egen lista",
}
MAX_KPIS = 5
REGION_WORD = "regionen"
MAX_HITS = 200
ALL_KPIS = 100_000  # a limit above the catalogue's size (about 6,100)
KPI_NOUNS = Nouns("Nyckeltalet", "Nyckeltalen", "nyckeltal")
MUNICIPALITY_NOUNS = Nouns("Kommunen", "Kommunerna", "kommuner")


def _choice(key: str, options: list[str], noun: str, where: str = "") -> Callable[[str], str]:
    """The parser adopt_url_param wants for a select box or radio over `options`."""
    return lambda raw: parse_choice(key, raw, options, noun, where)


def _list_param(key: str) -> list[str]:
    raw = st.query_params.get(key, "")
    return [p.strip() for p in raw.split(",") if p.strip()]


def render_explorer(municipality_id: str, name: str) -> None:
    st.title("Utforska nyckeltal")
    st.caption("Sök bland alla Koladas nyckeltal, jämför och ladda ner.")
    # A view's answer sentence is written here, above the filters, so on a phone it is on
    # the first screen (the filters fill it).
    answer = st.container()
    goals = data.query(queries.query_goal_ids, municipality_id)
    goal_labels = {"": "Alla"} | dict(goals)
    goal_areas = data.query(queries.query_areas, municipality_id)
    area_labels = {"": "Alla"} | {
        r.area_id: numbered_label(r.number, r.title) for r in goal_areas.itertuples()
    }
    sdg_labels = {"": "Alla"} | {str(i): f"Mål {i}" for i in range(1, 18)}
    areas, perspectives = data.query(queries.query_kpi_facets)
    # The link's filters and years are read first, so a note about a bad one comes at the
    # top of the page (on a phone the filters fill the first screen).
    adopt_url_param("omrade", _choice("omrade", list(area_labels), "Målområdet", f" för {name}"))
    adopt_url_param("mal", _choice("mal", list(goal_labels), "Målet", f" för {name}"))
    adopt_url_param("sdg", lambda raw: str(parse_sdg("sdg", raw)))
    adopt_url_param("omr", _choice("omr", areas, "Verksamhetsområdet"))
    adopt_url_param("persp", _choice("persp", perspectives, "Perspektivet"))
    years = _url_years()

    adopt_url_value("q", [st.query_params.get("q", "")])
    query = st.text_input("Sök nyckeltal", key="q", placeholder="t.ex. behöriga gymnasiet")
    set_url_param("q", query or None)
    c0, c1, c2, c3, c4 = st.columns(5)
    goal_area = c0.selectbox(
        "Målområde", list(area_labels), format_func=area_labels.get, key="omrade"
    )
    set_url_param("omrade", goal_area or None)
    goal = c1.selectbox("Mål i målfilen", list(goal_labels), format_func=goal_labels.get, key="mal")
    set_url_param("mal", goal or None)
    sdg = c2.selectbox(
        "Agenda 2030",
        list(sdg_labels),
        format_func=sdg_labels.get,
        key="sdg",
        help="Nyckeltalen i mål som kopplas till det globala målet, och Koladas Agenda "
        "2030-nyckeltal för det (vilket globalt mål de hör till är Målpuls kurering).",
    )
    set_url_param("sdg", sdg or None)
    area = c3.selectbox(
        "Verksamhetsområde", ["", *areas], format_func=lambda a: a or "Alla", key="omr"
    )
    set_url_param("omr", area or None)
    persp = c4.selectbox(
        "Perspektiv", ["", *perspectives], format_func=lambda p: p or "Alla", key="persp"
    )
    set_url_param("persp", persp or None)
    only_data = st.checkbox(f"Bara nyckeltal med värden för {name}", value=True, key="data")

    restrict = None
    if goal or sdg or goal_area:
        restrict = data.query(
            queries.query_goal_kpis,
            municipality_id,
            goal or None,
            goal_area or None,
            int(sdg) if sdg else None,
        )
    hits, n = _search(
        query, restrict, area or None, persp or None, municipality_id if only_data else None
    )
    named = _list_param("kpi")
    # Metadata only for the KPIs the link names (to check them); the hits carry their
    # titles already.
    named_meta = data.query(queries.query_kpi_meta, sorted(set(named)))
    chosen = url_id_list(
        "kpi", set(named_meta["id"]) | set(hits["id"]), KPI_NOUNS, MAX_KPIS, " i Kolada"
    )
    titles = dict(zip(hits["id"], hits["title"], strict=True)) | dict(
        zip(named_meta["id"], named_meta["title"], strict=True)
    )
    options = list(dict.fromkeys([*chosen, *hits["id"]]))
    what = "sökträffar" if query.strip() else "nyckeltal med de valda filtren"
    st.caption(
        (f"{format_number(n)} {what}" if n != 1 else f"1 {what.removesuffix('ar')}")
        + (f"; de {MAX_HITS} första visas i listan" if n > MAX_HITS else "")
        + (", bäst matchande först." if query.strip() and n else ".")
    )
    if "kpi_sel" not in st.session_state or st.session_state.get("_kpi_url") != chosen:
        st.session_state["kpi_sel"] = [k for k in chosen if k in options]
    selected = st.multiselect(
        "Valda nyckeltal",
        options,
        format_func=lambda k: f"{titles.get(k, k)} ({k})",
        key="kpi_sel",
        max_selections=MAX_KPIS,
        placeholder=f"Välj upp till {MAX_KPIS} nyckeltal ur träfflistan",
    )
    if len(selected) == MAX_KPIS:
        # "Select all" in the list takes only the first MAX_KPIS: say so.
        st.caption(
            f"Högst {MAX_KPIS} nyckeltal kan jämföras åt gången; ta bort ett för att välja "
            "ett annat."
        )
    set_url_param("kpi", ",".join(selected) or None)
    st.session_state["_kpi_url"] = selected
    if not selected:
        st.info("Välj ett eller flera nyckeltal i listan ovan för att se värden.")
        return
    _render_look(
        municipality_id,
        name,
        selected,
        data.query(queries.query_kpi_meta, selected),
        years,
        answer,
    )


def _search(
    text: str,
    restrict: list[str] | None,
    area: str | None,
    persp: str | None,
    with_data_for: str | None,
) -> tuple[pd.DataFrame, int]:
    """The KPIs the filters allow, ranked by the engine when there is search text (by title
    otherwise), at most MAX_HITS, and how many there are in all."""
    allowed = data.query(
        queries.query_kpi_search, [], restrict, area, persp, with_data_for, ALL_KPIS
    )
    if not text.strip():
        return allowed.head(MAX_HITS), len(allowed)
    # Every match, so the count is true; order only (no reasons), which is cheap.
    ranked = data.kpi_index().search(
        text, max(len(allowed), 1), only=set(allowed["id"]), explain=False
    )
    top = allowed.set_index("id").loc[[h.kpi for h in ranked[:MAX_HITS]]].reset_index()
    return top, len(ranked)


def _municipality_set(municipality_id: str, name: str, which: str) -> list[str]:
    if which == "lista":
        return []
    if which == "alla":
        return [m for m, t in data.query(queries.query_all_municipalities) if t == "K"]
    if which == "liknande":
        peers = peer_group(data.query(queries.query_peer_groups), name)
        return [municipality_id, *(peers[1] if peers else [])]
    return [municipality_id, region_of(municipality_id), RIKET]


def _set_label(municipality_id: str, name: str, which: str, munis: list[str]) -> str:
    """The comparison in words, for captions and exports: the peer group by its Kolada
    name ("Liknande kommuner, övergripande, Norberg, 2023"), the others by what they hold."""
    if which == "liknande":
        groups = data.query(queries.query_peer_groups)
        found = peer_group(groups, name)
        if found is None:
            return f"Liknande kommuner (Kolada har ingen jämförelsegrupp för {name})"
        title = next(t for gid, t, _ in groups if gid == found[0])
        return f"{title} ({found[0]}): {len(munis) - 1} kommuner och {name}"
    if which == "egen":
        return f"{name}, {REGION_WORD} och riket"
    if which == "alla":
        return f"Alla kommuner ({len(munis)})"
    return f"Egen lista ({len(munis)} kommuner och regioner)"


def _url_years() -> tuple[int, int]:
    """The link's years (fran, till), clamped to the data's years (which forgives an old
    link) and in order; the last ten years where the link has none or a bad one."""
    lo, hi = data.query(queries.query_year_range)
    first = url_value("fran", lambda raw: parse_year("fran", raw, "Startåret"), hi - 9)
    last = url_value("till", lambda raw: parse_year("till", raw, "Slutåret"), hi)
    first, last = sorted(max(lo, min(y, hi)) for y in (first, last))
    return first, last


def _render_look(
    municipality_id: str,
    name: str,
    kpis: list[str],
    meta: pd.DataFrame,
    wanted_years: tuple[int, int],
    answer: DeltaGenerator,
) -> None:
    lo, hi = data.query(queries.query_year_range)
    c1, c2, c3 = st.columns([2, 3, 2])
    adopt_url_param("urval", _choice("urval", list(SETS), "Jämförelsen"))
    which = c1.radio("Jämför", list(SETS), format_func=SETS.get, key="urval")
    set_url_param("urval", which if which != "egen" else None)
    years = c2.slider("År", lo, hi, wanted_years, key="ar")
    set_url_param("fran", str(years[0]))
    set_url_param("till", str(years[1]))
    adopt_url_param("kon", _choice("kon", list(GENDERS), "Könsvalet"))
    gender = c3.radio("Kön", list(GENDERS), format_func=GENDERS.get, key="kon", horizontal=True)
    set_url_param("kon", gender if gender != "T" else None)

    munis = _municipality_set(municipality_id, name, which)
    if which == "lista":
        everyone = data.query(queries.query_municipality_names)
        names = dict(everyone)
        default = url_id_list("lista", names, MUNICIPALITY_NOUNS) or [municipality_id]
        if st.session_state.get("_lista_url") != default:
            st.session_state["lista_sel"] = default
        munis = st.multiselect(
            "Kommuner och regioner",
            list(names),
            format_func=names.get,
            key="lista_sel",
            placeholder="Välj kommuner och regioner",
        )
        set_url_param("lista", ",".join(munis) or None)
        st.session_state["_lista_url"] = munis
    values = data.query(queries.query_values, kpis, munis, gender, years[0], years[1])
    # Only the chosen view is computed and drawn (tabs would build all five on every
    # filter change); the view is in the URL too.
    views = ["Tabell", "Diagram", "Rangordning", "Fördelning", "Kön", "Om nyckeltalen"]
    adopt_url_param("vy", _choice("vy", views, "Visningen"))
    view = st.segmented_control("Visa", views, key="vy", default="Tabell") or "Tabell"
    set_url_param("vy", view if view != "Tabell" else None)
    look = Look(
        municipality_id=municipality_id,
        name=name,
        kpis=kpis,
        meta=meta,
        which=which,
        set_label=_set_label(municipality_id, name, which, munis),
        municipalities=munis,
        years=years,
        gender=gender,
        values=values,
    )
    if view in ("Tabell", "Diagram"):
        render_set_coverage(look)
    if view == "Tabell":
        render_table(look)
    if view == "Diagram":
        render_series(look)
    if view == "Rangordning":
        render_ranking(look, answer)
    if view == "Fördelning":
        render_distribution(look, answer)
    if view == "Kön":
        render_gender(look, answer)
    if view == "Om nyckeltalen":
        for _, m in meta.iterrows():
            st.markdown(f"**{m['title']}** ({m['id']})")
            st.write(m["description"] or "")
            pub = m["publication_date"]
            st.caption(
                f"Verksamhetsområde: {m['operating_area'] or '–'} · Perspektiv: "
                f"{m['perspective'] or '–'} · Nästa publicering: "
                f"{pub if pd.notna(pub) else '–'}"
            )
