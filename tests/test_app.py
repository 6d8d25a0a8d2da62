"""AppTest: every page renders for every municipality without an exception, URL
parameters choose the municipality, a bad one gets a Swedish message, and a missing or
too-new database gets a message naming the command (the app never builds it). The app
reads the tiny database (tests/tiny.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from config import PROJECT_ROOT, Paths

APP = str(PROJECT_ROOT / "app.py")
PAGES = [
    "app_pages/overview.py",
    "app_pages/agenda.py",
    "app_pages/reports.py",
    "app_pages/method.py",
    "app_pages/about.py",
]
KOMMUNER = {"1962": "Norberg", "0665": "Vaggeryd", "0685": "Vetlanda"}


def _app(kommun: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if kommun is not None:
        at.query_params["kommun"] = kommun
    return at


def _text(at: AppTest) -> str:
    parts = [e.value for e in (*at.title, *at.header, *at.subheader, *at.markdown, *at.caption)]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("kommun", sorted(KOMMUNER))
def test_every_page_for_every_municipality(tiny_env: Paths, kommun: str) -> None:
    """One session walks every page, as a user clicking through would: the municipality
    stays chosen (one session per municipality: each run of the start page costs)."""
    at = _app(kommun)
    at.run()
    assert at.selectbox(key="kommun").value == kommun
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
        assert at.query_params["kommun"] == kommun, page
        assert at.selectbox(key="kommun").value == kommun, page
        text = _text(at)
        assert "Källa: Kolada" in text or "Egen bearbetning av data från Kolada" in text, page


@pytest.mark.parametrize("kommun", sorted(KOMMUNER))
def test_overview_shows_goals_and_indicators(tiny_env: Paths, kommun: str) -> None:
    at = _app(kommun)
    at.run()
    assert at.title[0].value == f"Översikt – {KOMMUNER[kommun]}"
    assert at.query_params["kommun"] == kommun
    text = _text(at)
    if kommun == "1962":
        assert "Strategiskt område 1: Norberg - att växa upp i" in text
        assert "Mål 2. Vi har en god folkhälsa." in _page_links(at)
        tables = [t.value for t in at.table]
        assert any(
            "Elever i åk. 9 som är behöriga" in " ".join(t["Nyckeltal"])
            for t in tables
            if "Nyckeltal" in t
        )
        row = next(t for t in tables if "Nyckeltal" in t and "N15428" in list(t["Kolada-id"]))
        n15428 = row[row["Kolada-id"] == "N15428"].iloc[0]
        assert (n15428["Senaste värde"], n15428["År"]) == ("78,3", "2022")
    if kommun == "0685":
        grid = at.table[0].value
        assert list(grid.columns) == ["Bo", "Leva", "Verka"]
        assert grid.shape == (3, 3)
    if kommun == "0665":
        assert "Mål utan område" in text
        assert "Målet är inte definierat ännu." in text


def test_default_municipality_without_parameter(tiny_env: Paths) -> None:
    at = _app()
    at.run()
    assert not at.exception
    assert at.title[0].value == "Översikt – Norberg"
    assert at.query_params["kommun"] == "1962"


@pytest.mark.parametrize("bad", ["9999", "x'; DROP TABLE kpi;--", "<script>alert(1)</script>"])
def test_unknown_municipality_gets_swedish_message(tiny_env: Paths, bad: str) -> None:
    at = _app(bad)
    at.run()
    assert not at.exception
    assert len(at.error) == 1
    assert "finns inte i Målpuls" in at.error[0].value
    assert not at.title  # nothing is guessed


def test_choosing_municipality_updates_url(tiny_env: Paths) -> None:
    at = _app("1962")
    at.run()
    at.selectbox(key="kommun").set_value("0685").run()
    assert at.query_params["kommun"] == "0685"
    assert at.title[0].value == "Översikt – Vetlanda"


@pytest.fixture
def empty_state(tmp_path: Path) -> Iterator[Path]:
    old = os.environ.get("MALPULS_DATA_DIR")
    os.environ["MALPULS_DATA_DIR"] = str(tmp_path)
    yield tmp_path
    if old is None:
        os.environ.pop("MALPULS_DATA_DIR")
    else:
        os.environ["MALPULS_DATA_DIR"] = old


def test_missing_database_names_the_command_and_builds_nothing(empty_state: Path) -> None:
    """The dashboard never builds the database (`make run` does): without one, every page
    says so in Swedish, naming the command, and no file appears."""
    at = _app("0665")
    at.run(timeout=60)
    assert not at.exception
    assert not (empty_state / "malpuls.duckdb").exists()
    assert "Databasen saknas" in at.error[0].value
    assert "make run" in at.error[0].value


def test_database_from_newer_code_is_refused_with_a_message(
    tiny_paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database recording a migration this code does not know (newer code wrote it) is
    refused with a Swedish message, never read half-understood or shown as a traceback."""
    import shutil

    import duckdb

    copy = tmp_path / "malpuls.duckdb"
    shutil.copy(tiny_paths.db_path, copy)
    con = duckdb.connect(str(copy))
    con.execute("INSERT INTO _migrations VALUES ('m999_from_the_future', now())")
    con.close()
    monkeypatch.setenv("MALPULS_DATA_DIR", str(tmp_path))
    at = _app("0665")
    at.run(timeout=60)
    assert not at.exception
    assert "Databasen är nyare än programmet" in at.error[0].value


