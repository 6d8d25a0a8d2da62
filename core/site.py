"""What the public goal barometer (`python -m reports publish`, issue 18) says, as pure
text and data: the status summary, each indicator's target, forecast and what it means,
the chart's data table, the method in plain Swedish, the open-data tables as rows and
their CSV bytes, and the DCAT-AP-SE catalogue. reports/publish.py turns this into HTML
files; nothing here reads files or the clock (the publication date is passed in).

A target that is a proposal (issue 16) is named "Förslag till målvärde" wherever it is
shown, in the same words as the Word and Excel exports: a citizen must never read a
proposal as something the council decided.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from core.format import (
    SOURCE_COMPUTED,
    SOURCE_RAW,
    ascii_slug,
    data_line,
    format_date,
    format_number,
    numbered_label,
)
from core.labels import STATUS_STYLE
from core.reports import (
    Report,
    ReportAmbition,
    ReportGoal,
    ReportIndicator,
    on_proposal,
    proposal_counts,
    values_source,
    values_sources_text,
)
from core.status import (
    AGAINST_PROPOSAL,
    MAX_DATA_AGE_YEARS,
    MIN_POINTS,
    P_OFF_TRACK,
    P_ON_TRACK,
)
from core.vocabulary import Status

DECIDED = "Målvärde"
PROPOSED = "Förslag till målvärde"
NOT_DECIDED = "(ej beslutat)"
ON_PROPOSAL = f"{AGAINST_PROPOSAL} {NOT_DECIDED}"

# What each status means, for the front page's legend and the method page. The thresholds
# are core.status's, so the text cannot drift from the rule.
STATUS_MEANING: dict[Status, str] = {
    Status.MET: "senaste värdet når redan målvärdet",
    Status.ON_TRACK: f"sannolikheten att nå målvärdet är minst {P_ON_TRACK:.0%}".replace("%", " %"),
    Status.UNCERTAIN: (
        f"sannolikheten att nå målvärdet ligger mellan {P_OFF_TRACK:.0%} och {P_ON_TRACK:.0%}"
    ).replace("%", " %"),
    Status.OFF_TRACK: (
        f"sannolikheten att nå målvärdet är högst {P_OFF_TRACK:.0%}, eller målåret har "
        "passerat utan att målvärdet nåddes"
    ).replace("%", " %"),
    Status.IMPROVING: "inget målvärde; utvecklingen går åt önskat håll",
    Status.UNCHANGED: "inget målvärde; förändringen är inte större än den vanliga variationen",
    Status.WORSENING: "inget målvärde; utvecklingen går åt fel håll",
    Status.WATCHED: "nyckeltalet följs utan önskad riktning",
    Status.NOT_JUDGEABLE: (
        f"för få värden (färre än {MIN_POINTS}) eller för gamla (mer än "
        f"{MAX_DATA_AGE_YEARS} år) för att bedöma"
    ),
}

# The EU data theme "Government and public sector" (dataportal.se lists themes from the
# EU vocabulary) and Swedish as the language, both as the EU Publications Office URIs.
THEME_GOVE = "http://publications.europa.eu/resource/authority/data-theme/GOVE"
LANGUAGE_SWE = "http://publications.europa.eu/resource/authority/language/SWE"
# CC BY 4.0: Kolada's figures are open data free to reuse (RKA), and the statuses and
# forecasts are the municipality's own processing of them. Attribution is what we want a
# reuser to keep ("Källa: Kolada" / "Egen bearbetning av data från Kolada"), which CC BY
# asks for and CC0 does not; CC BY 4.0 is among the licences dataportal.se recognises.
LICENSE_CC_BY = "http://creativecommons.org/licenses/by/4.0/"
MEDIA_TYPE_CSV = "http://www.iana.org/assignments/media-types/text/csv"


# ------------------------------------------------------------------ statuses and goals


def genitive(name: str) -> str:
    """ "Norberg" → "Norbergs", "Västerås" → "Västerås": Swedish adds no s after s, x, z."""
    return name if name[-1:].lower() in "sxz" else f"{name}s"


def kommun_name(name: str) -> str:
    """ "Norbergs kommun", "Vetlanda kommun": most municipalities whose name ends in a vowel
    take no genitive s in their official name. A guess for the few others ("Malmö stad");
    the accessibility statement leaves the name for the municipality to write."""
    base = name if name[-1:].lower() in "aeiouyåäö" else genitive(name)
    return f"{base} kommun"


def goal_name(report: Report, goal: ReportGoal) -> str:
    """ "Mål 3. Title", or the goal level the municipality's framework uses ("Delstrategi
    3. Title")."""
    level = next(
        (f.goal_level_name for f in report.frameworks if f.framework_id == goal.framework_id),
        "Mål",
    )
    return numbered_label(goal.number, goal.title, level or "Mål")


