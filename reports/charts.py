"""The chart of one frozen indicator, drawn only from what the report stored: the series
as known on the report date, the ambitions (a proposed target value hollow and dashed,
named "Förslag till målvärde"), and the forecast with its 80 % interval. The app shows it
with Altair; the Word export embeds the same chart as a PNG (vl-convert) with alt_text as
its alternative text."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.format import CHART_CONFIG, YEAR_FORMAT, forecast_text, format_number, year_ticks
from core.reports import ReportAmbition, ReportIndicator

KOMMUN_COLOUR = "#1f4e79"
AMBITION_COLOUR = "#2e7d32"
FORECAST_COLOUR = "#e08214"
# The text column the tooltips show (format_number: "1 278", "78,3").
SHOWN = "Avrundat värde"
# How a target value is named by its provenance (core.reports.ReportAmbition): a proposal
# is never drawn or named as a decided target (issue 16).
DECIDED = "Målvärde"
PROPOSED = "Förslag till målvärde"
TARGET_FIELD = "Målvärdets status"


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
        layers.extend(_ambition_layers(ind, x, year))
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
            description=alt_text(ind, municipality_name),
        )
        .configure(**CHART_CONFIG)
    )


def _ambition_layers(ind: ReportIndicator, x: alt.X, year: alt.Tooltip) -> list[alt.Chart]:
    """The target values as diamonds: decided ones filled, proposals hollow and dashed
    (as ui.charts.history_chart draws them), with a legend naming which is which since a
    PNG in a Word document has no tooltips."""
    rows = pd.DataFrame(
        {
            "Typ": [a.kind for a in ind.ambitions],
            "År": [a.date.year for a in ind.ambitions],
            "Värde": [a.value for a in ind.ambitions],
            SHOWN: [format_number(a.value) for a in ind.ambitions],
            TARGET_FIELD: [PROPOSED if _proposed(a) else DECIDED for a in ind.ambitions],
        }
    )
    present = [name for name in (DECIDED, PROPOSED) if (rows[TARGET_FIELD] == name).any()]
    legend = alt.Legend(orient="bottom", title=None)
    # Fill and dash share the field and domain, so Vega-Lite draws one legend for both.
    fill = alt.Fill(
        f"{TARGET_FIELD}:N",
        scale=alt.Scale(domain=present, range=[_fill(n) for n in present]),
        legend=legend,
    )
    dash = alt.StrokeDash(
        f"{TARGET_FIELD}:N",
        scale=alt.Scale(domain=present, range=[_dash(n) for n in present]),
        legend=legend,
    )
    layers = []
    for name in present:
        layers.append(
            alt.Chart(_inline(rows[rows[TARGET_FIELD] == name]))
            .mark_point(shape="diamond", size=110, strokeWidth=2, color=AMBITION_COLOUR, opacity=1)
            .encode(
                x=x,
                y="Värde:Q",
                fill=fill,
                strokeDash=dash,
                tooltip=[alt.Tooltip("Typ:N"), year, alt.Tooltip(f"{SHOWN}:N", title=name)],
            )
        )
    return layers


def _proposed(a: ReportAmbition) -> bool:
    return a.provenance == "förslag"


def _fill(name: str) -> str:
    return "white" if name == PROPOSED else AMBITION_COLOUR


def _dash(name: str) -> list[int]:
    return [3, 2] if name == PROPOSED else [1, 0]


def alt_title(ind: ReportIndicator) -> str:
    """The picture's short name (Word's docPr title, shown in the selection pane)."""
    return f"Linjediagram: {ind.title}"


def alt_text(ind: ReportIndicator, municipality_name: str) -> str:
    """The chart in words, for the Word picture's alternative text and the chart's
    description: what it shows, then its message first (the status in words, as the
    table says it), the values drawn with the latest one, its target values named by
    provenance (a proposal as "förslag till målvärde (ej beslutat)"), and the forecast.
    The status goes without its icon: a screen reader would read "▲" as a shape."""
    parts = [f"Linjediagram: {ind.title}, {municipality_name}"]
    if ind.status:
        judged = " mot förslag till målvärde (ej beslutat)" if _judged_on_proposal(ind) else ""
        parts.append(f"bedömning: {ind.status}{judged}")
    if ind.years:
        parts.append(
            f"värden {ind.years[0]}–{ind.years[-1]}, senast {_with_unit(ind.values[-1], ind.unit)}"
            f" år {ind.years[-1]}"
            if len(ind.years) > 1
            else f"värde {ind.years[0]}: {_with_unit(ind.values[0], ind.unit)}"
        )
    decided = [a for a in ind.ambitions if not _proposed(a)]
    proposed = [a for a in ind.ambitions if _proposed(a)]
    if decided:
        parts.append(f"{DECIDED.lower()} {_targets(decided)}")
    if proposed:
        parts.append(f"{PROPOSED.lower()} (ej beslutat) {_targets(proposed)}")
    if ind.point is not None and ind.latest_year is not None and ind.horizon_years is not None:
        parts.append(
            "prognos "
            + forecast_text(ind.point, ind.lo80, ind.hi80, ind.latest_year, ind.horizon_years)
        )
    return "; ".join(parts) + "."


def _judged_on_proposal(ind: ReportIndicator) -> bool:
    return ind.target_value is not None and ind.target_provenance == "förslag"


def _with_unit(value: float, unit: str | None) -> str:
    """ "75,4 %" for a share; other units stay out (the title names them: "kr/inv")."""
    text = format_number(value)
    return f"{text} %" if unit and unit.strip() == "%" else text


def _targets(ambitions: list[ReportAmbition]) -> str:
    return ", ".join(f"{format_number(a.value)} år {a.date.year}" for a in ambitions)


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
