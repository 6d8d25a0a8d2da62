"""Målvärdesstöd (issue 16): "Nulägesbild och förslag till delmål" as Word and Excel, and
the chart the Målvärden page and the Word document both draw.

Called by ui.targets (the page and its downloads) and `python -m reports targets`. The
proposals themselves come from db.proposals.build_proposals (core.targets); this module
only words, draws and writes them. What the proposals do not carry (the municipality's
history, the peers' band over the years, the forecast fan to the period's end) is read by
`query_chart_inputs` and computed by `chart_data`, with the same forecaster every stored
result uses (core.judging.judge_indicator), so the fan and the options' P(nås) agree.

Every figure here is "Egen bearbetning av data från Kolada" except the raw values
("Källa: Kolada"), and every option is a förslag: nothing here is decided.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import altair as alt
import duckdb
import pandas as pd
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from core.forecast import Calibration
from core.format import (
    CHART_CONFIG,
    SOURCE_COMPUTED,
    SOURCE_RAW,
    YEAR_FORMAT,
    format_change,
    format_date,
    format_number,
    year_ticks,
)
from core.judging import IndicatorInput, is_bounded_share, judge_indicator, panel_growth
from core.scope import peer_group
from core.targets import (
    HOLD,
    NO_AMBITION_ABOVE,
    PEER_MEDIAN,
    TOP_QUARTER,
    UNREALISTIC_BELOW,
    GoalProposals,
    Proposal,
    option_flags,
)
from db import judging, queries, target_charts
from reports.excel import finish_table, set_properties
from reports.word import mark_table, set_alt_text, set_swedish, set_title

TITLE = "Nulägesbild och förslag till delmål"
NOT_DECIDED = "Förslag — inte beslutat"
# What the proposals rest on, said once for the page and the document.
PROPOSAL_NOTE = (
    "Alternativen är förslag som underlag för politiskt beslut, inte beslutade mål. "
    "Fullmäktige (eller nämnden) beslutar målvärdena."
)

KOMMUN_COLOUR = "#1f4e79"
RIKET_COLOUR = "#8c8c8c"
PEERS_COLOUR = "#e08214"
FAN_COLOUR = "#6baed6"
OPTION_COLOURS = {HOLD: "#4d4d4d", PEER_MEDIAN: "#2e7d32", TOP_QUARTER: "#7b3294"}
SHOWN = "Avrundat värde"  # the tooltips' text column, as ui.charts and reports.charts
HISTORY_YEARS = 10  # years of history the chart shows before the proposal's latest value


# ------------------------------------------------------------------ words


def format_p(p: float | None) -> str:
    """P(nås) as people read it: "62 %"; "–" where no forecast is possible."""
    return "–" if p is None else f"{round(p * 100)} %"


def option_label(kind: str) -> str:
    """How an option is named everywhere: always as a förslag."""
    return f"Förslag: {kind}"


def _value_unit(value: float | None, unit: str | None) -> str:
    text = format_number(value)
    if value is None or not unit:
        return text
    return f"{text} %" if unit.strip() == "%" else f"{text} {unit}"


def _rank_text(place: int, of: int, what: str) -> str:
    return f"plats {place} av {of} {what}"


def trend_text(proposal: Proposal) -> str | None:
    """ "+0,8 procentenheter per år de senaste åren"; "ingen tydlig förändring …" where the
    rounded slope is zero (never "−0,0"); None without a trend."""
    slope = proposal.nulage.trend_per_year
    if slope is None:
        return None
    text = format_change(slope, proposal.nulage.unit)
    if not any(c in "123456789" for c in text.split(" ")[0]):
        return "ingen tydlig förändring de senaste åren"
    return f"{text} per år de senaste åren"


def nulage_sentences(proposal: Proposal, municipality_name: str) -> list[str]:
    """The nulägesbild in a few plain sentences: latest value, trend, ranks, peers' spread
    and Riket. Places count from the best by the desired direction."""
    n = proposal.nulage
    out = [
        f"Senaste värde för {municipality_name} är {_value_unit(n.latest_value, n.unit)} "
        f"({n.latest_year}), av {n.n_points} värden i serien."
    ]
    pace = trend_text(proposal)
    out.append(
        f"Utvecklingen: {n.trend_words.lower()} ({pace})."
        if pace
        else f"Utvecklingen: {n.trend_words.lower()}."
    )
    ranks = []
    if n.rank_all is not None:
        ranks.append(_rank_text(n.rank_all.place, n.rank_all.of, "kommuner"))
    if n.rank_peers is not None:
        ranks.append(_rank_text(n.rank_peers.place, n.rank_peers.of, "liknande kommuner"))
    if ranks:
        year = (n.rank_all or n.rank_peers).year  # type: ignore[union-attr]
        out.append(f"{municipality_name} har {' och '.join(ranks)} ({year}; 1 = bäst).")
    if n.spread_peers is not None:
        s = n.spread_peers
        out.append(
            f"Hos de {s.n} liknande kommunerna ligger mittersta hälften mellan "
            f"{format_number(s.q25)} och {format_number(s.q75)}, medianen är "
            f"{format_number(s.median)} ({s.year})."
        )
    if n.riket is not None:
        out.append(f"Riket: {_value_unit(n.riket, n.unit)} ({n.latest_year}).")
    return out


def option_rows(proposal: Proposal) -> list[dict[str, str]]:
    """The options as table rows (Swedish column names, text cells), page and document
    alike: one column per year of the period (the delmål, the last one the periodmål),
    so each cell holds one short value and the table fits a phone."""
    rows = []
    for o in proposal.options:
        row = {"Alternativ": option_label(o.kind)}
        for m in o.milestones:
            head = f"{m.date.year} (periodmål)" if m.kind == "periodmål" else str(m.date.year)
            row[head] = format_number(m.value)
        row |= {
            "Accepterad gräns": format_number(o.accepted_limit),
            "P(nås)": format_p(o.target.p_reached),
            "Flagga": option_flags(o, proposal.nulage) or "–",
            "Underlag": o.evidence,
        }
        rows.append(row)
    return rows


METHOD_TEXT = (
    "Förslagen bygger på vad kommuner faktiskt har åstadkommit. Alternativet "
    f"”{HOLD}” håller dagens nivå. ”{PEER_MEDIAN}” räknar fram värdet med den förändring "
    "som medianen bland de liknande kommunerna nådde under lika många år, och "
    f"”{TOP_QUARTER}” med den förändring som den bästa fjärdedelen nådde. Delmålen per år "
    "ligger på samma bana fram till periodmålet. Sannolikheten att nå varje värde, "
    "P(nås), kommer från Målpuls prognosmodell, som är bakåttestad på alla kommuners "
    "serier i Kolada. Ett alternativ med en sannolikhet under "
    f"{UNREALISTIC_BELOW:.0%} märks ”orealistiskt”, ett över {NO_AMBITION_ABOVE:.0%} "
    "”knappast en ambition”. Accepterad gräns är den nivå där målet inte längre kan "
    "anses uppnått. Liknande kommuner är Koladas grupp ”Liknande kommuner, övergripande”."
).replace("%", " %")


# ------------------------------------------------------------------ chart data


@dataclass(frozen=True)
class ChartInputs:
    """Everything the chart reads from the database for one indicator (one KPI and gender
    of one municipality)."""

    history: pd.DataFrame  # year, series (kommun|riket|liknande), value: db.queries
    band: pd.DataFrame  # year, q25, median, q75, n: db.target_charts
    series: tuple[list[int], list[float]]  # the municipality's own values
    panel: list[tuple[str, list, list]]  # every geography's series (the pooled trend)
    publication: object  # core.judging.Publication | None
    kpi_title: str | None
    peers_name: str | None


@dataclass(frozen=True)
class FanPoint:
    year: int
    point: float
    lo80: float
    hi80: float


@dataclass(frozen=True)
class TargetChart:
    """What the chart draws besides the proposal: history, peers' band, forecast fan."""

    history: pd.DataFrame
    band: pd.DataFrame
    fan: tuple[FanPoint, ...]


