"""A frozen report as a public goal barometer ("Öppen målbarometer", issue 18): a static
site of plain HTML with inline SVG charts and open data (CSV and a DCAT-AP-SE catalogue),
for `python -m reports publish`. A municipality puts the folder on its web server as it
is; a Streamlit server is not something to expose to the public, a frozen report is.

The site needs no JavaScript and loads nothing from elsewhere: one stylesheet, relative
links, so it also works opened from disk (file://). Every text comes from the report and
core.site, and every text is escaped (goal texts come from the municipalities' files).
The folder is written atomically: built beside --out and renamed into place, so a failed
publish leaves the previous site, never half a new one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tempfile
from collections.abc import Iterable
from html import escape
from pathlib import Path

from core.errors import DataError
from core.format import (
    SOURCE_COMPUTED,
    SOURCE_RAW,
    format_date,
)
from core.reports import (
    Report,
    ReportGoal,
    ReportIndicator,
    local_sources,
    sign_off_text,
    values_source,
    values_sources_text,
)
from core.site import (
    METHOD_SECTIONS,
    STATUS_MEANING,
    OpenTable,
    chart_rows,
    csv_bytes,
    dcat_rdf,
    forecast_line,
    forecast_meaning,
    goal_name,
    goal_page_names,
    kommun_name,
    latest_text,
    open_tables,
    proposal_note,
    proposal_suffix,
    status_colour,
    status_counts,
    status_icon,
    target_parts,
    targets_column,
    vintage_line,
)
from core.vocabulary import Status
from reports.charts import FORECAST_COLOUR, alt_text, indicator_chart
from reports.store import list_reports, load_report, report_path

NUM = ' class="num"'
FORECAST_ON_WHITE = "#b34700"
STYLE = Path(__file__).parent / "site" / "style.css"
# A file in every published folder, so publish replaces only a folder it wrote itself and
# never, say, a home directory given as --out by mistake.
MARKER = ".malpuls-site"
DATA_DIR = "data"
CATALOGUE = f"{DATA_DIR}/dcat.rdf"
PAGES = (
    ("index.html", "Start"),
    ("metod.html", "Metod"),
    ("oppna-data.html", "Öppna data"),
    ("tillganglighet.html", "Tillgänglighet"),
)


class PublishError(DataError):
    title = "Kan inte publicera"


# ------------------------------------------------------------------ entry point


def find_report(reports_dir: Path, municipality_id: str, date: dt.date) -> Path:
    """The frozen report's file, or an error that says how to freeze it and which dates
    are frozen."""
    path = report_path(reports_dir, municipality_id, date)
    if path.exists():
        return path
    have = ", ".join(d.isoformat() for d, _ in list_reports(reports_dir, municipality_id))
    raise PublishError(
        f"Ingen fryst rapport för {municipality_id} per {date.isoformat()}. Frys den först: "
        f"python -m reports freeze --kommun {municipality_id} --date {date.isoformat()}. "
        + (f"Frysta: {have}." if have else "Inga rapporter är frysta för kommunen.")
    )


def publish(
    reports_dir: Path, municipality_id: str, date: dt.date, out: Path, *, now: dt.datetime
) -> list[str]:
    """Render the frozen report to a static site in `out`; returns the files written
    (relative paths). `now` is the publication date the catalogue and the pages state."""
    report = load_report(find_report(reports_dir, municipality_id, date))
    files = render_site(report, now=now)
    write_site(files, out)
    return sorted(files)


def write_site(files: dict[str, bytes], out: Path) -> None:
    """Build in a temporary folder beside `out`, then rename it into place. An existing
    `out` is replaced only once the new site is complete, and only if it is empty or a
    site this command wrote. Between the two renames `out` is briefly missing (Python has
    no atomic swap of two folders), never half written."""
    out = out.resolve()
    if out.exists() and not (out.is_dir() and (not any(out.iterdir()) or (out / MARKER).exists())):
        raise PublishError(
            f"{out} finns redan och är ingen publicerad målbarometer. Ange en ny eller tom "
            "mapp med --out; en tidigare publicering ersätts, andra mappar rörs inte."
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.ny-"))
    old: Path | None = None
    try:
        for rel, content in {**files, MARKER: b"Publicerad av python -m reports publish\n"}.items():
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        tmp.chmod(0o755)  # mkdtemp makes it 0700: a web server must be able to read it
        if out.exists():
            old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.gammal-"))
            out.rename(old / "site")
        tmp.rename(out)
    except BaseException:
        if old is not None and not out.exists():
            (old / "site").rename(out)  # put the previous site back
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        # The previous site goes only once a site (the new one, or the old one put back)
        # is in place.
        if old is not None and out.exists():
            shutil.rmtree(old, ignore_errors=True)


def render_site(report: Report, *, now: dt.datetime) -> dict[str, bytes]:
    """Every file of the site, by its path relative to the site's folder."""
    names = goal_page_names(report.goals)
    tables = open_tables(report)
    site = _Site(report, now.date())
    files: dict[str, bytes] = {
        "style.css": STYLE.read_bytes(),
        "index.html": site.index(names),
        "metod.html": site.method(),
        "oppna-data.html": site.open_data(tables),
        "tillganglighet.html": site.accessibility(),
        CATALOGUE: dcat_rdf(report, tables, now.date()).encode("utf-8"),
    }
    for t in tables:
        files[f"{DATA_DIR}/{t.file}"] = csv_bytes(t)
    for g in report.goals:
        files[names[g.goal_id]] = site.goal(g, names[g.goal_id])
    return files


