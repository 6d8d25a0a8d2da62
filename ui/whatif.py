"""What-if: the same status rules the ETL materialises, run live on one indicator with a
target the user types in. Nothing is stored."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st

from core.engine import panel_growth
from core.format import SOURCE_COMPUTED, format_number
from core.labels import status_badge
from core.status import Ambition, assess_indicator
from ui import data


@st.cache_data(show_spinner=False)
def _calibration_percentiles() -> tuple[str, dict[int, list[float]]]:
    from etl.results import read_calibration

    cal = read_calibration(data.paths().calibration_path)
    return cal.method, {h: list(p) for h, p in cal.percentiles.items()}


def _growth(kpi: str, origin: int) -> float | None:
    return panel_growth(data.load("query_kpi_panel", kpi), [origin]).get(origin)


def render_whatif(kommun: str) -> None:
    from core.forecast import Calibration

    st.subheader("Prova själv: vad händer med ett målvärde?")
    ind = data.frame("query_indicator_overview", kommun)
    ind = ind[
        ind["kpi_id"].notna()
        & ind["judged_year"].notna()
        & ind["direction"].isin(["öka", "minska"])
    ]
    if ind.empty:
        st.info("Kommunen har inga nyckeltal med Kolada-värden och önskad riktning att prova på.")
        return
    labels = dict(zip(ind["indicator_id"], ind["title"], strict=True))
    chosen = st.selectbox("Nyckeltal", list(labels), format_func=labels.get, key="whatif_ind")
    row = ind[ind["indicator_id"] == chosen].iloc[0]
    kpi = row["judged_kpi_id"] if pd.notna(row["judged_kpi_id"]) else row["kpi_id"]
    c1, c2 = st.columns(2)
    target = c1.number_input(
        f"Målvärde ({row['direction']})",
        value=float(round(row["judged_value"], 2)),
        key="whatif_target",
    )
    year = c2.number_input(
        "Målår",
        min_value=int(row["judged_year"]) + 1,
        max_value=int(row["judged_year"]) + 10,
        value=int(row["judged_year"]) + 2,
        step=1,
        key="whatif_year",
    )
    series = data.load("query_series", kommun, [kpi], row["gender"]).get(kpi, ([], []))
    method, pct = _calibration_percentiles()
    cal = Calibration(method, {h: np.array(p) for h, p in pct.items()})
    as_of = dt.date(int(row["judged_year"]) + 1, 8, 31)
    result = assess_indicator(
        series[0],
        series[1],
        direction=row["direction"],
        as_of=as_of,
        ambition=Ambition(dt.date(int(year), 12, 31), float(target)),
        calibration=cal,
        kpi_growth=_growth(kpi, int(row["judged_year"])),
        bounded_share="%" in f"{row['unit']} {row['kpi_title']}",
    )
    st.markdown(f"{status_badge(result.status)} {result.reason}")
    if result.point is not None:
        st.markdown(
            f"Prognos för {int(year)}: {format_number(result.point)} "
            f"(80 % intervall {format_number(result.lo80)}–{format_number(result.hi80)})."
        )
    st.caption(
        f"Bedömt som om det vore {as_of:%Y-%m-%d}, med data t.o.m. "
        f"{int(row['judged_year'])}. {SOURCE_COMPUTED}."
    )
