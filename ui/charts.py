"""Altair chart builders: functions that return an alt.Chart, no Streamlit calls."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from textwrap import wrap

import altair as alt
import pandas as pd

from core.format import CHART_CONFIG, YEAR_FORMAT, format_number, kpi_unit, year_ticks

# Every colour a reader needs to tell a line or bar apart has at least 3:1 against the
# white page (WCAG 2.1 1.4.11; tests/test_chart_alt.py holds them to it).
SERIES_COLOURS = {"kommun": "#1f4e79", "riket": "#767676", "liknande": "#b35900"}
# Beside colour, each series has its own point shape, so the lines are told apart in
# grey print and by colour-blind readers too.
SERIES_SHAPES = {"kommun": "circle", "riket": "square", "liknande": "triangle-up"}
# A chart's tooltips show numbers as the tables do (core.format.format_number: "1 278",
# "78,3"), from this text column; the axes format with the chart locale (CHART_CONFIG).
SHOWN = "Avrundat värde"


def _year_axis(years: Iterable[int]) -> alt.X:
    """The År field as years: "2020" (never "2 020"), never two ticks in one year.
    `years`: every year the chart's layers draw."""
    ticks = year_ticks(sorted({int(y) for y in years}))
    axis = alt.Axis(format=YEAR_FORMAT, tickMinStep=1, values=ticks or alt.Undefined)
    return alt.X("År:Q", title=None, axis=axis)


TARGET_COLOUR = "#2e7d32"


def history_chart(
    history: pd.DataFrame,
    municipality_name: str,
    ambitions: pd.DataFrame | None = None,
    forecast: dict | None = None,
) -> alt.LayerChart:
    """The indicator's history for the municipality, Riket and the peers' median, with
    ambition values as diamonds (decided filled; a `provenance` of förslag hollow and
    dashed, "Förslag till målvärde") and a forecast (point and 80 % interval) when there
    is one."""
    labels = {
        "kommun": municipality_name,
        "riket": "Riket",
        "liknande": "Liknande kommuner (median)",
    }
    # Only Swedish columns: Streamlit's "show data" view lists the chart's data as it is.
    data = pd.DataFrame(
        {
            "Serie": history["series"].map(labels),
            "År": history["year"].astype(int),
            "Värde": history["value"],
            SHOWN: history["value"].map(format_number),
        }
    )
    amb = None
    if ambitions is not None and not ambitions.empty:
        proposed = (
            ambitions["provenance"].eq("förslag").to_list()
            if "provenance" in ambitions.columns
            else [False] * len(ambitions)
        )
        amb = pd.DataFrame(
            {
                "Typ": ambitions["kind"],
                "År": pd.to_datetime(ambitions["date"]).dt.year,
                "Värde": ambitions["value"],
                SHOWN: ambitions["value"].map(format_number),
                "förslag": proposed,
            }
        )
    fc = None
    if forecast and forecast.get("point") is not None:
        point, lo, hi = forecast["point"], forecast.get("lo80"), forecast.get("hi80")
        text = format_number(point)
        if pd.notna(lo) and pd.notna(hi):
            text += f" (80 %: {format_number(lo)}–{format_number(hi)})"
        fc = pd.DataFrame(
            {"År": [forecast["År"]], "Prognos": [point], "Från": [lo], "Till": [hi], SHOWN: [text]}
        )
    x = _year_axis(
        [
            *data["År"],
            *(amb["År"] if amb is not None else []),
            *(fc["År"] if fc is not None else []),
        ]
    )
    colour = alt.Color(
        "Serie:N",
        scale=alt.Scale(
            domain=[labels[k] for k in SERIES_COLOURS], range=list(SERIES_COLOURS.values())
        ),
        # One series a row: "Liknande kommuner (median)" beside the others ran off a phone.
        legend=alt.Legend(orient="bottom", title=None, labelLimit=0, direction="vertical"),
    )
    shape = alt.Shape(
        "Serie:N",
        scale=alt.Scale(
            domain=[labels[k] for k in SERIES_SHAPES], range=list(SERIES_SHAPES.values())
        ),
        # The same legend as the colour's, so Vega draws one legend of coloured shapes.
        legend=alt.Legend(orient="bottom", title=None, labelLimit=0, direction="vertical"),
    )
    base = alt.Chart(data).encode(
        x=x,
        y=alt.Y("Värde:Q", title=None, scale=alt.Scale(zero=False)),
        color=colour,
        shape=shape,
        tooltip=[
            alt.Tooltip("Serie:N"),
            alt.Tooltip("År:Q", format=YEAR_FORMAT),
            alt.Tooltip(f"{SHOWN}:N", title="Värde"),
        ],
    )
    layers: list[alt.Chart] = [base.mark_line(point=True)]
    if amb is not None:
        decided, proposals = amb[~amb["förslag"]], amb[amb["förslag"]]
        if not decided.empty:
            layers.append(
                alt.Chart(decided.drop(columns="förslag"))
                .mark_point(shape="diamond", size=120, filled=True, color=TARGET_COLOUR)
                .encode(
                    x=x,
                    y="Värde:Q",
                    tooltip=[
                        alt.Tooltip("Typ:N"),
                        alt.Tooltip("År:Q", format=YEAR_FORMAT),
                        alt.Tooltip(f"{SHOWN}:N", title="Målvärde"),
                    ],
                )
            )
        if not proposals.empty:
            # A proposal is drawn hollow and dashed: never mistaken for a decided target.
            layers.append(
                alt.Chart(proposals.drop(columns="förslag"))
                .mark_point(
                    shape="diamond",
                    size=120,
                    filled=False,
                    strokeWidth=2,
                    strokeDash=[3, 2],
                    color=TARGET_COLOUR,
                )
                .encode(
                    x=x,
                    y="Värde:Q",
                    tooltip=[
                        alt.Tooltip("Typ:N"),
                        alt.Tooltip("År:Q", format=YEAR_FORMAT),
                        alt.Tooltip(f"{SHOWN}:N", title="Förslag till målvärde"),
                    ],
                )
            )
    if fc is not None:
        forecast_tooltip = [
            alt.Tooltip("År:Q", format=YEAR_FORMAT),
            alt.Tooltip(f"{SHOWN}:N", title="Prognos"),
        ]
        layers.append(
            alt.Chart(fc)
            .mark_rule(strokeWidth=6, opacity=0.35, color="#1f4e79")
            .encode(x=x, y="Från:Q", y2="Till:Q", tooltip=forecast_tooltip)
        )
        layers.append(
            alt.Chart(fc)
            .mark_point(shape="circle", size=80, color="#1f4e79", filled=False)
            .encode(x=x, y="Prognos:Q", tooltip=forecast_tooltip)
        )
    return alt.layer(*layers).properties(height=260).configure(**CHART_CONFIG)


