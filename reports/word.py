"""A frozen report as a Word document (.docx): per goal a ready "Prognos för
måloppfyllelse" section (status and why, leadership's assessment, an indicator table and
one chart per indicator with values) to paste into the interim report. A status judged
against a proposed target value (issue 16) says so wherever it or the target is shown, and
the front part counts such statuses without ever counting a proposal as a decision.

The document is meant to be published by a Swedish public body, so it follows WCAG 2.1 AA
/ EN 301 549 for documents (issue 18): Swedish language, a title in its properties and on
its first line, real heading styles in order, alternative text on every picture, and
tables whose header row is marked (and repeats on every page) with a caption. The helpers
for that (set_swedish, set_title, set_alt_text, mark_table) are also used by
reports.targets_doc."""

from __future__ import annotations

import io
from collections.abc import Callable

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shape import InlineShape
from docx.shared import Cm, Pt
from docx.table import Table

from core.format import SOURCE_COMPUTED, forecast_text, format_number, numbered_label
from core.labels import status_text
from core.reports import (
    Report,
    ReportIndicator,
    on_proposal,
    proposal_counts,
    sign_off_text,
    values_source,
    values_sources_text,
)
from core.status import AGAINST_PROPOSAL
from reports.charts import alt_text, alt_title, indicator_png

SECTION_TITLE = "Prognos för måloppfyllelse"
ON_PROPOSAL = f"{AGAINST_PROPOSAL} (ej beslutat)"


# The indicator table's columns (Indikator, Status, Senaste värde, Målvärde, Prognos) in
# cm: together the 15 cm a chart is wide.
INDICATOR_TABLE_WIDTHS = (4.3, 2.5, 2.6, 2.8, 2.8)


def _set_widths(table: Table, widths_cm: tuple[float, ...]) -> None:
    table.autofit = False
    grid = table._tbl.tblGrid.findall(qn("w:gridCol"))  # LibreOffice reads the grid
    for i, width_cm in enumerate(widths_cm):
        width = Cm(width_cm)
        grid[i].set(qn("w:w"), str(width.twips))
        for cell in table.columns[i].cells:
            cell.width = width


def _value(v: float | None, year: int | None = None) -> str:
    if v is None:
        return "–"
    return f"{format_number(v)} ({year})" if year is not None else format_number(v)


def _forecast(i: ReportIndicator) -> str:
    return forecast_text(i.point, i.lo80, i.hi80, i.latest_year, i.horizon_years)


def _status(i: ReportIndicator) -> str:
    text = status_text(i.status)
    return f"{text} {ON_PROPOSAL}" if on_proposal(i) else text


def _target(i: ReportIndicator) -> str:
    if i.target_value is None:
        return "–"
    when = f" till {i.target_date.isoformat()}" if i.target_date else ""
    value = f"{format_number(i.target_value)}{when}"
    return f"Förslag till målvärde: {value} (ej beslutat)" if on_proposal(i) else value


def _proposal_note(report: Report) -> str | None:
    """How many statuses rest on proposed target values, for the front part: a goal whose
    summary says so (core.status writes AGAINST_PROPOSAL into it) and each indicator
    judged against a proposal. Only decided targets count as targets."""
    c = proposal_counts(report)
    if not c.proposed:
        return None
    return (
        f"Förslag till målvärden: {c.proposed} av {len(report.indicators)} indikatorer och "
        f"{c.goals} av {len(report.goals)} mål är bedömda {ON_PROPOSAL}, inte mot ett beslutat "
        "mål. Där det gäller står det vid status och målvärde, och i diagrammen är förslaget "
        f"en ofylld, streckad romb. Mot beslutade målvärden är {c.judged - c.proposed} av "
        f"{len(report.indicators)} indikatorer bedömda."
    )


def set_swedish(doc: DocxDocument) -> None:
    """Mark every run of the document as Swedish (w:lang in the default run properties and
    the core properties): python-docx's template says en-US, so a screen reader would read
    the text with English rules and Word would spell-check it as English."""
    doc.core_properties.language = "sv-SE"
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), "sv-SE")
    for style in doc.styles:
        style_rpr = style.element.find(qn("w:rPr"))
        style_lang = style_rpr.find(qn("w:lang")) if style_rpr is not None else None
        if style_lang is not None:
            style_lang.set(qn("w:val"), "sv-SE")
    # The theme fonts' language (settings.xml) says en-US in the template as well.
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), "sv-SE")


def set_title(doc: DocxDocument, title: str, subject: str = "") -> None:
    """The document's title in its properties (dc:title): Word's title bar, a PDF's title
    and what a screen reader announces on opening read it, not the file name. The
    template's author and comment ("python-docx") would name the library in a published
    document, so they name Målpuls."""
    props = doc.core_properties
    props.title = title
    props.subject = subject
    props.author = props.last_modified_by = "Målpuls"
    props.comments = ""


def set_alt_text(picture: InlineShape, title: str, description: str) -> None:
    """The picture's alternative text (Word: Alternativ text): `description` (docPr descr)
    is what a screen reader reads and a PDF carries as /Alt; `title` (docPr title) is a
    short name Word shows in the selection pane."""
    doc_pr = picture._inline.docPr
    doc_pr.set("descr", description)
    doc_pr.set("title", title)