def test_data_page_flags_goal_indicators_with_retired_kpis(tiny_env: Paths) -> None:
    at = _app("1962")
    at.run()
    at.switch_page("app_pages/about.py").run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("målindikatorer följer nyckeltal som inte längre finns" in w for w in warnings)
    flagged = next(t.value for t in at.table if "Efterföljare" in t.value.columns)
    row = flagged[flagged["Nyckeltal"] == "N15533"].iloc[0]
    assert row["Efterföljare"] == "N15643"


def test_failed_run_shows_banner_and_keeps_serving(tiny_env: Paths) -> None:
    status = tiny_env.status_path
    saved = status.read_text(encoding="utf-8") if status.exists() else None
    status.write_text(
        '{"mode": "incremental", "started_at": "2026-11-22T03:00:00", '
        '"finished_at": "2026-11-22T03:05:00", "outcome": "failed", '
        '"error_title": "Kolada svarar inte", "message": "...", "warnings": []}',
        encoding="utf-8",
    )
    try:
        at = _app("0665")
        at.run()
        assert not at.exception
        assert at.title[0].value == "Översikt – Vaggeryd"  # last good data still served
        banner = " ".join(w.value for w in at.sidebar.warning)
        assert "Senaste körningen misslyckades (22 november 2026 kl. 03:05)" in banner
        assert "Kolada svarar inte" in banner
    finally:
        if saved is None:
            status.unlink()
        else:
            status.write_text(saved, encoding="utf-8")


def test_app_picks_up_a_new_database_without_restart(
    empty_state: Path, tmp_path: Path, tiny_paths: Paths
) -> None:
    """The ETL replaces the file atomically; the next rerun reads the new file (caches are
    keyed on the file's identity), with no restart. The first file is a copy of the tiny
    build; the new one holds Vaggeryd's goal file only (a quicker build)."""
    import datetime as dt
    import shutil
    from dataclasses import replace

    from etl.pipeline import build_offline

    paths = replace(Paths.from_env(), kolada_dir=tiny_paths.kolada_dir)
    shutil.copy(tiny_paths.db_path, paths.db_path)
    at = _app("0665")
    at.run()
    assert at.header[0].value == "KS mål 2019"

    goals = tmp_path / "goals"
    goals.mkdir()
    f = goals / "0665-vaggeryd.yaml"
    shutil.copy(PROJECT_ROOT / "data" / "goals" / f.name, f)
    f.write_text(
        f.read_text(encoding="utf-8").replace("name: KS mål 2019", "name: KS mål 2020"),
        encoding="utf-8",
    )
    build_offline(
        replace(paths, goals_dir=goals), now=dt.datetime(2026, 1, 2), progress=lambda _m: None
    )
    at.run()
    assert not at.exception
    assert at.header[0].value == "KS mål 2020"


def test_method_page_shows_the_backtest_table(tiny_env: Paths) -> None:
    at = _app("1962")
    at.run()
    at.switch_page("app_pages/method.py").run()
    assert not at.exception
    text = _text(at)
    assert "pooled_growth" in text and "MASE" in text
    assert "Egen bearbetning av data från Kolada" in text


def test_overview_shows_statuses_with_icon_and_word(tiny_env: Paths) -> None:
    at = _app("1962")
    at.run()
    tables = [t.value for t in at.table if "Status" in t.value.columns]
    statuses = {s for t in tables for s in t["Status"]}
    assert statuses & {"▲ Förbättras", "▼ Försämras", "▬ Oförändrat"}
    assert all(s == "–" or s[0] in "✔●▲◐▬✖▼?◌" for s in statuses)
    text = _text(at)
    assert "Svagaste nyckeltalet avgör" in text
    assert "Egen bearbetning av data från Kolada" in text


def test_what_if_uses_the_same_rules(tiny_env: Paths) -> None:
    at = _app("1962")
    at.run()
    at.switch_page("app_pages/method.py").run()
    assert not at.exception
    at.selectbox(key="whatif_ind").set_value("n1-behoriga-yrkesprogram").run()
    at.number_input(key="whatif_target").set_value(60.0).run()  # already above: met
    assert any(":green-badge[✔ Uppnått]" in m.value for m in at.markdown)
    at.number_input(key="whatif_target").set_value(99.0).run()  # far above: a forecast
    text = _text(at)
    assert "Prognos för" in text and "80 % intervall" in text
    assert any("Ej på väg" in m.value or "Osäkert" in m.value for m in at.markdown)


