"""db.queries against a database built from a tiny real snapshot (tests/tiny.py), checked
against the bundled raw values."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from config import Paths
from db import queries


def test_overview_latest_value_matches_raw_data(tiny_con: duckdb.DuckDBPyConnection) -> None:
    ov = queries.query_indicator_overview(tiny_con, "1962")
    row = ov[ov["kpi_id"] == "N15428"].iloc[0]
    raw = tiny_con.execute(
        f"""
        SELECT year, value FROM read_parquet('{Paths.from_env().kolada_dir}/values.parquet')
        WHERE kpi = 'N15428' AND municipality_id = '1962' AND gender = 'T'
        ORDER BY year DESC LIMIT 1
        """
    ).fetchone()
    assert (int(row["latest_year"]), row["latest_value"]) == (raw[0], raw[1])
    assert round(row["latest_value"], 2) == 78.26  # as the Norberg mapping file records
    riket = tiny_con.execute(
        "SELECT value FROM kolada_value WHERE kpi = 'N15428' AND municipality_id = '0000' "
        "AND gender = 'T' AND year = ?",
        [raw[0]],
    ).fetchone()[0]
    assert row["riket_value"] == riket


def test_overview_on_a_past_date_compares_with_riket_the_same_year(
    tiny_con: duckdb.DuckDBPyConnection,
) -> None:
    """On a checkpoint the judged value is an older year; Riket's value is that year's."""
    ov = queries.query_indicator_overview(tiny_con, "1962", dt.date(2021, 12, 31))
    row = ov[ov["kpi_id"] == "N15428"].iloc[0]
    assert int(row["judged_year"]) == 2020  # 2021's value is not known until 2022
    riket = tiny_con.execute(
        "SELECT value FROM kolada_value WHERE kpi = 'N15428' AND municipality_id = '0000' "
        "AND gender = 'T' AND year = 2020"
    ).fetchone()[0]
    assert row["riket_value"] == riket


def test_overview_has_every_indicator_once(tiny_con: duckdb.DuckDBPyConnection) -> None:
    for kommun in ("1962", "0665", "0685"):
        ov = queries.query_indicator_overview(tiny_con, kommun)
        n = tiny_con.execute(
            "SELECT count(*) FROM indicator WHERE municipality_id = ?", [kommun]
        ).fetchone()[0]
        assert len(ov) == n
        assert ov["indicator_id"].is_unique


def test_local_indicators_have_no_values(tiny_con: duckdb.DuckDBPyConnection) -> None:
    ov = queries.query_indicator_overview(tiny_con, "1962")
    local = ov[ov["is_local"]]
    assert not local.empty
    assert local["latest_value"].isna().all()


def test_links_have_labels(tiny_con: duckdb.DuckDBPyConnection) -> None:
    links = queries.query_links(tiny_con, "0665")
    assert links["label"].notna().all()
    sdg3 = links[(links["link_type"] == "sdg") & (links["target_id"] == "3")]
    assert sdg3["label"].iloc[0] == "Mål 3: Hälsa och välbefinnande"
    assert (sdg3["provenance"] == "källa").all()


def test_unknown_municipality_gives_empty_frames(tiny_con: duckdb.DuckDBPyConnection) -> None:
    assert queries.query_frameworks(tiny_con, "9999").empty
    assert queries.query_indicator_overview(tiny_con, "x'; DROP TABLE kpi; --").empty
    assert tiny_con.execute("SELECT count(*) FROM kpi").fetchone()[0] > 0


def test_framework_municipalities(tiny_con: duckdb.DuckDBPyConnection) -> None:
    assert queries.query_framework_municipalities(tiny_con) == [
        ("1962", "Norberg"),
        ("0665", "Vaggeryd"),
        ("0685", "Vetlanda"),
    ]
    assert isinstance(queries.query_last_runs(tiny_con), pd.DataFrame)