def mark_table(table: Table, caption: str, description: str) -> None:
    """Marks the first row as the header row (w:tblHeader): a screen reader then reads
    each cell with its column's title, and Word and LibreOffice repeat the row on every
    page the table runs over. The caption and description (w:tblCaption,
    w:tblDescription; Word: Tabellegenskaper > Alternativ text) name the table for a
    screen reader's table list. Call it after the table's other properties are set."""
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    if tr_pr.find(qn("w:tblHeader")) is None:
        tr_pr.insert_element_before(
            OxmlElement("w:tblHeader"),
            "w:tblCellSpacing",
            "w:jc",
            "w:hidden",
            "w:ins",
            "w:del",
            "w:trPrChange",
        )
    tbl_pr = table._tbl.tblPr
    for tag, text in (("w:tblCaption", caption), ("w:tblDescription", description)):
        element = tbl_pr.find(qn(tag))
        if element is None:
            element = OxmlElement(tag)
            # Both come last in tblPr, caption first (only a tracked change follows).
            successors = ("w:tblDescription",) if tag == "w:tblCaption" else ()
            tbl_pr.insert_element_before(element, *successors, "w:tblPrChange")
        element.set(qn("w:val"), text)


def to_docx(
    report: Report, chart: Callable[[ReportIndicator, str], bytes] = indicator_png
) -> bytes:
    """The document's outline: the title (Title style), then Heading 1 per area, Heading 2
    per goal and Heading 3 for the goal's "Prognos för måloppfyllelse", never skipping a
    level, so Word's navigation pane and a screen reader's heading list show the report's
    structure."""
    doc = Document()
    set_swedish(doc)
    title = f"{SECTION_TITLE}: {report.label}"
    set_title(doc, f"{title}, {report.municipality_name}", subject=SECTION_TITLE)
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.add_heading(title, level=0)
    doc.add_paragraph(
        f"{report.municipality_name}. Rapportdag {report.date.isoformat()}, fryst "
        f"{report.frozen_at.isoformat(sep=' ')}. Data från Kolada per "
        f"{report.data_date.isoformat() if report.data_date else '–'}."
    )
    doc.add_paragraph(report.vintage_note)
    doc.add_paragraph(
        f"Status och prognoser: {SOURCE_COMPUTED}. Värden: {values_sources_text(report)}."
    )
    note = _proposal_note(report)
    if note:
        doc.add_paragraph(note)

    for area_id in dict.fromkeys(g.area_id for g in report.goals):
        doc.add_heading(report.area_title(area_id), level=1)
        for g in (g for g in report.goals if g.area_id == area_id):
            doc.add_heading(numbered_label(g.number, g.title, "Mål"), level=2)
            doc.add_heading(SECTION_TITLE, level=3)
            doc.add_paragraph(f"Bedömning: {status_text(g.status)}. {g.reason}")
            if g.ambition_text:
                doc.add_paragraph(f"Ambitionsnivå: {g.ambition_text}")
            if g.assessment:
                line = f"Ledningens bedömning: {status_text(g.assessment)}."
                if g.assessment_comment:
                    line += f" {g.assessment_comment}"
                if g.disagrees:
                    line += " Skiljer sig från den beräknade statusen."
                doc.add_paragraph(line)
                if g.assessment_actions:
                    doc.add_paragraph(f"Planerade åtgärder: {g.assessment_actions}")
                signed = sign_off_text(g)
                if signed:
                    doc.add_paragraph(signed)
            inds = report.indicators_of(g.goal_id)
            if not inds:
                doc.add_paragraph("Målet följs inte upp med några indikatorer.")
                continue
            table = doc.add_table(rows=1, cols=5)
            table.style = "Light Grid Accent 1"
            target = (
                "Målvärde eller förslag till målvärde"
                if any(on_proposal(i) for i in inds)
                else "Målvärde"
            )
            for cell, title in zip(
                table.rows[0].cells,
                ("Indikator", "Status", "Senaste värde (år)", target, "Prognos"),
                strict=True,
            ):
                cell.text = title
            for i in inds:
                cells = table.add_row().cells
                cells[0].text = i.title
                cells[1].text = _status(i)
                cells[2].text = _value(i.latest_value, i.latest_year)
                cells[3].text = _target(i)
                cells[4].text = _forecast(i)
            # The indicator's name needs room; without widths Word and LibreOffice split
            # the columns evenly and break a word like "Planberedskap" mid-word.
            _set_widths(table, INDICATOR_TABLE_WIDTHS)
            goal_name = numbered_label(g.number, g.title, "Mål")
            mark_table(
                table,
                f"Indikatorer för {goal_name}",
                "En rad per indikator: status i ord, senaste värde med år, målvärde och "
                "prognos med 80 % intervall.",
            )
            for i in inds:
                if not i.years:
                    continue
                picture = doc.add_picture(
                    io.BytesIO(chart(i, report.municipality_name)), width=Cm(15)
                )
                set_alt_text(picture, alt_title(i), alt_text(i, report.municipality_name))
                proposal = (
                    " Ofylld, streckad romb: förslag till målvärde (ej beslutat)."
                    if any(a.provenance == "förslag" for a in i.ambitions)
                    else ""
                )
                # The chart's legend names only the target values; the caption says how
                # the forecast is drawn, so it is told by its shape and words, not by its
                # colour alone.
                forecast = (
                    "Prognos (punkt med lodrätt streck för 80 % intervall)"
                    if i.point is not None
                    else "Prognos"
                )
                doc.add_paragraph(
                    f"{i.title}: {i.reason}{proposal} Värden: {values_source(i)}. "
                    f"{forecast}: {SOURCE_COMPUTED}."
                ).runs[0].font.size = Pt(8.5)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
