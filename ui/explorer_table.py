"""The explorer's table and line-chart views, and the downloads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from core.format import SOURCE_RAW, data_line, export_filename, format_number
from db import queries
from ui import data
from ui.chart_alt import series_text, show_chart
from ui.charts import series_chart
from ui.explorer_look import Look
from ui.export import FULL_VALUE, VALUE, swedish_table, to_csv, to_excel, value_decimals

GENDERS = {"T": "Totalt", "K": "Kvinnor", "M": "Män"}
MAX_CHART_SERIES = 25  # more lines than this is not readable, and slow to draw
OWN_ROW_STYLE = "background-color: #dbe8f5; color: #0b2a4a; font-weight: bold"
KPI_COLUMN = "Nyckeltal"
NAME_COLUMN = "Kommun/region"


def wide_table(look: Look) -> pd.DataFrame:
    """One row per KPI and municipality, one numeric column per year ("2020"), the KPI's
    title beside its id, the own municipality first within each KPI."""
    values = look.values
    wide = values.pivot_table(
        index=["kpi", "municipality_id", "municipality"],
        columns="year",
        values="value",
        aggfunc="first",
    )
    wide.columns = [str(c) for c in wide.columns]
    wide = wide.reset_index()
    order = {k: i for i, k in enumerate(look.kpis)}
    wide = wide.assign(
        _kpi=wide["kpi"].map(order), _own=wide["municipality_id"] != look.municipality_id
    ).sort_values(["_kpi", "_own", "municipality"], kind="stable")
    wide.insert(0, KPI_COLUMN, wide["kpi"].map(look.titles))
    wide = wide.rename(columns={"municipality": NAME_COLUMN})
    return wide.drop(columns=["_kpi", "_own"]).reset_index(drop=True)


def styled_table(wide: pd.DataFrame, look: Look, decimals: dict[str, int]) -> Styler:
    """The table as shown: numbers stay numbers (so a column sorts 100 above 97,7) while
    the cells read as Swedish text with the KPI's decimals ("97,7", "1 278", "–"); the own
    municipality's rows highlighted."""
    years = [c for c in wide.columns if c.isdigit()]
    styler = wide.style
    for kpi, d in decimals.items():
        rows = wide.index[wide["kpi"] == kpi]
        styler = styler.format(
            lambda v, d=d: format_number(v, d), subset=pd.IndexSlice[rows, years], na_rep="–"
        )
    own = wide["municipality_id"] == look.municipality_id
    styler = styler.apply(
        lambda col: [OWN_ROW_STYLE if o else "" for o in own], axis=0, subset=None
    )
    return styler


def shown_columns(wide: pd.DataFrame, look: Look) -> list[str]:
    """What st.dataframe shows of `wide` (it ignores a Styler's hidden columns): no ids,
    the KPI column only when there are several KPIs."""
    years = [c for c in wide.columns if c.isdigit()]
    return ([KPI_COLUMN] if len(look.kpis) > 1 else []) + [NAME_COLUMN, *years]


def _about(look: Look, vintage: str, decimals: dict[str, int]) -> dict[str, str]:
    """The "Om uttaget" rows: for whom, which comparison, which KPIs, how fresh."""
    precision = ", ".join(
        f"{k}: {d} {'decimal' if d == 1 else 'decimaler'}" for k, d in decimals.items()
    )
    return {
        "Kommun": f"{look.name} ({look.municipality_id})",
        "Jämförelse": look.set_label,
        "Nyckeltal": "; ".join(f"{look.titles.get(k, k)} ({k})" for k in look.kpis),
        "År": f"{look.years[0]}–{look.years[1]}",
        "Kön": GENDERS[look.gender],
        "Data": vintage,
        "Värden": f"”{VALUE}” är avrundat till nyckeltalets precision ({precision or '–'}); "
        f"”{FULL_VALUE}” är värdet som Kolada levererar det.",
    }


@dataclass(frozen=True)
class Download:
    label: str
    file_name: str
    mime: str
    key: str
    build: Callable[[], bytes]


def downloads(look: Look, vintage: str, today: dt.date) -> tuple[Download, Download]:
    """The CSV and the Excel file of what the table shows, named by KPI, municipality and
    day, both saying which comparison and which data vintage they hold. `build` makes the
    bytes: the buttons call it on click, not on every rerun (the Excel file for 290
    kommuner costs more than the rest of the page)."""
    table = swedish_table(look.values, look.meta)
    decimals = value_decimals(look.values, look.meta)
    about = _about(look, vintage, decimals)
    notes = [f"Jämförelse: {look.set_label}", vintage]
    return (
        Download(
            "Ladda ner CSV (Excel)",
            export_filename(look.kpis, look.name, today, "csv"),
            "text/csv",
            "dl_csv",
            lambda: to_csv(table, SOURCE_RAW, notes),
        ),
        Download(
            "Ladda ner Excel",
            export_filename(look.kpis, look.name, today, "xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "dl_xlsx",
            lambda: to_excel(table, look.meta, about, today),
        ),
    )


def render_table(look: Look) -> None:
    values, kpis = look.values, look.kpis
    meta_db = data.meta()
    fetched = dt.date.fromisoformat(meta_db["data_date"]) if "data_date" in meta_db else None
    vintage = data_line(fetched, data.query(queries.query_latest_kpi_year, kpis, look.gender))
    if values.empty:
        st.info("Inga värden för det urvalet.")
    else:
        if len(kpis) == 1:
            st.markdown(f"**{look.titles.get(kpis[0], kpis[0])}** ({kpis[0]})")
        wide = wide_table(look)
        st.dataframe(
            styled_table(wide, look, value_decimals(values, look.meta)),
            hide_index=True,
            width="stretch",
            column_order=shown_columns(wide, look),
            column_config={
                KPI_COLUMN: st.column_config.TextColumn(width="medium"),
                NAME_COLUMN: st.column_config.TextColumn(pinned=True),
            },
        )
    st.caption(f"{look.set_label}. {vintage}. {SOURCE_RAW}")
    for column, d in zip(st.columns(2), downloads(look, vintage, dt.date.today()), strict=True):
        column.download_button(
            d.label,
            d.build,
            d.file_name,
            d.mime,
            key=d.key,
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
        decimals = value_decimals(values, look.meta)
        text = series_text(values, look.municipality_id, look.titles, decimals)
        show_chart(
            series_chart(values, look.municipality_id, look.titles, decimals),
            description=text.description,
            table=text.table,
            caption=f"{look.name} med tjock linje. {look.set_label}. {SOURCE_RAW}",
        )
