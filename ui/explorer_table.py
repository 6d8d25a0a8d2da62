"""The explorer's table and line-chart views, and the downloads."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core.format import SOURCE_RAW, format_number
from ui.charts import series_chart
from ui.explorer_look import Look
from ui.export import swedish_table, to_csv, to_excel

GENDERS = {"T": "Totalt", "K": "Kvinnor", "M": "Män"}
MAX_CHART_SERIES = 25  # more lines than this is not readable, and slow to draw


def render_table(look: Look) -> None:
    values, meta, kpis, years = look.values, look.meta, look.kpis, look.years
    table = swedish_table(values, meta)
    if values.empty:
        st.info("Inga värden för det urvalet.")
    else:
        wide = values.pivot_table(
            index=["kpi", "municipality"], columns="year", values="value", aggfunc="first"
        )
        wide.columns = [str(c) for c in wide.columns]
        shown = wide.map(lambda v: format_number(v) if pd.notna(v) else "–")
        shown.index = shown.index.set_names(["Kolada-id", "Kommun/region"])
        st.dataframe(shown, width="stretch")
    st.caption(SOURCE_RAW)
    selection = {
        "Nyckeltal": ", ".join(kpis),
        "Urval": look.set_label,
        "År": f"{years[0]}–{years[1]}",
        "Kön": GENDERS[look.gender],
    }
    d1, d2 = st.columns(2)
    # Callables: the files are built when the button is clicked, not on every rerun
    # (the Excel file for 290 kommuner costs more than the rest of the page).
    d1.download_button(
        "Ladda ner CSV (Excel)",
        lambda: to_csv(table),
        "malpuls-nyckeltal.csv",
        "text/csv",
        key="dl_csv",
        on_click="ignore",  # a download needs no rerun of the page
    )
    d2.download_button(
        "Ladda ner Excel",
        lambda: to_excel(table, meta, selection, dt.date.today()),
        "malpuls-nyckeltal.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="dl_xlsx",
        on_click="ignore",  # a download needs no rerun of the page
    )


def render_series(look: Look) -> None:
    values = look.values
    if values["municipality_id"].nunique() > MAX_CHART_SERIES:
        st.info(
            f"Diagrammet visar högst {MAX_CHART_SERIES} kommuner åt gången; för alla "
            "kommuner, se Rangordning och Fördelning."
        )
    elif not values.empty:
        st.altair_chart(series_chart(values), width="stretch")
        st.caption(SOURCE_RAW)