def query_chart_inputs(
    con: duckdb.DuckDBPyConnection,
    municipality_id: str,
    municipality_name: str,
    kpi: str,
    gender: str,
) -> ChartInputs:
    """The reads behind one indicator's chart (the page caches them per database file)."""
    found = peer_group(queries.query_peer_groups(con), municipality_name)
    peers = found[1] if found else []
    meta = queries.query_kpi_meta(con, [kpi])
    return ChartInputs(
        history=queries.query_history(con, kpi, gender, municipality_id, peers),
        band=target_charts.query_peer_band(con, kpi, gender, peers),
        series=judging.query_series(con, municipality_id, [kpi], gender).get(kpi, ([], [])),
        panel=judging.query_kpi_panel(con, kpi),
        publication=judging.query_kpi_publications(con, [kpi]).get(kpi),
        kpi_title=None if meta.empty else str(meta["title"].iloc[0]),
        peers_name=found[0] if found else None,
    )


def forecast_fan(
    inputs: ChartInputs,
    proposal: Proposal,
    municipality_id: str,
    *,
    as_of: dt.date,
    end_year: int,
    calibration: Calibration,
) -> tuple[FanPoint, ...]:
    """Point and 80 % interval for every year from the latest value to `end_year`, by the
    one forecasting path every stored result takes (core.judging.judge_indicator without
    an ambition, which forecasts to the period's end). Starts at the latest value, so the
    fan opens from it. Empty where no forecast is possible (bevaka, too short, too old)."""
    n = proposal.nulage
    if n.direction not in ("öka", "minska") or end_year <= n.latest_year:
        return ()
    inp = IndicatorInput(
        municipality_id=municipality_id,
        indicator_id=proposal.indicator_id,
        goal_id="",
        kpi_id=n.kpi,
        successor_kpi_id=None,
        kpi_retired=False,
        direction=n.direction,
        bounded_share=is_bounded_share(n.unit, inputs.kpi_title),
        ambitions=(),
        gender=n.gender,
        publication=inputs.publication,  # type: ignore[arg-type]
    )
    growth = {(n.kpi, y): g for y, g in panel_growth(inputs.panel).items()}
    fan = [FanPoint(n.latest_year, n.latest_value, n.latest_value, n.latest_value)]
    for year in range(n.latest_year + 1, end_year + 1):
        _, r = judge_indicator(
            replace(inp, period_end=dt.date(year, 12, 31)),
            {n.kpi: inputs.series},
            as_of=as_of,
            calibration=calibration,
            growth=growth,
        )
        if r.point is None or r.lo80 is None or r.hi80 is None or r.latest_year is None:
            return ()
        if r.latest_year + (r.horizon_years or 0) != year:
            continue
        fan.append(FanPoint(year, r.point, r.lo80, r.hi80))
    return tuple(fan) if len(fan) > 1 else ()


