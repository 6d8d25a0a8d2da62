"""Altair chart builders: functions that return an alt.Chart, no Streamlit calls."""

from __future__ import annotations

import altair as alt
import pandas as pd

# Swedish number formatting inside the chart (decimal comma, space as thousands separator).
SWEDISH_LOCALE = {
    "decimal": ",",
    "thousands": "\u00a0",
    "grouping": [3],
    "currency": ["", "\u00a0kr"],
}
SERIES_COLOURS = {"kommun": "#1f4e79", "riket": "#8c8c8c", "liknande": "#e08214"}


def history_chart(
    history: pd.DataFrame,
    municipality_name: str,
    ambitions: pd.DataFrame | None = None,
    forecast: dict | None = None,
) -> alt.Chart:
    """The indicator's history for the municipality, Riket and the peers' median, with
    ambition values as diamonds and a forecast (point and 80 % interval) when there is one."""
    labels = {
        "kommun": municipality_name,
        "riket": "Riket",
        "liknande": "Liknande kommuner (median)",
    }
    data = history.assign(Serie=history["serie"].map(labels), År=history["year"].astype(int))
    colour = alt.Color(
        "Serie:N",
        scale=alt.Scale(
            domain=[labels[k] for k in SERIES_COLOURS], range=list(SERIES_COLOURS.values())
        ),
        legend=alt.Legend(orient="bottom", title=None),
    )
    base = alt.Chart(data).encode(
        x=alt.X("År:Q", axis=alt.Axis(format="d", title=None)),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(format=",.4~g")),
        color=colour,
        tooltip=[
            alt.Tooltip("Serie:N"),
            alt.Tooltip("År:Q", format="d"),
            alt.Tooltip("value:Q", title="Värde", format=",.4~g"),
        ],
    )
    layers: list[alt.Chart] = [base.mark_line(point=True)]
    if ambitions is not None and not ambitions.empty:
        amb = ambitions.assign(År=pd.to_datetime(ambitions["date"]).dt.year, Typ=ambitions["kind"])
        layers.append(
            alt.Chart(amb)
            .mark_point(shape="diamond", size=120, filled=True, color="#2e7d32")
            .encode(
                x="År:Q",
                y="value:Q",
                tooltip=[
                    alt.Tooltip("Typ:N"),
                    alt.Tooltip("År:Q", format="d"),
                    alt.Tooltip("value:Q", title="Målvärde", format=",.4~g"),
                ],
            )
        )
    if forecast and forecast.get("point") is not None:
        fc = pd.DataFrame([forecast])
        layers.append(
            alt.Chart(fc)
            .mark_rule(strokeWidth=6, opacity=0.35, color="#1f4e79")
            .encode(x="År:Q", y="lo80:Q", y2="hi80:Q")
        )
        layers.append(
            alt.Chart(fc)
            .mark_point(shape="circle", size=80, color="#1f4e79", filled=False)
            .encode(
                x="År:Q",
                y="point:Q",
                tooltip=[
                    alt.Tooltip("point:Q", title="Prognos", format=",.4~g"),
                    alt.Tooltip("lo80:Q", title="80 % från", format=",.4~g"),
                    alt.Tooltip("hi80:Q", title="80 % till", format=",.4~g"),
                ],
            )
        )
    return alt.layer(*layers).properties(
        height=260, usermeta={"embedOptions": {"formatLocale": SWEDISH_LOCALE}}
    )
