"""What-if: the same judging the ETL materialises (core.judging.judge_what_if), run live
on one indicator with a target the user types in. Nothing is stored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from core.forecast import Calibration
from core.format import SOURCE_COMPUTED, format_number
from core.judging import IndicatorInput, is_bounded_share, judge_what_if
from core.labels import status_badge
from core.status import Ambition, IndicatorResult
from db import judging, queries
from db.calibration import read_calibration
from ui import data


@st.cache_resource(show_spinner=False)
def _calibration(path: str) -> Calibration:
    return read_calibration(Path(path))


def what_if(
    municipality_id: str, row: pd.Series, target: float, year: int, as_of: dt.date
) -> IndicatorResult:
    """Judge one row of query_indicator_overview against a typed target, on `as_of`."""
    kpi = row["judged_kpi_id"] if pd.notna(row["judged_kpi_id"]) else row["kpi_id"]
    inp = IndicatorInput(
        municipality_id=municipality_id,
        indicator_id=row["indicator_id"],
        goal_id=row["goal_id"],
        kpi_id=kpi,
        successor_kpi_id=None,
        kpi_retired=False,
        direction=row["direction"],
        bounded_share=is_bounded_share(
            None if pd.isna(row["unit"]) else row["unit"], row["kpi_title"]
        ),
        ambitions=(),
        gender=row["gender"],
        # The KPI's publication pattern: on `as_of` only published years count, as in the
        # ETL's judgements and the frozen reports.
        publication=data.query(judging.query_kpi_publications, [kpi]).get(kpi),
    )
    series = data.query(judging.query_series, municipality_id, [kpi], row["gender"])
    return judge_what_if(
        inp,
        series.get(kpi, ([], [])),
        target=Ambition(dt.date(year, 12, 31), target),
        as_of=as_of,
        calibration=_calibration(str(data.paths().calibration_path)),
        panel=data.query(judging.query_kpi_panel, kpi),
    )


def render_whatif(municipality_id: str) -> None:
    st.header("Prova själv: vad händer med ett målvärde?")
    ind = data.query(queries.query_indicator_overview, municipality_id)
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
    # Judged on the day the stored statuses are judged (the data date), like Översikt.
    as_of = dt.date.fromisoformat(data.meta()["data_date"])
    result = what_if(municipality_id, row, float(target), int(year), as_of)
    st.markdown(f"{status_badge(result.status)} {result.reason}")
    if result.point is not None:
        st.markdown(
            f"Prognos för {int(year)}: {format_number(result.point)} "
            f"(80 % intervall {format_number(result.lo80)}–{format_number(result.hi80)})."
        )
    st.caption(
        f"Bedömt per {as_of:%Y-%m-%d}, samma dag som översikten, med data t.o.m. "
        f"{int(row['judged_year'])}. {SOURCE_COMPUTED}."
    )