def chart_data(
    inputs: ChartInputs,
    proposal: Proposal,
    municipality_id: str,
    *,
    as_of: dt.date,
    end_year: int,
    calibration: Calibration,
) -> TargetChart:
    return TargetChart(
        history=inputs.history,
        band=inputs.band,
        fan=forecast_fan(
            inputs,
            proposal,
            municipality_id,
            as_of=as_of,
            end_year=end_year,
            calibration=calibration,
        ),
    )


def collect_charts(
    con: duckdb.DuckDBPyConnection,
    municipality_id: str,
    municipality_name: str,
    goals: Sequence[GoalProposals],
    *,
    as_of: dt.date,
    calibration: Calibration,
) -> dict[tuple[str, str], TargetChart]:
    """Every indicator's chart data, keyed (goal id, indicator id): for the CLI."""
    out = {}
    for g in goals:
        for p in g.proposals:
            inputs = query_chart_inputs(
                con, municipality_id, municipality_name, p.nulage.kpi, p.nulage.gender
            )
            out[(g.goal_id, p.indicator_id)] = chart_data(
                inputs,
                p,
                municipality_id,
                as_of=as_of,
                end_year=g.period_end.year,
                calibration=calibration,
            )
    return out


# ------------------------------------------------------------------ the chart


def _inline(frame: pd.DataFrame) -> alt.InlineData:
    """The frame written into the spec (see reports.charts._inline: the global data
    transformer left a download's chart empty while a page ran)."""
    records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    return alt.InlineData(values=records)


def _series_scale(municipality_name: str, kinds: Iterable[str]) -> tuple[list[str], list[str]]:
    domain = [
        municipality_name,
        "Riket",
        "Liknande kommuner (median)",
        "Liknande kommuner (mittersta hälften)",
        "Prognos (80 % intervall)",
    ]
    colours = [KOMMUN_COLOUR, RIKET_COLOUR, PEERS_COLOUR, PEERS_COLOUR, FAN_COLOUR]
    for kind in kinds:
        domain.append(option_label(kind))
        colours.append(OPTION_COLOURS.get(kind, "#4d4d4d"))
    return domain, colours


