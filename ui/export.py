"""Downloads people can open in Excel: CSV with Swedish separators and an .xlsx workbook
with the data, the KPI metadata and the source line. Pure functions returning bytes."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from core.format import SOURCE_RAW

DATA_COLUMNS = {
    "kpi": "Kolada-id",
    "kpi_title": "Nyckeltal",
    "municipality_id": "Kommun-id",
    "municipality": "Kommun/region",
    "year": "År",
    "value": "Värde",
}


def swedish_table(values: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    titles = dict(zip(meta["id"], meta["title"], strict=True))
    out = values.assign(kpi_title=values["kpi"].map(titles))
    return out[list(DATA_COLUMNS)].rename(columns=DATA_COLUMNS)


def to_csv(table: pd.DataFrame, source: str = SOURCE_RAW) -> bytes:
    """Semicolon-separated with decimal comma and a byte-order mark: what Excel in a
    Swedish locale opens correctly with a double-click."""
    text = table.to_csv(sep=";", decimal=",", index=False)
    return ("\ufeff" + text + f"\n{source}\n").encode("utf-8")


def to_excel(
    table: pd.DataFrame, meta: pd.DataFrame, selection: dict[str, str], today: dt.date
) -> bytes:
    meta_sheet = pd.DataFrame(
        {
            "Kolada-id": meta["id"],
            "Nyckeltal": meta["title"],
            "Beskrivning": meta["description"],
            "Verksamhetsområde": meta["operating_area"],
            "Nästa publicering": meta["publication_date"].astype(str).replace("NaT", ""),
        }
    )
    return to_workbook(
        {"Data": table, "Nyckeltal": meta_sheet}, selection, today, source=SOURCE_RAW
    )


def to_workbook(
    sheets: dict[str, pd.DataFrame],
    about: dict[str, str],
    today: dt.date,
    *,
    source: str,
) -> bytes:
    """An .xlsx with the given sheets and a last sheet "Om uttaget" naming the source
    line, the date of the extract and what was chosen."""
    buf = io.BytesIO()
    about_sheet = pd.DataFrame(
        [("Källa", source), ("Uttaget", today.isoformat()), *about.items()],
        columns=["Uppgift", "Värde"],
    )
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, frame in {**sheets, "Om uttaget": about_sheet}.items():
            frame.to_excel(xw, sheet_name=name, index=False)
        for sheet in xw.sheets.values():
            sheet.column_dimensions["A"].width = 14
            sheet.column_dimensions["B"].width = 60
    return buf.getvalue()
