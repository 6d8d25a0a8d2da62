"""Small shared pieces of the UI: the municipality picker, source lines, the data banner
and the single place where errors are shown."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Collection, Sequence
from typing import NamedTuple, NoReturn, TypeVar

import pandas as pd
import streamlit as st

from core.errors import MalpulsError
from core.format import SOURCE_RAW, format_date
from core.params import Nouns, UrlParamError, parse_id_list, shown
from ui import data

MUNICIPALITY_PARAM = "kommun"
_LAST_URL_VALUE = "_kommun_in_url"


def render_error(exc: MalpulsError) -> None:
    """The one place errors reach the screen: a Swedish message, never a traceback."""
    st.error(f"**{exc.title}**\n\n{exc}")
    st.stop()


def render_table(
    frame: pd.DataFrame, caption: str | None = None, css_class: str = "mp-table"
) -> None:
    """A small table of text as one block of plain HTML, scrolling sideways on a phone.

    st.table draws every cell through Streamlit's markdown renderer (a goal page's 8 × 12
    table was 96 renderers and the largest cost of its first load in the browser, see
    bench/bench_browser.py); one HTML block draws the same table at a fraction of that.
    Cells are escaped text: nothing in a cell is read as markup. `css_class` tells a kind
    of table apart (a chart's data, ui.chart_alt, so a page's own tables stay countable)."""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    st.markdown(
        f"<style>{_table_css(css_class)}</style>"
        f'<div class="{css_class}"><table>{cap}<thead><tr>{head}</tr>'
        f"</thead><tbody>{rows}</tbody></table></div>",
        unsafe_allow_html=True,
    )


def _table_css(c: str) -> str:
    return (
        f".{c}{{overflow-x:auto}}"
        f".{c} table{{font-size:0.875rem;margin:0}}"
        f".{c} th,.{c} td{{padding:0.35rem 0.5rem;vertical-align:top}}"
        # The caption wraps within the visible width on a phone, where the table scrolls.
        f".{c} caption{{caption-side:top;text-align:left;font-weight:600;font-size:1rem;"
        "padding:0 0 0.5rem 0;color:inherit;max-width:75vw}"
    )


def render_municipality_picker() -> str | None:
    """The municipality select in the sidebar, kept in the URL as ?kommun=1962 so every
    view can be shared. Returns the chosen id, or None when the URL names an unknown one:
    the select then shows no municipality (nothing is guessed), the page explains with
    links to the known ones, and choosing any municipality, the first one too, puts it in
    the URL."""
    munis = data.municipalities()
    if not munis:
        st.warning("Det finns inga målfiler i databasen ännu.")
        st.stop()
    ids = [m for m, _ in munis]
    names = dict(munis)
    requested = st.query_params.get(MUNICIPALITY_PARAM) or None  # ?kommun= means none
    url_changed = False
    if requested is None:
        # No municipality in the URL (a first visit, or a page reached from the menu):
        # the one chosen before, else the first.
        if st.session_state.get(MUNICIPALITY_PARAM) not in ids:
            st.session_state[MUNICIPALITY_PARAM] = ids[0]
    elif (
        MUNICIPALITY_PARAM not in st.session_state
        or st.session_state.get(_LAST_URL_VALUE) != requested
    ):
        # A first visit, or the URL changed since we last wrote or saw it (back/forward,
        # an edited or pasted link, a page link): the URL wins over the widget's
        # remembered value, an unknown id too.
        st.session_state[MUNICIPALITY_PARAM] = requested if requested in ids else None
        url_changed = True
    st.sidebar.selectbox(
        "Kommun",
        ids,
        format_func=lambda i: names[i],
        key=MUNICIPALITY_PARAM,
        placeholder="Välj kommun",
    )
    chosen = st.session_state[MUNICIPALITY_PARAM]
    if chosen is None:
        # Remember the unknown id as seen, so the next run keeps a choice made in the
        # select instead of taking the URL's unknown id again.
        st.session_state[_LAST_URL_VALUE] = requested
        return None
    if url_changed:
        sync_url_param(MUNICIPALITY_PARAM, chosen)
    else:
        set_url_param(MUNICIPALITY_PARAM, chosen)
    st.session_state[_LAST_URL_VALUE] = chosen
    return chosen


def set_url_param(key: str, value: str | None) -> None:
    """Keep `key` in the URL at `value` (None removes it). Every write adds a browser
    history entry, so only real changes are written: otherwise Back would need several
    presses to leave a page."""
    if value is None:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != value:
        st.query_params[key] = value
    # What the URL holds now, as far as this session knows: a later run that finds the
    # same value there must not mistake it for a new link (see adopt_url_value).
    st.session_state[f"_url_seen_{key}"] = value


def adopt_url_value(key: str, options: list[str]) -> None:
    """Call before rendering a widget whose value the page keeps in the query parameter
    `key` (the page writes it back after the widget): when the URL's value changed since
    the last run (a pasted link, back/forward), the URL wins over the widget's remembered
    value. Streamlit's own bind="query-params" would put the formatted label, not the id,
    in the URL."""
    requested = st.query_params.get(key)
    seen = f"_url_seen_{key}"
    if requested in options and requested != st.session_state.get(seen):
        st.session_state[key] = requested
    st.session_state[seen] = requested


def municipality_name(municipality_id: str) -> str:
    return dict(data.municipalities()).get(municipality_id, municipality_id)


def require_municipality(municipality_id: str | None) -> str:
    if municipality_id is None:
        render_unknown_municipality(st.query_params.get(MUNICIPALITY_PARAM, ""))
    return municipality_id


STALE_AFTER = dt.timedelta(days=3)


def _when(iso: str) -> str:
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{format_date(t.date())} kl. {t:%H:%M}"


def render_sidebar_footer(data_line: str | None, now: dt.datetime | None = None) -> None:
    """The data line ("Kolada-data hämtad … · senaste år …"), the source, and a banner when
    the last ETL run failed (the app shows the last good data) or live data has not been
    fetched for days. One date for the data, so no two dates on screen contradict."""
    now = now or dt.datetime.now()
    meta = data.meta()
    status = data.etl_status()
    if data_line is None and meta.get("data_date"):
        data_line = f"Kolada-data hämtad {format_date(dt.date.fromisoformat(meta['data_date']))}"
    if data_line:
        st.sidebar.caption(f"{data_line}. {SOURCE_RAW}")
    if status and status.get("outcome") == "failed":
        st.sidebar.warning(
            f"Senaste körningen misslyckades ({_when(status.get('finished_at', ''))}): "
            f"{status.get('error_title') or 'fel'}. Appen visar senast fungerande data."
        )
    last_live = meta.get("last_live_success")
    if last_live and now - dt.datetime.fromisoformat(last_live) > STALE_AFTER:
        st.sidebar.warning(
            f"Data har inte hämtats från Kolada sedan {_when(last_live)}. "
            "Kontrollera den nattliga körningen."
        )


def source_caption(computed: bool = False) -> None:
    from core.format import SOURCE_COMPUTED

    st.caption(SOURCE_COMPUTED if computed else SOURCE_RAW)


# ------------------------------------------------------- links that forgive (URL parameters)

T = TypeVar("T")
OVERVIEW_PAGE = "app_pages/overview.py"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


class PageLink(NamedTuple):
    """A way on from a message: a page of this app with its query parameters."""

    label: str
    page: str
    query_params: dict[str, str]
    icon: str | None = None
    help: str | None = None  # the whole label, where a shortened one is shown


def plain(text: str) -> str:
    """`text` as literal Markdown: a value taken from the URL is shown as typed, never as
    a link, an emoji code, a colour directive or a formula."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def render_not_found(message: str, links: Sequence[PageLink]) -> NoReturn:
    """A link names something that does not exist: say so in Swedish and offer the ways on
    (in the page itself, since on a phone the sidebar is folded away), then stop the page.
    The message is shown as plain text (it repeats the URL's value)."""
    st.error(plain(message), icon=":material/link_off:")
    for link in links:
        st.page_link(
            link.page,
            label=link.label,
            icon=link.icon,
            help=link.help,
            query_params=link.query_params,
        )
    st.stop()