def target_chart(
    chart: TargetChart | None,
    proposal: Proposal,
    municipality_name: str,
    *,
    chosen: str | None = None,
    for_document: bool = False,
) -> alt.LayerChart:
    """The indicator's history (the municipality, Riket, the peers' median), the peers'
    middle half (q25–q75) over the years, the forecast fan to the period's end, and each
    option's delmål and periodmål as a dashed line from today's value, named "Förslag: …".
    `chosen`: the option drawn stronger. Drawn from the proposal alone (today's value and
    the options) where `chart` is None."""
    n = proposal.nulage
    frames = _chart_frames(chart, proposal, municipality_name, chosen)
    years = [y for f in frames.values() for y in f["År"]]
    domain, colours = _series_scale(municipality_name, [o.kind for o in proposal.options])
    colour = alt.Color(
        "Serie:N",
        scale=alt.Scale(domain=domain, range=colours),
        legend=alt.Legend(
            orient="bottom",
            title=None,
            columns=2 if for_document else 1,  # a phone has room for one
            labelLimit=320,
            symbolType="stroke",
            symbolStrokeWidth=4,
            symbolOpacity=1,
        ),
    )
    x = alt.X(
        "År:Q",
        title=None,
        axis=alt.Axis(format=YEAR_FORMAT, tickMinStep=1, values=year_ticks(years) or alt.Undefined),
        scale=alt.Scale(domain=[min(years), max(years)], nice=False),
    )
    y = alt.Y("Värde:Q", title=n.unit or None, scale=alt.Scale(zero=False))
    year_tip = alt.Tooltip("År:Q", format=YEAR_FORMAT)
    value_tip = alt.Tooltip(f"{SHOWN}:N", title="Värde")
    layers: list[alt.Chart] = []
    if "band" in frames:
        layers.append(
            alt.Chart(_inline(frames["band"]))
            .mark_area(opacity=0.18)
            .encode(
                x=x,
                y=alt.Y("Från:Q", title=n.unit or None, scale=alt.Scale(zero=False)),
                y2="Till:Q",
                color=colour,
                tooltip=[alt.Tooltip("Serie:N"), year_tip, value_tip],
            )
        )
    if "fan" in frames:
        tips = [alt.Tooltip("Serie:N"), year_tip, alt.Tooltip(f"{SHOWN}:N", title="Prognos")]
        fan = alt.Chart(_inline(frames["fan"]))
        layers.append(
            fan.mark_area(opacity=0.3).encode(
                x=x, y=alt.Y("Från:Q"), y2="Till:Q", color=colour, tooltip=tips
            )
        )
        layers.append(
            fan.mark_line(strokeDash=[2, 2], color=KOMMUN_COLOUR, strokeWidth=1.5).encode(
                x=x, y=alt.Y("Värde:Q"), tooltip=tips
            )
        )
    layers.append(
        alt.Chart(_inline(frames["lines"]))
        .mark_line(point=True)
        .encode(
            x=x,
            y=y,
            color=colour,
            strokeDash=alt.condition(
                alt.datum.Serie == "Liknande kommuner (median)",
                alt.value([5, 3]),
                alt.value([1, 0]),
            ),
            tooltip=[alt.Tooltip("Serie:N"), year_tip, value_tip],
        )
    )
    if "options" in frames:
        opts = frames["options"]
        tips = [
            alt.Tooltip("Serie:N", title="Alternativ"),
            alt.Tooltip("Typ:N"),
            year_tip,
            alt.Tooltip(f"{SHOWN}:N", title="Förslag"),
        ]
        layers.append(
            alt.Chart(_inline(opts))
            .mark_line(strokeDash=[6, 3])
            .encode(
                x=x,
                y=alt.Y("Värde:Q"),
                color=colour,
                strokeWidth=alt.condition("datum.Vald", alt.value(3.5), alt.value(1.8)),
                tooltip=tips,
            )
        )
        layers.append(
            alt.Chart(_inline(opts[opts["Typ"] != "nuläge"]))
            .mark_point(shape="diamond", filled=True, opacity=1)
            .encode(
                x=x,
                y=alt.Y("Värde:Q"),
                color=colour,
                size=alt.condition("datum.Vald", alt.value(160), alt.value(70)),
                tooltip=tips,
            )
        )
    props: dict = {"height": 300 + 18 * len(domain)}  # the legend, one line a series
    if for_document:
        title = alt.TitleParams(proposal.indicator_title, fontSize=12, anchor="start", limit=560)
        props = {"width": 520, "height": 240, "title": title}
    return alt.layer(*layers).properties(**props).configure(**CHART_CONFIG)


