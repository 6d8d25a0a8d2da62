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
    # query_values gives one row per KPI, municipality and year: a plain reshape (pivot_table
    # aggregates, several times slower).
    wide = values.set_index(["kpi", "municipality_id", "municipality", "year"])["value"].unstack(
        "year"
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
    municipality's rows highlighted.

    Why not Styler.format and Styler.apply: st.dataframe runs the Styler's generic
    per-cell rendering (_compute, _translate), about 100 ms for 2 KPIs × 290 kommuner ×
    10 years, most of the page's time. The display texts and the row style are computed
    here in one pass and handed to Streamlit in the structure _translate would have
    produced (the part of it Streamlit reads: each body cell's id and display value, the
    cell styles). tests/test_explorer.py checks the texts and the style Streamlit sends,
    so a Streamlit or pandas upgrade that changes this path fails there, not silently."""
    years = [c for c in wide.columns if c.isdigit()]
    column_at = {c: i for i, c in enumerate(wide.columns)}
    row_decimals = wide["kpi"].map(decimals).fillna(1).astype(int).to_list()
    grid = wide[years].to_numpy(dtype=float)
    at = [column_at[y] for y in years]
    body = [
        [
            {"id": f"row{r}_col{c}", "display_value": format_number(v, d)}
            for c, v in zip(at, row, strict=True)
        ]
        for r, (row, d) in enumerate(zip(grid.tolist(), row_decimals, strict=True))
    ]
    own = [r for r, m in enumerate(wide["municipality_id"]) if m == look.municipality_id]
    props = [
        tuple(part.strip() for part in rule.split(":", 1)) for rule in OWN_ROW_STYLE.split(";")
    ]
    cellstyle = (
        [
            {
                "props": props,
                "selectors": [f"row{r}_col{c}" for r in own for c in range(len(wide.columns))],
            }
        ]
        if own
        else []
    )
    translated = {"body": body, "cellstyle": cellstyle, "table_styles": []}
    styler = wide.style
    # Instance attributes, so the object stays a plain Styler (Streamlit checks the exact
    # type) while skipping pandas' per-cell rendering.
    styler._compute = lambda: styler  # type: ignore[method-assign]
    styler._translate = lambda *_a, **_k: translated  # type: ignore[method-assign]
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
    notes = [f"Jämförelse: {look.set_label}", vintage]

    def excel() -> bytes:
        about = _about(look, vintage, value_decimals(look.values, look.meta))
        return to_excel(swedish_table(look.values, look.meta), look.meta, about, today)

    return (
        Download(
            "Ladda ner CSV (Excel)",
            export_filename(look.kpis, look.name, today, "csv"),
            "text/csv",
            "dl_csv",
            # The table too is built on the click: a page view that downloads nothing
            # should not pay for it.
            lambda: to_csv(swedish_table(look.values, look.meta), SOURCE_RAW, notes),
        ),
        Download(
            "Ladda ner Excel",
            export_filename(look.kpis, look.name, today, "xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "dl_xlsx",
            excel,
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
