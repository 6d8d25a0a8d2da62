"""A frozen report as a Word document (.docx): per goal a ready "Prognos för
måloppfyllelse" section (status and why, leadership's assessment, an indicator table and
one chart per indicator with values) to paste into the interim report."""

from __future__ import annotations

import io
from collections.abc import Callable

from docx import Document
from docx.shared import Cm, Pt

from core.format import SOURCE_COMPUTED, SOURCE_RAW, forecast_text, format_number, numbered_label
from core.labels import status_text
from core.reports import Report, ReportIndicator
from reports.charts import indicator_png

SECTION_TITLE = "Prognos för måloppfyllelse"


def _value(v: float | None, year: int | None = None) -> str:
    if v is None:
        return "–"
    return f"{format_number(v)} ({year})" if year is not None else format_number(v)


def _forecast(i: ReportIndicator) -> str:
    return forecast_text(i.point, i.lo80, i.hi80, i.latest_year, i.horizon_years)


def _target(i: ReportIndicator) -> str:
    if i.target_value is None:
        return "–"
    when = f" till {i.target_date.isoformat()}" if i.target_date else ""
    return f"{format_number(i.target_value)}{when}"


def to_docx(
    report: Report, chart: Callable[[ReportIndicator, str], bytes] = indicator_png
) -> bytes:
    doc = Document()
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
            for cell, title in zip(
                table.rows[0].cells,
                ("Indikator", "Status", "Senaste värde (år)", "Målvärde", "Prognos"),
                strict=True,
            ):
                cell.text = title
            for i in inds:
                cells = table.add_row().cells
                cells[0].text = i.title
                cells[1].text = status_text(i.status)
                cells[2].text = _value(i.latest_value, i.latest_year)
                cells[3].text = _target(i)
                cells[4].text = _forecast(i)
            for i in inds:
                if not i.years:
                    continue
                doc.add_picture(io.BytesIO(chart(i, report.municipality_name)), width=Cm(15))
                doc.add_paragraph(
                    f"{i.title}: {i.reason} Värden: {SOURCE_RAW}. Prognos: {SOURCE_COMPUTED}."
                ).runs[0].font.size = Pt(8.5)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
