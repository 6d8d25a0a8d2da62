"""Reading an uploaded file of a local indicator's values (issue 19): a CSV or Excel file
with a year, a value and optionally a gender and a unit per row, as a municipality's staff
fill it in, in Swedish or English.

Pure: bytes in, rows or errors out. The upload page (app_pages, through ui) calls
`parse_upload` on what the user chose and stores the rows as a new core.people.LocalVersion
(db.app_store); `template_csv` is the file the page offers to fill in. Every problem in a
file is reported at once (LocalValuesError.problems), each naming the file, the row as Excel
numbers it (the header is row 1) and the column, so a user fixes the file in one go.

Choices, and why:
- Columns are found by name (case and surrounding spaces ignored): år/year, värde/value,
  kön/gender, enhet/unit. A column with any other name is an error naming it, not ignored:
  a misspelt "Kön" or "Enhet" ignored would silently judge women's values as the total or
  drop the unit (as a misspelt setting is an error in the goal files). A column without a
  header and without values (Excel's trailing empty columns) is left alone.
- A blank gender is T (total). A blank unit cell takes the unit of the other rows; two
  different units in one file are an error.
- An .xlsx cell formatted as per cent holds 0.123 for what the user sees as 12,3 %: the
  value read is what the user sees (12.3), as in a CSV saved from the same sheet.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from core.errors import Problem, ProblemsError
from core.people import LocalRow

MIN_YEAR, MAX_YEAR = 1990, 2100

# Normalised header → the field it fills.
_COLUMNS: dict[str, str] = {
    "år": "year",
    "ar": "year",
    "årtal": "year",
    "year": "year",
    "värde": "value",
    "varde": "value",
    "value": "value",
    "kön": "gender",
    "kon": "gender",
    "gender": "gender",
    "sex": "gender",
    "enhet": "unit",
    "unit": "unit",
}
_REQUIRED = (("year", "År"), ("value", "Värde"))
ACCEPTED_COLUMNS = "År, Värde, Kön och Enhet (eller Year, Value, Gender och Unit)"

_GENDERS: dict[str, str] = {
    "t": "T",
    "totalt": "T",
    "total": "T",
    "alla": "T",
    "all": "T",
    "båda": "T",
    "k": "K",
    "kvinnor": "K",
    "kvinna": "K",
    "flickor": "K",
    "women": "K",
    "female": "K",
    "f": "K",
    "m": "M",
    "män": "M",
    "man": "M",
    "pojkar": "M",
    "men": "M",
    "male": "M",
}

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the older .xls (and .doc) format
_COMMA_HINT = (
    " Har filen komma mellan kolumnerna och decimalkomma i talen? Spara den då med semikolon "
    "mellan kolumnerna (CSV, semikolonavgränsad)."
)
_SAVE_AS = "Spara filen som Excel-arbetsbok (.xlsx) eller CSV (.csv) och ladda upp den igen."

# Spaces Excel and users put inside numbers: ordinary, non-breaking, narrow and thin.
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
_PLAIN = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
_GROUPED_COMMA = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")  # 1,234.5
_GROUPED_POINT = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d*)?")  # 1.234,5


class LocalValuesError(ProblemsError):
    """An uploaded file of local values cannot be used; carries every problem found."""

    title = "Fel i filen med lokala värden"
    where = "filen"


@dataclass(frozen=True)
class ParsedUpload:
    """The rows of a valid file, ordered by gender (T, K, M) and year, and its unit (None
    when the file has none)."""

    rows: tuple[LocalRow, ...]
    unit: str | None


def template_csv() -> bytes:
    """An empty file to fill in: the Swedish header, semicolons (what Excel in Swedish
    expects) and a UTF-8 byte order mark, without which Excel reads "År" as "Ã…r"."""
    return "\ufeffÅr;Värde;Kön;Enhet\r\n".encode()


def parse_upload(data: bytes, filename: str, *, file_label: str | None = None) -> ParsedUpload:
    """The values of an uploaded .csv or .xlsx file. `file_label` names the file in
    messages (default: `filename`). Raises LocalValuesError listing every problem."""
    label = file_label or filename
    table = _read_table(data, filename, label)
    # A comma-separated file with decimal commas splits "12,5" into two columns.
    hint = _COMMA_HINT if filename.lower().endswith(".csv") else ""
    return _parse_table(table, label, hint)


# ------------------------------------------------------------------ bytes → cells


Cell = Any  # str, int, float, bool, datetime or None
Table = list[tuple[int, list[Cell]]]  # (row number as Excel shows it, cells)


def _fail(label: str, message: str) -> LocalValuesError:
    return LocalValuesError([Problem(label, "", message)])


def _read_table(data: bytes, filename: str, label: str) -> Table:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if not data.strip() or data.strip() == b"\xef\xbb\xbf":
        raise _fail(label, "Filen är tom.")
    if suffix == "xlsx":
        if data.startswith(_OLE_MAGIC):
            raise _fail(
                label,
                f"Filen heter .xlsx men är i det äldre Excel-formatet (.xls). {_SAVE_AS}",
            )
        if not data.startswith(_XLSX_MAGIC):
            raise _fail(label, f"Filen heter .xlsx men är ingen Excel-arbetsbok. {_SAVE_AS}")
        return _read_xlsx(data, label)
    if suffix == "csv":
        if data.startswith(_XLSX_MAGIC):
            raise _fail(
                label, "Filen heter .csv men är en Excel-arbetsbok: byt ändelsen till .xlsx."
            )
        if data.startswith(_OLE_MAGIC) or b"\x00" in data[:4096]:
            raise _fail(label, f"Filen heter .csv men är ingen textfil. {_SAVE_AS}")
        return _read_csv(data)
    kind = f".{suffix}-filer" if suffix else "Filer utan ändelse"
    raise _fail(label, f"{kind} kan inte läsas. {_SAVE_AS}")


def _decode(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark), else Windows-1252 as Excel on Windows
    saves "CSV (semikolonavgränsad)", else Latin-1 (which decodes any byte)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _sniff_separator(text: str) -> str:
    """The separator of the first non-blank line (the header): the most frequent of
    semicolon, tab and comma outside quotes; a semicolon on a tie (Swedish Excel's choice,
    and the only one that never clashes with a decimal comma)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {sep: unquoted.count(sep) for sep in (";", "\t", ",")}
    best = max(counts.values())
    return next(sep for sep in (";", "\t", ",") if counts[sep] == best) if best else ";"


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_separator(text))
    return [(n, list(row)) for n, row in enumerate(reader, start=1)]