def _goal_page(kommun: str, **params: str) -> AppTest:
    """Open /mal with query parameters (AppTest reaches a page by switching from the main
    page, which drops page-specific parameters, so they are set after the switch)."""
    at = _app(kommun)
    at.run()
    at.switch_page("app_pages/goal.py").run()
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


def _walk(node: object) -> Iterator[object]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _count(at: AppTest, kind: str) -> int:
    return sum(1 for n in _walk(at._tree) if getattr(n, "type", None) == kind)


@pytest.mark.parametrize(
    ("kommun", "goal", "title"),
    [
        ("1962", "mal-2", "Mål 2. Vi har en god folkhälsa."),
        ("0665", "ks-2", "Mål 2. Möjligheten till egen försörjning skall öka för alla målgrupper"),
        ("0685", "trygghet-och-tillit", "Delstrategi 1. Stärka trygghet och tillit"),
    ],
)
def test_goal_page_from_url(tiny_env: Paths, kommun: str, goal: str, title: str) -> None:
    at = _goal_page(kommun, mal=goal)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.startswith(title)
    assert at.query_params["mal"] == goal
    if kommun == "1962":
        # One chart per indicator with Kolada values (mal-2 has one local indicator).
        assert _count(at, "vega_lite_chart") == 7
        assert "Medianen för liknande kommuner" in _text(at)
    if kommun == "0685":
        assert "Utmaningar" in _text(at) and "(förslag)" in _text(at)


def test_goal_page_indicator_parameter_shows_one_chart(tiny_env: Paths) -> None:
    at = _goal_page("1962", mal="mal-2", indikator="n2-ohalsotal")
    assert not at.exception
    assert _count(at, "vega_lite_chart") == 1
    assert at.query_params["indikator"] == "n2-ohalsotal"


@pytest.mark.parametrize("bad", ["mal-99", "'; DROP TABLE goal; --"])
def test_goal_page_unknown_goal(tiny_env: Paths, bad: str) -> None:
    at = _goal_page("1962", mal=bad)
    assert not at.exception
    assert "finns inte för Norberg" in at.error[0].value
    assert not at.title


def _page_links(at: AppTest) -> str:
    return "\n".join(
        n.proto.label.strip("*") for n in _walk(at._tree) if getattr(n, "type", None) == "page_link"
    )


def test_assessment_and_target_shown_beside_computed_status(
    empty_state: Path, tmp_path: Path, tiny_paths: Paths
) -> None:
    """A goal file with an ambition value and a leadership assessment: the overview shows
    the computed status, the assessment beside it and a flag where they disagree."""
    import datetime as dt
    from dataclasses import replace

    import yaml

    from etl.pipeline import build_offline

    goals = tmp_path / "goals"
    goals.mkdir()
    f = goals / "1962-norberg.yaml"
    text = (PROJECT_ROOT / "data" / "goals" / f.name).read_text(encoding="utf-8")
    text = text.replace(
        "                kpi: N15428\n",
        "                kpi: N15428\n"
        "                ambitions:\n"
        "                  - {kind: periodmål, date: '2022-12-31', value: 85}\n",
        1,
    )
    text = text.replace(
        "            number: 1\n",
        "            number: 1\n"
        "            assessments:\n"
        "              - {date: '2022-12-31', status: På väg, comment: Bedömt}\n",
        1,
    )
    # Only Norberg, and only its first area (goal 1, whose first indicator is N15428): the
    # same rules on a third of the indicators, so the build takes a second, not four.
    raw = yaml.safe_load(text)
    framework = raw["frameworks"][0]
    framework["areas"] = framework["areas"][:1]
    goal = framework["areas"][0]["goals"][0]
    assert goal["number"] == 1 and goal["assessments"]
    assert goal["indicators"][0]["kpi"] == "N15428" and goal["indicators"][0]["ambitions"]
    f.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    build_offline(
        replace(Paths.from_env(), goals_dir=goals, kolada_dir=tiny_paths.kolada_dir),
        now=dt.datetime(2026, 1, 1),
        progress=lambda _m: None,
    )
    at = _app("1962")
    at.run()
    assert not at.exception
    md = "\n".join(m.value for m in at.markdown)
    assert ":red-badge[✖ Ej på väg]" in md  # 78,3 in 2022 against 85 by 2022: passed, missed
    assert "Ledningens bedömning: :green-badge[● På väg] ⚠ Skiljer sig" in md
    row = next(
        t.value
        for t in at.table
        if "Status" in t.value.columns and "N15428" in list(t.value["Kolada-id"])
    )
    assert row[row["Kolada-id"] == "N15428"].iloc[0]["Målvärde"] == "Beslutat"
