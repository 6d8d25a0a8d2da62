"""Small shared pieces of the UI: the municipality picker, source lines, the data banner
and the single place where errors are shown."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.errors import MalpulsError
from core.format import SOURCE_RAW, format_date
from ui import data

MUNICIPALITY_PARAM = "kommun"
_LAST_URL_VALUE = "_kommun_in_url"


def render_error(exc: MalpulsError) -> None:
    """The one place errors reach the screen: a Swedish message, never a traceback."""
    st.error(f"**{exc.title}**\n\n{exc}")
    st.stop()


def render_municipality_picker() -> str | None:
    """The municipality select in the sidebar, kept in the URL as ?kommun=1962 so every
    view can be shared. Returns the chosen id, or None when the URL names an unknown one
    (the page then explains instead of guessing)."""
    munis = data.municipalities()
    if not munis:
        st.warning("Det finns inga målfiler i databasen ännu.")
        st.stop()
    ids = [m for m, _ in munis]
    names = dict(munis)
    requested = st.query_params.get(MUNICIPALITY_PARAM)
    if MUNICIPALITY_PARAM not in st.session_state:
        st.session_state[MUNICIPALITY_PARAM] = requested if requested in ids else ids[0]
    elif requested in ids and requested != st.session_state.get(_LAST_URL_VALUE):
        # The URL changed since we last wrote it (back/forward, an edited or pasted
        # link): the URL wins over the widget's remembered value.
        st.session_state[MUNICIPALITY_PARAM] = requested
    st.sidebar.selectbox("Kommun", ids, format_func=lambda i: names[i], key=MUNICIPALITY_PARAM)
    if requested is not None and requested not in ids and _LAST_URL_VALUE not in st.session_state:
        return None
    chosen = st.session_state[MUNICIPALITY_PARAM]
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
        bad = st.query_params.get(MUNICIPALITY_PARAM, "")
        st.error(
            f"Kommunen {bad!r} finns inte i Målpuls. Välj en av kommunerna i menyn till vänster."
        )
        st.stop()
    return municipality_id


STALE_AFTER = dt.timedelta(days=3)


def _when(iso: str) -> str:
    try:
        t = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{format_date(t.date())} kl. {t:%H:%M}"


def render_sidebar_footer(now: dt.datetime | None = None) -> None:
    """Data date, source line, and the ETL banner: when data was last updated, or that the
    last run failed and the app shows the last good data."""
    now = now or dt.datetime.now()
    meta = data.meta()
    status = data.etl_status()
    data_date = meta.get("data_date")
    if data_date:
        st.sidebar.caption(
            f"Data från Kolada per {format_date(dt.date.fromisoformat(data_date))}. {SOURCE_RAW}"
        )
    if status and status.get("outcome") == "failed":
        st.sidebar.warning(
            f"Senaste körningen misslyckades ({_when(status.get('finished_at', ''))}): "
            f"{status.get('error_title') or 'fel'}. Appen visar senast fungerande data."
        )
    elif status and status.get("outcome") == "ok":
        st.sidebar.caption(f"Data uppdaterad {_when(status.get('finished_at', ''))}.")
    last_live = meta.get("last_live_success")
    if last_live and now - dt.datetime.fromisoformat(last_live) > STALE_AFTER:
        st.sidebar.warning(
            f"Data har inte hämtats från Kolada sedan {_when(last_live)}. "
            "Kontrollera den nattliga körningen."
        )


def source_caption(computed: bool = False) -> None:
    from core.format import SOURCE_COMPUTED

    st.caption(SOURCE_COMPUTED if computed else SOURCE_RAW)