def _chart_frames(
    chart: TargetChart | None, proposal: Proposal, municipality_name: str, chosen: str | None
) -> dict[str, pd.DataFrame]:
    """The chart's layers as Swedish-named frames: lines, band, fan, options."""
    n = proposal.nulage
    labels = {
        "kommun": municipality_name,
        "riket": "Riket",
        "liknande": "Liknande kommuner (median)",
    }
    out: dict[str, pd.DataFrame] = {}
    # What the proposal knew: nothing after its latest year (a proposal as of a past date
    # is drawn as it was made, not beside the outcomes that came later), and the last
    # HISTORY_YEARS of it, so the few years ahead are not squeezed into a corner.
    first = n.latest_year - HISTORY_YEARS + 1
    if chart is not None and not chart.history.empty:
        h = chart.history[chart.history["year"].between(first, n.latest_year)]
        lines = pd.DataFrame(
            {
                "Serie": h["series"].map(labels),
                "År": h["year"].astype(int),
                "Värde": h["value"].astype(float),
            }
        )
    else:
        lines = pd.DataFrame(
            {"Serie": [municipality_name], "År": [n.latest_year], "Värde": [n.latest_value]}
        )
    lines[SHOWN] = lines["Värde"].map(format_number)
    out["lines"] = lines
    band = (
        chart.band[chart.band["year"].between(first, n.latest_year)] if chart is not None else None
    )
    if band is not None and not band.empty:
        out["band"] = pd.DataFrame(
            {
                "Serie": "Liknande kommuner (mittersta hälften)",
                "År": band["year"].astype(int),
                "Från": band["q25"].astype(float),
                "Till": band["q75"].astype(float),
                SHOWN: [
                    f"{format_number(lo)}–{format_number(hi)}"
                    for lo, hi in zip(band["q25"], band["q75"], strict=True)
                ],
            }
        )
    if chart is not None and chart.fan:
        fan = chart.fan
        out["fan"] = pd.DataFrame(
            {
                "Serie": "Prognos (80 % intervall)",
                "År": [p.year for p in fan],
                "Värde": [p.point for p in fan],
                "Från": [p.lo80 for p in fan],
                "Till": [p.hi80 for p in fan],
                SHOWN: [
                    f"{format_number(p.point)} (80 %: {format_number(p.lo80)}–"
                    f"{format_number(p.hi80)})"
                    for p in fan
                ],
            }
        )
    rows = []
    for o in proposal.options:
        label = option_label(o.kind)
        rows.append((label, n.latest_year, n.latest_value, "nuläge", "", o.kind == chosen))
        for m in o.milestones:
            shown = f"{format_number(m.value)} · P(nås) {format_p(m.p_reached)}"
            rows.append((label, m.date.year, m.value, m.kind, shown, o.kind == chosen))
    if rows:
        out["options"] = pd.DataFrame(rows, columns=["Serie", "År", "Värde", "Typ", SHOWN, "Vald"])
    return out


def alt_text(proposal: Proposal, chart: TargetChart | None, municipality_name: str) -> str:
    """The picture's alternative text: what the chart shows, in words, with the figures a
    reader needs when the picture cannot be seen."""
    n = proposal.nulage
    parts = [
        f"Linjediagram: {proposal.indicator_title}, {municipality_name}. Utvecklingen: "
        f"{n.trend_words.lower()}.",
    ]
    if chart is not None and not chart.history.empty:
        h = chart.history
        own = h[
            (h["series"] == "kommun")
            & h["year"].between(n.latest_year - HISTORY_YEARS + 1, n.latest_year)
        ]
        if not own.empty:
            parts.append(
                f"Värden {int(own['year'].min())}–{int(own['year'].max())}, senast "
                f"{format_number(n.latest_value)} år {n.latest_year}."
            )
        if not chart.band.empty:
            parts.append("Ett band visar mittersta hälften av liknande kommuner per år.")
        if chart.fan:
            last = chart.fan[-1]
            parts.append(
                f"Prognos för {last.year}: {format_number(last.point)} (80 % intervall "
                f"{format_number(last.lo80)}–{format_number(last.hi80)})."
            )
    else:
        parts.append(f"Senaste värde {format_number(n.latest_value)} år {n.latest_year}.")
    for o in proposal.options:
        parts.append(
            f"{option_label(o.kind)}: {format_number(o.target.value)} år {o.target.date.year}, "
            f"P(nås) {format_p(o.target.p_reached)}."
        )
    return " ".join(parts)


