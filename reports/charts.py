"""The chart of one frozen indicator, drawn only from what the report stored: the series
as known on the report date, the ambitions, and the forecast with its 80 % interval. The
app shows it with Altair; the Word export embeds the same chart as a PNG (vl-convert)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.format import CHART_LOCALE
from core.reports import ReportIndicator

KOMMUN_COLOUR = "#1f4e79"
AMBITION_COLOUR = "#2e7d32"
FORECAST_COLOUR = "#e08214"


def indicator_chart(ind: ReportIndicator, municipality_name: str) -> alt.LayerChart:
    values = pd.DataFrame({"År": ind.years, "Värde": ind.values, "Serie": municipality_name})
    x = alt.X("År:Q", axis=alt.Axis(format="d", title=None, tickMinStep=1))
    layers: list[alt.Chart] = [
        alt.Chart(values)
        .mark_line(point=True, color=KOMMUN_COLOUR)
        .encode(x=x, y=alt.Y("Värde:Q", title=ind.unit or None, scale=alt.Scale(zero=False)))
    ]
    if ind.ambitions:
        amb = pd.DataFrame(
            {
                "År": [a.date.year for a in ind.ambitions],
                "Värde": [a.value for a in ind.ambitions],
                "Typ": [a.kind for a in ind.ambitions],
            }
        )
        layers.append(
            alt.Chart(amb)
            .mark_point(shape="diamond", size=110, filled=True, color=AMBITION_COLOUR)
            .encode(x=x, y="Värde:Q")
        )
    if ind.point is not None and ind.horizon_years is not None and ind.latest_year is not None:
        year = ind.latest_year + ind.horizon_years
        fc = pd.DataFrame({"År": [year], "Värde": [ind.point], "lo": [ind.lo80], "hi": [ind.hi80]})
        layers.append(
            alt.Chart(fc)
            .mark_rule(color=FORECAST_COLOUR, strokeWidth=2)
            .encode(x=x, y="lo:Q", y2="hi:Q")
        )
        layers.append(
            alt.Chart(fc)
            .mark_point(filled=True, size=70, color=FORECAST_COLOUR)
            .encode(x=x, y="Värde:Q")
        )
    return alt.layer(*layers).properties(
        width=440,
        height=180,
        title=alt.TitleParams(ind.title, fontSize=12, anchor="start", limit=520),
    )


def indicator_png(ind: ReportIndicator, municipality_name: str) -> bytes:
    import vl_convert as vlc

    spec = indicator_chart(ind, municipality_name).to_json()
    return vlc.vegalite_to_png(spec, scale=2, format_locale=CHART_LOCALE)
