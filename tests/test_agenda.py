"""Agenda 2030 links (core/agenda.py), the curated KPI → SDG mapping as shipped, and what
the ETL stores from it."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from config import PROJECT_ROOT, Paths
from core.agenda import (
    Cell,
    GoalLink,
    IndicatorStatus,
    chain_cells,
    coverage,
    goal_sdg_cells,
    indicators_behind_sdgs,
    parse_sdg_mapping,
    status_distribution,
)
from core.errors import ReferenceFileError
from etl.pipeline import build_offline
from etl.reference import MAPPING_FILE, read_sdg_mapping, read_target_goals

SHARED = PROJECT_ROOT.parent / "shared"
REFERENCE = PROJECT_ROOT / "data" / "reference"
TARGETS = {"11.2": 11, "11.6": 11, "3.4": 3, "16.1": 16}


def _row(**kw: str) -> dict[str, str]:
    base = {"kpi_id": "N1", "sdg": "11", "target": "11.2", "direction": "öka", "reason": "r"}
    return base | kw


def _parse(*rows: dict[str, str]) -> tuple[list, list[str]]:
    mapping, problems = parse_sdg_mapping(
        "map.csv", rows, target_goal=TARGETS, kpis={"N1", "N2", "N3"}
    )
    return mapping, [str(p) for p in problems]


def test_valid_mapping_rows_parse() -> None:
    mapping, problems = _parse(_row(), _row(kpi_id="N2", sdg="3", target="", direction="minska"))
    assert problems == []
    assert [(m.kpi_id, m.sdg, m.target, m.direction) for m in mapping] == [
        ("N1", 11, "11.2", "öka"),
        ("N2", 3, None, "minska"),
    ]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (_row(sdg="18"), "map.csv: rad 1.sdg: 18 är inte ett av de 17 globala målen"),
        (_row(sdg="elva"), "map.csv: rad 1.sdg: 'elva' är inte ett tal 1–17"),
        (_row(target="3.4"), "map.csv: rad 1.target: delmålet 3.4 hör till mål 3, inte 11"),
        (_row(target="11.99"), "map.csv: rad 1.target: delmålet 11.99 finns inte"),
        (_row(kpi_id="X9"), "map.csv: rad 1.kpi_id: X9 finns inte i Koladas nyckeltalskatalog"),
        (_row(direction="upp"), "map.csv: rad 1.direction: 'upp' ska vara något av"),
        (_row(reason=" "), "map.csv: rad 1.reason: en kurerad koppling behöver en motivering"),
    ],
)
def test_each_broken_mapping_row_is_named(row: dict[str, str], expected: str) -> None:
    _, problems = _parse(row)
    assert len(problems) == 1
    assert problems[0].startswith(expected)


def test_one_kpi_has_one_direction_and_no_duplicate_rows() -> None:
    _, problems = _parse(
        _row(),
        _row(sdg="16", target="16.1", direction="minska"),
        _row(),
    )
    assert "map.csv: rad 2.direction: N1 har riktningen 'öka' på rad 1" in problems[0]
    assert problems[1] == "map.csv: rad 3.sdg: N1 → mål 11 står redan på rad 1"


def test_missing_column_is_reported() -> None:
    row = _row()
    del row["direction"]
    _, problems = _parse(row)
    assert problems == ["map.csv: rad 1.direction: kolumnen saknas"]


def test_shipped_mapping_is_valid_and_covers_koladas_agenda_group(reference) -> None:
    mapping = read_sdg_mapping(REFERENCE, reference)
    with (SHARED / "kolada" / "agenda2030_kpi_group_membership_2024.csv").open(
        encoding="utf-8"
    ) as fh:
        group = {r["kpi_id"] for r in csv.DictReader(fh)}
    assert {m.kpi_id for m in mapping} == group
    assert all(1 <= m.sdg <= 17 and m.reason for m in mapping)
    targets = read_target_goals(REFERENCE)
    assert all(m.target is None or targets[m.target] == m.sdg for m in mapping)


def test_broken_mapping_stops_the_build_and_keeps_the_database(
    tmp_path: Path, tiny_paths: Paths
) -> None:
    paths = replace(tiny_paths, db_path=tmp_path / "m.duckdb")
    shutil.copy(tiny_paths.db_path, paths.db_path)  # the published file
    before = paths.db_path.read_bytes()
    ref = tmp_path / "reference"
    shutil.copytree(REFERENCE, ref)
    text = (ref / MAPPING_FILE).read_text(encoding="utf-8")
    (ref / MAPPING_FILE).write_text(text.replace("N00401,13,13.2", "N00401,13,7.2"), "utf-8")
    with pytest.raises(ReferenceFileError) as err:
        build_offline(
            replace(paths, reference_dir=ref), now=dt.datetime(2026, 1, 2), progress=print
        )
    assert "kpi_sdg_mapping.csv: rad 2.target: delmålet 7.2 hör till mål 7, inte 13" in str(
        err.value
    )
    assert paths.db_path.read_bytes() == before


def test_cells_take_the_strongest_link_and_targets_count_for_their_goal() -> None:
    cells = goal_sdg_cells(
        [
            GoalLink("g1", "sdg", "11", "förslag", "närhet"),
            GoalLink("g1", "sdg_target", "11.6", "källa"),
            GoalLink("g2", "sdg_target", "16.1", "förslag"),
            GoalLink("g2", "crc", "3", "källa"),  # not an SDG link
        ],
        [("g2", "N1"), ("g3", "N9")],
        {"N1": [11, 3]},
        TARGETS,
    )
    got = {(c.goal_id, c.sdg): c for c in cells}
    assert set(got) == {("g1", 11), ("g2", 16), ("g2", 11), ("g2", 3)}
    assert got[("g1", 11)].provenance == "källa"
    assert got[("g1", 11)].targets == ("11.6",)
    assert got[("g1", 11)].reasons == ("närhet",)
    assert got[("g2", 16)].provenance == "förslag"
    assert got[("g2", 11)].provenance == "nyckeltal"
    assert got[("g2", 11)].kpis == ("N1",)
    cov = coverage(cells)
    assert cov[11] == "källa" and cov[16] == "förslag" and cov[3] == "nyckeltal"
    assert cov[1] is None and len(cov) == 17


def test_a_chain_is_as_firm_as_its_weakest_link() -> None:
    cells = [
        Cell("g1", 11, "källa", ("11.2",), (), ()),
        Cell("g2", 11, "förslag", (), (), ()),
        Cell("g2", 5, "källa", (), (), ()),
    ]
    chained = chain_cells(
        [("utmaning-a", "g1", "förslag"), ("utmaning-a", "g2", "källa"), ("b", "g1", "källa")],
        cells,
    )
    got = {(c.goal_id, c.sdg): c for c in chained}
    # g1 path: förslag link to a källa cell → förslag; g2 path: källa → förslag cell.
    assert got[("utmaning-a", 11)].provenance == "förslag"
    assert got[("utmaning-a", 11)].via == ("g1", "g2")
    assert got[("utmaning-a", 5)].provenance == "källa"
    assert got[("b", 11)].provenance == "källa"
    assert ("b", 5) not in got


def test_indicators_behind_an_sdg_count_each_kpi_once_goal_status_first() -> None:
    items = indicators_behind_sdgs(
        [(11, "N1", "Ej på väg"), (11, "N1", "Ej på väg"), (11, None, "Ej bedömbart")],
        [(11, "N1", "Förbättras"), (11, "N2", "Försämras"), (3, "N1", "Förbättras")],
    )
    assert items == [
        IndicatorStatus(11, "N1", "Ej på väg", "mål"),
        IndicatorStatus(11, None, "Ej bedömbart", "mål"),
        IndicatorStatus(11, "N2", "Försämras", "agenda"),
        IndicatorStatus(3, "N1", "Förbättras", "agenda"),
    ]
    dist = status_distribution(items)
    assert list(dist[11].items()) == [("Ej på väg", 1), ("Försämras", 1), ("Ej bedömbart", 1)]
    assert dist[3] == {"Förbättras": 1} and dist[17] == {}


def test_stored_agenda_results_match_the_stored_values(
    tiny_con: duckdb.DuckDBPyConnection,
) -> None:
    """Every judged Agenda 2030 KPI's latest value is the Kolada value stored for it, and
    KPIs published only for regions are not judged for a kommun. (The tiny snapshot keeps
    every mapped KPI for the framework municipalities.)"""
    con = tiny_con
    rows = con.execute(
        """
        SELECT r.municipality_id, r.kpi_id, r.latest_year, r.latest_value, v.value,
               k.municipality_type
        FROM sdg_kpi_result r JOIN kpi k ON k.id = r.kpi_id
        LEFT JOIN kolada_value v ON v.kpi = r.kpi_id AND v.municipality_id = r.municipality_id
             AND v.year = r.latest_year AND v.gender = 'T'
        """
    ).fetchall()
    assert {r[0] for r in rows} == {"0665", "0685", "1962"}
    assert all(r[5] != "L" for r in rows)
    judged = [r for r in rows if r[2] is not None]
    assert len(judged) > 150
    assert all(r[3] == pytest.approx(r[4]) for r in judged)
    statuses = {s for (s,) in con.execute("SELECT DISTINCT status FROM sdg_kpi_result").fetchall()}
    assert statuses <= {"Förbättras", "Oförändrat", "Försämras", "Bevakas", "Ej bedömbart"}
    assert {"Förbättras", "Försämras", "Bevakas"} <= statuses