# How a link's provenance is drawn in the SDG matrix: document links in full colour,
# proposals paler with a dashed outline, links via indicators palest. The tooltip, each
# cell's aria-label, the legend and the table under the chart say it in words, so colour
# is never the only carrier. Every link has one colour (LINK_CELL), a purple no status
# uses: the SDGs' own colours (red, green, orange) read as statuses beside the status bars.
MATRIX_OPACITY = {"källa": 1.0, "förslag": 0.7, "nyckeltal": 0.4, "": 1.0}
LINK_CELL = "#4b3f8f"
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
        .configure(**CHART_CONFIG)
    )


def sdg_status_bars(dist: pd.DataFrame, colours: dict[str, str]) -> alt.Chart:
    """Stacked bars: per SDG, how many indicators have each status. `dist` has
    sdg_label, sdg, status, n, order."""
    data = pd.DataFrame(
        {
            "Globalt mål": dist["sdg_label"],
            "Status": dist["status"],
            "Antal": dist["n"],
            "Ordning": dist["order"],
        }
    )
    return (
        alt.Chart(data)
        # A white line between the stacked parts keeps neighbours of one colour family
        # (the three greens) apart.
        .mark_bar(stroke="#ffffff", strokeWidth=1)
        .encode(
            y=alt.Y(
                "Globalt mål:N",
                title=None,
                sort=list(dict.fromkeys(dist.sort_values("sdg")["sdg_label"])),
                axis=alt.Axis(labelLimit=260),
            ),
            x=alt.X(
                "Antal:Q", title="Antal indikatorer", axis=alt.Axis(format=",d", tickMinStep=1)
            ),
            color=alt.Color(
                "Status:N",
                title="Status",
                scale=alt.Scale(domain=list(colours), range=list(colours.values())),
                # One status a row: in one row nine statuses ran off a laptop's chart, in
                # three columns off a phone's (the legend starts under the plot, right
                # of the 260 px of labels).
                legend=alt.Legend(orient="bottom", columns=1, labelLimit=0),
            ),
            order=alt.Order("Ordning:Q"),
            tooltip=[
                alt.Tooltip("Globalt mål:N"),
                alt.Tooltip("Status:N"),
                alt.Tooltip("Antal:Q", title="Antal indikatorer", format=",d"),
            ],
        )
        .properties(height=alt.Step(20))
        .configure(**CHART_CONFIG)
    )


