"""Frozen interim reports: vintages (values as known on a date), freezing, "Vad har
ändrats", the Excel and Word exports, the CLI, and the reports page. The central case runs
the real nightly ETL over HTTP against the local Kolada stand-in between two freezes."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import duckdb
import openpyxl
import pytest
from docx import Document
from streamlit.testing.v1 import AppTest

from config import PROJECT_ROOT, Paths
from core.labels import status_text
from core.reports import (
    Report,
    ReportAmbition,
    ReportGoal,
    ReportIndicator,
    diff_reports,
)
from db.connection import create_database
from etl.live import run_live
from etl.pipeline import build_offline
from reports.charts import alt_text, indicator_chart
from reports.excel import INDICATOR_COLUMNS, to_workbook
from reports.freeze import build_report, freeze, report_label
from reports.store import ReportExistsError, load_report, save_report
from reports.word import SECTION_TITLE, to_docx
from tests.conftest import goal_file_without_proposals

from .standin import KoladaStandIn, quick_settings

KOLADA = PROJECT_ROOT / "data" / "kolada"
APP = str(PROJECT_ROOT / "app.py")
APRIL, AUGUST = dt.date(2023, 4, 30), dt.date(2023, 8, 31)


# ------------------------------------------------------------------ values as of a date


def test_values_as_of_replays_revisions(tmp_path: Path) -> None:
    con = create_database(tmp_path / "v.duckdb")
    con.execute(
        "INSERT INTO kolada_value VALUES ('A','1',2020,'T',1.0), ('A','1',2021,'T',2.0), "
        "('A','1',2022,'T',3.0)"
    )
    # Run on 2026-09-15: 2021 revised from 1.5, 2022 added, 2019 (0.5) deleted.
    con.execute(
        "INSERT INTO value_revision VALUES "
        "('A','1',2021,'T',1.5,2.0,'2026-09-15 03:00'), "
        "('A','1',2022,'T',NULL,3.0,'2026-09-15 03:00'), "
        "('A','1',2019,'T',0.5,NULL,'2026-09-15 03:00'), "
        # a second revision of 2021 later: the first one's old value is what 08-31 knew
        "('A','1',2021,'T',1.8,2.0,'2026-10-01 03:00')"
    )

    def at(day: str) -> list[tuple]:
        return con.execute(
            "SELECT year, value FROM values_as_of(?::DATE) ORDER BY year", [day]
        ).fetchall()

    assert at("2026-08-31") == [(2019, 0.5), (2020, 1.0), (2021, 1.5)]
    assert at("2026-09-15") == [(2020, 1.0), (2021, 1.8), (2022, 3.0)]
    assert at("2026-10-01") == [(2020, 1.0), (2021, 2.0), (2022, 3.0)]
    con.close()


def test_report_label_names_the_checkpoint_or_the_usual_report() -> None:
    cps = [("Delårsrapport per 31 augusti", "08-31"), ("Halvårsbokslut", "06-30")]
    assert report_label(cps, AUGUST) == ("Delårsrapport per 31 augusti 2023", True)
    assert report_label(cps, APRIL) == ("Delårsrapport per 30 april 2023", False)
    assert report_label([], dt.date(2023, 5, 5)) == ("Avstämning per 2023-05-05", False)


# ------------------------------------------------------------------ diff (pure)


def _ind(**kw: object) -> ReportIndicator:
    base = {
        "indicator_id": "i1",
        "goal_id": "g1",
        "title": "Andel",
        "kpi_id": "N1",
        "judged_kpi_id": "N1",
        "gender": "T",
        "unit": "%",
        "direction": "öka",
        "ambitions": [],
        "years": [2020, 2021],
        "values": [1.0, 2.0],
        "status": "Förbättras",
        "basis": "riktning",
        "reason": "r",
        "latest_year": 2021,
        "latest_value": 2.0,
        "data_age_years": 1,
        "next_publication": None,
        "change_per_year": 1.0,
        "target_value": None,
        "target_date": None,
        "horizon_years": None,
        "method": None,
        "point": None,
        "lo80": None,
        "hi80": None,
        "p_met": None,
    }
    return ReportIndicator(**(base | kw))


def _goal(**kw: object) -> ReportGoal:
    base = {
        "goal_id": "g1",
        "framework_id": "f",
        "area_id": None,
        "number": 1,
        "title": "Målet",
        "type": "styrande",
        "measurability": "kvantitativ",
        "ambition_text": None,
        "status": "Förbättras",
        "reason": "r",
        "counts": {},
        "weakest_indicator": None,
        "forecast_allowed": True,
        "assessment": None,
        "assessment_comment": None,
        "disagrees": False,
    }
    return ReportGoal(**(base | kw))


def _report(date: dt.date, goals: list[ReportGoal], inds: list[ReportIndicator]) -> Report:
    return Report(
        municipality_id="0001",
        municipality_name="Test",
        date=date,
        label=str(date),
        frozen_at=dt.datetime(2023, 9, 1),
        data_date=None,
        vintage_note="",
        source="",
        frameworks=[],
        areas=[],
        goals=goals,
        indicators=inds,
    )


def test_diff_names_each_kind_of_change() -> None:
    old = _report(
        APRIL,
        [_goal(), _goal(goal_id="g2", title="Två"), _goal(goal_id="g3", title="Tre")],
        [_ind(), _ind(indicator_id="i2", goal_id="g2", title="B")],
    )
    new = _report(
        AUGUST,
        [
            _goal(status="Försämras", assessment="På väg"),
            _goal(goal_id="g2", title="Två", status="Oförändrat"),
            _goal(goal_id="g4", title="Fyra"),
        ],
        [
            _ind(
                years=[2020, 2021, 2022],
                values=[1.0, 2.5, 3.0],
                ambitions=[ReportAmbition(date=dt.date(2024, 12, 31), value=5, kind="periodmål")],
            ),
            _ind(indicator_id="i2", goal_id="g2", title="B"),
        ],
    )
    changes = {c.goal_id: c for c in diff_reports(old, new)}
    assert set(changes) == {"g1", "g2", "g3", "g4"}
    g1 = changes["g1"]
    assert (g1.old_status, g1.new_status, g1.status_changed) == ("Förbättras", "Försämras", True)
    assert g1.reasons == [
        "Ledningens bedömning ändrad: ingen → På väg.",
        "Andel: ändrad ambition (ingen → periodmål 5 till 2024-12-31).",
        "Andel: nytt värde i Kolada för 2022: 3.",
        "Andel: Kolada har reviderat värdet för 2021 från 2 till 2,5.",
    ]
    # Same inputs, new status: explained by the later date.
    assert changes["g2"].reasons[0].startswith("Samma värden och ambitioner; bedömningsdagen")
    assert changes["g3"].new_status is None and changes["g4"].old_status is None


def test_identical_reports_have_no_changes() -> None:
    r = _report(APRIL, [_goal()], [_ind()])
    assert diff_reports(r, r.model_copy(update={"date": AUGUST})) == []


def test_removed_value_is_reported() -> None:
    old = _report(APRIL, [_goal()], [_ind()])
    new = _report(AUGUST, [_goal()], [_ind(years=[2021], values=[2.0])])
    assert diff_reports(old, new)[0].reasons == [
        "Andel: värdet för 2020 (1) finns inte längre i Kolada."
    ]


# ------------------------------------------------------------------ freeze, ETL, freeze


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Paths]:
    """A state folder with an offline-built database and Vaggeryd's goal file only, as
    the app and the CLI see it (MALPULS_DATA_DIR, MALPULS_GOALS_DIR). The file is as the
    municipality wrote it, without the bundled proposals: these tests follow revised
    values, not target provenance (test_exports_tell_a_proposed_target_from_a_decided_one)."""
    goals = tmp_path / "goals"
    goals.mkdir()
    goal_file_without_proposals("0665-vaggeryd.yaml", goals / "0665-vaggeryd.yaml")
    monkeypatch.setenv("MALPULS_DATA_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("MALPULS_GOALS_DIR", str(goals))
    paths = Paths.from_env()
    paths.db_path.parent.mkdir()
    build_offline(paths, now=dt.datetime(2023, 4, 1), progress=lambda _m: None)
    yield paths


def _indicator(report: Report, indicator_id: str) -> ReportIndicator:
    return next(i for i in report.indicators if i.indicator_id == indicator_id)


def test_frozen_report_survives_revised_data_and_the_diff_explains(state: Paths) -> None:
    quiet = {"progress": lambda _m: None}
    april = freeze(state, "0665", APRIL, now=dt.datetime(2023, 5, 2, 9), **quiet)
    frozen_bytes = april.read_bytes()
    before = load_report(april)
    assert _indicator(before, "ks-2-langtidsarbetslosa").values[-1] == pytest.approx(2.140871)

    # Kolada revises Vaggeryd's 2022 value; the nightly run on 15 June fetches it.
    with KoladaStandIn(KOLADA) as api:
        api.revise("N03926", "0665", 2022, "T", 3.5, on=dt.date(2023, 6, 15))
        result = run_live(
            state, quick_settings(api), now=dt.datetime(2023, 6, 15, 3), full=True, **quiet
        )
    assert result.changed == 1
    with duckdb.connect(str(state.db_path), read_only=True) as con:
        assert con.execute(
            "SELECT kpi, year, old_value, new_value FROM value_revision"
        ).fetchall() == [("N03926", 2022, pytest.approx(2.140871), 3.5)]

    # The frozen April report is untouched, and recomputing April gives the same answer:
    # the value fetched in June does not count on 30 April.
    assert april.read_bytes() == frozen_bytes
    again, _ = build_report(state, "0665", APRIL, dt.datetime(2023, 9, 1))
    assert again.indicators == before.indicators and again.goals == before.goals
    with pytest.raises(ReportExistsError):
        save_report(state.reports_dir, again)
    assert april.read_bytes() == frozen_bytes

    august = load_report(freeze(state, "0665", AUGUST, now=dt.datetime(2023, 9, 1, 9), **quiet))
    assert _indicator(august, "ks-2-langtidsarbetslosa").values[-1] == 3.5
    changes = {c.goal_id: c for c in diff_reports(before, august)}
    assert sorted(changes) == ["ks-2", "ks-3"]
    # Nystartade företag (N00999) is published in June: its 2022 value was not known on
    # 30 April and is on 31 August (core.judging.is_known).
    assert changes["ks-3"].reasons == ["Nya företag: nytt värde i Kolada för 2022: 8,62."]
    assert not changes["ks-3"].status_changed
    change = changes["ks-2"]
    assert change.reasons == [
        "Andelen långtidsarbetslösa: Kolada har reviderat värdet för 2022 från 2,14 till 3,5."
    ]
    assert (change.old_status, change.new_status) == ("Oförändrat", "Försämras")

    # The reports page shows April exactly as frozen and the change to August.
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["kommun"] = "0665"
    at.run()
    at.switch_page("app_pages/reports.py").run()
    at.query_params["rapport"] = "2023-08-31"
    at.query_params["jamfor"] = "2023-04-30"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text = "\n".join(m.value for m in at.markdown)
    assert "**1 mål har ändrad status**" in text
    assert "Kolada har reviderat värdet för 2022 från 2,14 till 3,5." in text
    at.selectbox(key="rapport").set_value("2023-04-30").run()
    summary = at.dataframe[0].value
    ks2 = summary[summary["Mål"].str.startswith("2. Möjligheten")].iloc[0]
    assert ks2["Status"] == "▬ Oförändrat"  # as frozen, not as the revised data says now

    # A damaged report file is named; the intact ones still open.
    (state.reports_dir / "0665-2023-12-31.json").write_text('{"label": 1}', encoding="utf-8")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Rapportfilen 0665-2023-12-31.json är skadad" in at.warning[0].value
    assert at.selectbox(key="rapport").options == [
        "Delårsrapport per 31 augusti 2023 (fryst 2023-09-01 09:00)",
        "Delårsrapport per 30 april 2023 (fryst 2023-05-02 09:00)",
    ]


# ------------------------------------------------------------------ exports


@pytest.fixture(scope="module")
def norberg_report(built_paths: Paths) -> Report:
    report, _ = build_report(built_paths, "1962", AUGUST, dt.datetime(2023, 9, 1))
    return report


def test_excel_export(norberg_report: Report) -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_workbook(norberg_report)))
    assert book.sheetnames[0] == "Sammanfattning"
    assert len(book.sheetnames) == 1 + 6  # Norberg's six strategic areas
    summary = list(book["Sammanfattning"].values)
    header_row = next(i for i, r in enumerate(summary) if r[0] == "Område")
    goals = [r for r in summary[header_row + 1 :] if r[1]]
    assert [r[2] for r in goals] == [g.status for g in norberg_report.goals]
    assert summary[1][1] == "Delårsrapport per 31 augusti 2023"
    assert any(r[0] == "Egen bearbetning av data från Kolada" for r in summary)
    area = list(book[book.sheetnames[1]].values)
    header = area[3]
    assert header[:5] == ("Mål", "Målstatus", "Indikator", "Kolada-id", "Status")
    rows = [r for r in area[4:] if r[2] and r[0] != header[0] and r[3]]
    first = _indicator(norberg_report, norberg_report.indicators[0].indicator_id)
    assert rows[0][2] == first.title and rows[0][4] == first.status
    assert rows[0][7] == first.latest_year and rows[0][8] == pytest.approx(first.latest_value)
    with_forecast = [i for i in norberg_report.indicators if i.point is not None]
    assert with_forecast, "some indicator has a forecast to export"
    all_rows = [r for s in book.sheetnames[1:] for r in book[s].values]
    for i in with_forecast:
        point = _column("Prognos")
        row = next(r for r in all_rows if r[2] == i.title and r[0] and r[point] is not None)
        assert row[point : point + 3] == pytest.approx((i.point, i.lo80, i.hi80))
    assert "Källa: Kolada" in str(area[-1][0])


def test_word_export(norberg_report: Report) -> None:
    doc = Document(io.BytesIO(to_docx(norberg_report)))
    assert doc.core_properties.language == "sv-SE"
    assert "en-US" not in doc.styles.element.xml  # Swedish for screen readers and spelling
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings.count(SECTION_TITLE) == len(norberg_report.goals)
    assert f"Mål 2. {norberg_report.goals[1].title}" in headings
    charted = [i for i in norberg_report.indicators if i.years]
    assert len(doc.inline_shapes) == len(charted) > 40
    png = doc.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    assert doc.part.related_parts[png].content_type == "image/png"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Egen bearbetning av data från Kolada" in text and "Källa: Kolada" in text
    first = norberg_report.goals[0]
    assert f"Bedömning: {status_text(first.status)}. {first.reason}" in text
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells][:2] == ["Indikator", "Status"]
    assert len(table.rows) == 1 + len(norberg_report.indicators_of(norberg_report.goals[0].goal_id))


# ------------------------------------------------- targets: decided or proposed (issue 16)

MID_2021 = dt.date(2021, 6, 30)  # Norberg's checkpoint; the 2022 targets lie ahead
DECIDED_KPI, PROPOSED_KPI = "N15428", "N17461"


def _column(title: str) -> int:
    """The 0-based index of an indicator sheet's column."""
    return [t for t, _w in INDICATOR_COLUMNS].index(title)