def chart_png(chart: alt.LayerChart) -> bytes:
    import vl_convert as vlc

    return vlc.vegalite_to_png(chart.to_json(), scale=1.5)


# ------------------------------------------------------------------ Word


def _goal_heading(g: GoalProposals) -> str:
    return g.goal_title


def word_document(
    goal_proposals: Sequence[GoalProposals],
    municipality_name: str,
    framework_name: str,
    as_of: dt.date,
    *,
    charts: Mapping[tuple[str, str], TargetChart] | None = None,
    png: Callable[[alt.LayerChart], bytes] = chart_png,
) -> bytes:
    """The document to attach to a tjänsteskrivelse: per goal and indicator the
    nulägesbild, a chart (with alt text), the options, the evidence; the method and the
    sources. "Förslag — inte beslutat" on the first page. `charts` (keyed (goal id,
    indicator id)) adds history, band and fan to each chart; without it the chart shows
    today's value and the options."""
    charts = charts or {}
    doc = Document()
    set_swedish(doc)
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10.5)
    set_title(doc, f"{TITLE}: {framework_name}, {municipality_name}", subject=NOT_DECIDED)
    doc.add_heading(TITLE, level=0)
    # The document's subtitle (a style, not a bold paragraph posing as a heading); the
    # words say it, the colour only repeats them.
    warn = doc.add_paragraph(style="Subtitle").add_run(NOT_DECIDED)
    warn.bold = True
    warn.italic = False
    warn.font.size = Pt(14)
    warn.font.color.rgb = RGBColor(0xB0, 0x3A, 0x2E)
    doc.add_paragraph(
        f"{municipality_name}, {framework_name}. Underlaget avser läget per {format_date(as_of)}."
    )
    doc.add_paragraph(PROPOSAL_NOTE)
    doc.add_paragraph(
        f"Värden: {SOURCE_RAW}. Rangordningar, spridning, prognoser och förslag: {SOURCE_COMPUTED}."
    )
    if not any(g.proposals for g in goal_proposals):
        doc.add_paragraph(
            "Inga mål i styrmodellen har nyckeltal från Kolada, så Målpuls kan inte föreslå "
            "målvärden ännu."
        )
    for area in dict.fromkeys(g.area_title for g in goal_proposals):
        goals = [g for g in goal_proposals if g.area_title == area and g.proposals]
        if not goals:
            continue  # an area heading with nothing under it
        # Heading 1 per area, 2 per goal, 3 per indicator, 4 for its parts; goals outside
        # an area move up one level, so no level is skipped after the title.
        level = 2 if area else 1
        if area:
            doc.add_heading(area, level=1)
        for g in goals:
            doc.add_heading(_goal_heading(g), level=level)
            doc.add_paragraph(f"Målperiod {g.period_start.year}–{g.period_end.year}.")
            for _, title, note in g.missing:
                doc.add_paragraph(f"{title}: {note}")
            for p in g.proposals:
                _indicator_section(
                    doc,
                    p,
                    municipality_name,
                    charts.get((g.goal_id, p.indicator_id)),
                    png,
                    level=level + 1,
                )
    doc.add_heading("Metod", level=1)
    doc.add_paragraph(METHOD_TEXT)
    doc.add_heading("Källor", level=1)
    doc.add_paragraph(f"Värden för kommunen, liknande kommuner och riket: {SOURCE_RAW}.")
    doc.add_paragraph(
        f"Rangordningar, spridning, förändringstakter, prognoser och förslag: {SOURCE_COMPUTED} "
        "(Målpuls)."
    )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _indicator_section(
    doc: Document,
    p: Proposal,
    municipality_name: str,
    chart: TargetChart | None,
    png: Callable[[alt.LayerChart], bytes],
    *,
    level: int,
) -> None:
    doc.add_heading(f"{p.indicator_title} ({p.nulage.kpi})", level=level)
    doc.add_heading("Nulägesbild", level=level + 1)
    doc.add_paragraph(" ".join(nulage_sentences(p, municipality_name)))
    picture = doc.add_picture(
        io.BytesIO(png(target_chart(chart, p, municipality_name, for_document=True))),
        width=Cm(16),
    )
    set_alt_text(
        picture, f"Linjediagram: {p.indicator_title}", alt_text(p, chart, municipality_name)
    )
    cap = doc.add_paragraph(
        f"{municipality_name} och riket: {SOURCE_RAW}. Liknande kommuner, prognos och "
        f"förslag: {SOURCE_COMPUTED}."
    )
    cap.runs[0].font.size = Pt(8.5)
    if not p.options:
        doc.add_paragraph(p.note or "Inga förslag till målvärden för indikatorn.")
        return
    doc.add_heading("Förslag till delmål", level=level + 1)
    rows = option_rows(p)
    columns = [c for c in rows[0] if c != "Underlag"]
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Light Grid Accent 1"
    for cell, title in zip(table.rows[0].cells, columns, strict=True):
        cell.text = title
    for r in rows:
        for cell, c in zip(table.add_row().cells, columns, strict=True):
            cell.text = r[c]
    # The option's name and the flags need room; a year's value does not. Without widths
    # Word and LibreOffice split the columns evenly and break "Alternativ" mid-word.
    table.autofit = False
    wide = {"Alternativ": Cm(4.2), "Flagga": Cm(2.8), "Accepterad gräns": Cm(2.5)}
    narrow = Cm(max(1.4, (16 - sum(w.cm for w in wide.values())) / max(len(columns) - 3, 1)))
    grid = table._tbl.tblGrid.findall(qn("w:gridCol"))  # LibreOffice reads the grid
    for i, c in enumerate(columns):
        width = wide.get(c, narrow)
        grid[i].set(qn("w:w"), str(width.twips))
        for cell in table.columns[i].cells:
            cell.width = width
    mark_table(
        table,
        f"Förslag till delmål: {p.indicator_title}",
        "En rad per alternativ (alla är förslag, inget är beslutat): värdet för varje år "
        "i perioden, accepterad gräns, sannolikheten att nå periodmålet, P(nås), och en "
        "flagga i ord.",
    )
    doc.add_heading("Underlag", level=level + 1)
    for o in p.options:
        para = doc.add_paragraph(style="List Bullet")
        para.add_run(f"{option_label(o.kind)}: ").bold = True
        para.add_run(f"{o.description} {o.evidence}")
        flags = option_flags(o, p.nulage)
        if flags:
            para.add_run(f" Bedömning: {flags}.").italic = True
    if p.note:
        doc.add_paragraph(p.note)


