"""The downloads (ui.export and the explorer's two buttons): rounded and full values, the
Excel layout (frozen header, autofilter, number formats), what the extract is (comparison,
data vintage, source), file names; and the explorer's chart of several lines."""

from __future__ import annotations

import datetime as dt
import io

import duckdb
import openpyxl
import pandas as pd
import pytest

from core.scope import peer_group
from db import queries
from ui.charts import SHOWN, series_chart
from ui.explorer_look import Look
from ui.explorer_table import downloads
from ui.export import FULL_VALUE, VALUE, swedish_table, to_csv, to_excel, to_workbook

NBSP = "\u00a0"
DAY = dt.date(2026, 11, 29)
VINTAGE = "Kolada-data hämtad 30 augusti 2024 · senaste år 2023"


def _values() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kolada's raw precision: a share with 8 decimals, a cost in kronor with 2."""
    values = pd.DataFrame(
        {
            "kpi": ["N15428", "N15428", "N00001"],
            "municipality_id": ["1962", "0180", "1962"],
            "municipality": ["Norberg", "Stockholm", "Norberg"],
            "year": [2022, 2022, 2022],
            "value": [74.28571429, 100.0, 12345.67],
        }
    )
    meta = pd.DataFrame(
        {
            "id": ["N15428", "N00001"],
            "title": ["Elever behöriga, andel (%)", "Kostnad grundskola, kr/inv"],
            "description": ["Andel elever.", "Kostnad."],
            "operating_area": ["Grundskola", "Grundskola"],
            "publication_date": pd.to_datetime(["2025-03-01", None]),
        }
    )
    return values, meta


def test_table_rounds_to_the_kpis_precision_and_keeps_the_full_value() -> None:
    table = swedish_table(*_values())
    assert list(table.columns) == [
        "Kolada-id",
        "Nyckeltal",
        "Kommun-id",
        "Kommun/region",
        "År",
        VALUE,
        FULL_VALUE,
    ]
    assert table[VALUE].tolist() == [74.3, 100.0, 12346.0]
    assert table[FULL_VALUE].tolist() == [74.28571429, 100.0, 12345.67]


def test_excel_has_frozen_header_filter_and_number_formats() -> None:
    values, meta = _values()
    table = swedish_table(values, meta)
    about = {"Jämförelse": "Liknande kommuner, övergripande (G1): 7 kommuner", "Data": VINTAGE}
    book = openpyxl.load_workbook(io.BytesIO(to_excel(table, meta, about, DAY)))
    assert book.sheetnames == ["Data", "Nyckeltal", "Om uttaget"]
    data = book["Data"]
    assert data.freeze_panes == "A2"
    assert data.auto_filter.ref == "A1:G4"  # the header and every row
    header = [c.value for c in data[1]]
    value_col, full_col = header.index(VALUE) + 1, header.index(FULL_VALUE) + 1
    # Numbers stored as numbers, shown with the KPI's decimals; the full value beside.
    assert [data.cell(r, value_col).value for r in (2, 4)] == [74.3, 12346]
    assert [data.cell(r, value_col).number_format for r in (2, 3, 4)] == [
        "#,##0.0",
        "#,##0.0",
        "#,##0",
    ]
    assert data.cell(2, full_col).value == pytest.approx(74.28571429)
    assert data.column_dimensions["B"].width >= len("Kostnad grundskola, kr/inv")
    assert book["Nyckeltal"].freeze_panes == "A2"
    rows = dict(list(book["Om uttaget"].values)[1:])
    assert rows["Källa"] == "Källa: Kolada"
    assert rows["Uttaget"] == "2026-11-29"
    assert rows["Jämförelse"].startswith("Liknande kommuner, övergripande (G1)")
    assert rows["Data"] == VINTAGE


def test_csv_has_swedish_numbers_and_says_what_it_is() -> None:
    table = swedish_table(*_values())
    text = to_csv(table, "Källa: Kolada", ["Jämförelse: Liknande kommuner", VINTAGE]).decode()
    lines = text.splitlines()
    assert lines[0] == "\ufeffKolada-id;Nyckeltal;Kommun-id;Kommun/region;År;Värde;" + FULL_VALUE
    assert lines[1].endswith(";1962;Norberg;2022;74,3;74,28571429")
    assert lines[2].endswith(";2022;100;100")  # not "100,0"
    assert lines[3].endswith(";12346;12345,67")
    assert lines[-3:] == ["Källa: Kolada", "Jämförelse: Liknande kommuner", VINTAGE]


def test_other_workbooks_keep_their_sheets_and_get_the_same_layout() -> None:
    """The Agenda 2030 page's links export calls to_workbook with its own sheets."""
    links = pd.DataFrame({"Mål-id": ["mal-1", "mal-2"], "Globalt mål": [3, 11]})
    book = openpyxl.load_workbook(
        io.BytesIO(
            to_workbook({"Kopplingar": links}, {"Kommun": "Vetlanda (0685)"}, DAY, source="X")
        )
    )
    assert book.sheetnames == ["Kopplingar", "Om uttaget"]
    assert book["Kopplingar"].freeze_panes == "A2"
    assert book["Kopplingar"].auto_filter.ref == "A1:B3"
    assert dict(list(book["Om uttaget"].values)[1:])["Kommun"] == "Vetlanda (0685)"