def _read_xlsx(data: bytes, label: str) -> Table:
    # openpyxl only where a workbook is read: importing core stays light.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise _fail(
            label, f"Filen kunde inte läsas som Excel-arbetsbok ({exc}). {_SAVE_AS}"
        ) from exc
    try:
        if not book.worksheets:
            raise _fail(label, "Arbetsboken har inga blad.")
        table: Table = []
        for n, row in enumerate(book.worksheets[0].iter_rows(min_row=1), start=1):
            table.append((n, [_cell_value(c) for c in row]))
        return table
    finally:
        book.close()


def _cell_value(cell: Any) -> Cell:
    """A cell's value as the user sees it: a per-cent formatted number times 100."""
    value = getattr(cell, "value", None)
    fmt = getattr(cell, "number_format", None) or ""
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in fmt:
        return value * 100
    return value


# ------------------------------------------------------------------ cells → rows


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return _SPACES.sub(" ", str(cell)).strip()


def _blank(cells: Iterable[Cell]) -> bool:
    return all(_text(c) == "" for c in cells)


def _letter(index: int) -> str:
    """Excel's column letter for a 0-based index (0 → A, 26 → AA)."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def parse_number(cell: Cell) -> float | None:
    """A number from a cell: a number as is; text with a decimal comma or point, spaces
    (ordinary or non-breaking) between thousands, a typographic minus, a trailing per cent
    sign. None when it is not a finite number."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return float(cell) if math.isfinite(cell) else None
    if not isinstance(cell, str):
        return None
    s = _SPACES.sub("", cell).replace("\u2212", "-").removesuffix("%")
    if _GROUPED_COMMA.fullmatch(s):
        s = s.replace(",", "")
    elif _GROUPED_POINT.fullmatch(s):
        s = s.replace(".", "")
    if not _PLAIN.fullmatch(s):
        return None
    value = float(s.replace(",", "."))
    return value if math.isfinite(value) else None