# ------------------------------------------------------------------ Excel

BOLD = Font(bold=True)
ROW_COLUMNS = (
    ("Kommun", 14),
    ("Mål", 44),
    ("Indikator", 44),
    ("KPI-id", 10),
    ("Alternativ", 34),
    ("Datum", 12),
    ("Typ", 11),
    ("Värde", 11),
    ("P(nås)", 9),
    ("Flagga", 20),
    ("Underlag", 70),
)
NULAGE_COLUMNS = (
    ("Kommun", 14),
    ("Mål", 44),
    ("Indikator", 44),
    ("KPI-id", 10),
    ("Önskad riktning", 12),
    ("Enhet", 12),
    ("Senaste år", 10),
    ("Senaste värde", 12),
    ("Utveckling", 14),
    ("Förändring per år", 12),
    ("Plats bland alla kommuner", 12),
    ("Antal kommuner", 10),
    ("Plats bland liknande kommuner", 12),
    ("Antal liknande kommuner", 10),
    ("Liknande kommuner: undre kvartil", 12),
    ("Liknande kommuner: median", 12),
    ("Liknande kommuner: övre kvartil", 12),
    ("Riket", 10),
    ("Nulägesbild", 80),
    ("Anmärkning", 40),
)
NUMBER_FORMAT = "#,##0.0##"  # the reader's Excel shows it Swedish: "1 234,5"
PERCENT_FORMAT = "0%"
DATE_FORMAT = "yyyy-mm-dd"


def _table_header(ws: Worksheet, row: int, columns: tuple[tuple[str, int], ...]) -> None:
    for c, (title, width) in enumerate(columns, start=1):
        cell = ws.cell(row, c, title)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        ws.column_dimensions[cell.column_letter].width = width


def _intro(ws: Worksheet, municipality_name: str, framework_name: str, as_of: dt.date) -> int:
    ws.cell(1, 1, f"{TITLE}: {framework_name}").font = Font(bold=True, size=13)
    ws.cell(2, 1, f"{municipality_name}. Läget per {as_of.isoformat()}. {NOT_DECIDED}.")
    ws.cell(3, 1, f"Värden: {SOURCE_RAW}. Beräkningar och förslag: {SOURCE_COMPUTED}.")
    return 5


