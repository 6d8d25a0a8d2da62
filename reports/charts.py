"""The chart of one frozen indicator, drawn only from what the report stored: the series
as known on the report date, the ambitions, and the forecast with its 80 % interval. The
app shows it with Altair; the Word export embeds the same chart as a PNG (vl-convert)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.format import CHART_CONFIG, YEAR_FORMAT, format_number, year_ticks
from core.reports import ReportIndicator

KOMMUN_COLOUR = "#1f4e79"
AMBITION_COLOUR = "#2e7d32"
FORECAST_COLOUR = "#e08214"
# The text column the tooltips show (format_number: "1 278", "78,3").
SHOWN = "Avrundat värde"


def indicator_chart(ind: ReportIndicator, municipality_name: str) -> alt.LayerChart:
    """Swedish numbers on the axes and in the tooltips (core.format.CHART_CONFIG, which
    vl-convert reads from the spec as the browser does); tooltip values as the tables
    show them (format_number)."""
    values = pd.DataFrame(
        {
            "Kommun": municipality_name,
            "År": ind.years,
            "Värde": ind.values,
            SHOWN: [format_number(v) for v in ind.values],
        }
    )
    years = [*ind.years, *(a.date.year for a in ind.ambitions)]
    if ind.latest_year is not None and ind.horizon_years is not None:
        years.append(ind.latest_year + ind.horizon_years)
    ticks = year_ticks(years) or alt.Undefined  # never two ticks in one year
    x = alt.X("År:Q", axis=alt.Axis(format=YEAR_FORMAT, title=None, tickMinStep=1, values=ticks))
    year = alt.Tooltip("År:Q", format=YEAR_FORMAT)
    layers: list[alt.Chart] = [
        alt.Chart(_inline(values))
        .mark_line(point=True, color=KOMMUN_COLOUR)
        .encode(
            x=x,
            y=alt.Y("Värde:Q", title=ind.unit or None, scale=alt.Scale(zero=False)),
            tooltip=[alt.Tooltip("Kommun:N"), year, alt.Tooltip(f"{SHOWN}:N", title="Värde")],
        )
    ]
    if ind.ambitions:
        amb = pd.DataFrame(
            {
                "Typ": [a.kind for a in ind.ambitions],
                "År": [a.date.year for a in ind.ambitions],
                "Värde": [a.value for a in ind.ambitions],
                SHOWN: [format_number(a.value) for a in ind.ambitions],
            }
        )
        layers.append(
            alt.Chart(_inline(amb))
            .mark_point(shape="diamond", size=110, filled=True, color=AMBITION_COLOUR)
            .encode(
                x=x,
                y="Värde:Q",
                tooltip=[
                    alt.Tooltip("Typ:N"),
                    year,
                    alt.Tooltip(f"{SHOWN}:N", title="Målvärde"),
                ],
            )
        )
    if ind.point is not None and ind.horizon_years is not None and ind.latest_year is not None:
        text = format_number(ind.point)
        if ind.lo80 is not None and ind.hi80 is not None:
            text += f" (80 %: {format_number(ind.lo80)}–{format_number(ind.hi80)})"
        fc = pd.DataFrame(
            {
                "År": [ind.latest_year + ind.horizon_years],
                "Prognos": [ind.point],
                "Från": [ind.lo80],
                "Till": [ind.hi80],
                SHOWN: [text],
            }
        )
        tooltip = [year, alt.Tooltip(f"{SHOWN}:N", title="Prognos")]
        layers.append(
            alt.Chart(_inline(fc))
            .mark_rule(color=FORECAST_COLOUR, strokeWidth=2)
            .encode(x=x, y="Från:Q", y2="Till:Q", tooltip=tooltip)
        )
        layers.append(
            alt.Chart(_inline(fc))
            .mark_point(filled=True, size=70, color=FORECAST_COLOUR)
            .encode(x=x, y="Prognos:Q", tooltip=tooltip)
        )
    return (
        alt.layer(*layers)
        .properties(
            width=440,
            height=180,
            title=alt.TitleParams(ind.title, fontSize=12, anchor="start", limit=520),
        )
        .configure(**CHART_CONFIG)
    )


def _inline(frame: pd.DataFrame) -> alt.InlineData:
    """The frame as values written into the spec. A DataFrame would go through Altair's
    data transformer, which is global: while a Streamlit script run converts a chart in
    another thread, Streamlit's transformer is the active one and leaves the data out of
    the spec, so the Word export (a download, built in its own thread) drew empty charts."""
    records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    return alt.InlineData(values=records)


def indicator_png(ind: ReportIndicator, municipality_name: str) -> bytes:
    import vl_convert as vlc

    spec = indicator_chart(ind, municipality_name).to_json()
    return vlc.vegalite_to_png(spec, scale=2)