# The explorer's lines: the own municipality strong and thick, the others in muted colours
# (still told apart by colour and the legend), so one line of eight stands out.
OWN_LINE = {"colour": "#1f4e79", "width": 3.5, "opacity": 1.0}
LEGEND_KPI = "Nyckeltal, namn"
OTHER_LINE = {"width": 1.6, "opacity": 0.85}
# Muted by their thinner lines, not by pale colours: each keeps 3:1 against the page.
MUTED_COLOURS = (
    "#b35900",
    "#4a7fb0",
    "#3d8a3d",
    "#a04da3",
    "#8c6d3f",
    "#2b8a84",
    "#c0504d",
    "#6e6e6e",
    "#8a7a00",
    "#6a5acd",
)


def series_chart(
    values: pd.DataFrame,
    municipality_id: str | None = None,
    titles: Mapping[str, str] | None = None,
    decimals: Mapping[str, int] | None = None,
) -> alt.LayerChart:
    """The explorer's chart: the chosen KPIs over the years, one line per municipality
    (colour) and KPI (dash). `values` has kpi, municipality_id, municipality, year, value.
    The municipality `municipality_id` is drawn strong and first in the legend; KPIs are
    named by `titles` (their ids otherwise), values in tooltips rounded to `decimals`
    (per KPI; format_number's own rule otherwise)."""
    titles = titles or {}
    decimals = decimals or {}
    own = values["municipality_id"] == municipality_id
    data = pd.DataFrame(
        {
            "Kommun/region": values["municipality"],
            "Nyckeltal": values["kpi"].map(lambda k: titles.get(k, k)),
            # The legend's label, in lines that fit a phone: Kolada's titles run to 100
            # characters, and a cut one ("Elever i åk 9 som är beh…") names nothing.
            LEGEND_KPI: values["kpi"].map(lambda k: "\n".join(wrap(titles.get(k, k), 42))),
            "År": values["year"].astype(int),
            "Värde": values["value"],
            SHOWN: [
                format_number(v, decimals.get(k))
                for k, v in zip(values["kpi"], values["value"], strict=True)
            ],
            "Egen": own,
        }
    )
    own_names = list(dict.fromkeys(data.loc[own, "Kommun/region"]))
    others = sorted(set(data.loc[~own, "Kommun/region"]) - set(own_names))
    palette = [*MUTED_COLOURS] * (len(others) // len(MUTED_COLOURS) + 1)
    colour = alt.Color(
        "Kommun/region:N",
        title="Kommun/region",
        scale=alt.Scale(
            domain=[*own_names, *others],
            range=[OWN_LINE["colour"]] * len(own_names) + palette[: len(others)],
        ),
        legend=alt.Legend(orient="bottom", columns=3, labelLimit=0, symbolStrokeWidth=3),
    )
    kpis = list(dict.fromkeys(values["kpi"]))
    # One KPI: its unit says what the axis measures ("andel (%)"); several: just "Värde".
    unit = kpi_unit(titles.get(kpis[0], "")) if len(kpis) == 1 else ""
    base = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=_year_axis(data["År"]).title("År"),
            y=alt.Y("Värde:Q", title=unit or "Värde", scale=alt.Scale(zero=False)),
            color=colour,
            strokeDash=alt.StrokeDash(
                f"{LEGEND_KPI}:N",
                title="Nyckeltal",
                # Above the chart: beside the municipalities it is cut off on a phone.
                legend=alt.Legend(
                    orient="top",
                    direction="vertical",
                    labelLimit=0,
                    labelExpr="split(datum.label, '\\n')",
                    symbolType="stroke",
                    symbolStrokeColor="#555555",
                    symbolSize=400,
                ),
            ),
            strokeWidth=alt.condition(
                "datum.Egen", alt.value(OWN_LINE["width"]), alt.value(OTHER_LINE["width"])
            ),
            opacity=alt.condition(
                "datum.Egen", alt.value(OWN_LINE["opacity"]), alt.value(OTHER_LINE["opacity"])
            ),
            tooltip=[
                alt.Tooltip("Kommun/region:N"),
                alt.Tooltip("Nyckeltal:N"),
                alt.Tooltip("År:Q", format=YEAR_FORMAT),
                alt.Tooltip(f"{SHOWN}:N", title="Värde"),
            ],
        )
    )
    # Two layers so the own line is drawn last, on top of the others (a line mark's
    # `order` orders the points along a line, not the lines).
    return (
        alt.layer(base.transform_filter("!datum.Egen"), base.transform_filter("datum.Egen"))
        # fit-x: the plot keeps its 320 px and the legends add to it (Streamlit's default,
        # fit, squeezes the plot to make room for them).
        .properties(height=320, autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
        .configure(**CHART_CONFIG)
    )


# The chosen kommun's bar and its name above it (text: 4.5:1), the others' bars (3:1).
OWN_COLOUR = "#b35900"
OTHERS_COLOUR = "#7090b0"


def ranking_chart(
    ranking: pd.DataFrame, municipality_id: str, order: str = "plats 1 (bäst) till vänster"
) -> alt.LayerChart:
    """Every kommun's value as a bar in the order of its place (core.ranking.places: best
    first, or highest first without a desired direction), the chosen kommun in orange and
    named above its bar. `ranking` has Plats, municipality_id, municipality, value;
    `order` says in words which end is place 1 (the x axis title)."""
    ranking = ranking.sort_values(["Plats", "municipality"])
    data = pd.DataFrame(
        {
            "Plats": ranking["Plats"],
            "Kommun": ranking["municipality"],
            "Värde": ranking["value"],
            SHOWN: ranking["value"].map(format_number),
            "Vald": ranking["municipality_id"] == municipality_id,
        }
    )
    # sort=None keeps the rows' order: the places, ties by name.
    # The field's title stays "Kommun" (tooltips, screen readers); the axis says the order.
    x = alt.X(
        "Kommun:N",
        sort=None,
        title="Kommun",
        axis=alt.Axis(labels=False, title=f"Kommuner, {order}"),
    )
    tooltip = [
        alt.Tooltip("Plats:Q", format=",d"),
        alt.Tooltip("Kommun:N"),
        alt.Tooltip(f"{SHOWN}:N", title="Värde"),
    ]
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("Värde:Q", title="Värde"),
            color=alt.condition("datum.Vald", alt.value(OWN_COLOUR), alt.value(OTHERS_COLOUR)),
            tooltip=tooltip,
        )
    )
    label = (
        alt.Chart(data[data["Vald"]])
        .mark_text(dy=-8, color=OWN_COLOUR, fontWeight="bold")
        .encode(x=x, y="Värde:Q", text="Kommun:N", tooltip=tooltip)
    )
    return alt.layer(bars, label).properties(height=260).configure(**CHART_CONFIG)