def _indicator_rows(book: openpyxl.Workbook) -> list[tuple]:
    kpi = _column("Kolada-id")
    return [
        r
        for s in book.sheetnames[1:]
        for r in book[s].values
        if len(r) > kpi and r[kpi] and r[0] != "Mål"
    ]


def _word(report: Report) -> tuple[str, list[list[str]], list[str]]:
    """(the paragraphs' text, the indicator tables' rows, the pictures' alt texts)."""
    doc = Document(io.BytesIO(to_docx(report, chart=lambda _i, _n: _PNG)))
    text = "\n".join(p.text for p in doc.paragraphs)
    rows = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    alts = [s._inline.docPr.get("descr") for s in doc.inline_shapes]
    return text, rows, alts


@pytest.fixture
def target_report(tmp_path: Path, tiny_paths: Paths, monkeypatch: pytest.MonkeyPatch) -> Report:
    """Norberg's first goal with one decided target value (N15428) and one proposed
    (N17461) and no other target, as etl.goal_edit writes them, frozen at 30 June 2021."""
    import yaml

    from etl.goal_edit import add_ambitions
    from etl.reference import read_reference_data

    monkeypatch.setenv("MALPULS_DATA_DIR", str(tmp_path / "state"))
    goals = tmp_path / "goals"
    goals.mkdir()
    f = goal_file_without_proposals("1962-norberg.yaml", goals / "1962-norberg.yaml")
    ref = read_reference_data(tiny_paths.reference_dir, KOLADA)
    target = {"kind": "periodmål", "date": dt.date(2022, 12, 31)}
    decided = {"value": 85.0, "provenance": "beslut", "decision": "KF 2020-06-15 § 40"}
    proposal = {
        "value": 90.0,
        "provenance": "förslag",
        "proposal": {"method": "testets förslag", "date": dt.date(2026, 1, 1), "by": "test"},
    }
    add_ambitions(f, "n1-behoriga-yrkesprogram", [target | decided], ref=ref)
    add_ambitions(f, "n1-gymnasieexamen-4-ar", [target | proposal], ref=ref)
    raw = yaml.safe_load(f.read_text(encoding="utf-8"))
    framework = raw["frameworks"][0]
    framework["areas"] = framework["areas"][:1]  # goal 1 only: the build takes a second
    f.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    paths = replace(Paths.from_env(), goals_dir=goals, kolada_dir=tiny_paths.kolada_dir)
    paths.db_path.parent.mkdir()
    build_offline(paths, now=dt.datetime(2026, 1, 1), progress=lambda _m: None)
    report, _ = build_report(paths, "1962", MID_2021, dt.datetime(2026, 1, 1))
    return report