def status_icon(status: str | None) -> str:
    icon, _ = STATUS_STYLE.get(status or "", ("", "gray"))
    return icon


def status_colour(status: str | None) -> str:
    """The status's colour family (green, orange, red, blue, gray): a CSS class, never the
    only carrier of meaning (icon and word go beside it)."""
    _, colour = STATUS_STYLE.get(status or "", ("", "gray"))
    return colour


def status_counts(statuses: Sequence[str]) -> list[tuple[str, int]]:
    """(status, count) in the vocabulary's order (best first), only statuses present;
    an unknown word last, so nothing is silently dropped."""
    counts: dict[str, int] = {}
    for s in statuses:
        counts[s] = counts.get(s, 0) + 1
    known = [(str(s), counts.pop(str(s))) for s in Status if str(s) in counts]
    return known + sorted(counts.items())


def goal_page_names(goals: Sequence[ReportGoal]) -> dict[str, str]:
    """goal_id → the goal's page, "mal-<id>.html" in ASCII (it survives any web server and
    file system); a clash after the slug gets a number."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for g in goals:
        slug = ascii_slug(g.goal_id) or "mal"
        slug = slug.removeprefix("mal-")
        name, n = f"mal-{slug}.html", 2
        while name in used:
            name, n = f"mal-{slug}-{n}.html", n + 1
        used.add(name)
        out[g.goal_id] = name
    return out


def proposal_suffix(ind: ReportIndicator) -> str:
    """ " mot förslag till målvärde (ej beslutat)" after a status that rests on a proposal,
    as the Word export writes it; "" otherwise."""
    return f" {ON_PROPOSAL}" if on_proposal(ind) else ""


def target_parts(ind: ReportIndicator) -> tuple[str, str] | None:
    """("Målvärde", "85 till 31 december 2022") or ("Förslag till målvärde", "90 till 31
    december 2022 (ej beslutat)"); None when the indicator is not judged against a target."""
    if ind.target_value is None:
        return None
    when = f" till {format_date(ind.target_date)}" if ind.target_date else ""
    value = f"{format_number(ind.target_value)}{_unit(ind)}{when}"
    return (PROPOSED, f"{value} {NOT_DECIDED}") if on_proposal(ind) else (DECIDED, value)


def target_text(ind: ReportIndicator) -> str | None:
    """ "Målvärde: 85 till …" or "Förslag till målvärde: 90 till … (ej beslutat)"."""
    parts = target_parts(ind)
    return f"{parts[0]}: {parts[1]}" if parts else None


def latest_text(ind: ReportIndicator) -> str:
    if ind.latest_value is None:
        return "Inget värde"
    return f"{format_number(ind.latest_value)}{_unit(ind)} ({ind.latest_year})"


def forecast_year(ind: ReportIndicator) -> int | None:
    if ind.point is None or ind.latest_year is None or ind.horizon_years is None:
        return None
    return ind.latest_year + ind.horizon_years


def forecast_line(ind: ReportIndicator) -> str | None:
    """ "Prognos 2026: 24,9 (80 %: 21,8–28,7)"; None without a forecast."""
    year = forecast_year(ind)
    if year is None:
        return None
    text = f"Prognos {year}: {format_number(ind.point)}"
    if ind.lo80 is not None and ind.hi80 is not None:
        text += f" (80 %: {format_number(ind.lo80)}–{format_number(ind.hi80)})"
    return text


def forecast_meaning(ind: ReportIndicator, goal: ReportGoal) -> str:
    """What the forecast means for a reader who has never seen a prediction interval."""
    year = forecast_year(ind)
    if year is None:
        if ind.target_value is None:
            return (
                "Ingen prognos: nyckeltalet har inget målvärde att jämföra med, så bara "
                "riktningen bedöms."
                if ind.status != Status.NOT_JUDGEABLE
                else "Ingen prognos: underlaget räcker inte för att bedöma nyckeltalet."
            )
        if ind.status == Status.MET:
            return "Ingen prognos behövs: senaste värdet når redan målvärdet."
        return "Ingen prognos: underlaget räcker inte, eller målåret har redan passerat."
    parts = [
        f"Om utvecklingen fortsätter som för nyckeltalet i landets kommuner i stort blir "
        f"värdet {year} ungefär {format_number(ind.point)}."
    ]
    if ind.lo80 is not None and ind.hi80 is not None:
        parts.append(
            f"Med 80 % sannolikhet hamnar det mellan {format_number(ind.lo80)} och "
            f"{format_number(ind.hi80)}: i bakåttestet låg utfallet innanför ungefär fyra "
            "gånger av fem, och var femte gång utanför."
        )
    if ind.p_met is not None and ind.target_value is not None:
        what = "förslaget till målvärde (ej beslutat)" if on_proposal(ind) else "målvärdet"
        parts.append(
            f"Sannolikheten att nå {what} {format_number(ind.target_value)} är "
            f"{_percent(ind.p_met)}."
        )
    elif ind.target_value is None:
        parts.append(
            "Det finns inget målvärde att jämföra med: prognosen visar bara vart "
            "utvecklingen pekar."
        )
    if not goal.forecast_allowed:
        parts.append(
            "Målet är ett inriktningsmål eller stödjande mål och bedöms på riktningen, inte "
            "på prognosen."
        )
    return " ".join(parts)


def _percent(p: float) -> str:
    if p < 0.01:
        return "under 1 %"
    if p > 0.99:
        return "över 99 %"
    return f"{round(p * 100)} %"


def _unit(ind: ReportIndicator) -> str:
    """ " %" for a share; other units are in the title (Kolada's titles end in them)."""
    return " %" if (ind.unit or "").strip() == "%" else ""


# ------------------------------------------------------------------ the chart's data


@dataclass(frozen=True)
class ChartRow:
    """One year of a chart's data table, as text (Swedish numbers)."""

    year: int
    value: str
    targets: str
    forecast: str


def chart_rows(ind: ReportIndicator) -> list[ChartRow]:
    """Every year the chart draws: the values, the target values and the forecast with its
    interval; "–" where a year has none. A target is named by its provenance in the cell
    only where the column mixes decided targets and proposals (targets_column names it
    otherwise)."""
    values = dict(zip(ind.years, ind.values, strict=True))
    targets: dict[int, list[ReportAmbition]] = {}
    for a in ind.ambitions:
        targets.setdefault(a.date.year, []).append(a)
    mixed = len({a.provenance for a in ind.ambitions}) > 1
    fy = forecast_year(ind)
    years = sorted(set(values) | set(targets) | ({fy} if fy is not None else set()))
    rows = []
    for y in years:
        forecast = "–"
        if y == fy:
            forecast = format_number(ind.point)
            if ind.lo80 is not None and ind.hi80 is not None:
                forecast += f" (80 %: {format_number(ind.lo80)}–{format_number(ind.hi80)})"
        rows.append(
            ChartRow(
                year=y,
                value=format_number(values.get(y)),
                targets="; ".join(_ambition(a, mixed) for a in targets.get(y, [])) or "–",
                forecast=forecast,
            )
        )
    return rows


def _ambition(a: ReportAmbition, named: bool) -> str:
    if not named:
        return f"{format_number(a.value)} ({a.kind})"
    name = f"{PROPOSED.lower()} {NOT_DECIDED}" if a.provenance == "förslag" else DECIDED.lower()
    return f"{format_number(a.value)} ({a.kind}, {name})"


def targets_column(ind: ReportIndicator) -> str:
    """The heading of the chart table's target column: never "Målvärde" alone when one of
    them is a proposal."""
    kinds = {a.provenance for a in ind.ambitions}
    if kinds == {"förslag"}:
        return f"{PROPOSED} {NOT_DECIDED}"
    return "Målvärde eller förslag till målvärde" if "förslag" in kinds else DECIDED


# ------------------------------------------------------------------ page texts


def vintage_line(report: Report) -> str:
    """ "Kolada-data hämtad 30 augusti 2024 · senaste år 2022": the data the report rests
    on, and the newest year any indicator has."""
    years = [i.latest_year for i in report.indicators if i.latest_year is not None]
    return data_line(report.data_date, max(years) if years else None)


def proposal_note(report: Report) -> str | None:
    """How many statuses rest on proposed target values (the Word export's count)."""
    c = proposal_counts(report)
    if not c.proposed:
        return None
    return (
        f"{c.proposed} av {len(report.indicators)} indikatorer och {c.goals} av "
        f"{len(report.goals)} mål är bedömda mot förslag till målvärden som inte är "
        f"beslutade. Mot beslutade målvärden är {c.judged - c.proposed} av "
        f"{len(report.indicators)} indikatorer bedömda. Där ett förslag används står det "
        "vid status och målvärde."
    )


# Method page: (heading, paragraphs). Plain Swedish, after the app's method page
# (ui/method.py), without the back-test tables.
METHOD_SECTIONS: list[tuple[str, list[str]]] = [
    (
        "Mål med målvärde",
        [
            "När en indikator har ett målvärde med ett datum görs en prognos för målåret, och "
            "sannolikheten att målvärdet nås räknas ut. Statusen följer av sannolikheten:",
        ],
    ),
    (
        "Så görs prognosen",
        [
            "Prognosen utgår från det senaste värdet och nyckeltalets gemensamma utveckling i "
            "landets kommuner (medianen av den årliga förändringen), som dämpas år för år. En "
            "enskild kommuns egen trend är till största delen slumpvariation; den gemensamma "
            "utvecklingen är det inte.",
            "Osäkerheten, ett intervall som utfallet hamnar inom med 80 % sannolikhet, kommer "
            "från hur stora felen blev när samma metod prövades bakåt på alla kommuners "
            "verkliga värden, 1–8 år framåt. Utfallet hamnade innanför intervallet ungefär "
            "fyra gånger av fem. Andelar hålls inom 0–100 %.",
            "En prognos ser inte vändpunkter (en lågkonjunktur, en ny lag, en nedlagd "
            "verksamhet) och inte att Kolada ändrat hur ett nyckeltal räknas.",
        ],
    ),
    (
        "Indikatorer utan målvärde",
        [
            "Där målet inte anger något målvärde bedöms bara riktningen: den robusta trenden "
            "de senaste sex åren jämförs med seriens vanliga variation mellan två år. En "
            "förändring som inte är större än den vanliga variationen är Oförändrat; annars "
            "Förbättras eller Försämras, beroende på åt vilket håll kommunen vill att "
            "värdet ska gå.",
        ],
    ),
    (
        "Så bedöms ett mål",
        [
            "Ett måls status är dess svagaste indikators status. Ett medelvärde skulle dölja "
            "dåliga nyheter. Uppnått gäller bara när alla indikatorer är uppnådda. "
            "Inriktningsmål och stödjande mål bedöms på riktningen, inte på en prognos.",
            "Ett förslag till målvärde är inte beslutat. Där en status vilar på ett förslag "
            "står det vid statusen och vid målvärdet, och i diagrammen är förslaget en ofylld, "
            "streckad romb.",
        ],
    ),
    (
        "Vilka värden som räknas",
        [
            "Rapporten är fryst: den visar värdena som de var kända på rapportdagen, även om "
            "Kolada har ändrat dem senare. Bara värden som redan var publicerade på "
            "rapportdagen räknas. Varje bedömning visar vilket år den vilar på.",
        ],
    ),
]


def source_lines() -> tuple[str, str]:
    """(raw figures, computed figures): the two source lines every page ends with."""
    return (
        f"Värden: {SOURCE_RAW}.",
        f"Status, prognoser och sannolikheter: {SOURCE_COMPUTED}.",
    )


# ------------------------------------------------------------------ open data


@dataclass(frozen=True)
class OpenTable:
    """One open-data table: its file, its Swedish title and description, its columns and
    rows (raw values: numbers stay numbers), and its source line."""

    file: str
    title: str
    description: str
    columns: tuple[str, ...]
    rows: list[tuple[object, ...]]
    source: str


def _provenance(p: str | None) -> str:
    return {"beslut": "Beslutat", "förslag": "Förslag"}.get(p or "", "")


def open_tables(report: Report) -> list[OpenTable]:
    """The report as four tables: goals, indicators, values and target values."""
    kommun = report.municipality_name
    goals = OpenTable(
        file="mal.csv",
        title=f"Mål och status, {kommun}, {report.label}",
        description=(
            f"{genitive(kommun)} mål med beräknad status per {report.date.isoformat()} och skälet. "
            "Status är det svagaste nyckeltalets status."
        ),
        columns=(
            "Mål-id",
            "Område",
            "Nummer",
            "Mål",
            "Måltyp",
            "Status",
            "Motivering",
            "Ledningens bedömning",
        ),
        rows=[
            (
                g.goal_id,
                report.area_title(g.area_id),
                g.number,
                g.title,
                g.type,
                g.status,
                g.reason,
                g.assessment or "",
            )
            for g in report.goals
        ],
        source=SOURCE_COMPUTED,
    )
    indicators = OpenTable(
        file="indikatorer.csv",
        title=f"Indikatorer med status och prognos, {kommun}, {report.label}",
        description=(
            "Varje indikator: senaste värde, målvärde (beslutat eller förslag), status, "
            "prognos med 80 % intervall och sannolikheten att nå målvärdet."
        ),
        columns=(
            "Indikator-id",
            "Mål-id",
            "Indikator",
            "Kolada-id",
            "Kön",
            "Önskad riktning",
            "Status",
            "Motivering",
            "Senaste år",
            "Senaste värde",
            "Målvärde",
            "Målvärdet är",
            "Måldatum",
            "Prognosår",
            "Prognos",
            "Prognos 80 %, lägst",
            "Prognos 80 %, högst",
            "Sannolikhet att nå målvärdet",
            "Nästa publicering",
        ),
        rows=[
            (
                i.indicator_id,
                i.goal_id,
                i.title,
                i.judged_kpi_id or i.kpi_id or "",
                i.gender,
                i.direction,
                i.status,
                i.reason,
                i.latest_year,
                i.latest_value,
                i.target_value,
                _provenance(i.target_provenance) if i.target_value is not None else "",
                i.target_date.isoformat() if i.target_date else "",
                forecast_year(i),
                i.point,
                i.lo80,
                i.hi80,
                i.p_met,
                i.next_publication.isoformat() if i.next_publication else "",
            )
            for i in report.indicators
        ],
        source=SOURCE_COMPUTED,
    )
    values = OpenTable(
        file="varden.csv",
        title=f"Nyckeltalens värden, {kommun}, kända {report.date.isoformat()}",
        description=(
            "Värdena som bedömningarna vilar på, per indikator och år, som de var kända i "
            "Kolada på rapportdagen; för lokala indikatorer kommunens egna värden som de var "
            "uppladdade då. Kolumnen Källa säger vilket."
        ),
        columns=("Indikator-id", "Kolada-id", "Kön", "År", "Värde", "Källa"),
        rows=[
            (i.indicator_id, i.judged_kpi_id or i.kpi_id or "", i.gender, y, v, values_source(i))
            for i in report.indicators
            for y, v in zip(i.years, i.values, strict=True)
        ],
        source=values_sources_text(report),
    )
    targets = OpenTable(
        file="malvarden.csv",
        title=f"Målvärden och förslag till målvärden, {kommun}",
        description=(
            "Indikatorernas målvärden med datum och slag. Målvärdet är: Beslutat eller "
            "Förslag (ett förslag är inte beslutat)."
        ),
        columns=("Indikator-id", "Datum", "Slag", "Värde", "Målvärdet är"),
        rows=[
            (i.indicator_id, a.date.isoformat(), a.kind, a.value, _provenance(a.provenance))
            for i in report.indicators
            for a in i.ambitions
        ],
        source="Kommunens målfil",
    )
    return [goals, indicators, values, targets]


def _csv_cell(value: object) -> object:
    """As ui/export.py writes a cell: a float as the shortest text that is that number, with
    decimal comma (97.7 → "97,7", 1278.0 → "1278"), never "1e-05"; None empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return np.format_float_positional(value, trim="-").replace(".", ",")
    return value


def csv_bytes(table: OpenTable) -> bytes:
    """UTF-8 with a byte-order mark, semicolons and decimal comma, as the app's CSV
    downloads (Excel in a Swedish locale opens it with a double-click). Unlike those, the
    source is not appended after the data: an open-data file stays one clean table for
    machines; the source is in the catalogue and on the open-data page."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def dcat_rdf(
    report: Report, tables: Sequence[OpenTable], issued: dt.date, data_folder: str = ""
) -> str:
    """A DCAT-AP-SE catalogue (RDF/XML) for dataportal.se: one dcat:Dataset per table with
    a CSV distribution. URIs of the datasets are fragments of the catalogue file and the
    files are relative to it, so the catalogue is right wherever the site is published
    (RDF resolves them against the file's own address)."""
    kommun = kommun_name(report.municipality_name)
    publisher = (
        "<dct:publisher><foaf:Agent>"
        f'<foaf:name xml:lang="sv">{escape(kommun)}</foaf:name>'
        "</foaf:Agent></dct:publisher>"
    )
    # DCAT-AP-SE asks for a contact point per dataset; the e-mail is the municipality's to
    # fill in (vcard:hasEmail rdf:resource="mailto:…").
    contact = (
        "<dcat:contactPoint><vcard:Organization>"
        f"<vcard:fn>{escape(kommun)}</vcard:fn>"
        "</vcard:Organization></dcat:contactPoint>"
    )
    day = issued.isoformat()
    datasets = []
    for t in tables:
        ident = t.file.removesuffix(".csv")
        url = quoteattr(f"{data_folder}{t.file}")
        datasets.append(
            f"""
    <dcat:dataset>
      <dcat:Dataset rdf:about="#{ident}">
        <dct:title xml:lang="sv">{escape(t.title)}</dct:title>
        <dct:description xml:lang="sv">{escape(t.description)} {escape(t.source)}.</dct:description>
        <dct:identifier>{escape(f"{report.municipality_id}-{report.date.isoformat()}-{ident}")}</dct:identifier>
        {publisher}
        {contact}
        <dcat:theme rdf:resource="{THEME_GOVE}"/>
        <dct:language rdf:resource="{LANGUAGE_SWE}"/>
        <dct:issued rdf:datatype="http://www.w3.org/2001/XMLSchema#date">{day}</dct:issued>
        <dcat:keyword xml:lang="sv">målbarometer</dcat:keyword>
        <dcat:keyword xml:lang="sv">måluppföljning</dcat:keyword>
        <dcat:keyword xml:lang="sv">Kolada</dcat:keyword>
        <dcat:distribution>
          <dcat:Distribution rdf:about="#{ident}-csv">
            <dct:title xml:lang="sv">{escape(t.title)} (CSV)</dct:title>
            <dcat:accessURL rdf:resource={url}/>
            <dcat:downloadURL rdf:resource={url}/>
            <dct:format>text/csv</dct:format>
            <dcat:mediaType rdf:resource="{MEDIA_TYPE_CSV}"/>
            <dct:license rdf:resource="{LICENSE_CC_BY}"/>
            <dct:issued rdf:datatype="http://www.w3.org/2001/XMLSchema#date">{day}</dct:issued>
          </dcat:Distribution>
        </dcat:distribution>
      </dcat:Dataset>
    </dcat:dataset>"""
        )
    title = f"Målbarometer {report.municipality_name}: {report.label}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- DCAT-AP-SE-katalog för dataportal.se, skriven av Målpuls (python -m reports publish).
     Licens CC BY 4.0: Koladas data är fria att använda, och status och prognoser är
     kommunens egen bearbetning av dem; erkännandet ("Källa: Kolada", "Egen bearbetning av
     data från Kolada") är det vi vill att den som använder datan behåller.
     Kommunen kan lägga till vcard:hasEmail under dcat:contactPoint. -->
<rdf:RDF
  xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:dcat="http://www.w3.org/ns/dcat#"
  xmlns:dct="http://purl.org/dc/terms/"
  xmlns:foaf="http://xmlns.com/foaf/0.1/"
  xmlns:vcard="http://www.w3.org/2006/vcard/ns#">
  <dcat:Catalog rdf:about="">
    <dct:title xml:lang="sv">{escape(title)}</dct:title>
    <dct:description xml:lang="sv">{
        escape(
            f"Öppna data från {genitive(report.municipality_name)} målbarometer: mål, indikatorer, "
            f"värden och målvärden i {report.label.lower()}, fryst "
            f"{report.frozen_at.date().isoformat()}."
        )
    }</dct:description>
    {publisher}
    <dct:language rdf:resource="{LANGUAGE_SWE}"/>
    <dct:license rdf:resource="{LICENSE_CC_BY}"/>
    <dct:issued rdf:datatype="http://www.w3.org/2001/XMLSchema#date">{day}</dct:issued>
    <dcat:themeTaxonomy rdf:resource="http://publications.europa.eu/resource/authority/data-theme"/>{
        "".join(datasets)
    }
  </dcat:Catalog>
</rdf:RDF>
"""
