"""The analyst explorer: search, filters, URL state, safety, and downloads that open."""

from __future__ import annotations

import datetime as dt
import io
import re

import duckdb
import openpyxl
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from config import PROJECT_ROOT, Paths
from db import queries
from ui.export import swedish_table, to_csv, to_excel

APP = str(PROJECT_ROOT / "app.py")


def _explorer(kommun: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["kommun"] = kommun
    at.run()
    at.switch_page("app_pages/explorer.py").run()
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    return at


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["behöriga", "yrkesprogram"], "N15428"),
        (["yrkesprogram", "behöriga"], "N15428"),  # word order
        (["behorig", "yrkesprog"], "N15428"),  # partial words typed without ö
        (["MEDELLIVSLÄNGD", "kvinnor"], "N00925"),  # case, å/ä/ö
    ],
)
def test_search_is_swedish_aware(
    tiny_con: duckdb.DuckDBPyConnection, words: list[str], expected: str
) -> None:
    hits = queries.query_kpi_search(tiny_con, words)
    assert expected in list(hits["id"])


@pytest.mark.parametrize("text", ["x'; DROP TABLE kpi; --", "<script>alert(1)</script>", "%"])
def test_sql_or_html_is_just_text(tiny_con: duckdb.DuckDBPyConnection, text: str) -> None:
    hits = queries.query_kpi_search(tiny_con, text.split())
    assert len(hits) <= 200
    assert tiny_con.execute("SELECT count(*) FROM kpi").fetchall()[0][0] > 6000


def test_filters_restrict_to_goal_kpis(tiny_con: duckdb.DuckDBPyConnection) -> None:
    mal2 = queries.query_goal_kpis(tiny_con, "1962", "mal-2")
    assert "N00925" in mal2 and "N15428" not in mal2
    sdg3 = queries.query_goal_kpis(tiny_con, "0665", None, None, 3)
    # Vaggeryd's SDG-3 goal (kf-3): its (proposed) indicators and the curated Agenda 2030
    # KPIs for SDG 3.
    curated = {
        k for (k,) in tiny_con.execute("SELECT kpi_id FROM kpi_sdg_map WHERE sdg = 3").fetchall()
    }
    kf3 = {
        k
        for (k,) in tiny_con.execute(
            "SELECT kpi_id FROM indicator WHERE municipality_id = '0665' AND goal_id = 'kf-3' "
            "AND kpi_id IS NOT NULL"
        ).fetchall()
    }
    assert kf3, "kf-3 has proposed indicators"
    assert set(sdg3) == curated | kf3 and "N00923" in curated
    # Norberg reaches SDG 11 through no goal link: with a goal chosen, nothing matches.
    assert queries.query_goal_kpis(tiny_con, "1962", "mal-3", None, 11) == []
    area = queries.query_goal_kpis(tiny_con, "1962", None, "vaxa-upp")
    goals_in_area = {
        k
        for (k,) in tiny_con.execute(
            "SELECT i.kpi_id FROM indicator i JOIN goal g USING (municipality_id, goal_id) "
            "WHERE g.municipality_id = '1962' AND g.area_id = 'vaxa-upp' "
            "AND i.kpi_id IS NOT NULL"
        ).fetchall()
    }
    assert set(area) == goals_in_area and len(area) > 5
    hits = queries.query_kpi_search(tiny_con, [], mal2)
    assert set(hits["id"]) <= set(mal2)


@pytest.mark.parametrize(
    ("params", "n_munis"),
    [
        ({"q": "behöriga yrkesprogram", "kpi": "N15428"}, 3),
        ({"kpi": "N15428", "urval": "liknande"}, 8),
        # Every kommun with a value in those years: counted from the database below.
        ({"kpi": "N15428,N17461", "urval": "alla", "fran": "2020", "till": "2022"}, None),
        ({"kpi": "N00957", "kon": "K", "mal": "mal-2"}, 3),
    ],
)
def test_explorer_combinations(
    tiny_env: Paths, params: dict[str, str], n_munis: int | None
) -> None:
    at = _explorer("1962", **params)
    assert not at.exception, [e.value for e in at.exception]
    for k, v in params.items():
        assert at.query_params[k] == v  # the view is in the URL
    if n_munis is None:
        with duckdb.connect(str(tiny_env.db_path), read_only=True) as con:
            n_munis = con.execute(
                "SELECT count(DISTINCT v.municipality_id) FROM kolada_value v "
                "JOIN municipality m ON m.id = v.municipality_id AND m.type = 'K' "
                "WHERE list_contains(?, v.kpi) AND v.gender = 'T' AND v.year BETWEEN ? AND ?",
                [params["kpi"].split(","), int(params["fran"]), int(params["till"])],
            ).fetchall()[0][0]
        assert n_munis > 8  # more than the own kommun and its peers
    table = at.dataframe[0].value
    assert table["municipality_id"].nunique() == n_munis
    kpis = params["kpi"].split(",")
    assert sorted(table["kpi"].unique()) == sorted(kpis)


def test_explorer_with_hostile_search_shows_no_error(tiny_env: Paths) -> None:
    at = _explorer("1962", q="<b>x</b>'; DROP TABLE kpi;--")
    assert not at.exception and not at.error
    assert any("0 sökträffar" in c.value for c in at.caption)