def _by_kpi(report: Report, kpi: str) -> ReportIndicator:
    return next(i for i in report.indicators if i.kpi_id == kpi)


def test_exports_tell_a_proposed_target_from_a_decided_one(target_report: Report) -> None:
    """A status against a proposed target value reads "mot förslag till målvärde (ej
    beslutat)" and its target "Förslag till målvärde" in Word, "Förslag" in Excel and a
    hollow dashed diamond in the chart; a decided one reads Målvärde, never förslag."""
    decided, proposed = _by_kpi(target_report, DECIDED_KPI), _by_kpi(target_report, PROPOSED_KPI)
    assert (decided.target_provenance, proposed.target_provenance) == ("beslut", "förslag")
    assert decided.target_value == 85.0 and proposed.target_value == 90.0
    judged = [i for i in target_report.indicators if i.target_value is not None]
    assert len(judged) == 2

    text, rows, alts = _word(target_report)
    n, g = len(target_report.indicators), len(target_report.goals)
    assert f"Förslag till målvärden: 1 av {n} indikatorer och " in text
    assert f"Mot beslutade målvärden är 1 av {n} indikatorer bedömda." in text
    header = next(r for r in rows if r[0] == "Indikator")
    assert header[3] == "Målvärde eller förslag till målvärde"
    on_proposal = next(r for r in rows if r[0] == proposed.title)
    assert on_proposal[1].endswith(" mot förslag till målvärde (ej beslutat)")
    assert on_proposal[3] == "Förslag till målvärde: 90 till 2022-12-31 (ej beslutat)"
    on_decision = next(r for r in rows if r[0] == decided.title)
    assert on_decision[3] == "85 till 2022-12-31"
    assert "förslag" not in (on_decision[1] + on_decision[3]).lower()
    assert f"{proposed.title}: {proposed.reason} Ofylld, streckad romb: förslag" in text
    assert f"{decided.title}: {decided.reason} Värden:" in text
    assert "förslag" not in decided.reason
    charted = [i for i in target_report.indicators if i.years]
    assert alts == [alt_text(i, "Norberg") for i in charted]
    assert "förslag till målvärde (ej beslutat) 90 år 2022" in alts[charted.index(proposed)]
    assert "; målvärde 85 år 2022" in alts[charted.index(decided)]
    assert "förslag" not in alts[charted.index(decided)]

    book = openpyxl.load_workbook(io.BytesIO(to_workbook(target_report)))
    rows = {r[_column("Kolada-id")]: r for r in _indicator_rows(book)}
    is_ = _column("Målvärdet är")
    assert rows[PROPOSED_KPI][is_] == "Förslag" and rows[DECIDED_KPI][is_] == "Beslutat"
    basis = _column("Bedömd mot")
    assert rows[PROPOSED_KPI][basis] == "förslag till målvärde (ej beslutat)"
    assert rows[DECIDED_KPI][basis] == "målvärde"
    assert all(r[is_] is None for k, r in rows.items() if k not in (DECIDED_KPI, PROPOSED_KPI))
    summary = {r[0]: r[1] for r in book["Sammanfattning"].values if r[0]}
    assert summary["Förslag till målvärden"].startswith(f"1 av {n} indikatorer och ")
    assert f"av {g} mål" in summary["Förslag till målvärden"]
    assert summary["Förslag till målvärden"].endswith(
        f"; 1 av {n} indikatorer mot beslutade målvärden."
    )