def distribution_chart(values: pd.Series, own_name: str, own_value: float | None) -> alt.LayerChart:
    """How all kommuner's values spread (a histogram), with the chosen kommun's value as
    an orange line when it has one."""
    bins = alt.Bin(maxbins=30)  # the tooltip's bins must be the bars' bins
    hist = (
        alt.Chart(pd.DataFrame({"Värde": values}))
        .mark_bar(color=OTHERS_COLOUR)
        .encode(
            # Titles for the tooltips and screen readers ("Count of Records" otherwise),
            # none on the axes.
            x=alt.X("Värde:Q", bin=bins, title="Värde", axis=alt.Axis(title=None)),
            y=alt.Y("count()", title="Antal kommuner", axis=alt.Axis(title=None, tickMinStep=1)),
            tooltip=[
                alt.Tooltip("Värde:Q", bin=bins, title="Värde"),
                alt.Tooltip("count()", title="Antal kommuner"),
            ],
        )
    )
    layers: list[alt.Chart] = [hist]
    if own_value is not None and pd.notna(own_value):
        own = pd.DataFrame(
            {"Kommun": [own_name], "Värde": [own_value], SHOWN: [format_number(own_value)]}
        )
        tooltip = [alt.Tooltip("Kommun:N"), alt.Tooltip(f"{SHOWN}:N", title="Värde")]
        layers.append(
            alt.Chart(own)
            .mark_rule(color=OWN_COLOUR, strokeWidth=3)
            .encode(x="Värde:Q", tooltip=tooltip)
        )
        # The line is named in words at its top, not by its colour alone.
        layers.append(
            alt.Chart(own)
            .mark_text(color=OWN_COLOUR, fontWeight="bold", align="left", dx=4, baseline="top", y=2)
            .encode(x="Värde:Q", text="Kommun:N", tooltip=tooltip)
        )
    return alt.layer(*layers).properties(height=240).configure(**CHART_CONFIG)


GENDER_COLOURS = {"Kvinnor": "#7b3294", "Män": "#008837"}
GENDER_SHAPES = {"Kvinnor": "circle", "Män": "square"}


