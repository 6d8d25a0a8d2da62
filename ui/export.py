"""Downloads people can open in Excel: CSV with Swedish separators and an .xlsx workbook
with the data, the KPI metadata and what the extract is (source, data vintage, the
comparison). Pure functions returning bytes; the explorer and the Agenda 2030 page call
them.

Accessibility (issue 18): an extract is data to filter and compute on, so every sheet has
its header in row 1 under a meaningful sheet name (as Excel's Accessibility Checker
prefers: no title rows for a tool to skip), frozen below the header and with an
autofilter; the extract's title and language are in the workbook's properties and its
title is the first line of "Om uttaget". The frozen reports (reports.excel) put a title
above the header instead: those sheets are read and printed one by one.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.format import SOURCE_RAW, kpi_decimals
from reports.excel import set_properties

VALUE = "Värde"
FULL_VALUE = "Värde, alla decimaler"
DATA_COLUMNS = {
    "kpi": "Kolada-id",
    "kpi_title": "Nyckeltal",
    "municipality_id": "Kommun-id",
    "municipality": "Kommun/region",
    "year": "År",
}
ABOUT_SHEET = "Om uttaget"
# Excel's format codes are locale-neutral: Excel in Swedish shows "1 278" and "97,7".
EXCEL_FORMATS = {0: "#,##0", 1: "#,##0.0", 2: "#,##0.00"}
MIN_WIDTH, MAX_WIDTH = 8, 80  # column widths in characters (a KPI title is ~70)


def value_decimals(values: pd.DataFrame, meta: pd.DataFrame) -> dict[str, int]:
    """Each KPI's precision (core.format.kpi_decimals) from its title and the values at
    hand; `values` has kpi and value."""
    titles = dict(zip(meta["id"], meta["title"], strict=True))
    return {
        kpi: kpi_decimals(titles.get(kpi, ""), group["value"].tolist())
        for kpi, group in values.groupby("kpi", sort=False)
    }


def swedish_table(values: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """The extract, one row per KPI, municipality and year: the value rounded to its KPI's
    precision (what tables show) and as Kolada delivered it, for whoever computes on."""
    titles = dict(zip(meta["id"], meta["title"], strict=True))
    decimals = values["kpi"].map(value_decimals(values, meta))
    out = values.assign(kpi_title=values["kpi"].map(titles))[list(DATA_COLUMNS)]
    out = out.rename(columns=DATA_COLUMNS)
    out[VALUE] = [round(float(v), int(d)) for v, d in zip(values["value"], decimals, strict=True)]
    out[FULL_VALUE] = values["value"].astype(float)
    out["År"] = out["År"].astype(int)
    return out.reset_index(drop=True)


def _csv_cell(value: object) -> object:
    """A float as the shortest text that is that number, with decimal comma: 97.7 → "97,7",
    1278.0 → "1278" (pandas would write "1278,0"), never "1e-05"."""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return np.format_float_positional(value, trim="-").replace(".", ",")
    return value


def to_csv(table: pd.DataFrame, source: str = SOURCE_RAW, notes: Sequence[str] = ()) -> bytes:
    """Semicolon-separated with decimal comma and a byte-order mark: what Excel in a
    Swedish locale opens correctly with a double-click. The source line and any notes
    (data vintage, the comparison) follow the data, one per line."""
    text = table.map(_csv_cell).to_csv(sep=";", index=False)
    tail = "".join(f"{line}\n" for line in (source, *notes))
    return ("\ufeff" + text + "\n" + tail).encode("utf-8")


def to_excel(
    table: pd.DataFrame, meta: pd.DataFrame, about: Mapping[str, str], today: dt.date
) -> bytes:
    """The explorer's workbook: Data (swedish_table's rows, each value shown with its KPI's
    decimals and stored in full), Nyckeltal (the KPIs' metadata), Om uttaget."""
    decimals = {
        kpi: kpi_decimals(str(title), group[FULL_VALUE].tolist())
        for (kpi, title), group in table.groupby(["Kolada-id", "Nyckeltal"], sort=False)
    }
    meta_sheet = pd.DataFrame(
        {
            "Kolada-id": meta["id"],
            "Nyckeltal": meta["title"],
            "Beskrivning": meta["description"],
            "Verksamhetsområde": meta["operating_area"],
            "Nästa publicering": meta["publication_date"].astype(str).replace("NaT", ""),
        }
    )
    formats = {"Data": {VALUE: [EXCEL_FORMATS[decimals[k]] for k in table["Kolada-id"]]}}
    ids = list(dict.fromkeys(table["Kolada-id"]))
    # A title names a few KPIs; a long list belongs in the Nyckeltal sheet.
    kpis = ", ".join(ids[:5]) + (f" och {len(ids) - 5} till" if len(ids) > 5 else "")
    return to_workbook(
        {"Data": table, "Nyckeltal": meta_sheet},
        about,
        today,
        source=SOURCE_RAW,
        number_formats=formats,
        title=f"Nyckeltal från Kolada: {kpis}" if kpis else "Nyckeltal från Kolada",
    )


def to_workbook(
    sheets: dict[str, pd.DataFrame],
    about: Mapping[str, str],
    today: dt.date,
    *,
    source: str,
    number_formats: Mapping[str, Mapping[str, str | Sequence[str]]] | None = None,
    title: str | None = None,
) -> bytes:
    """An .xlsx with the given sheets and a last sheet "Om uttaget" naming the title, the
    source line, the date of the extract and what was chosen. Every sheet has its header
    row frozen and an autofilter over its rows, so it can be scrolled and filtered as it
    opens. `number_formats`: per sheet and column, one Excel format code for the whole
    column or one per row. `title` (the workbook's title property and the first line of
    "Om uttaget") defaults to the sheets' names and the municipality, if `about` has one."""
    buf = io.BytesIO()
    if title is None:
        title = "Uttag ur Målpuls: " + ", ".join(sheets)
        if about.get("Kommun"):
            title += f" ({about['Kommun']})"
    about_sheet = pd.DataFrame(
        [("Titel", title), ("Källa", source), ("Uttaget", today.isoformat()), *about.items()],
        columns=["Uppgift", "Värde"],
    )
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, frame in {**sheets, ABOUT_SHEET: about_sheet}.items():
            frame.to_excel(xw, sheet_name=name, index=False)
        for name, frame in sheets.items():
            sheet = xw.sheets[name]
            _layout(sheet, frame)
            for column, fmt in (number_formats or {}).get(name, {}).items():
                _number_format(sheet, frame, column, fmt)
        set_properties(xw.book, title, subject=source)
        about_ws = xw.sheets[ABOUT_SHEET]
        about_ws.freeze_panes = "A2"
        about_ws.auto_filter.ref = about_ws.dimensions
        about_ws.column_dimensions["A"].width = 22
        about_ws.column_dimensions["B"].width = 100
        about_ws["A1"].font = about_ws["B1"].font = Font(bold=True)
        _print_setup(about_ws)
        for (cell,) in about_ws.iter_rows(min_row=2, min_col=2, max_col=2):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return buf.getvalue()


def _layout(sheet: Worksheet, frame: pd.DataFrame) -> None:
    sheet.freeze_panes = "A2"
    _print_setup(sheet)
    if len(frame.columns):
        sheet.auto_filter.ref = sheet.dimensions
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrapped = False
    for i, column in enumerate(frame.columns, start=1):
        # Widths fit the content (the filter arrow needs ~2 chars), capped; prose (a column
        # whose typical text is wider than the cap: descriptions) wraps. Names and titles
        # do not: a data sheet of double-height rows is hard to scan.
        lengths = [len(str(v)) for v in frame[column].head(500)]
        longest = max([len(str(column)) + 2, *lengths])
        sheet.column_dimensions[get_column_letter(i)].width = max(
            MIN_WIDTH, min(MAX_WIDTH, longest + 1)
        )
        if lengths and sorted(lengths)[len(lengths) // 2] > MAX_WIDTH:
            wrapped = True
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                # Row heights from an estimate of the wrapped lines: LibreOffice does not
                # fit them when it opens the file, and the text would be cut.
                lines = -(-len(str(cell.value or "")) // MAX_WIDTH)
                row = sheet.row_dimensions[cell.row]
                row.height = max(row.height or 15, 15 * lines)
    if wrapped:  # tall rows: every cell at the top, wrapping where it must
        for line in sheet.iter_rows(min_row=2):
            for cell in line:
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def _print_setup(sheet: Worksheet) -> None:
    """Printed (or saved as PDF): landscape, every column on one page wide, the header on
    every page; a sheet otherwise splits its columns over several pages."""
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = "1:1"


def _number_format(
    sheet: Worksheet, frame: pd.DataFrame, column: str, fmt: str | Sequence[str]
) -> None:
    col = list(frame.columns).index(column) + 1
    per_row = [fmt] * len(frame) if isinstance(fmt, str) else list(fmt)
    for row, code in enumerate(per_row, start=2):
        sheet.cell(row=row, column=col).number_format = code