def test_report_chart_draws_a_proposal_hollow_and_dashed(target_report: Report) -> None:
    decided, proposed = _by_kpi(target_report, DECIDED_KPI), _by_kpi(target_report, PROPOSED_KPI)
    spec = indicator_chart(proposed, "Norberg").to_dict()
    marks = [layer["mark"] for layer in spec["layer"] if layer["mark"].get("shape") == "diamond"]
    assert len(marks) == 1
    fill = next(layer["encoding"]["fill"] for layer in spec["layer"] if "fill" in layer["encoding"])
    assert fill["scale"] == {"domain": ["Förslag till målvärde"], "range": ["white"]}
    tooltips = [t.get("title") for layer in spec["layer"] for t in layer["encoding"]["tooltip"]]
    assert "Förslag till målvärde" in tooltips and "Målvärde" not in tooltips
    assert "förslag till målvärde (ej beslutat)" in spec["description"]
    spec = indicator_chart(decided, "Norberg").to_dict()
    tooltips = [t.get("title") for layer in spec["layer"] for t in layer["encoding"]["tooltip"]]
    assert "Målvärde" in tooltips and "Förslag till målvärde" not in tooltips
    assert "förslag" not in spec["description"]


def test_norberg_2021_rests_on_the_bundled_proposals(built_paths: Paths) -> None:
    """The bundled goal file's targets are proposals (`python -m etl propose`): a report
    at Norberg's 2021 checkpoint says so wherever a target is used, never "Målvärde"
    alone, and counts no proposal as a decided target."""
    report, _ = build_report(built_paths, "1962", MID_2021, dt.datetime(2023, 9, 1))
    on_proposal = [i for i in report.indicators if i.target_provenance == "förslag"]
    assert on_proposal
    assert not [i for i in report.indicators if i.target_provenance == "beslut"]
    text, rows, alts = _word(report)
    assert f"Förslag till målvärden: {len(on_proposal)} av {len(report.indicators)} " in text
    assert f"Mot beslutade målvärden är 0 av {len(report.indicators)} indikatorer" in text
    titles = {i.title for i in on_proposal}
    table_rows = [r for r in rows if r[0] in titles]
    assert len(table_rows) == len(on_proposal)
    for r in table_rows:
        assert r[1].endswith("mot förslag till målvärde (ej beslutat)")
        assert r[3].startswith("Förslag till målvärde: ")
    assert all(r[3] == "–" for r in rows if r[0] not in titles and r[0] != "Indikator")
    assert any("förslag till målvärde (ej beslutat)" in a for a in alts)

    book = openpyxl.load_workbook(io.BytesIO(to_workbook(report)))
    is_ = _column("Målvärdet är")
    marks = [r[is_] for r in _indicator_rows(book) if r[_column("Målvärde")] is not None]
    assert marks and set(marks) == {"Förslag"}
    with_p = [i for i in on_proposal if i.p_met is not None]
    assert with_p, "some status rests on P(met) against a proposal"
    assert all("förslag" in i.reason for i in with_p)


