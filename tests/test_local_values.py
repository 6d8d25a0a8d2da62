"""core.local_values: reading an uploaded file of a local indicator's values, CSV as Excel
writes it and .xlsx, with every problem of a file reported at once."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import struct
import zlib
from dataclasses import replace

import duckdb
import pandas as pd
import pytest
from docx import Document
from openpyxl import Workbook, load_workbook

from config import PROJECT_ROOT, Paths
from core.judging import NO_LOCAL_VALUES
from core.local_values import LocalValuesError, parse_number, parse_upload, template_csv
from core.people import LocalRow
from core.reports import Report, diff_reports, values_source
from core.site import open_tables
from db.app_store import AppStore
from etl.pipeline import build_offline
from reports.excel import to_workbook
from reports.freeze import build_report
from reports.store import load_report, save_report
from reports.word import to_docx


def _xlsx(rows: list[list[object]], percent_col: int | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if percent_col is not None:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=percent_col, max_col=percent_col):
            cell.number_format = "0.0%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _problems(data: bytes, filename: str) -> list[str]:
    with pytest.raises(LocalValuesError) as err:
        parse_upload(data, filename)
    assert str(err.value)  # a message a person can read
    return [str(p) for p in err.value.problems]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("År;Värde;Kön;Enhet\r\n2021;12,5;T;%\r\n2022;1 234,5;;%\r\n", "utf-8"),
        ("\ufeffÅr;Värde;Kön;Enhet\r\n2021;12,5;Totalt;%\r\n2022;1\u00a0234,5;alla;%\r\n", "utf-8"),
        ("År;Värde;Kön;Enhet\r\n2021;12,5;T;%\r\n2022;1 234,5;T;%\r\n", "cp1252"),
        ("År\tVärde\tKön\tEnhet\n2021\t12.5\tT\t%\n2022\t1234.5\t\t%\n", "utf-8"),
        ('Year,Value,Gender,Unit\n2021,"12,5",T,%\n2022,"1,234.5",,%\n', "utf-8"),
        ("YEAR , value\n2021,12.5\n2022,1234.5\n", "utf-8"),  # no gender, no unit
    ],
)
def test_csv_as_excel_and_people_write_it(text: str, encoding: str) -> None:
    parsed = parse_upload(text.encode(encoding), "sjukfranvaro.csv")
    assert parsed.rows == (LocalRow(2021, 12.5, "T"), LocalRow(2022, 1234.5, "T"))
    assert parsed.unit == ("%" if "%" in text else None)


def test_genders_in_words_and_letters() -> None:
    text = "år;värde;kön\n2021;1;Kvinnor\n2021;2;Män\n2021;3;\n2022;4;k\n"
    parsed = parse_upload(text.encode(), "a.csv")
    assert parsed.rows == (
        LocalRow(2021, 3.0, "T"),
        LocalRow(2021, 1.0, "K"),
        LocalRow(2022, 4.0, "K"),
        LocalRow(2021, 2.0, "M"),
    )


def test_xlsx_numbers_and_text_cells_and_per_cent_as_seen() -> None:
    data = _xlsx([["År", "Värde", "Kön"], [2021, 12.5, "T"], ["2022", "13,5", None]])
    assert parse_upload(data, "enkät.xlsx").rows == (
        LocalRow(2021, 12.5, "T"),
        LocalRow(2022, 13.5, "T"),
    )
    shown = _xlsx([["År", "Värde"], [2021, 0.125]], percent_col=2)
    assert parse_upload(shown, "andel.xlsx").rows == (LocalRow(2021, 12.5, "T"),)


def test_every_bad_row_is_reported_at_once_with_row_and_column() -> None:
    text = (
        "År;Värde;Kön\n"
        "2021;12,3;T\n"  # row 2
        "2022;12,3x;T\n"  # row 3
        "tjugo;5;T\n"  # row 4
        "1989;5;T\n"  # row 5
        "2021;7;\n"  # row 6: duplicate of row 2 (blank gender is T)
        "2023;;X\n"  # row 7
        "2024;inf;T\n"  # row 8
    )
    assert _problems(text.encode(), "sjukfranvaro.csv") == [
        'sjukfranvaro.csv: rad 3, kolumn Värde: "12,3x" är inget tal.',
        'sjukfranvaro.csv: rad 4, kolumn År: "tjugo" är inget årtal.',
        "sjukfranvaro.csv: rad 5, kolumn År: 1989 ligger utanför 1990–2100.",
        "sjukfranvaro.csv: rad 6: år 2021 (totalt) finns redan på rad 2.",
        "sjukfranvaro.csv: rad 7, kolumn Värde: värde saknas (ta bort raden om året saknar värde).",
        'sjukfranvaro.csv: rad 7, kolumn Kön: "X" är inget kön: skriv T (totalt), K (kvinnor) '
        "eller M (män), eller lämna tomt för totalt.",
        'sjukfranvaro.csv: rad 8, kolumn Värde: "inf" är inget tal.',
    ]


def test_rows_numbered_as_excel_shows_them_in_xlsx() -> None:
    data = _xlsx([["Year", "Value"], [2021, 1], [None, None], [2022, "x"]])
    assert _problems(data, "f.xlsx") == ['f.xlsx: rad 4, kolumn Value: "x" är inget tal.']


def test_file_label_names_the_file() -> None:
    with pytest.raises(LocalValuesError, match=r"^Sjukfrånvaro \(uppladdad\): rad 2"):
        parse_upload(b"ar;varde\n2021;x\n", "tmp123.csv", file_label="Sjukfrånvaro (uppladdad)")


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"", "a.csv", "a.csv: Filen är tom."),
        (b"\xef\xbb\xbf\r\n\r\n", "a.csv", "a.csv: Filen är tom."),
        (b"Ar;Varde\n", "a.csv", "a.csv: Filen har en rubrikrad men inga värden"),
        (b"x", "a.xls", "a.xls: .xls-filer kan inte läsas. Spara filen som Excel-arbetsbok"),
        (b"x", "a.ods", "a.ods: .ods-filer kan inte läsas."),
        (b"x", "a.txt", "a.txt: .txt-filer kan inte läsas."),
        (b"x", "utan_andelse", "utan_andelse: Filer utan ändelse kan inte läsas."),
        (b"ar;varde\n2021;1\n", "a.xlsx", "a.xlsx: Filen heter .xlsx men är ingen Excel-arbetsbok"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "a.xlsx", "äldre Excel-formatet (.xls)"),
        (b"PK\x03\x04broken", "a.xlsx", "a.xlsx: Filen kunde inte läsas som Excel-arbetsbok"),
        (b"PK\x03\x04rest", "a.csv", "a.csv: Filen heter .csv men är en Excel-arbetsbok"),
    ],
)
def test_unusable_files(data: bytes, filename: str, expected: str) -> None:
    (problem,) = _problems(data, filename)
    assert expected in problem


def test_missing_required_column_names_what_was_found() -> None:
    unknown, problem = _problems(b"Year;Amount\n2021;3\n", "a.csv")
    assert unknown.startswith('a.csv: rad 1, kolumn B: okänd kolumn "Amount"')
    assert problem.startswith(
        'a.csv: rad 1: kolumnen Värde saknas. Rubrikraden har "Year", "Amount"'
    )
    *_, problem = _problems(_xlsx([["Kommun", "Antal"], ["Norberg", 3]]), "b.xlsx")
    assert "kolumnen År och Värde saknas" in problem


def test_unknown_duplicate_and_headerless_columns_are_errors() -> None:
    text = "År;Värde;Könn;År;\n2021;1;K;2021;x\n"
    assert _problems(text.encode(), "a.csv") == [
        'a.csv: rad 1, kolumn C: okänd kolumn "Könn". Kolumnerna ska heta År, Värde, Kön och '
        "Enhet (eller Year, Value, Gender och Unit); ta bort andra kolumner.",
        'a.csv: rad 1, kolumn D: kolumnen "År" finns redan (kolumn A).',
        "a.csv: rad 1, kolumn E: kolumnen har värden men ingen rubrik. Har filen komma mellan "
        "kolumnerna och decimalkomma i talen? Spara den då med semikolon mellan kolumnerna "
        "(CSV, semikolonavgränsad).",
    ]
    # "12,5" in a comma-separated file without quotes: never read as 12.
    (problem,) = _problems(b"Year,Value\n2021,12,5\n", "b.csv")
    assert "kolumn C: kolumnen har värden men ingen rubrik" in problem
    # Excel's trailing empty columns are no problem.
    assert parse_upload(b"Ar;Varde;;\n2021;1;;\n", "a.csv").rows == (LocalRow(2021, 1.0),)


def test_one_unit_per_file() -> None:
    text = "År;Värde;Enhet\n2021;1;%\n2022;2;\n2023;3;antal\n"
    assert _problems(text.encode(), "a.csv") == [
        'a.csv: kolumn Enhet: olika enheter i samma fil: "%" (rad 2), "antal" (rad 4). En '
        "indikator har en enhet."
    ]
    assert parse_upload(b"Ar;Varde;Enhet\n2021;1;%\n2022;2;\n", "a.csv").unit == "%"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("12,3", 12.3),
        ("12.3", 12.3),
        ("-1 234,5", -1234.5),
        ("\u22121,5", -1.5),
        ("1\u202f234", 1234.0),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("12,3 %", 12.3),
        (",5", 0.5),
        (7, 7.0),
        ("12,3x", None),
        ("1,2,3", None),
        ("nan", None),
        (float("nan"), None),
        (True, None),
        ("", None),
    ],
)
def test_parse_number(cell: object, expected: float | None) -> None:
    assert parse_number(cell) == (pytest.approx(expected) if expected is not None else None)


def test_template_opens_in_excel_and_reads_back() -> None:
    data = template_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["År;Värde;Kön;Enhet"]
    filled = data + b"2021;12,5;T;%\r\n"
    assert parse_upload(filled, "mall.csv").rows == (LocalRow(2021, 12.5, "T"),)


# ------------------------------------------------------------------ through the ETL and the freezer

LOCAL = "n10-arbetsskador"  # Norberg: local, minska, antal; no Kolada KPI
V1 = (LocalRow(2016, 40.0), LocalRow(2017, 38.0), LocalRow(2018, 35.0), LocalRow(2019, 33.0))
V1 = (*V1, LocalRow(2020, 30.0))
V2 = (*V1[:-1], LocalRow(2020, 31.0), LocalRow(2021, 28.0))
V3 = (*V2, LocalRow(2022, 99.0), LocalRow(2023, 99.0))
UPLOADS = (
    (V1, dt.datetime(2021, 3, 1, 10, 0)),
    (V2, dt.datetime(2022, 1, 10, 9, 0)),
    (V3, dt.datetime(2024, 9, 15, 8, 0)),  # after the snapshot's data date, 2024-08-30
)


@pytest.fixture(scope="module")
def local_build(tmp_path_factory: pytest.TempPathFactory, tiny_paths: Paths) -> Paths:
    """Norberg's goal file on the tiny real snapshot, with three uploads of one local
    indicator in the app's store, built by the real offline pipeline."""
    root = tmp_path_factory.mktemp("local")
    goals = root / "goals"
    goals.mkdir()
    shutil.copy(PROJECT_ROOT / "data" / "goals" / "1962-norberg.yaml", goals)
    state = root / "state"
    paths = replace(
        tiny_paths,
        goals_dir=goals,
        db_path=state / "malpuls.duckdb",
        status_path=state / "etl_status.json",
        reports_dir=state / "reports",
        app_db_path=state / "malpuls-app.sqlite",
    )
    store = AppStore(paths.app_db_path)
    for rows, at in UPLOADS:
        store.save_local_version(
            "1962", LOCAL, rows, unit="antal", filename="arbetsskador.csv", by="anna", now=at
        )
    build_offline(paths, now=dt.datetime(2026, 1, 1), progress=lambda _m: None)
    return paths


