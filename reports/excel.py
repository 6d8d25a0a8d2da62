"""A frozen report as an Excel workbook: a summary sheet, one sheet per area with every
indicator's status, forecast with interval, data year and next publication, and the
source lines. Numbers stay numbers (Excel formats them in the reader's locale). A target
value is marked Beslutat or Förslag, and a status judged against a proposal (issue 16) says
so in "Bedömd mot", never as one against a decided target.

Accessibility (issue 18, WCAG 2.1 AA / EN 301 549): the workbook has a title and language
in its properties; every sheet has a meaningful name and says what it is in its first
rows (an area sheet its title in A1, the summary the report's particulars: A1 is where a
screen reader starts and a reader of a printout looks), then one header row with frozen
panes just below it, an autofilter over the header and the data (which also tells Excel
and a screen reader where the table's header is), the header repeated on every printed
page, no merged cells and no colour: every status is a word in its cell. The titles sit
above the header rather than in a separate sheet because each sheet of a report is read,
printed and pasted on its own; the explorer's data extracts (ui.export) keep the header
in row 1 instead, for tools that read them. finish_table and set_properties are shared
with reports.targets_doc and ui.export.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.format import SOURCE_COMPUTED, numbered_label
from core.reports import Report, ReportGoal, ReportIndicator, sign_off_text, values_sources_text
from core.status import AGAINST_PROPOSAL

BOLD = Font(bold=True)
P_MET = "Sannolikhet att nå målvärdet (beslutat eller förslag)"
INDICATOR_COLUMNS = (
    ("Mål", 44),
    ("Målstatus", 14),
    ("Indikator", 44),
    ("Kolada-id", 11),
    ("Status", 14),
    ("Bedömd mot", 11),
    ("Motivering", 60),
    ("Senaste år", 10),
    ("Senaste värde", 12),
    ("Målvärde", 10),
    ("Målvärdet är", 11),  # Beslutat | Förslag
    ("Måldatum", 11),
    ("Prognosår", 10),
    ("Prognos", 10),
    ("Prognos 80 %, lägst", 12),
    ("Prognos 80 %, högst", 12),
    (P_MET, 14),
    ("Nästa publicering", 12),
    ("Ledningens bedömning", 16),
)
BASIS = {"mål": "målvärde", "riktning": "riktning", "bevakas": "bevakas", "ingen": "–"}
ON_PROPOSAL = "förslag till målvärde (ej beslutat)"
PROVENANCE = {"beslut": "Beslutat", "förslag": "Förslag"}
# Each indicator column's 1-based number, by its title.
_COL = {title: n for n, (title, _w) in enumerate(INDICATOR_COLUMNS, start=1)}


def _sheet_name(text: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\ , unique."""
    base = re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:31] or "Område"
    name, n = base, 2
    while name in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def _header(ws: Worksheet, report: Report) -> int:
    rows = [
        ("Kommun", f"{report.municipality_name} ({report.municipality_id})"),
        ("Rapport", report.label),
        ("Rapportdag", report.date.isoformat()),
        ("Fryst", report.frozen_at.isoformat(sep=" ")),
        ("Data från Kolada per", report.data_date.isoformat() if report.data_date else "–"),
        ("Vilka värden som räknas", report.vintage_note),
        ("Status och prognoser", SOURCE_COMPUTED),
        ("Värden", values_sources_text(report)),
        ("Förslag till målvärden", _proposal_count(report)),
    ]
    for r, (k, v) in enumerate(rows, start=1):
        ws.cell(r, 1, k).font = BOLD
        ws.cell(r, 2, v).alignment = Alignment(wrap_text=True, vertical="top")
    return len(rows) + 2


def _table_header(ws: Worksheet, row: int, columns: tuple[tuple[str, int], ...]) -> None:
    for c, (title, width) in enumerate(columns, start=1):
        cell = ws.cell(row, c, title)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        ws.column_dimensions[cell.column_letter].width = width


def finish_table(ws: Worksheet, header_row: int, last_row: int, n_columns: int) -> None:
    """Marks the sheet's table of `n_columns` from `header_row` to `last_row`: panes frozen
    below the header (it stays in view while scrolling), an autofilter over the header and
    the data rows (not the notes below them), and the header repeated on printed pages."""
    last = f"{get_column_letter(n_columns)}{max(last_row, header_row)}"
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.auto_filter.ref = f"A{header_row}:{last}"
    ws.print_title_rows = f"{header_row}:{header_row}"


def set_properties(wb: Workbook, title: str, subject: str = "") -> None:
    """The workbook's title and language (docProps/core.xml): Excel's title bar, a saved
    PDF and a screen reader read them; openpyxl would otherwise name itself the author."""
    wb.properties.title = title
    wb.properties.subject = subject or None
    wb.properties.language = "sv-SE"
    wb.properties.creator = wb.properties.lastModifiedBy = "Målpuls"


def _goal_name(g: ReportGoal) -> str:
    return numbered_label(g.number, g.title)


