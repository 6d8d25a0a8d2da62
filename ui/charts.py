"""Altair chart builders: functions that return an alt.Chart, no Streamlit calls."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.format import CHART_LOCALE

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
    data = history.assign(Serie=history["series"].map(labels), År=history["year"].astype(int))
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
        height=260, usermeta={"embedOptions": {"formatLocale": CHART_LOCALE}}
    )


# How a link's provenance is drawn in the SDG matrix: document links in full colour,
# proposals paler with a dashed outline, links via indicators palest. The tooltip and the
# legend under the chart say it in words, so colour is never the only carrier.
MATRIX_OPACITY = {"källa": 1.0, "förslag": 0.55, "nyckeltal": 0.3, "": 1.0}
EMPTY_CELL = "#eef0f3"
MATRIX_SELECTION = "cell"


def sdg_matrix(cells: pd.DataFrame, row_title: str) -> alt.Chart:
    """Rows × the 17 SDGs. `cells` has one row per (row, SDG) including unlinked pairs:
    row_label, row_order, sdg, sdg_name, colour (SDG colour or empty), provenance ('' when
    unlinked), koppling, detaljer, description (the cell's accessible name). Clicking a
    cell selects its SDG (selection parameter MATRIX_SELECTION)."""
    pick = alt.selection_point(name=MATRIX_SELECTION, fields=["sdg"], on="click")
    cells = cells.assign(alpha=cells["provenance"].map(MATRIX_OPACITY))
    n_rows = cells["row_label"].nunique()
    return (
        alt.Chart(cells)
        .mark_rect(stroke="#31333f", cornerRadius=2)
        .encode(
            x=alt.X(
                "sdg:O",
                title="Agenda 2030: globala mål",
                axis=alt.Axis(orient="top", labelAngle=0, labelFontWeight="bold"),
            ),
            y=alt.Y(
                "row_label:N",
                title=None,
                sort=list(dict.fromkeys(cells.sort_values("row_order")["row_label"])),
                axis=alt.Axis(labelLimit=340),
            ),
            color=alt.Color("colour:N", scale=None),
            opacity=alt.Opacity("alpha:Q", scale=None, legend=None),
            strokeDash=alt.condition(
                alt.datum.provenance == "förslag", alt.value([3, 2]), alt.value([1, 0])
            ),
            strokeWidth=alt.condition(
                alt.datum.provenance == "förslag", alt.value(1.6), alt.value(0.4)
            ),
            description="description:N",
            tooltip=[
                alt.Tooltip("row_label:N", title=row_title),
                alt.Tooltip("sdg_name:N", title="Globalt mål"),
                alt.Tooltip("koppling:N", title="Koppling"),
                alt.Tooltip("detaljer:N", title="Detaljer"),
            ],
        )
        .add_params(pick)
        .properties(width=alt.Step(30), height=alt.Step(24) if n_rows else 40)
    )


def sdg_status_bars(dist: pd.DataFrame, colours: dict[str, str]) -> alt.Chart:
    """Stacked bars: per SDG, how many indicators have each status. `dist` has
    sdg_label, sdg, status, n, order."""
    return (
        alt.Chart(dist)
        .mark_bar()
        .encode(
            y=alt.Y(
                "sdg_label:N",
                title=None,
                sort=list(dict.fromkeys(dist.sort_values("sdg")["sdg_label"])),
                axis=alt.Axis(labelLimit=260),
            ),
            x=alt.X("n:Q", title="Antal indikatorer", axis=alt.Axis(format="d")),
            color=alt.Color(
                "status:N",
                title="Status",
                scale=alt.Scale(domain=list(colours), range=list(colours.values())),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("sdg_label:N", title="Globalt mål"),
                alt.Tooltip("status:N", title="Status"),
                alt.Tooltip("n:Q", title="Antal"),
            ],
        )
        .properties(height=alt.Step(20))
    )