def gender_series_chart(values: pd.DataFrame) -> alt.Chart:
    """Women's and men's values over the years for one municipality, a line each.
    `values` has year, gender (K | M), value."""
    data = pd.DataFrame(
        {
            "Kön": values["gender"].map({"K": "Kvinnor", "M": "Män"}),
            "År": values["year"].astype(int),
            "Värde": values["value"],
            SHOWN: values["value"].map(format_number),
        }
    )
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=_year_axis(data["År"]),
            y=alt.Y("Värde:Q", title=None, scale=alt.Scale(zero=False)),
            color=alt.Color(
                "Kön:N",
                scale=alt.Scale(domain=list(GENDER_COLOURS), range=list(GENDER_COLOURS.values())),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            shape=alt.Shape(
                "Kön:N",
                scale=alt.Scale(domain=list(GENDER_SHAPES), range=list(GENDER_SHAPES.values())),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=[
                alt.Tooltip("Kön:N"),
                alt.Tooltip("År:Q", format=YEAR_FORMAT),
                alt.Tooltip(f"{SHOWN}:N", title="Värde"),
            ],
        )
        .properties(height=260)
        .configure(**CHART_CONFIG)
    )


def gender_gap_chart(
    gaps: pd.DataFrame, municipality_id: str, peers_median: float | None = None
) -> alt.LayerChart:
    """The gap kvinnor − män of each municipality in one year as a horizontal bar, the
    largest at the top, the own municipality in orange, with a line at zero (no gap) and
    the peers' median gap as a dashed line. `gaps` has municipality_id, municipality,
    women, men, gap."""
    gaps = gaps.sort_values("gap", ascending=False)
    data = pd.DataFrame(
        {
            "Kommun": gaps["municipality"],
            "Skillnad": gaps["gap"],
            "Skillnad (kvinnor − män)": gaps["gap"].map(format_number),
            "Kvinnor": gaps["women"].map(format_number),
            "Män": gaps["men"].map(format_number),
            "Vald": gaps["municipality_id"] == municipality_id,
        }
    )
    own = list(data.loc[data["Vald"], "Kommun"])
    # The own kommun's name in bold beside its orange bar: never told by colour alone.
    bold = alt.ExprRef(
        expr=f"indexof({json.dumps(own, ensure_ascii=False)}, datum.value) >= 0 ? 'bold' : 'normal'"
    )
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("Kommun:N", sort=None, title=None, axis=alt.Axis(labelFontWeight=bold)),
            x=alt.X("Skillnad:Q", title="Skillnad, kvinnor − män"),
            color=alt.condition("datum.Vald", alt.value(OWN_COLOUR), alt.value(OTHERS_COLOUR)),
            tooltip=[
                alt.Tooltip("Kommun:N"),
                alt.Tooltip("Kvinnor:N"),
                alt.Tooltip("Män:N"),
                alt.Tooltip("Skillnad (kvinnor − män):N"),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"Noll": [0]})).mark_rule(color="#444").encode(x="Noll:Q")
    layers: list[alt.Chart] = [bars, zero]
    if peers_median is not None:
        median = pd.DataFrame(
            {
                "Median": [peers_median],
                "Liknande kommuners median": [format_number(peers_median)],
            }
        )
        layers.append(
            alt.Chart(median)
            .mark_rule(color="#444", strokeDash=[4, 3], strokeWidth=2)
            .encode(
                x=alt.X("Median:Q", title="Skillnad, kvinnor − män"),
                tooltip=[alt.Tooltip("Liknande kommuners median:N")],
            )
        )
    return alt.layer(*layers).properties(height=alt.Step(22)).configure(**CHART_CONFIG)


def local_values_chart(
    years: list[int], values: list[float], municipality_name: str, unit: str | None
) -> alt.Chart:
    """A local indicator's uploaded values: one line, the municipality's own source."""
    data = pd.DataFrame(
        {
            "Serie": municipality_name,
            "År": years,
            "Värde": values,
            SHOWN: [format_number(v) for v in values],
        }
    )
    return (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(shape=SERIES_SHAPES["kommun"], size=60))
        .encode(
            x=_year_axis(years),
            y=alt.Y("Värde:Q", title=unit or None, scale=alt.Scale(zero=False)),
            color=alt.value(SERIES_COLOURS["kommun"]),
            tooltip=[
                alt.Tooltip("År:Q", format=YEAR_FORMAT),
                alt.Tooltip(f"{SHOWN}:N", title="Värde"),
            ],
        )
        .properties(height=220)
        .configure(**CHART_CONFIG)
    )