def test_excel_and_csv_hold_what_the_table_showed(tiny_con: duckdb.DuckDBPyConnection) -> None:
    values = queries.query_values(tiny_con, ["N15428"], ["1962", "0019", "0000"], "T", 2018, 2022)
    meta = queries.query_kpi_meta(tiny_con, ["N15428"])
    table = swedish_table(values, meta)
    book = openpyxl.load_workbook(
        io.BytesIO(to_excel(table, meta, {"Jämförelse": "Egen kommun"}, dt.date(2026, 11, 22)))
    )
    assert book.sheetnames == ["Data", "Nyckeltal", "Om uttaget"]
    rows = list(book["Data"].values)
    assert rows[0] == (
        "Kolada-id",
        "Nyckeltal",
        "Kommun-id",
        "Kommun/region",
        "År",
        "Värde",
        "Värde, alla decimaler",
    )
    assert len(rows) - 1 == len(values)
    norberg_2022 = next(r for r in rows[1:] if r[2] == "1962" and r[4] == 2022)
    assert norberg_2022[5] == 78.3 and round(norberg_2022[6], 2) == 78.26
    about = dict(list(book["Om uttaget"].values)[1:])
    assert about["Källa"] == "Källa: Kolada"
    assert about["Jämförelse"] == "Egen kommun"
    csv = to_csv(table).decode("utf-8")
    assert csv.startswith("\ufeffKolada-id;Nyckeltal;")
    assert ";78,3;78,26086957" in csv and csv.rstrip().endswith("Källa: Kolada")


def test_table_sorts_as_numbers_and_reads_swedish(tiny_env: Paths) -> None:
    """The table's cells stay numbers (a column sorts 100 above 97,7; the browser test
    clicks it) while they read "78,3"; Norberg's row is highlighted and first, KPIs by
    title, no ids shown."""
    at = _explorer("1962", kpi="N15428,N00957", urval="liknande", fran="2018", till="2022")
    assert not at.exception, [e.value for e in at.exception]
    element = at.dataframe[0]
    table = element.value
    assert table["2022"].dtype.kind == "f"
    shown = list(element.proto.column_order)
    assert shown == ["Nyckeltal", "Kommun/region", "2018", "2019", "2020", "2021", "2022"]
    styler = element.proto.arrow_data.styler
    display = convert_arrow_bytes_to_pandas_df(styler.display_values)
    first = display.iloc[0]
    assert first["Kommun/region"] == "Norberg"
    assert first["Nyckeltal"].startswith("Elever i åk 9 som är behöriga")
    assert first["2022"] == "78,3"  # 78.26086957 with the share's one decimal
    assert re.match(r"\d+,\d$", display[table["kpi"] == "N00957"]["2022"].iloc[0])
    norberg_rows = table.index[table["municipality_id"] == "1962"].tolist()
    other_row = table.index[table["municipality_id"] != "1962"][0]
    assert len(norberg_rows) == 2  # one per KPI
    for row in norberg_rows:
        assert f"_row{row}_col0" in styler.styles
    assert f"_row{other_row}_col0," not in styler.styles
    assert "background-color: #dbe8f5" in styler.styles


def test_own_list_and_facets_in_url(tiny_env: Paths) -> None:
    at = _explorer(
        "1962", kpi="N15428", urval="lista", lista="1962,0180,1280", omr="Gymnasieskola åk 1-3"
    )
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["lista"] == "1962,0180,1280"
    assert at.query_params["omr"] == "Gymnasieskola åk 1-3"
    table = at.dataframe[0].value
    assert set(table["Kommun/region"]) == {"Norberg", "Stockholm", "Malmö"}


def test_goal_area_filter_restricts_search_to_the_areas_indicators(tiny_env: Paths) -> None:
    """Målområde in the URL: the hits are exactly the KPIs of that area's goals."""
    at = _explorer("1962", omrade="miljo-klimat")
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="omrade").value == "miljo-klimat"
    with duckdb.connect(str(tiny_env.db_path), read_only=True) as con:
        expected = {
            k
            for (k,) in con.execute(
                "SELECT i.kpi_id FROM indicator i JOIN goal g USING (municipality_id, goal_id) "
                "JOIN kpi k ON k.id = i.kpi_id AND NOT k.is_retired "
                "WHERE g.municipality_id = '1962' AND g.area_id = 'miljo-klimat' "
                "AND EXISTS (SELECT 1 FROM kolada_value v WHERE v.kpi = i.kpi_id "
                "AND v.municipality_id = '1962')"
            ).fetchall()
        }
    options = at.multiselect(key="kpi_sel").options
    assert {o.rsplit("(", 1)[1].rstrip(")") for o in options} == expected
    assert len(expected) >= 5


def test_search_text_is_ranked_by_the_kpi_search_engine(tiny_env: Paths) -> None:
    """The free text goes through core.kpi_search: typed without å/ä/ö, in any case, the
    best match comes first; the filters still decide which KPIs may be hits."""
    at = _explorer("1962", q="BEHORIGA yrkesprogram hemkommun")
    assert not at.exception, [e.value for e in at.exception]
    options = at.multiselect(key="kpi_sel").options
    assert options[0].endswith("(N15428)")
    at = _explorer("1962", q="behöriga yrkesprogram", omrade="miljo-klimat")
    assert not at.exception, [e.value for e in at.exception]
    assert not any(o.endswith("(N15428)") for o in at.multiselect(key="kpi_sel").options)