@pytest.fixture
def norberg_look(tiny_con: duckdb.DuckDBPyConnection) -> Look:
    """What the explorer builds for Norberg, N15428 and its Kolada peer group."""
    group = peer_group(queries.query_peer_groups(tiny_con), "Norberg")
    assert group is not None
    munis = ["1962", *group[1]]
    kpis = ["N15428"]
    return Look(
        municipality_id="1962",
        name="Norberg",
        kpis=kpis,
        meta=queries.query_kpi_meta(tiny_con, kpis),
        which="liknande",
        set_label="Liknande kommuner, övergripande, Norberg (G1): 7 kommuner och Norberg",
        municipalities=munis,
        years=(2018, 2022),
        gender="T",
        values=queries.query_values(tiny_con, kpis, munis, "T", 2018, 2022),
    )


def test_explorer_downloads_are_named_and_say_what_they_hold(norberg_look: Look) -> None:
    csv, xlsx = downloads(norberg_look, VINTAGE, DAY)
    assert csv.file_name == "malpuls-N15428-norberg-2026-11-29.csv"
    assert xlsx.file_name == "malpuls-N15428-norberg-2026-11-29.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(xlsx.build()))
    rows = list(book["Data"].values)
    assert len(rows) - 1 == len(norberg_look.values)
    assert {r[2] for r in rows[1:]} == set(norberg_look.values["municipality_id"])
    norberg = next(r for r in rows[1:] if r[2] == "1962" and r[4] == 2022)
    assert norberg[5] == 78.3 and norberg[6] == pytest.approx(78.26086957)
    about = dict(list(book["Om uttaget"].values)[1:])
    assert about["Jämförelse"] == norberg_look.set_label
    assert about["Data"] == VINTAGE
    assert about["Kommun"] == "Norberg (1962)"
    assert "N15428: 1 decimal" in about["Värden"]
    text = csv.build().decode("utf-8")
    assert ";1962;Norberg;2022;78,3;78,26086957" in text
    assert f"Jämförelse: {norberg_look.set_label}" in text and VINTAGE in text


def test_latest_kpi_year_is_the_kpis_newest_in_the_database(
    tiny_con: duckdb.DuckDBPyConnection,
) -> None:
    (expected,) = tiny_con.execute(
        "SELECT max(year) FROM kolada_value WHERE kpi = 'N15428' AND value IS NOT NULL "
        "AND gender = 'T'"
    ).fetchone()
    assert queries.query_latest_kpi_year(tiny_con, ["N15428"], "T") == expected
    assert queries.query_latest_kpi_year(tiny_con, ["N-finns-inte"], "T") is None


def test_series_chart_highlights_the_own_municipality(norberg_look: Look) -> None:
    values = norberg_look.values
    chart = series_chart(values, "1962", norberg_look.titles, {"N15428": 1})
    spec = chart.to_dict()
    rows = [row for rows in spec["datasets"].values() for row in rows]
    norberg_2022 = next(r for r in rows if r["Kommun/region"] == "Norberg" and r["År"] == 2022)
    # Tooltips: the KPI's title and its decimals, Swedish.
    assert norberg_2022[SHOWN] == "78,3"
    assert norberg_2022["Nyckeltal"] == norberg_look.titles["N15428"]
    encoding = spec["layer"][0]["encoding"]
    colour = encoding["color"]
    # Norberg first in the legend, in the strong colour; the others muted and thinner.
    assert colour["scale"]["domain"][0] == "Norberg"
    assert colour["scale"]["range"][0] == "#1f4e79"
    assert "#1f4e79" not in colour["scale"]["range"][1:]
    assert colour["legend"]["labelLimit"] == 0  # names never cut
    width = encoding["strokeWidth"]
    assert width["condition"]["value"] > width["value"]
    assert [layer["transform"][0]["filter"] for layer in spec["layer"]] == [
        "!datum.Egen",
        "datum.Egen",
    ]  # the own line drawn last, on top
    assert {t["title"] if "title" in t else t["field"] for t in encoding["tooltip"]} == {
        "Kommun/region",
        "Nyckeltal",
        "År",
        "Värde",
    }
    assert encoding["x"]["title"] == "År" and encoding["y"]["title"] == "andel (%)"


def test_series_chart_values_read_swedish_in_thousands() -> None:
    values = pd.DataFrame(
        {
            "kpi": ["N01951"] * 2,
            "municipality_id": ["0685", "0685"],
            "municipality": ["Vetlanda", "Vetlanda"],
            "year": [2021, 2022],
            "value": [27123.0, 27250.4],
        }
    )
    spec = series_chart(values, "0685", {"N01951": "Kostnad, kr/inv"}, {"N01951": 0}).to_dict()
    shown = [row[SHOWN] for rows in spec["datasets"].values() for row in rows]
    assert shown == [f"27{NBSP}123", f"27{NBSP}250"]  # kronor: whole
