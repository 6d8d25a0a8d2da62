"""The bedömningsdag: the one date the whole app judges on.

Chosen in the sidebar among the dates the ETL judged the municipality's goals on (its
frameworks' checkpoints up to the data date, the next checkpoint, and the data date; see
core.judging.checkpoint_dates) and kept in the URL as ?per=YYYY-MM-DD, so a shared link
opens on the same day. Default: the latest checkpoint on or before the day the data was
fetched. A date in the URL that was not judged gets a banner that says why and offers the
latest date the data can judge, with one click.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from core.format import data_line, format_date
from core.judging import can_judge, default_judging_date
from db import queries
from ui import data
from ui.components import set_url_param

PARAM = "per"
_KEY = "bedomningsdag"
_SEEN = "_per_in_url"


@dataclass(frozen=True)
class JudgingDay:
    date: dt.date
    label: str | None  # the checkpoint's name, None for the data date
    data_date: dt.date
    latest_year: int | None
    dates: tuple[tuple[dt.date, str | None], ...]  # every judged date, oldest first

    @property
    def heading(self) -> str:
        """ "Läget per 31 augusti 2026" (+ the checkpoint's name)."""
        text = f"Läget per {format_date(self.date)}"
        return f"{text} · {self.label}" if self.label else text

    @property
    def data_line(self) -> str:
        return data_line(self.data_date, self.latest_year)

    def previous(self) -> tuple[dt.date, str | None] | None:
        """The judged date before this one (what changed since then)."""
        earlier = [d for d in self.dates if d[0] < self.date]
        return earlier[-1] if earlier else None


def _option_label(day: dt.date, label: str | None, data_date: dt.date) -> str:
    if label:
        return f"{format_date(day)} · {label}"
    if day == data_date:
        return f"{format_date(day)} · senaste Kolada-data"
    return format_date(day)


def render_judging_date_picker(municipality_id: str) -> JudgingDay:
    """The sidebar select; returns the chosen day. Renders the banner for a URL date that
    could not be used."""
    meta = data.meta()
    data_date = dt.date.fromisoformat(meta["data_date"])
    dates = tuple(data.query(queries.query_judging_dates, municipality_id)) or ((data_date, None),)
    latest_year = data.query(queries.query_latest_data_year, municipality_id)
    labels = dict(dates)
    options = [d.isoformat() for d, _ in dates]
    default = default_judging_date(list(dates), data_date).isoformat()
    requested = st.query_params.get(PARAM)
    url_changed = requested != st.session_state.get(_SEEN)
    if _KEY not in st.session_state or st.session_state[_KEY] not in options:
        st.session_state[_KEY] = default
    if url_changed and requested in options:
        st.session_state[_KEY] = requested
    st.sidebar.selectbox(
        "Bedömningsdag",
        options,
        format_func=lambda iso: _option_label(
            dt.date.fromisoformat(iso), labels[dt.date.fromisoformat(iso)], data_date
        ),
        key=_KEY,
        help="Dagen som alla sidor bedömer målen per: en rapportpunkt eller dagen då "
        "Kolada-data senast hämtades.",
    )
    chosen = dt.date.fromisoformat(st.session_state[_KEY])
    day = JudgingDay(chosen, labels[chosen], data_date, latest_year, dates)
    if url_changed and requested is not None and requested not in options:
        _render_unjudged_request(requested, day)
    # The default stays out of the URL, so the plain link keeps following the data.
    set_url_param(PARAM, None if st.session_state[_KEY] == default else st.session_state[_KEY])
    st.session_state[_SEEN] = st.query_params.get(PARAM)
    return day


def _render_unjudged_request(requested: str, day: JudgingDay) -> None:
    """A `per` the ETL did not judge: malformed, or a day the data cannot speak to."""
    try:
        asked = dt.date.fromisoformat(requested)
    except ValueError:
        st.warning(
            f"”{requested}” är inget datum. Visar läget per {format_date(day.date)} i stället."
        )
        return
    if asked > day.data_date and not can_judge(asked, day.latest_year):
        missing = (
            f"Värden för {day.latest_year + 1}–{asked.year - 1} finns inte i databasen"
            if day.latest_year is not None and asked.year - 1 > day.latest_year
            else "Nyare värden finns inte i databasen"
        )
        st.warning(
            f"**Per {format_date(asked)} räcker inte datan för en bedömning.** {missing} "
            f"({day.data_line}); ett värde äldre än tre år bedöms inte. När Kolada "
            "publicerar nya värden hämtar den nattliga körningen dem. "
            f"Visar läget per {format_date(day.date)}, den senaste dagen datan kan bedöma."
        )
    else:
        st.warning(
            f"Per {format_date(asked)} finns ingen bedömning: Målpuls bedömer målen på "
            "rapportpunkterna och på dagen då Kolada-data hämtades. "
            f"Visar läget per {format_date(day.date)}."
        )


def current_day() -> JudgingDay | None:
    """The day chosen in this run (app.py renders the picker before the page)."""
    return st.session_state.get("_judging_day")