def _provenance(i: ReportIndicator) -> str | None:
    """Beslutat | Förslag for a status judged against a target value, else None. A report
    frozen before proposals existed has no target_provenance: its targets were decided."""
    if i.target_value is None:
        return None
    return PROVENANCE[i.target_provenance or "beslut"]


def _basis(i: ReportIndicator) -> str:
    if i.target_provenance == "förslag":
        return ON_PROPOSAL
    return BASIS.get(i.basis, i.basis)


def _goal_on_proposal(g: ReportGoal) -> bool:
    """core.status writes AGAINST_PROPOSAL into a goal summary resting on a proposal."""
    return AGAINST_PROPOSAL in g.reason


def _proposal_count(report: Report) -> str:
    """How many statuses rest on proposed target values; a proposal is never counted as
    a decided target."""
    judged = [i for i in report.indicators if i.target_value is not None]
    proposed = sum(1 for i in judged if i.target_provenance == "förslag")
    goals = sum(1 for g in report.goals if _goal_on_proposal(g))
    return (
        f"{proposed} av {len(report.indicators)} indikatorer och {goals} av "
        f"{len(report.goals)} mål är bedömda mot {ON_PROPOSAL}; {len(judged) - proposed} av "
        f"{len(report.indicators)} indikatorer mot beslutade målvärden."
    )


def to_workbook(report: Report) -> bytes:
    wb = Workbook()
    set_properties(
        wb,
        f"{report.label}: måluppföljning, {report.municipality_name}",
        subject="Prognos för måloppfyllelse",
    )
    ws = wb.active
    ws.title = "Sammanfattning"
    row = _header(ws, report)
    header_row = row
    columns = (
        ("Område", 36),
        ("Mål", 60),
        ("Status", 14),
        ("Motivering", 60),
        ("Ledningens bedömning", 16),
        ("Kommentar", 40),
        ("Planerade åtgärder", 40),
        ("Klarmarkerad", 30),
        ("Avviker från beräknad status", 14),
        ("Indikatorer", 11),
        ("Bedömd mot förslag till målvärde", 14),
    )
    _table_header(ws, row, columns)
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 60
    for g in report.goals:
        row += 1
        values = (
            report.area_title(g.area_id),
            _goal_name(g),
            g.status,
            g.reason,
            g.assessment or "",
            g.assessment_comment or "",
            g.assessment_actions or "",
            sign_off_text(g) or "",
            "ja" if g.disagrees else "",
            len(report.indicators_of(g.goal_id)),
            "ja" if _goal_on_proposal(g) else "",
        )
        for c, v in enumerate(values, start=1):
            ws.cell(row, c, v).alignment = Alignment(wrap_text=True, vertical="top")
    finish_table(ws, header_row, row, len(columns))
    ws.cell(row + 2, 1, SOURCE_COMPUTED)

    used = {"Sammanfattning"}
    area_ids = list(dict.fromkeys(g.area_id for g in report.goals))
    for area_id in area_ids:
        sheet = wb.create_sheet(_sheet_name(report.area_title(area_id), used))
        sheet.cell(1, 1, report.area_title(area_id)).font = Font(bold=True, size=13)
        sheet.cell(2, 1, f"{report.label}, {report.municipality_name}")
        _table_header(sheet, 4, INDICATOR_COLUMNS)
        r = 4
        for g in (g for g in report.goals if g.area_id == area_id):
            inds = report.indicators_of(g.goal_id)
            if not inds:
                r += 1
                sheet.cell(r, 1, _goal_name(g))
                sheet.cell(r, 2, g.status)
                sheet.cell(r, 3, "Inga indikatorer i målfilen")
                sheet.cell(r, _COL["Motivering"], g.reason)
                sheet.cell(r, _COL["Ledningens bedömning"], g.assessment or "")
                continue
            for i in inds:
                r += 1
                forecast_year = (
                    i.latest_year + i.horizon_years
                    if i.latest_year is not None and i.horizon_years is not None
                    else None
                )
                values = (
                    _goal_name(g),
                    g.status,
                    i.title,
                    i.judged_kpi_id or i.kpi_id or "lokal",
                    i.status,
                    _basis(i),
                    i.reason,
                    i.latest_year,
                    i.latest_value,
                    i.target_value,
                    _provenance(i),
                    i.target_date.isoformat() if i.target_date else None,
                    forecast_year,
                    i.point,
                    i.lo80,
                    i.hi80,
                    i.p_met,
                    i.next_publication.isoformat() if i.next_publication else None,
                    g.assessment or "",
                )
                for c, v in enumerate(values, start=1):
                    cell = sheet.cell(r, c, v)
                    wrap = c in (_COL["Mål"], _COL["Indikator"], _COL["Motivering"])
                    cell.alignment = Alignment(wrap_text=wrap, vertical="top")
                    if c == _COL[P_MET] and v is not None:
                        cell.number_format = "0%"
        finish_table(sheet, 4, r, len(INDICATOR_COLUMNS))
        sheet.cell(
            r + 2,
            1,
            f"Status och prognoser: {SOURCE_COMPUTED}. Värden: {values_sources_text(report)}.",
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
