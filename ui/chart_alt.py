"""Charts people can read without seeing them (issue 18, WCAG 2.1 1.1.1 and 1.4.1): every
chart in the app is drawn through `show_chart`, which gives it a short Swedish text (shown
under the chart, and as the chart's aria-label through the Vega-Lite `description`) and a
"Visa som tabell" expander with the chart's data in Swedish words and numbers.

The `*_text` builders turn a chart's input into that text and table (the sentences come
from core/chart_text.py); the pages call a builder and `show_chart` side by side with the
chart builder of ui/charts.py, from the same data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

import altair as alt
import pandas as pd
import streamlit as st

from core import chart_text
from core.format import format_number
from ui.components import render_table

TABLE_LABEL = "Visa som tabell"


class ChartText(NamedTuple):
    """What a reader who cannot see a chart gets instead: one sentence and the data."""

    description: str
    table: pd.DataFrame


def show_chart(
    chart: alt.TopLevelMixin,
    *,
    description: str,
    table: pd.DataFrame,
    caption: str | None = None,
    table_caption: str | None = None,
    width: Literal["stretch", "content"] | None = "stretch",
    key: str | None = None,
    on_select: Literal["ignore", "rerun"] = "ignore",
) -> Any:
    """Draw `chart` with its text alternative: the description under it (visible, so a
    screen reader meets it in reading order, and in the spec as the chart's aria-label),
    then `caption` (the source line), then the data as a table in an expander. Returns
    st.altair_chart's selection event (for `on_select="rerun"`)."""
    # The spec without Altair's schema validation (a third to a half of building a
    # layered chart's spec; tests/test_charts.py validates every builder's spec instead):
    # st.vega_lite_chart draws the same spec st.altair_chart would.
    spec = chart.properties(description=description).to_dict(validate=False)
    event = st.vega_lite_chart(spec, width=width, key=key, on_select=on_select)
    st.caption(description)
    if caption:
        st.caption(caption)
    with st.expander(TABLE_LABEL):
        if table.empty:
            st.caption("Diagrammet har inga värden.")
        else:
            render_data_table(table, caption=table_caption)
    return event


def render_data_table(frame: pd.DataFrame, caption: str | None = None) -> None:
    """A chart's data as a real <table> with column headers and a caption, which screen
    readers walk cell by cell (ui.components.render_table, in its own class)."""
    render_table(frame, caption=caption, css_class=TABLE_CLASS)


TABLE_CLASS = "mp-chart-data"


def _number(value: object, decimals: int | None = None) -> str:
    return format_number(None if pd.isna(value) else float(value), decimals)  # type: ignore[arg-type]


def _points(frame: pd.DataFrame, year: str = "year", value: str = "value") -> list:
    rows = frame.dropna(subset=[value])
    return list(zip(rows[year].astype(int), rows[value].astype(float), strict=True))


def wide_table(
    frame: pd.DataFrame,
    columns: str,
    order: Sequence[str] | None = None,
    year: str = "year",
    value: str = "value",
    decimals: int | None = None,
) -> pd.DataFrame:
    """One row per year, one column per series (`columns`), values as the app writes
    them ("78,3"; "–" where a series has none; "1,47 / 1,7" where it has two that year,
    e.g. a delmål and a periodmål)."""
    if frame.empty:
        return pd.DataFrame()
    shown = frame.dropna(subset=[value]).assign(
        _text=lambda f: [_number(v, decimals) for v in f[value]]
    )
    # groupby-join then unstack: pivot_table with a Python aggfunc costs several times more,
    # on every chart of every page.
    wide = shown.groupby([year, columns], sort=True)["_text"].agg(" / ".join).unstack(columns)
    names = [c for c in (order or wide.columns) if c in wide.columns]
    out = pd.DataFrame({"År": [str(int(y)) for y in wide.index]})
    for name in names:
        out[name] = [v if isinstance(v, str) else "–" for v in wide[name]]
    return out


# ------------------------------------------------------------------------ the goal page


def history_text(
    history: pd.DataFrame,
    municipality_name: str,
    ambitions: pd.DataFrame | None = None,
    forecast: dict | None = None,
) -> ChartText:
    """ui.charts.history_chart's text: the municipality's course, Riket's and the peers'
    latest value, the targets and the forecast."""
    labels = {
        "kommun": municipality_name,
        "riket": "Riket",
        "liknande": "Liknande kommuner (median)",
    }
    series = {k: _points(history[history["series"] == k]) for k in labels}
    extras = []
    rows = pd.DataFrame()
    if ambitions is not None and not ambitions.empty:
        proposed = (
            ambitions["provenance"].eq("förslag")
            if "provenance" in ambitions.columns
            else pd.Series(False, index=ambitions.index)
        )
        years = pd.to_datetime(ambitions["date"]).dt.year
        names = ["Förslag till målvärde" if p else "Målvärde" for p in proposed]
        rows = pd.DataFrame({"series": names, "year": years, "value": ambitions["value"]})
        # The last target of each kind is the message (the table has every one).
        last = rows.assign(_order=range(len(rows))).sort_values(["year", "_order"])
        extras = [
            f"{n.lower()} {y}: {format_number(v)}"
            for n, y, v in last.groupby("series", sort=False)
            .tail(1)[["series", "year", "value"]]
            .itertuples(index=False)
        ]
    if forecast and forecast.get("point") is not None:
        text = f"prognos {forecast['År']}: {format_number(forecast['point'])}"
        lo, hi = forecast.get("lo80"), forecast.get("hi80")
        if pd.notna(lo) and pd.notna(hi):
            text += f" (80 %: {format_number(lo)}–{format_number(hi)})"
        extras.append(text)
        fc = pd.DataFrame(
            {"series": ["Prognos"], "year": [forecast["År"]], "value": [forecast["point"]]}
        )
        rows = pd.concat([rows, fc], ignore_index=True) if not rows.empty else fc
    description = chart_text.line_description(
        (f"{chart_text.genitive(municipality_name)} värde", series["kommun"]),
        [(labels[k], series[k]) for k in ("riket", "liknande")],
        extras,
    )
    lines = history.assign(series=history["series"].map(labels))
    order = [*labels.values(), "Målvärde", "Förslag till målvärde", "Prognos"]
    table = wide_table(
        pd.concat([lines[["series", "year", "value"]], rows], ignore_index=True),
        "series",
        order,
    )
    return ChartText(description, table)


# --------------------------------------------------------------------------- the explorer


def series_text(
    values: pd.DataFrame,
    municipality_id: str | None,
    titles: Mapping[str, str] | None = None,
    decimals: Mapping[str, int] | None = None,
) -> ChartText:
    """ui.charts.series_chart's text: per KPI the own municipality's course, and how many
    others are drawn beside it. The table: one row per municipality, KPI and year."""
    titles = titles or {}
    decimals = decimals or {}
    own = values[values["municipality_id"] == municipality_id]
    own_name = own["municipality"].iloc[0] if not own.empty else None
    parts = []
    for kpi in dict.fromkeys(values["kpi"]):
        mine = own[own["kpi"] == kpi]
        if own_name and not mine.empty:
            parts.append(
                chart_text.series_phrase(f"{titles.get(kpi, kpi)}, {own_name}", _points(mine))
            )
    n_others = values.loc[values["municipality_id"] != municipality_id, "municipality_id"].nunique()
    if n_others:
        parts.append(f"{n_others} kommuner till i tunnare linjer")
    description = chart_text.sentence("Linjediagram", parts)
    ordered = values.assign(own=values["municipality_id"] != municipality_id).sort_values(
        ["own", "municipality", "kpi", "year"]
    )
    table = pd.DataFrame(
        {
            "Kommun/region": ordered["municipality"],
            "Nyckeltal": ordered["kpi"].map(lambda k: titles.get(k, k)),
            "År": ordered["year"].astype(int).astype(str),
            "Värde": [
                _number(v, decimals.get(k))
                for k, v in zip(ordered["kpi"], ordered["value"], strict=True)
            ],
        }
    )
    return ChartText(description, table)


def ranking_text(
    ranking: pd.DataFrame, municipality_id: str, order_words: str, year: int | None = None
) -> ChartText:
    """ui.charts.ranking_chart's text: the chosen kommun's place, the first and the last."""
    ranking = ranking.sort_values(["Plats", "municipality"])
    own = ranking[ranking["municipality_id"] == municipality_id]
    name = own["municipality"].iloc[0] if not own.empty else municipality_id
    description = chart_text.ranking_description(
        name,
        int(own["Plats"].iloc[0]) if not own.empty else None,
        list(zip(ranking["municipality"], ranking["value"].astype(float), strict=True)),
        order_words,
        year,
    )
    table = pd.DataFrame(
        {
            "Plats": ranking["Plats"].astype(int).astype(str),
            "Kommun": [
                f"{n} (vald)" if m == municipality_id else n
                for m, n in zip(ranking["municipality_id"], ranking["municipality"], strict=True)
            ],
            "Värde": ranking["value"].map(_number),
        }
    )
    return ChartText(description, table)


def distribution_text(values: pd.DataFrame, municipality_id: str, name: str) -> ChartText:
    """ui.charts.distribution_chart's text: the spread, the median, the chosen value. The
    table lists every kommun's value, highest first (the bins are the chart's summary)."""
    own = values.loc[values["municipality_id"] == municipality_id, "value"]
    description = chart_text.distribution_description(
        list(values["value"].astype(float)), name, float(own.iloc[0]) if not own.empty else None
    )
    ordered = values.sort_values(["value", "municipality"], ascending=[False, True])
    table = pd.DataFrame(
        {
            "Kommun": [
                f"{n} (vald)" if m == municipality_id else n
                for m, n in zip(ordered["municipality_id"], ordered["municipality"], strict=True)
            ],
            "Värde": ordered["value"].map(_number),
        }
    )
    return ChartText(description, table)


def gender_series_text(values: pd.DataFrame, name: str) -> ChartText:
    """ui.charts.gender_series_chart's text: women's and men's course."""
    words = {"K": "Kvinnor", "M": "Män"}
    parts = [
        chart_text.series_phrase(
            f"{words[g].lower()} i {name}", _points(values[values["gender"] == g])
        )
        for g in words
    ]
    table = wide_table(
        values.assign(gender=values["gender"].map(words)), "gender", list(words.values())
    )
    return ChartText(chart_text.sentence("Linjediagram", parts), table)


def gender_gap_text(
    gaps: pd.DataFrame, municipality_id: str, year: int, peers_median: float | None
) -> ChartText:
    """ui.charts.gender_gap_chart's text: the chosen kommun's gap, the largest, the smallest."""
    own = gaps.loc[gaps["municipality_id"] == municipality_id, "municipality"]
    name = own.iloc[0] if not own.empty else municipality_id
    description = chart_text.gap_description(
        name,
        year,
        list(zip(gaps["municipality"], gaps["gap"].astype(float), strict=True)),
        peers_median,
    )
    ordered = gaps.sort_values("gap", ascending=False)
    table = pd.DataFrame(
        {
            "Kommun": [
                f"{n} (vald)" if m == municipality_id else n
                for m, n in zip(ordered["municipality_id"], ordered["municipality"], strict=True)
            ],
            "Kvinnor": ordered["women"].map(_number),
            "Män": ordered["men"].map(_number),
            "Skillnad (kvinnor − män)": ordered["gap"].map(_number),
        }
    )
    return ChartText(description, table)


# ------------------------------------------------------------------------ Agenda 2030


def status_bars_text(dist: pd.DataFrame, status_words: Mapping[str, str]) -> ChartText:
    """ui.charts.sdg_status_bars' text. `dist` has sdg_label, sdg, status, n; the table
    has one row per SDG and one column per status (icon and word)."""
    counts: dict[str, dict[str, int]] = {}
    for r in dist.sort_values("sdg").itertuples():
        counts.setdefault(r.sdg_label, {})[r.status] = int(r.n)
    description = chart_text.status_bars_description(counts, status_words)
    table = pd.DataFrame({"Globalt mål": list(counts)})
    for status, word in status_words.items():
        table[word] = [str(c.get(status, 0)) for c in counts.values()]
    table["Totalt"] = [str(sum(c.values())) for c in counts.values()]
    return ChartText(description, table)


def matrix_text(cells: pd.DataFrame, row_title: str, kinds: Mapping[str, str]) -> ChartText:
    """ui.charts.sdg_matrix's text. `cells` as sdg_matrix takes it; `kinds`: provenance →
    its word. The table: one row per row of the matrix, the linked SDGs by kind."""
    linked = cells[cells["provenance"] != ""]
    rows = list(dict.fromkeys(cells.sort_values("row_order")["row_label"]))
    links = {word: int((linked["provenance"] == p).sum()) for p, word in kinds.items()}
    description = chart_text.matrix_description(
        len(rows), row_title.lower(), links, list(linked["sdg"].astype(int))
    )
    table = pd.DataFrame({row_title: rows})
    for p, word in kinds.items():
        mine = linked[linked["provenance"] == p]
        table[word] = [
            ", ".join(str(s) for s in sorted(mine.loc[mine["row_label"] == r, "sdg"].astype(int)))
            or "–"
            for r in rows
        ]
    return ChartText(description, table)


# ---------------------------------------------------------------- Målvärden and reports


def target_text(
    history: pd.DataFrame | None,
    municipality_name: str,
    latest: tuple[int, float],
    options: Sequence[tuple[str, Sequence[tuple[int, float]]]],
    first_year: int | None = None,
) -> ChartText:
    """reports.targets_doc.target_chart's text: the municipality's course (or its latest
    value), Riket's latest, and each proposed option's periodmål. `options`: (label,
    milestones as (year, value)); `first_year`: the first year the chart draws."""
    if history is not None and first_year is not None:
        history = history[history["year"] >= first_year]
    labels = {
        "kommun": municipality_name,
        "riket": "Riket",
        "liknande": "Liknande kommuner (median)",
    }
    hist = history if history is not None and not history.empty else None
    own = _points(hist[hist["series"] == "kommun"]) if hist is not None else [latest]
    own = [p for p in own if p[0] <= latest[0]] or [latest]
    others = (
        [
            (labels[k], [p for p in _points(hist[hist["series"] == k]) if p[0] <= latest[0]])
            for k in ("riket", "liknande")
        ]
        if hist is not None
        else []
    )
    extras = [
        f"{label.lower()}: {format_number(ms[-1][1])} år {ms[-1][0]}" for label, ms in options if ms
    ]
    description = chart_text.line_description(
        (f"{chart_text.genitive(municipality_name)} värde", own), others, extras
    )
    frames = []
    if hist is not None:
        h = hist[hist["year"] <= latest[0]]
        frames.append(h.assign(series=h["series"].map(labels))[["series", "year", "value"]])
    else:
        frames.append(
            pd.DataFrame({"series": [municipality_name], "year": [latest[0]], "value": [latest[1]]})
        )
    for label, ms in options:
        frames.append(
            pd.DataFrame({"series": label, "year": [y for y, _ in ms], "value": [v for _, v in ms]})
        )
    order = [*labels.values(), *(label for label, _ in options)]
    table = wide_table(pd.concat(frames, ignore_index=True), "series", order)
    return ChartText(description, table)


def report_indicator_text(
    years: Sequence[int],
    values: Sequence[float],
    municipality_name: str,
    targets: Sequence[tuple[str, int, float]] = (),
    forecast: tuple[int, float] | None = None,
) -> ChartText:
    """reports.charts.indicator_chart's text: the municipality's series as frozen in the
    report, its targets (label, year, value) and the forecast (year, value)."""
    points = list(zip(years, values, strict=True))
    extras = [f"{label} {y}: {format_number(v)}" for label, y, v in targets]
    if forecast is not None:
        extras.append(f"prognos {forecast[0]}: {format_number(forecast[1])}")
    description = chart_text.line_description(
        (f"{chart_text.genitive(municipality_name)} värde", points), (), extras
    )
    rows = [("Värde", y, v) for y, v in points]
    rows += [(label.capitalize(), y, v) for label, y, v in targets]
    if forecast is not None:
        rows.append(("Prognos", *forecast))
    table = wide_table(
        pd.DataFrame(rows, columns=["series", "year", "value"]),
        "series",
        list(dict.fromkeys(r[0] for r in rows)),
    )
    return ChartText(description, table)
