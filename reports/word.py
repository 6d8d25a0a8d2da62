"""A frozen report as a Word document (.docx): per goal a ready "Prognos för
måloppfyllelse" section (status and why, leadership's assessment, an indicator table and
one chart per indicator with values) to paste into the interim report. A status judged
against a proposed target value (issue 16) says so wherever it or the target is shown, and
the front part counts such statuses without ever counting a proposal as a decision."""

from __future__ import annotations

import io
from collections.abc import Callable

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from core.format import SOURCE_COMPUTED, SOURCE_RAW, forecast_text, format_number, numbered_label
from core.labels import status_text
from core.reports import Report, ReportIndicator
from core.status import AGAINST_PROPOSAL
from reports.charts import alt_text, indicator_png

SECTION_TITLE = "Prognos för måloppfyllelse"
ON_PROPOSAL = f"{AGAINST_PROPOSAL} (ej beslutat)"


def _value(v: float | None, year: int | None = None) -> str:
    if v is None:
        return "–"
    return f"{format_number(v)} ({year})" if year is not None else format_number(v)


def _forecast(i: ReportIndicator) -> str:
    return forecast_text(i.point, i.lo80, i.hi80, i.latest_year, i.horizon_years)


def _on_proposal(i: ReportIndicator) -> bool:
    return i.target_provenance == "förslag"


def _status(i: ReportIndicator) -> str:
    text = status_text(i.status)
    return f"{text} {ON_PROPOSAL}" if _on_proposal(i) else text


def _target(i: ReportIndicator) -> str:
    if i.target_value is None:
        return "–"
    when = f" till {i.target_date.isoformat()}" if i.target_date else ""
    value = f"{format_number(i.target_value)}{when}"
    return f"Förslag till målvärde: {value} (ej beslutat)" if _on_proposal(i) else value


def _proposal_note(report: Report) -> str | None:
    """How many statuses rest on proposed target values, for the front part: a goal whose
    summary says so (core.status writes AGAINST_PROPOSAL into it) and each indicator
    judged against a proposal. Only decided targets count as targets."""
    indicators = [i for i in report.indicators if i.target_value is not None]
    proposed = sum(1 for i in indicators if _on_proposal(i))
    if not proposed:
        return None
    goals = sum(1 for g in report.goals if AGAINST_PROPOSAL in g.reason)
    return (
        f"Förslag till målvärden: {proposed} av {len(report.indicators)} indikatorer och "
        f"{goals} av {len(report.goals)} mål är bedömda {ON_PROPOSAL}, inte mot ett beslutat "
        "mål. Där det gäller står det vid status och målvärde, och i diagrammen är förslaget "
        f"en ofylld, streckad romb. Mot beslutade målvärden är {len(indicators) - proposed} av "
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


def to_docx(
    report: Report, chart: Callable[[ReportIndicator, str], bytes] = indicator_png
) -> bytes:
    doc = Document()
    set_swedish(doc)
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.add_heading(f"{SECTION_TITLE}: {report.label}", level=0)
    doc.add_paragraph(
        f"{report.municipality_name}. Rapportdag {report.date.isoformat()}, fryst "
        f"{report.frozen_at.isoformat(sep=' ')}. Data från Kolada per "
        f"{report.data_date.isoformat() if report.data_date else '–'}."
    )
    doc.add_paragraph(report.vintage_note)
    doc.add_paragraph(f"Status och prognoser: {SOURCE_COMPUTED}. Värden: {SOURCE_RAW}.")
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
            inds = report.indicators_of(g.goal_id)
            if not inds:
                doc.add_paragraph("Målet följs inte upp med några indikatorer.")
                continue
            table = doc.add_table(rows=1, cols=5)
            table.style = "Light Grid Accent 1"
            target = (
                "Målvärde eller förslag till målvärde"
                if any(_on_proposal(i) for i in inds)
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
            for i in inds:
                if not i.years:
                    continue
                picture = doc.add_picture(
                    io.BytesIO(chart(i, report.municipality_name)), width=Cm(15)
                )
                # The picture's alternative text (Word: Alternativ text), read aloud.
                picture._inline.docPr.set("descr", alt_text(i, report.municipality_name))
                proposal = (
                    " Ofylld, streckad romb: förslag till målvärde (ej beslutat)."
                    if any(a.provenance == "förslag" for a in i.ambitions)
                    else ""
                )
                doc.add_paragraph(
                    f"{i.title}: {i.reason}{proposal} Värden: {SOURCE_RAW}. "
                    f"Prognos: {SOURCE_COMPUTED}."
                ).runs[0].font.size = Pt(8.5)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