# ------------------------------------------------------------------ CLI


def _cli(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reports", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "MALPULS_DATA_DIR": str(state)},
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_freeze_list_diff_export(built_paths: Paths, tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    shutil.copy(built_paths.db_path, state / "malpuls.duckdb")
    ok = _cli(state, "freeze", "--kommun", "1962", "--date", "2023-04-30")
    assert ok.returncode == 0, ok.stderr
    assert "Fryst: Delårsrapport per 30 april 2023, Norberg: 10 mål" in ok.stdout
    assert "ingen rapportpunkt i målfilen" in ok.stdout
    first = (state / "reports" / "1962-2023-04-30.json").read_bytes()
    again = _cli(state, "freeze", "--kommun", "1962", "--date", "2023-04-30")
    assert again.returncode == 1 and "redan en fryst rapport" in again.stderr
    assert (state / "reports" / "1962-2023-04-30.json").read_bytes() == first
    assert _cli(state, "freeze", "--kommun", "1962", "--date", "2023-06-30").returncode == 0
    listed = _cli(state, "list")
    assert "1962 2023-06-30 Halvårsbokslut (målavstämning via nyckeltal) 2023" in listed.stdout
    diff = _cli(state, "diff", "--kommun", "1962", "--from", "2023-04-30", "--to", "2023-06-30")
    # Skyddad natur (N85054) is published in May: its 2022 value is new on 30 June.
    assert diff.returncode == 0
    assert "Skyddad natur total, andel (%): nytt värde i Kolada för 2022: 1,12." in diff.stdout
    out = tmp_path / "r.xlsx"
    exp = _cli(state, "export", "--kommun", "1962", "--date", "2023-06-30", "--format", "xlsx",
               "--out", str(out))  # fmt: skip
    assert exp.returncode == 0, exp.stderr
    assert openpyxl.load_workbook(out).sheetnames[0] == "Sammanfattning"
    missing = _cli(state, "export", "--kommun", "1962", "--date", "2023-08-31", "--format", "docx")
    assert missing.returncode == 1 and "Frysta: 2023-06-30, 2023-04-30" in missing.stderr
    future = _cli(state, "freeze", "--kommun", "1962", "--date", "2099-08-31")
    assert future.returncode == 1 and "före rapportdagen" in future.stderr
    unknown = _cli(state, "freeze", "--kommun", "0001", "--date", "2023-08-31")
    assert unknown.returncode == 1 and "har ingen målfil" in unknown.stderr
    (state / "reports" / "1962-2023-06-30.json").write_text("{", encoding="utf-8")
    broken = _cli(state, "list")
    assert broken.returncode == 1 and "1962-2023-06-30.json är skadad" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_reports_page_empty_state(built_paths: Paths) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["kommun"] = "0685"
    at.run()
    at.switch_page("app_pages/reports.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Inga rapporter är frysta för Vetlanda" in at.info[0].value
    # A leader's page names who freezes a report, not the command (that is on Om data).
    assert "Målpuls förvaltare att frysa" in at.info[0].value
    assert "python -m" not in at.info[0].value


@pytest.mark.parametrize("kommun", ["0665", "0685", "1962"])
def test_each_municipality_april_and_august_freeze_compare_export(
    built_paths: Paths, tmp_path: Path, kommun: str
) -> None:
    """The issue's done-when for every municipality: an April and an August report frozen,
    compared, and exported to files Excel and Word open (checked by reading them back)."""
    folder = tmp_path / "reports"
    reports = {}
    for date in (APRIL, AUGUST):
        report, _ = build_report(built_paths, kommun, date, dt.datetime(2023, 9, 1))
        reports[date] = load_report(save_report(folder, report))
        assert reports[date] == report  # reopened exactly as frozen
    april, august = reports[APRIL], reports[AUGUST]
    assert august.label == "Delårsrapport per 31 augusti 2023"
    assert [g.goal_id for g in august.goals] == [g.goal_id for g in april.goals]
    # Same data: the only inputs that differ are values Kolada published between the two
    # dates (the KPI's publication pattern); any other status change is put down to the
    # later date.
    for change in diff_reports(april, august):
        published = [r for r in change.reasons if "nytt värde i Kolada för " in r]
        if published:
            assert published == change.reasons
        else:
            assert change.status_changed
            assert change.reasons == [change.reasons[0]]
            assert change.reasons[0].startswith("Samma värden och ambitioner")
    book = openpyxl.load_workbook(io.BytesIO(to_workbook(august)))
    summary = list(book["Sammanfattning"].values)
    assert summary[0][1] == f"{august.municipality_name} ({kommun})"
    doc = Document(io.BytesIO(to_docx(august, chart=lambda _i, _n: _PNG)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings.count(SECTION_TITLE) == len(august.goals)
    assert len(doc.inline_shapes) == sum(1 for i in august.indicators if i.years)


def _tiny_png() -> bytes:
    """A valid 1×1 PNG: the chart renderer itself is tested once, on Norberg, above."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


_PNG = _tiny_png()


def test_diff_lists_changed_assessment_words_and_sign_off() -> None:
    signed = dt.datetime(2026, 9, 10, 14, 5)
    old = _report(APRIL, [_goal(assessment="På väg", assessment_comment="Bra fart.")], [_ind()])
    same_status = _goal(
        assessment="På väg",
        assessment_comment="Bra fart, men personalbrist.",
        assessment_actions="Rekrytera två sjuksköterskor.",
        assessment_by="anna@norberg.se",
        assessment_signed_off_at=signed,
    )
    new = _report(AUGUST, [same_status], [_ind()])
    (change,) = diff_reports(old, new)
    assert change.reasons == [
        "Bedömningens kommentar ändrad (På väg).",
        "Bedömningens planerade åtgärder ändrade.",
    ]
    other = _report(
        AUGUST,
        [same_status.model_copy(update={"assessment": "Osäkert"})],
        [_ind()],
    )
    (change,) = diff_reports(old, other)
    assert change.reasons == [
        "Ledningens bedömning ändrad: På väg → Osäkert (klarmarkerad av anna@norberg.se)."
    ]
    resigned = _report(
        AUGUST,
        [same_status.model_copy(update={"assessment_signed_off_at": signed.replace(day=11)})],
        [_ind()],
    )
    (change,) = diff_reports(new, resigned)
    assert change.reasons == ["Bedömningen klarmarkerad på nytt av anna@norberg.se."]