def _results(paths: Paths, indicator_id: str) -> dict[dt.date, dict]:
    con = duckdb.connect(str(paths.db_path), read_only=True)
    try:
        frame = con.execute(
            "SELECT * FROM indicator_result WHERE municipality_id = '1962' AND indicator_id = ?",
            [indicator_id],
        ).df()
    finally:
        con.close()
    return {pd.Timestamp(r["as_of"]).date(): r for r in frame.to_dict("records")}


def test_etl_judges_a_local_indicator_on_the_upload_in_force(local_build: Paths) -> None:
    rows = _results(local_build, LOCAL)
    by_version = {d: r["local_version"] for d, r in rows.items()}
    assert by_version == pytest.approx(
        {
            dt.date(2020, 6, 30): None,
            dt.date(2020, 12, 31): None,
            dt.date(2021, 6, 30): 1,
            dt.date(2021, 12, 31): 1,
            dt.date(2022, 6, 30): 2,
            dt.date(2022, 12, 31): 2,
            dt.date(2024, 8, 30): 2,  # the data date: version 3 came after it
        },
        nan_ok=True,
    )
    assert all(pd.isna(r["judged_kpi_id"]) for r in rows.values())  # never a Kolada series
    before = rows[dt.date(2020, 12, 31)]
    assert (before["status"], before["reason"]) == ("Ej bedömbart", NO_LOCAL_VALUES)
    first = rows[dt.date(2021, 12, 31)]
    assert (first["latest_year"], first["latest_value"], first["n_points"]) == (2020, 30.0, 5)
    assert first["status"] != "Ej bedömbart"
    assert first["reason"].startswith(
        "Lokal indikator, bedömd på kommunens egna värden (uppladdad version 1, 2021-03-01). "
    )
    second = rows[dt.date(2022, 6, 30)]
    assert (second["latest_year"], second["latest_value"]) == (2021, 28.0)
    assert 99.0 not in {r["latest_value"] for r in rows.values()}
    # The other local indicator has no upload.
    assert {r["reason"] for r in _results(local_build, "n10-tillbud").values()} == {NO_LOCAL_VALUES}