def render_unknown_municipality(requested: str) -> NoReturn:
    """The URL's municipality is not one of ours: the known ones, each a link to its
    overview."""
    render_not_found(
        f"Kommunen {shown(requested)} finns inte i Målpuls. Välj en kommun:"
        if requested
        else "Välj en kommun:",
        [
            PageLink(name, OVERVIEW_PAGE, {MUNICIPALITY_PARAM: m}, ":material/location_city:")
            for m, name in data.municipalities()
        ],
    )


def render_url_note(exc: UrlParamError) -> None:
    """A parameter the page cannot use: one short line saying so; the page goes on with
    its default."""
    st.info(f"{plain(str(exc))} Värdet i adressen används inte.", icon=":material/link_off:")


def url_value(key: str, parse: Callable[[str], T], default: T) -> T:
    """The URL's value for `key` through `parse` (from core.params), or `default` when it
    is missing, empty or unusable: then with a note, and the value leaves the URL (so the
    note is shown once, and the link the user shares on is clean)."""
    raw = st.query_params.get(key)
    if not raw:
        return default
    try:
        return parse(raw)
    except UrlParamError as exc:
        render_url_note(exc)
        set_url_param(key, None)
        return default


def adopt_url_param(key: str, parse: Callable[[str], str]) -> None:
    """adopt_url_value with a parser: when the URL's value for the widget `key` changed
    since the last run, the value `parse` makes of it (an option of the widget) wins over
    the widget's remembered value; a value it rejects leaves the widget as it is, with a
    note, and the page's set_url_param then writes the widget's value back."""
    requested = st.query_params.get(key)
    seen = f"_url_seen_{key}"
    if requested and requested != st.session_state.get(seen):
        try:
            value = parse(requested)
        except UrlParamError as exc:
            render_url_note(exc)
        else:
            st.session_state[key] = value
            sync_url_param(key, value)
            requested = value
    st.session_state[seen] = requested


def sync_url_param(key: str, value: str) -> None:
    """Write `key` to the URL even where this session already holds that value: a page
    link to the page it is on (the links of render_not_found) changes the session's query
    parameters but not the address bar. The browser adds no history entry for an address
    it already shows."""
    st.query_params[key] = value
    st.session_state[f"_url_seen_{key}"] = value


def url_id_list(
    key: str, known: Collection[str], nouns: Nouns, limit: int | None = None, where: str = ""
) -> list[str]:
    """The known ids of the URL's comma-separated list `key`, with a note for the rest."""
    parsed = parse_id_list(key, st.query_params.get(key, ""), known, nouns, limit, where)
    for problem in parsed.problems:
        render_url_note(problem)
    return list(parsed.ids)