# ------------------------------------------------------------------ charts


def chart_svg(ind: ReportIndicator, municipality_name: str, chart_id: str) -> str:
    """The report's chart (reports.charts, Swedish number locale) as inline SVG: the title
    left to the figure caption, Vega's own ARIA attributes removed (the whole chart is one
    image named by its <title> and described by the visible text beside it), no XML
    declaration or namespace URLs (an HTML parser needs neither), ids made unique."""
    import vl_convert as vlc

    # validate=False: Altair's schema validation costs more than the drawing (the spec is
    # the one reports.charts already builds and tests).
    spec = indicator_chart(ind, municipality_name).to_dict(validate=False)
    spec.pop("title", None)
    # Drawn at about a phone's width, so its text stays legible when a phone shows it at
    # natural size; a wider screen scales it up (CSS).
    spec["width"], spec["height"] = 320, 170
    spec["padding"] = {"left": 5, "top": 10, "right": 14, "bottom": 5}  # room for a last-year mark
    config = spec.setdefault("config", {})
    config["aria"] = False
    for part in ("axis", "legend"):
        config[part] = {
            **config.get(part, {}),
            "labelFontSize": 12,
            "titleFontSize": 12,
            "labelColor": "#1a1a1a",
            "titleColor": "#1a1a1a",
        }
    # The forecast's orange is too light for a graphic on white (WCAG 1.4.11 asks 3:1);
    # this darker one has 5,5:1 and stays orange.
    svg = vlc.vegalite_to_svg(json.dumps(spec).replace(FORECAST_COLOUR, FORECAST_ON_WHITE))
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r'\s(?:role|aria-[a-z]+|xmlns(?::\w+)?)="[^"]*"', "", svg)
    # Any id Vega writes (clip paths, gradients) gets the chart's prefix, with its uses.
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{chart_id}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{chart_id}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{chart_id}-\1"', svg)
    title = f'<title id="{chart_id}-t">{escape(f"Diagram: {ind.title}")}</title>'
    return re.sub(
        r"^<svg\b([^>]*)>",
        lambda m: (
            f'<svg{m.group(1)} role="img" aria-labelledby="{chart_id}-t" '
            f'aria-describedby="{chart_id}-d">{title}'
        ),
        svg.strip(),
        count=1,
    )