def test_frozen_report_keeps_the_upload_in_force_on_its_date(local_build: Paths) -> None:
    """A report for 31 December 2021 holds version 1's values with Norberg as their source,
    not version 2 uploaded ten days later; the report for 30 June 2022 holds version 2, and
    the diff between them names the new upload. Both agree with the ETL's stored rows, and
    the exports say "Källa: Norberg" for the indicator, never Kolada."""
    stored = _results(local_build, LOCAL)
    now = dt.datetime(2026, 1, 1)
    december, _ = build_report(local_build, "1962", dt.date(2021, 12, 31), now)
    june, _ = build_report(local_build, "1962", dt.date(2022, 6, 30), now)
    old = next(i for i in december.indicators if i.indicator_id == LOCAL)
    new = next(i for i in june.indicators if i.indicator_id == LOCAL)
    assert (old.years, old.values) == ([r.year for r in V1], [r.value for r in V1])
    assert (new.years, new.values) == ([r.year for r in V2], [r.value for r in V2])
    assert (old.source, old.local_version, new.local_version) == ("Källa: Norberg", 1, 2)
    assert old.kpi_id is None and old.judged_kpi_id is None
    for ind, day in ((old, dt.date(2021, 12, 31)), (new, dt.date(2022, 6, 30))):
        assert (ind.status, ind.reason, ind.latest_value) == (
            stored[day]["status"],
            stored[day]["reason"],
            stored[day]["latest_value"],
        )
    untouched = next(i for i in december.indicators if i.indicator_id == "n10-tillbud")
    assert untouched.reason == NO_LOCAL_VALUES and untouched.years == []
    kolada = next(i for i in december.indicators if i.kpi_id is not None)
    assert kolada.source == "Källa: Kolada" and kolada.local_version is None

    # Stored and read back: the new fields survive; an older report without them loads.
    path = save_report(local_build.reports_dir, december)
    assert load_report(path) == december
    legacy = json.loads(path.read_text(encoding="utf-8"))
    for ind in legacy["indicators"]:
        del ind["source"], ind["local_version"]
    older = Report.model_validate(legacy)
    assert values_source(older.indicators[0]) == "Källa: Kolada"

    (change,) = [c for c in diff_reports(december, june) if c.goal_id == new.goal_id]
    assert (
        f"{new.title}: nya uppladdade värden (version 2, tidigare version 1; ändrade år: "
        "2020, 2021)." in change.reasons
    )

    doc = Document(io.BytesIO(to_docx(december, chart=lambda _i, _n: _png())))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Värden: Källa: Kolada; lokala indikatorer: Källa: Norberg." in text
    caption = next(p for p in text.splitlines() if p.startswith(f"{old.title}: "))
    assert "Värden: Källa: Norberg. Prognos" in caption and "Källa: Kolada" not in caption
    book = load_workbook(io.BytesIO(to_workbook(december)))
    header = {r[0]: r[1] for r in book["Sammanfattning"].values if r and r[0]}
    assert header["Värden"] == "Källa: Kolada; lokala indikatorer: Källa: Norberg"
    (values,) = [t for t in open_tables(december) if t.file == "varden.csv"]
    sources = {(r[0], r[-1]) for r in values.rows}
    assert (LOCAL, "Källa: Norberg") in sources
    assert (LOCAL, "Källa: Kolada") not in sources


def _png() -> bytes:
    """A 1×1 white PNG: the Word export needs a picture, not a drawn chart."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff"))
        + chunk(b"IEND", b"")
    )