def _header(
    table: Table, label: str, hint: str = ""
) -> tuple[int, dict[str, tuple[int, str]], list[Problem]]:
    """The header row's index in `table`, field → (column index, name as written), and the
    problems of the header."""
    start = next((k for k, (_, cells) in enumerate(table) if not _blank(cells)), None)
    if start is None:
        raise _fail(label, "Filen är tom.")
    number, cells = table[start]
    fields: dict[str, tuple[int, str]] = {}
    problems: list[Problem] = []
    data_rows = [cells for _, cells in table[start + 1 :]]
    width = max(len(r) for r in [cells, *data_rows])  # data may reach past the header
    for col in range(width):
        name = _text(cells[col]) if col < len(cells) else ""
        where = f"rad {number}, kolumn {_letter(col)}"
        if not name:
            if any(_text(r[col]) for r in data_rows if col < len(r)):
                problems.append(
                    Problem(label, where, f"kolumnen har värden men ingen rubrik.{hint}")
                )
            continue
        field = _COLUMNS.get(name.lower().rstrip(":").strip())
        if field is None:
            problems.append(
                Problem(
                    label,
                    where,
                    f'okänd kolumn "{name}". Kolumnerna ska heta {ACCEPTED_COLUMNS}; ta bort '
                    "andra kolumner.",
                )
            )
        elif field in fields:
            problems.append(
                Problem(
                    label,
                    where,
                    f'kolumnen "{name}" finns redan (kolumn {_letter(fields[field][0])}).',
                )
            )
        else:
            fields[field] = (col, name)
    missing = [sv for field, sv in _REQUIRED if field not in fields]
    if missing:
        found = [_text(c) for c in cells if _text(c)]
        problems.append(
            Problem(
                label,
                f"rad {number}",
                f"kolumnen {' och '.join(missing)} saknas. Rubrikraden har "
                + (", ".join(f'"{f}"' for f in found) if found else "inga rubriker")
                + f". Kolumnerna ska heta {ACCEPTED_COLUMNS}.",
            )
        )
    return start, fields, problems


def _parse_table(table: Table, label: str, hint: str = "") -> ParsedUpload:
    start, fields, problems = _header(table, label, hint)
    if any(field not in fields for field, _ in _REQUIRED):
        raise LocalValuesError(problems)  # without År or Värde no row can be read
    body = [(n, cells) for n, cells in table[start + 1 :] if not _blank(cells)]
    if not body:
        problems.append(
            Problem(label, "", "Filen har en rubrikrad men inga värden (inga rader under den).")
        )
        raise LocalValuesError(problems)

    def cell(cells: Sequence[Cell], field: str) -> Cell:
        col = fields[field][0] if field in fields else None
        return cells[col] if col is not None and col < len(cells) else None

    def where(n: int, field: str) -> str:
        return f"rad {n}, kolumn {fields[field][1]}"

    rows: list[LocalRow] = []
    seen: dict[tuple[int, str], int] = {}
    units: dict[str, int] = {}  # unit → first row it is on
    for n, cells in body:
        year, wrong = parse_year(cell(cells, "year"))
        if wrong:
            problems.append(Problem(label, where(n, "year"), wrong))
        raw_value = cell(cells, "value")
        value = parse_number(raw_value)
        if value is None:
            text = _text(raw_value)
            problems.append(
                Problem(
                    label,
                    where(n, "value"),
                    f'"{text}" är inget tal.'
                    if text
                    else "värde saknas (ta bort raden om året saknar värde).",
                )
            )
        gender_text = _text(cell(cells, "gender"))
        gender = _GENDERS.get(gender_text.lower()) if gender_text else "T"
        if gender is None:
            problems.append(
                Problem(
                    label,
                    where(n, "gender"),
                    f'"{gender_text}" är inget kön: skriv T (totalt), K (kvinnor) eller M (män), '
                    "eller lämna tomt för totalt.",
                )
            )
        unit = _text(cell(cells, "unit"))
        if unit:
            units.setdefault(unit, n)
        if year is None or value is None or gender is None:
            continue
        if (year, gender) in seen:
            problems.append(
                Problem(
                    label,
                    f"rad {n}",
                    f"år {year} ({_gender_word(gender)}) finns redan på rad "
                    f"{seen[(year, gender)]}.",
                )
            )
            continue
        seen[(year, gender)] = n
        rows.append(LocalRow(year=year, value=value, gender=gender))
    if len(units) > 1:
        listed = ", ".join(f'"{u}" (rad {n})' for u, n in units.items())
        problems.append(
            Problem(
                label,
                f"kolumn {fields['unit'][1]}",
                f"olika enheter i samma fil: {listed}. En indikator har en enhet.",
            )
        )
    if problems:
        raise LocalValuesError(problems)
    order = {"T": 0, "K": 1, "M": 2}
    rows.sort(key=lambda r: (order[r.gender], r.year))
    return ParsedUpload(rows=tuple(rows), unit=next(iter(units), None))


def parse_year(cell: Cell) -> tuple[int | None, str | None]:
    """A year from a cell (a whole number from MIN_YEAR to MAX_YEAR), or None and what is
    wrong with it."""
    text = _text(cell)
    if not text:
        return None, "år saknas."
    number = parse_number(cell)
    if number is None or not number.is_integer():
        return None, f'"{text}" är inget årtal.'
    if not MIN_YEAR <= number <= MAX_YEAR:
        return None, f"{int(number)} ligger utanför {MIN_YEAR}–{MAX_YEAR}."
    return int(number), None


def _gender_word(gender: str) -> str:
    return {"T": "totalt", "K": "kvinnor", "M": "män"}[gender]