# ------------------------------------------------------------------ pages


def _status(status: str | None, text: str | None = None) -> str:
    """A status as icon and word (the icon is decoration for screen readers: the word
    says it), in its colour family."""
    if not status:
        return "–"
    return (
        f'<span class="status s-{status_colour(status)}"><span aria-hidden="true">'
        f"{escape(status_icon(status))}</span> {escape(text or status)}</span>"
    )


def _table(
    caption: str, table_id: str, head: Iterable[str], rows: Iterable[Iterable[str]], num: set[int]
) -> str:
    """A table in a wrapper that scrolls sideways on a narrow screen; the wrapper is a
    named region a keyboard can reach (tabindex) and so scroll. Cells arrive escaped."""
    th = "".join(
        f'<th scope="col"{NUM if n in num else ""}>{escape(h)}</th>' for n, h in enumerate(head)
    )
    body = []
    for row in rows:
        cells = []
        for n, cell in enumerate(row):
            if n == 0:
                cells.append(f'<th scope="row">{cell}</th>')
            else:
                cells.append(f'<td class="num">{cell}</td>' if n in num else f"<td>{cell}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="table-wrap" role="region" tabindex="0" aria-labelledby="{table_id}">'
        f'<table><caption id="{table_id}">{escape(caption)}</caption>'
        f"<thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


class _Site:
    """The pages of one report; each method returns one page's bytes."""

    def __init__(self, report: Report, published: dt.date) -> None:
        self.r = report
        self.published = published
        self.kommun = kommun_name(report.municipality_name)
        self.site_name = f"Målbarometer – {report.municipality_name}"

    def _page(self, file: str, title: str, body: str) -> bytes:
        nav = "".join(
            f'<li><a href="{href}"'
            + (' aria-current="page"' if href == file else "")
            + f">{escape(label)}</a></li>"
            for href, label in PAGES
        )
        r = self.r
        raw, computed = values_sources_text(r), SOURCE_COMPUTED
        html = f"""<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} – {escape(self.site_name)}</title>
<meta name="description" content="{escape(f"{self.kommun}: uppföljning av målen, {r.label}.")}">
<meta name="generator" content="Målpuls">
<link rel="stylesheet" href="style.css">
</head>
<body>
<a class="skip" href="#innehall">Hoppa till innehållet</a>
<header class="site"><div class="wrap">
<a class="site-name" href="index.html">{escape(self.site_name)}</a>
<nav class="main" aria-label="Webbplatsen"><ul>{nav}</ul></nav>
</div></header>
<main id="innehall" class="wrap">
{body}
</main>
<footer class="site"><div class="wrap">
<p>{escape(self.kommun)}. {escape(r.label)}, fryst {escape(format_date(r.frozen_at.date()))}, \
publicerad {escape(format_date(self.published))}.</p>
<p>Värden: {escape(raw)}. Status och prognoser: {escape(computed)}.</p>
<p><a href="tillganglighet.html">Tillgänglighetsredogörelse</a> · \
<a href="oppna-data.html">Öppna data</a> · <a href="metod.html">Så bedöms målen</a></p>
</div></footer>
</body>
</html>
"""
        return html.encode("utf-8")

    def _framework_name(self, framework_id: str) -> str:
        return next(
            (f.name for f in self.r.frameworks if f.framework_id == framework_id), framework_id
        )

    # -------------------------------------------------------------- front page

    def index(self, names: dict[str, str]) -> bytes:
        r = self.r
        goal_counts = dict(status_counts([g.status for g in r.goals]))
        ind_counts = dict(status_counts([i.status for i in r.indicators]))
        order = [s for s, _ in status_counts([*goal_counts, *ind_counts])]
        rows = [(_status(s), str(goal_counts.get(s, 0)), str(ind_counts.get(s, 0))) for s in order]
        rows.append(("Totalt", str(len(r.goals)), str(len(r.indicators))))
        summary = _table(
            f"Antal mål och indikatorer per status, {r.label}",
            "sammanfattning",
            ("Status", "Mål", "Indikatorer"),
            rows,
            num={1, 2},
        )
        note = proposal_note(r)
        goals = []
        # One heading level per framework only when there are several (Vaggeryd has the
        # council's goals and the executive board's).
        several = len({g.framework_id for g in r.goals}) > 1
        for framework_id in dict.fromkeys(g.framework_id for g in r.goals):
            fw_goals = [g for g in r.goals if g.framework_id == framework_id]
            if several:
                goals.append(f"<h3>{escape(self._framework_name(framework_id))}</h3>")
            area_level = "h4" if several else "h3"
            for area_id in dict.fromkeys(g.area_id for g in fw_goals):
                items = "".join(
                    f'<li><a href="{names[g.goal_id]}">{escape(goal_name(r, g))}</a><br>'
                    f"{_status(g.status)}</li>"
                    for g in fw_goals
                    if g.area_id == area_id
                )
                goals.append(
                    f"<{area_level}>{escape(r.area_title(area_id))}</{area_level}>"
                    f"<ul class='goals'>{items}</ul>"
                )
        legend = "".join(
            f"<dt>{_status(s)}</dt><dd>{escape(STATUS_MEANING[Status(s)])}.</dd>"
            for s in order
            if s in STATUS_MEANING
        )
        body = f"""<h1>Så går det för målen i {escape(self.kommun)}</h1>
<p class="lead">{escape(r.label)}: bedömningen per {escape(format_date(r.date))} av de mål \
kommunen har beslutat, räknad fram ur Koladas statistik.</p>
<p class="muted">{escape(vintage_line(r))}.</p>
<h2>Sammanfattning</h2>
<p>{len(r.goals)} mål följs upp med {len(r.indicators)} indikatorer. Ett mål har samma \
status som sin svagaste indikator, så att ingen dålig nyhet döljs i ett medelvärde.</p>
{summary}
{f'<p class="note">{escape(note)}</p>' if note else ""}
<h2>Målen</h2>
{"".join(goals)}
<h2>Vad statusarna betyder</h2>
<dl class="facts">{legend}</dl>
<p>Mer om hur målen bedöms och prognoserna görs: <a href="metod.html">Så bedöms målen</a>.</p>
"""
        return self._page("index.html", f"{self.kommun}: {r.label}", body)

    # -------------------------------------------------------------- goal pages

    def goal(self, g: ReportGoal, file: str) -> bytes:
        r = self.r
        name = goal_name(r, g)
        crumb = name.split(".", 1)[0] if g.number is not None else g.title
        parts = [
            '<nav class="breadcrumbs" aria-label="Du är här"><ol>'
            '<li><a href="index.html">Start</a></li>'
            f'<li><a href="{file}" aria-current="page">{escape(crumb)}</a></li></ol></nav>',
            f"<h1>{escape(name)}</h1>",
            f'<p class="muted">{escape(self._framework_name(g.framework_id))} · '
            f"{escape(r.area_title(g.area_id))} · Måltyp: {escape(g.type)}</p>",
            f"<p>Bedömning per {escape(format_date(r.date))}: {_status(g.status)}</p>",
            f"<p>{escape(g.reason)}</p>",
        ]
        if g.ambition_text:
            parts.append(f"<p><strong>Ambitionsnivå:</strong> {escape(g.ambition_text)}</p>")
        if g.assessment:
            line = f"<p><strong>Ledningens bedömning:</strong> {_status(g.assessment)}"
            if g.assessment_comment:
                line += f" {escape(g.assessment_comment)}"
            if g.disagrees:
                line += " Skiljer sig från den beräknade statusen."
            parts.append(line + "</p>")
            if g.assessment_actions:
                parts.append(
                    f"<p><strong>Planerade åtgärder:</strong> {escape(g.assessment_actions)}</p>"
                )
            signed = sign_off_text(g)
            if signed:
                parts.append(f"<p>{escape(signed)}</p>")
        inds = r.indicators_of(g.goal_id)
        parts.append("<h2>Indikatorer</h2>")
        if not inds:
            parts.append("<p>Målet följs inte upp med några indikatorer.</p>")
        else:
            parts.append(
                f"<p>Målet följs upp med {len(inds)} "
                f"{'indikator' if len(inds) == 1 else 'indikatorer'}. Varje diagram har "
                "sina värden i en tabell under sig.</p>"
            )
        for n, ind in enumerate(inds, start=1):
            parts.append(self._indicator(ind, g, f"i{n}"))
        return self._page(file, name, "\n".join(parts))

    def _indicator(self, ind: ReportIndicator, g: ReportGoal, key: str) -> str:
        r = self.r
        facts = [
            (
                "Status",
                f"{_status(ind.status)}{escape(proposal_suffix(ind))}<br>{escape(ind.reason)}",
            ),
            ("Senaste värde", escape(latest_text(ind))),
        ]
        target = target_parts(ind)
        if target:
            facts.append((target[0], escape(target[1])))
        facts.append(("Prognos", escape(forecast_line(ind) or "Ingen prognos")))
        facts.append(("Vad prognosen betyder", escape(forecast_meaning(ind, g))))
        if ind.next_publication:
            facts.append(("Nästa värde väntas", escape(format_date(ind.next_publication))))
        if ind.judged_kpi_id:
            facts.append(("Nyckeltal i Kolada", escape(ind.judged_kpi_id)))
        elif ind.kpi_id is None:
            # A local indicator: the municipality's own values, never Kolada's.
            upload = f", uppladdad version {ind.local_version}" if ind.local_version else ""
            facts.append(("Värden", escape(f"Lokal indikator ({values_source(ind)}{upload})")))
        dl = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in facts)
        out = [
            f'<section class="indicator" aria-labelledby="{key}">',
            f'<h3 id="{key}">{escape(ind.title)}</h3>',
            f'<dl class="facts">{dl}</dl>',
        ]
        if not ind.years:
            out.append(
                "<p>Inga uppladdade värden för den lokala indikatorn på rapportdagen, så inget "
                "diagram.</p>"
                if ind.kpi_id is None
                else "<p>Inga värden i Kolada för nyckeltalet på rapportdagen, så inget "
                "diagram.</p>"
            )
        else:
            chart_id = f"{key}-diagram"
            proposal = any(a.provenance == "förslag" for a in ind.ambitions)
            legend = [f"Linje: värden ({values_source(ind)})"]
            if ind.ambitions:
                legend.append(
                    "romb: målvärde"
                    + (
                        ", ofylld och streckad: förslag till målvärde (ej beslutat)"
                        if proposal
                        else ""
                    )
                )
            if forecast_line(ind):
                legend.append(f"punkt med streck: prognos med 80 % intervall ({SOURCE_COMPUTED})")
            # Only the columns the chart draws: no empty target or forecast column.
            head = ["År", "Värde"]
            if ind.ambitions:
                head.append(targets_column(ind))
            if forecast_line(ind):
                head.append("Prognos (80 % intervall)")
            rows = [
                [str(c.year), escape(c.value)]
                + ([escape(c.targets)] if ind.ambitions else [])
                + ([escape(c.forecast)] if forecast_line(ind) else [])
                for c in chart_rows(ind)
            ]
            out += [
                "<figure>",
                chart_svg(ind, r.municipality_name, chart_id),
                f"<figcaption>Diagram: {escape(ind.title)}, {escape(r.municipality_name)}. "
                f"{escape('; '.join(legend))}.</figcaption>",
                "</figure>",
                f'<p id="{chart_id}-d">{escape(alt_text(ind, r.municipality_name))}</p>',
                _table(
                    f"Diagrammets data: {ind.title}",
                    f"{key}-tabell",
                    head,
                    rows,
                    num={1},
                ),
            ]
        out.append("</section>")
        return "\n".join(out)

    # -------------------------------------------------------------- method

    def method(self) -> bytes:
        r = self.r
        sections = []
        for heading, paragraphs in METHOD_SECTIONS:
            sections.append(f"<h2>{escape(heading)}</h2>")
            sections += [f"<p>{escape(p)}</p>" for p in paragraphs]
            if heading == "Mål med målvärde":
                with_target = (
                    Status.MET,
                    Status.ON_TRACK,
                    Status.UNCERTAIN,
                    Status.OFF_TRACK,
                    Status.NOT_JUDGEABLE,
                )
                items = "".join(
                    f"<li>{_status(s)}: {escape(STATUS_MEANING[s])}.</li>" for s in with_target
                )
                sections.append(f"<ul>{items}</ul>")
        local = (
            " Lokala indikatorer bedöms efter samma regler på kommunens egna, uppladdade värden "
            f"({', '.join(local_sources(r))})."
            if local_sources(r)
            else ""
        )
        body = f"""<h1>Så bedöms målen</h1>
<p class="lead">Status, prognoser och sannolikheter på den här webbplatsen är räknade ur \
Koladas statistik: {escape(SOURCE_COMPUTED)}. Själva värdena är Koladas ({escape(SOURCE_RAW)}).\
{escape(local)}</p>
{"".join(sections)}
<h2>Underlaget för den här rapporten</h2>
<dl class="facts">
<dt>Rapport</dt><dd>{escape(r.label)}</dd>
<dt>Rapportdag</dt><dd>{escape(format_date(r.date))}</dd>
<dt>Fryst</dt><dd>{escape(format_date(r.frozen_at.date()))}</dd>
<dt>Data</dt><dd>{escape(vintage_line(r))}</dd>
<dt>Vilka värden som räknas</dt><dd>{escape(r.vintage_note)}</dd>
<dt>Värden</dt><dd>{escape(values_sources_text(r))}</dd>
<dt>Status, prognoser och sannolikheter</dt><dd>{escape(SOURCE_COMPUTED)}</dd>
</dl>
"""
        return self._page("metod.html", "Så bedöms målen", body)

    # -------------------------------------------------------------- open data

    def open_data(self, tables: list[OpenTable]) -> bytes:
        rows = [
            (
                f'<a href="{DATA_DIR}/{t.file}">{escape(t.file)}</a>',
                escape(t.description),
                str(len(t.rows)),
                escape(t.source),
            )
            for t in tables
        ]
        listing = _table(
            "Filer med öppna data", "filer", ("Fil", "Innehåll", "Rader", "Källa"), rows, {2}
        )
        body = f"""<h1>Öppna data</h1>
<p class="lead">Allt som visas på webbplatsen finns också som tabeller att ladda ner och \
använda fritt.</p>
{listing}
<h2>Filformat</h2>
<p>CSV-filerna är kodade i UTF-8 med byte-order-markering, har semikolon mellan kolumnerna \
och decimalkomma, så att Excel med svenska inställningar öppnar dem rätt med ett dubbelklick. \
Tal är skrivna med alla decimaler; tabellerna på webbplatsen visar dem avrundade.</p>
<h2>Katalog för dataportal.se</h2>
<p>Filen <a href="{CATALOGUE}">dcat.rdf</a> beskriver tabellerna enligt DCAT-AP-SE, \
den svenska profilen för beskrivningar av öppna data. Den kan skördas av Sveriges dataportal \
(dataportal.se) när webbplatsen är publicerad.</p>
<h2>Licens</h2>
<p>Tabellerna får användas fritt enligt Creative Commons Erkännande 4.0 (CC BY 4.0). Ange \
källan: {escape(values_sources_text(self.r))} för värdena, och {escape(SOURCE_COMPUTED)} för \
status och prognoser.</p>
"""
        return self._page("oppna-data.html", "Öppna data", body)

    # -------------------------------------------------------------- accessibility

    def accessibility(self) -> bytes:
        def ph(text: str) -> str:
            return f'<mark class="placeholder">[{escape(text)}]</mark>'

        site = escape(self.site_name)
        own_review = ph(
            "Kommunens egen granskning: datum, vem som granskade och hur, till exempel med "
            "skärmläsare och tangentbord"
        )
        body = f"""<h1>Tillgänglighetsredogörelse</h1>
<p class="note">Mall: text inom hakparentes och med gul bakgrund, till exempel \
{ph("Kommunens namn")}, fyller kommunen i innan webbplatsen publiceras. Redogörelsen följer \
Myndigheten för digital förvaltnings (Digg) mall.</p>
<p>{ph("Kommunens namn")} står bakom den här webbplatsen, {site}. Vi vill att så många som \
möjligt ska kunna använda webbplatsen. Den här redogörelsen beskriver hur webbplatsen uppfyller \
lagen om tillgänglighet till digital offentlig service, kända tillgänglighetsproblem och hur du \
kan rapportera brister till oss så att vi kan åtgärda dem.</p>
<h2>Hur tillgänglig är webbplatsen?</h2>
<p>Webbplatsen är {ph("helt / delvis")} förenlig med lagen om tillgänglighet till digital \
offentlig service. Den består av vanliga HTML-sidor utan JavaScript. Varje diagram har en \
beskrivning i text och sina värden i en tabell direkt under sig.</p>
<h2>Vad kan du göra om du inte kan använda delar av webbplatsen?</h2>
<p>Om du behöver innehåll från webbplatsen i ett annat format kan du kontakta oss: \
{ph("kontaktuppgifter: e-post och telefon")}. Alla tabeller finns också som \
<a href="oppna-data.html">öppna data</a> i CSV-format.</p>
<h2>Rapportera brister i webbplatsens tillgänglighet</h2>
<p>Vi strävar efter att uppfylla lagen. Om du upptäcker problem som inte beskrivs på den här \
sidan, eller om du anser att vi inte uppfyller lagens krav, meddela oss så att vi får veta att \
problemet finns: {ph("kontaktuppgifter")}.</p>
<h2>Tillsyn</h2>
<p>Myndigheten för digital förvaltning (Digg) har ansvaret för tillsyn över lagen om \
tillgänglighet till digital offentlig service. Om du inte är nöjd med hur vi hanterar dina \
synpunkter kan du kontakta Digg och påtala det (digg.se/tdosanmalan).</p>
<h2>Teknisk information om webbplatsens tillgänglighet</h2>
<p>Webbplatsen är {ph("helt / delvis")} förenlig med lagen om tillgänglighet till digital \
offentlig service{ph(", på grund av de brister som beskrivs nedan")}.</p>
<h3>Innehåll som inte är tillgängligt</h3>
<p>{ph("Kända brister som kommunens egen granskning har hittat, eller: Inga kända brister.")}</p>
<p>Diagrammen är bilder. Det de visar finns i texten under varje diagram och i tabellen med \
diagrammets data.</p>
<h2>Hur vi testat webbplatsen</h2>
<p>Webbplatsen skapas med Målpuls som statiska HTML-sidor. Innan den publicerades testades \
varje sida automatiskt: med axe mot reglerna för WCAG 2.1 nivå AA i webbläsaren Chromium, \
både i mobilformat (390 × 844 bildpunkter) och datorformat (1440 × 900), och med Nu HTML \
Checker (W3C:s validator) för giltig HTML. Automatiska test hittar inte alla brister.</p>
<p>{own_review}.</p>
<p>Webbplatsen publicerades {escape(format_date(self.published))}. Redogörelsen uppdaterades \
senast {ph("datum")}.</p>
"""
        return self._page("tillganglighet.html", "Tillgänglighetsredogörelse", body)