def excel_rows(
    goal_proposals: Sequence[GoalProposals], municipality_name: str
) -> list[tuple[object, ...]]:
    """One row per indicator × option × milestone, in ROW_COLUMNS order."""
    rows = []
    for g in goal_proposals:
        for p in g.proposals:
            for o in p.options:
                for m in o.milestones:
                    rows.append(
                        (
                            municipality_name,
                            g.goal_title,
                            p.indicator_title,
                            p.nulage.kpi,
                            option_label(o.kind),
                            m.date,
                            m.kind,
                            m.value,
                            m.p_reached,
                            option_flags(o, p.nulage) or "",
                            m.evidence,
                        )
                    )
    return rows


def excel_workbook(
    goal_proposals: Sequence[GoalProposals],
    municipality_name: str,
    framework_name: str,
    as_of: dt.date,
) -> bytes:
    """Sheet "Förslag": one row per indicator × option × milestone; sheet "Nulägesbild":
    one row per indicator. Numbers stay numbers (Excel shows them in the reader's locale),
    probabilities as per cent, dates as dates."""
    wb = Workbook()
    # Titles above the headers, as in reports.excel (whose docstring says why).
    set_properties(wb, f"{TITLE}: {framework_name}, {municipality_name}", subject=NOT_DECIDED)
    ws = wb.active
    ws.title = "Förslag"
    row = _intro(ws, municipality_name, framework_name, as_of)
    header_row = row
    _table_header(ws, row, ROW_COLUMNS)
    for values in excel_rows(goal_proposals, municipality_name):
        row += 1
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row, c, v)
            cell.alignment = Alignment(wrap_text=c in (2, 3, 11), vertical="top")
            if c == 6:
                cell.number_format = DATE_FORMAT
            elif c == 8:
                cell.number_format = NUMBER_FORMAT
            elif c == 9 and v is not None:
                cell.number_format = PERCENT_FORMAT
    for g in goal_proposals:
        for p in g.proposals:
            if not p.options:
                row += 1
                ws.cell(row, 1, municipality_name)
                ws.cell(row, 2, g.goal_title)
                ws.cell(row, 3, p.indicator_title)
                ws.cell(row, 4, p.nulage.kpi)
                ws.cell(row, 11, p.note or "Inga förslag till målvärden.")
    finish_table(ws, header_row, row, len(ROW_COLUMNS))
    ws.cell(row + 2, 1, METHOD_TEXT)

    nl = wb.create_sheet("Nulägesbild")
    r = _intro(nl, municipality_name, framework_name, as_of)
    nulage_header = r
    _table_header(nl, r, NULAGE_COLUMNS)
    for g in goal_proposals:
        for p in g.proposals:
            n = p.nulage
            r += 1
            sp = n.spread_peers
            values = (
                municipality_name,
                g.goal_title,
                p.indicator_title,
                n.kpi,
                n.direction,
                n.unit or "",
                n.latest_year,
                n.latest_value,
                n.trend_words,
                n.trend_per_year,
                n.rank_all.place if n.rank_all else None,
                n.rank_all.of if n.rank_all else None,
                n.rank_peers.place if n.rank_peers else None,
                n.rank_peers.of if n.rank_peers else None,
                sp.q25 if sp else None,
                sp.median if sp else None,
                sp.q75 if sp else None,
                n.riket,
                " ".join(nulage_sentences(p, municipality_name)),
                p.note or "",
            )
            for c, v in enumerate(values, start=1):
                cell = nl.cell(r, c, v)
                cell.alignment = Alignment(wrap_text=c in (2, 3, 19, 20), vertical="top")
                if c in (8, 10, 15, 16, 17, 18):
                    cell.number_format = NUMBER_FORMAT
    finish_table(nl, nulage_header, r, len(NULAGE_COLUMNS))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def framework_goals(
    goals: Sequence[GoalProposals],
) -> list[tuple[str, str, list[GoalProposals]]]:
    """(framework id, name, its goals) in goal order: one document per framework."""
    out: dict[str, tuple[str, list[GoalProposals]]] = {}
    for g in goals:
        out.setdefault(g.framework_id, (g.framework_name, []))[1].append(g)
    return [(fid, name, gs) for fid, (name, gs) in out.items()]
