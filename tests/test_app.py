"""AppTest: every page renders for every municipality without an exception, URL
parameters choose the municipality, a bad one gets a Swedish message, and a missing or
too-new database gets a message naming the command (the app never builds it). The app
reads the tiny database (tests/tiny.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from config import PROJECT_ROOT, Paths
from tests.conftest import goal_file_without_proposals
from ui.method import BACKTEST_DOC

APP = str(PROJECT_ROOT / "app.py")
PAGES = [
    "app_pages/overview.py",
    "app_pages/agenda.py",
    "app_pages/reports.py",
    "app_pages/method.py",
    "app_pages/about.py",
    "app_pages/accessibility.py",
]
KOMMUNER = {"1962": "Norberg", "0665": "Vaggeryd", "0685": "Vetlanda"}


def _app(kommun: str | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if kommun is not None:
        at.query_params["kommun"] = kommun
    for key, value in params.items():
        at.query_params[key] = value
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
    assert "Läget per " in text  # the heading names the bedömningsdag
    assert not at.table  # the indicator tables are one click away, not on the first view
    if kommun == "1962":
        assert "Strategiskt område 1. Norberg - att växa upp i" in text
        assert "Mål 2. Vi har en god folkhälsa." in _page_links(at)
    # "Alla nyckeltal", on the data date, shows every indicator's table.
    at = _app(kommun, vy="nyckeltal", per="2024-08-30")
    at.run()
    assert not at.exception
    text = _text(at)
    if kommun == "1962":
        tables = [t.value for t in at.table]
        assert any(
            "Elever i åk 9 som är behöriga" in " ".join(t["Nyckeltal"])
            for t in tables
            if "Nyckeltal" in t
        )
        # Kolada's title names the indicator; the document's typo stays one click away.
        names = " ".join(" ".join(t["Nyckeltal"]) for t in tables if "Nyckeltal" in t)
        assert "förskollärarlegitimation" in names and "förskollärlärolegitimation" not in names
        assert "I dokumentet: ”Heltidstjänster med förskollärlärolegitimation" in text
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


@contextmanager
def _status_file(paths: Paths, text: str) -> Iterator[None]:
    """The ETL's status file holding `text` for the block; what it held before after it."""
    status = paths.status_path
    saved = status.read_text(encoding="utf-8") if status.exists() else None
    status.write_text(text, encoding="utf-8")
    try:
        yield
    finally:
        if saved is None:
            status.unlink()
        else:
            status.write_text(saved, encoding="utf-8")


def test_failed_run_shows_banner_and_keeps_serving(tiny_env: Paths) -> None:
    with _status_file(
        tiny_env,
        '{"mode": "incremental", "started_at": "2026-11-22T03:00:00", '
        '"finished_at": "2026-11-22T03:05:00", "outcome": "failed", '
        '"error_title": "Kolada svarar inte", "message": "...", "warnings": []}',
    ):
        at = _app("0665")
        at.run()
        assert not at.exception
        assert at.title[0].value == "Översikt – Vaggeryd"  # last good data still served
        banner = " ".join(w.value for w in at.sidebar.warning)
        assert "Senaste körningen misslyckades (22 november 2026 kl. 03:05)" in banner
        assert "Kolada svarar inte" in banner


def test_data_page_tells_of_a_running_and_an_interrupted_run(tiny_env: Paths) -> None:
    """The status file as etl.pipeline.locked_run leaves it during a run that found its
    predecessor killed: Om data says both, in words."""
    with _status_file(
        tiny_env,
        '{"mode": "incremental", "started_at": "2026-11-21T03:00:00", '
        '"finished_at": "2026-11-21T03:02:00", "outcome": "ok", "warnings": [], '
        '"interrupted_run": {"pid": 1, "mode": "full", "started_at": "2026-11-20T03:00:00"}, '
        '"running": {"pid": 2, "mode": "incremental", "started_at": "2026-11-22T03:00:00"}}',
    ):
        at = _app("0665")
        at.run()
        at.switch_page("app_pages/about.py").run()
        assert not at.exception
        info = " ".join(i.value for i in at.info)
        assert "En körning startade 2026-11-22 03:00 och har inte rapporterat klart" in info
        warning = " ".join(w.value for w in at.warning)
        assert "Körningen som startade 2026-11-20 03:00 avbröts innan den blev klar" in warning


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
    assert at.header[1].value == "KS mål 2019"  # after "Läget per …"

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
    assert at.header[1].value == "KS mål 2020"


def test_method_page_shows_the_backtest_table(tiny_env: Paths) -> None:
    at = _app("1962")
    at.run()
    at.switch_page("app_pages/method.py").run()
    assert not at.exception
    text = _text(at)
    assert "Kvot av skalade medelfel" in text and "MASE" not in text
    methods = at.table[0].value
    assert set(methods["Metod"]) == {"gemensam trend (vald)"}
    assert list(methods["År framåt"]) == [str(h) for h in range(1, 9)]
    assert "Egen bearbetning av data från Kolada" in text


def test_overview_shows_statuses_with_icon_and_word(tiny_env: Paths) -> None:
    at = _app("1962", vy="nyckeltal")
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
        # First the chart of the indicator that decides the goal's status, named in the
        # picker; the indicator table lists them all.
        assert _count(at, "vega_lite_chart") == 1
        picker = at.selectbox(key="indikator")
        assert picker.value == "n2-langvarigt-ekonomiskt-bistand"
        assert "indikator" not in at.query_params  # the default stays out of the URL
        assert "(avgör målets status)" in picker.format_func(picker.value)
        assert "Medianen för liknande kommuner" in _text(at)
        assert '<th scope="col">Nyckeltal</th>' in _text(at)
        # "Alla nyckeltal": one chart per indicator with Kolada values (mal-2 has one
        # local indicator), and the choice goes into the URL.
        picker.set_value("alla").run()
        assert _count(at, "vega_lite_chart") == 7
        assert at.query_params["indikator"] == "alla"
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
    f = goal_file_without_proposals("1962-norberg.yaml", goals / "1962-norberg.yaml")
    text = f.read_text(encoding="utf-8")
    text = text.replace(
        "                kpi: N15428\n",
        "                kpi: N15428\n"
        "                ambitions:\n"
        "                  - {kind: periodmål, date: '2022-12-31', value: 85, provenance: beslut,\n"
        "                     decision: 'KF 2020-06-15 § 40'}\n",
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
    at = _app("1962", vy="nyckeltal", per="2024-08-30")
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


@pytest.fixture
def proposal_db(empty_state: Path, tmp_path: Path, tiny_paths: Paths) -> Path:
    """Norberg's first area with one decided target value (N15428) and one proposed
    (N17461), written by etl.goal_edit as `python -m etl propose` will write them."""
    import datetime as dt
    from dataclasses import replace

    import yaml

    from etl.goal_edit import add_ambitions
    from etl.pipeline import build_offline
    from etl.reference import read_reference_data

    goals = tmp_path / "goals"
    goals.mkdir()
    f = goal_file_without_proposals("1962-norberg.yaml", goals / "1962-norberg.yaml")
    ref = read_reference_data(tiny_paths.reference_dir, PROJECT_ROOT / "data" / "kolada")
    decided = {
        "kind": "periodmål",
        "date": dt.date(2022, 12, 31),
        "value": 85.0,
        "provenance": "beslut",
        "decision": "KF 2020-06-15 § 40",
    }
    proposal = {
        "kind": "periodmål",
        "date": dt.date(2022, 12, 31),
        "value": 90.0,
        "provenance": "förslag",
        "proposal": {"method": "testets förslag", "date": dt.date(2026, 1, 1), "by": "test"},
    }
    add_ambitions(f, "n1-behoriga-yrkesprogram", [decided], ref=ref)
    add_ambitions(f, "n1-gymnasieexamen-4-ar", [proposal], ref=ref)
    raw = yaml.safe_load(f.read_text(encoding="utf-8"))
    framework = raw["frameworks"][0]
    framework["areas"] = framework["areas"][:1]  # goal 1 only: the build takes a second
    f.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    build_offline(
        replace(Paths.from_env(), goals_dir=goals, kolada_dir=tiny_paths.kolada_dir),
        now=dt.datetime(2026, 1, 1),
        progress=lambda _m: None,
    )
    return empty_state


def test_proposed_target_is_shown_as_a_proposal(proposal_db: Path) -> None:
    """A status resting on a proposed target value says so on the goal page (the reason,
    a note above the chart, the table's Målvärde column) and in the overview, and the
    overview never counts the proposal as a decided target."""
    at = _goal_page("1962", mal="mal-1", indikator="n1-gymnasieexamen-4-ar", per="2021-06-30")
    assert not at.exception, [e.value for e in at.exception]
    text = _text(at)
    assert "Målvärdet är ett förslag till målvärde, inte beslutat" in text
    assert "till målvärde (ej beslutat)" in text  # the stored reason, from core.status
    assert "<td>Förslag</td>" in text and "<td>Beslutat</td>" in text

    overview = _app("1962", vy="nyckeltal", per="2021-06-30")
    overview.run()
    assert not overview.exception, [e.value for e in overview.exception]
    table = next(t.value for t in overview.table if "Målvärde" in t.value.columns)
    rows = table.set_index("Kolada-id")
    assert rows.loc["N17461", "Målvärde"] == "Förslag"
    assert "(mot förslag till målvärde)" in rows.loc["N17461", "Status"]
    assert rows.loc["N15428", "Målvärde"] == "Beslutat"
    assert "förslag" not in rows.loc["N15428", "Status"]
    assert (rows.drop(index=["N15428", "N17461"])["Målvärde"] == "Inget beslutat").all()
    n = sum(len(t.value) for t in overview.table if "Målvärde" in t.value.columns)
    assert (
        f"**Målvärden:** 1 av {n} nyckeltal har ett beslutat målvärde; 1 har bara "
        "ett förslag till målvärde (ej beslutat)." in [m.value for m in overview.markdown]
    )


# ------------------------------------------------------- links that forgive (issue 13, point 6)


def _unescaped(text: str) -> str:
    """A message as read on screen: the app escapes the URL's value as plain Markdown."""
    import re

    return re.sub(r"\\(.)", r"\1", text)


def _links(at: AppTest) -> list[tuple[str, str]]:
    """(label, query string) of every page link on the page."""
    return [
        (n.proto.label, n.proto.query_string)
        for n in _walk(at._tree)
        if getattr(n, "type", None) == "page_link"
    ]


def _notes(at: AppTest) -> list[str]:
    return [_unescaped(i.value) for i in at.info]


def test_unknown_municipality_links_to_the_known_ones_and_the_picker_recovers(
    tiny_env: Paths,
) -> None:
    """/?kommun=9999: a Swedish message naming the id, a link to each municipality's
    overview (the sidebar is folded away on a phone), and an empty picker from which any
    municipality, the first one too, can be chosen."""
    at = _app("9999")
    at.run()
    assert not at.exception
    assert [_unescaped(e.value) for e in at.error] == [
        "Kommunen 9999 finns inte i Målpuls. Välj en kommun:"
    ]
    assert _links(at) == [
        ("Norberg", "kommun=1962"),
        ("Vaggeryd", "kommun=0665"),
        ("Vetlanda", "kommun=0685"),
    ]
    assert at.selectbox(key="kommun").value is None  # nothing guessed
    assert not at.title
    at.selectbox(key="kommun").set_value("1962").run()  # the first one, as reported
    assert not at.error
    assert at.title[0].value == "Översikt – Norberg"
    assert at.query_params["kommun"] == "1962"
    at.selectbox(key="kommun").set_value("0685").run()
    assert at.title[0].value == "Översikt – Vetlanda"
    assert at.query_params["kommun"] == "0685"


def test_following_a_link_from_the_unknown_municipality_message(tiny_env: Paths) -> None:
    """What clicking one of the links does: the URL names a known municipality, which wins
    over the empty picker."""
    at = _app("9999")
    at.run()
    at.query_params["kommun"] = "0665"
    at.run()
    assert not at.error
    assert at.title[0].value == "Översikt – Vaggeryd"
    assert at.selectbox(key="kommun").value == "0665"
    # And a pasted unknown id after a good one is not ignored in favour of the old choice.
    at.query_params["kommun"] = "abc"
    at.run()
    assert "Kommunen abc finns inte i Målpuls" in _unescaped(at.error[0].value)


def test_value_from_the_url_is_shown_as_text_not_markdown(tiny_env: Paths) -> None:
    at = _app("[klick](https://e.se) :red[x] $y$")
    at.run()
    assert not at.exception
    body = at.error[0].value
    assert "\\[klick\\]\\(https\\://e\\.se\\)" in body  # no link is made
    assert "\\:red\\[x\\]" in body and "\\$y\\$" in body


def test_unknown_goal_lists_the_goals_as_links(tiny_env: Paths) -> None:
    at = _goal_page("1962", mal="doesnotexist")
    assert not at.exception
    assert [_unescaped(e.value) for e in at.error] == [
        "Målet doesnotexist finns inte för Norberg. Välj ett av kommunens mål:"
    ]
    links = _links(at)
    assert ("Mål 2. Vi har en god folkhälsa.", "kommun=1962&mal=mal-2") in links
    assert links[-1] == ("Tillbaka till översikten", "kommun=1962")
    assert len(links) == 11  # Norberg's ten goals and the way back
    assert not at.title


def test_goal_id_in_another_case_is_forgiven(tiny_env: Paths) -> None:
    at = _goal_page("1962", mal="MAL-2")
    assert not at.exception and not at.error
    assert at.title[0].value == "Mål 2. Vi har en god folkhälsa."
    assert at.query_params["mal"] == "mal-2"


def test_unknown_indicator_shows_the_deciding_one_with_a_note(tiny_env: Paths) -> None:
    at = _goal_page("1962", mal="mal-2", indikator="nope")
    assert not at.exception and not at.error
    assert _notes(at) == ["Indikatorn nope finns inte i målet. Värdet i adressen används inte."]
    assert at.selectbox(key="indikator").value == "n2-langvarigt-ekonomiskt-bistand"
    assert "indikator" not in at.query_params
    assert _count(at, "vega_lite_chart") == 1
    at.run()  # the note was for the link; it does not follow the user around
    assert not at.info


def _page(kommun: str, page: str, **params: str) -> AppTest:
    at = _app(kommun)
    at.run()
    at.switch_page(page).run()
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_explorer_bad_year_without_a_kpi(tiny_env: Paths) -> None:
    """The reported URL (a ValueError traceback with server paths before)."""
    at = _page("1962", "app_pages/explorer.py", fran="abc")
    assert _notes(at)[0] == "Startåret abc är inget årtal. Värdet i adressen används inte."
    assert "fran" not in at.query_params


def test_explorer_ignores_every_bad_parameter_with_a_note(tiny_env: Paths) -> None:
    at = _page(
        "1962",
        "app_pages/explorer.py",
        kpi="N15428,NOPE",
        fran="abc",
        till="20x2",
        urval="zzz",
        kon="Q",
        vy="bogus",
        sdg="99",
        mal="nix",
        omrade="nix",
        omr="nix",
        persp="nix",
    )
    notes = set(_notes(at))
    tail = " Värdet i adressen används inte."
    assert notes == {
        m + tail
        for m in [
            "Nyckeltalet NOPE finns inte i Kolada.",
            "Startåret abc är inget årtal.",
            "Slutåret 20x2 är inget årtal.",
            "Jämförelsen zzz finns inte.",
            "Könsvalet Q finns inte.",
            "Visningen bogus finns inte.",
            "Globalt mål 99 finns inte: Agenda 2030 har mål 1–17.",
            "Målet nix finns inte för Norberg.",
            "Målområdet nix finns inte för Norberg.",
            "Verksamhetsområdet nix finns inte.",
            "Perspektivet nix finns inte.",
        ]
    }
    # The defaults, and a clean URL to share on.
    assert at.multiselect(key="kpi_sel").value == ["N15428"]
    assert at.query_params["kpi"] == "N15428"
    hi = int(at.query_params["till"])
    assert int(at.query_params["fran"]) == hi - 9
    for key in ("urval", "kon", "vy", "sdg", "mal", "omrade", "omr", "persp"):
        assert key not in at.query_params, key
    assert at.dataframe  # the table, the default view
    at.run()
    assert not at.info


def test_explorer_forgives_case_order_and_too_many(tiny_env: Paths) -> None:
    at = _page(
        "1962", "app_pages/explorer.py", kpi="N15428", vy="diagram", fran="2022", till="2015"
    )
    assert not at.info
    assert at.query_params["vy"] == "Diagram"
    assert (at.query_params["fran"], at.query_params["till"]) == ("2015", "2022")
    assert _count(at, "vega_lite_chart") == 1


def test_agenda_unknown_sdg_gets_a_note(tiny_env: Paths) -> None:
    at = _page("0685", "app_pages/agenda.py", sdg="99")
    assert _notes(at) == [
        "Globalt mål 99 finns inte: Agenda 2030 har mål 1–17. Värdet i adressen används inte."
    ]
    assert "sdg" not in at.query_params
    assert at.selectbox(key="sdg").value == ""
    at.query_params["sdg"] = "abc"
    at.run()
    assert _notes(at) == [
        "Globalt mål abc finns inte: Agenda 2030 har mål 1–17. Värdet i adressen används inte."
    ]
    at.query_params["sdg"] = "011"
    at.run()
    assert not at.info
    assert at.selectbox(key="sdg").value == "11"
    assert at.query_params["sdg"] == "11"


def test_reports_bad_parameters_without_frozen_reports(tiny_env: Paths) -> None:
    at = _page("0665", "app_pages/reports.py", rapport="notadate", jamfor="2026-04-30")
    notes = _notes(at)
    assert (
        "Rapporten notadate finns inte: en rapport anges med datum (ÅÅÅÅ-MM-DD). "
        "Värdet i adressen används inte." in notes
    )
    assert (
        "Det finns ingen fryst rapport per 30 april 2026. Värdet i adressen används inte." in notes
    )
    assert "rapport" not in at.query_params and "jamfor" not in at.query_params


def test_reports_bad_parameters_with_a_frozen_report(
    tiny_paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a copy of the tiny database with one frozen report: an unknown date or checkpoint
    shows the page's defaults with a note."""
    import datetime as dt
    import shutil
    from dataclasses import replace

    from reports.freeze import freeze

    shutil.copy(tiny_paths.db_path, tmp_path / "malpuls.duckdb")
    monkeypatch.setenv("MALPULS_DATA_DIR", str(tmp_path))
    state = replace(Paths.from_env(), kolada_dir=tiny_paths.kolada_dir)
    freeze(
        state,
        "0665",
        dt.date(2023, 8, 31),
        now=dt.datetime(2023, 9, 1, 9),
        progress=lambda _m: None,
    )
    at = _page("0665", "app_pages/reports.py", rapport="2023-04-30", jamfor="x", avstamning="Nej")
    assert set(_notes(at)) >= {
        "Det finns ingen fryst rapport per 30 april 2023. Värdet i adressen används inte.",
        "Rapporten x finns inte: en rapport anges med datum (ÅÅÅÅ-MM-DD). "
        "Värdet i adressen används inte.",
        "Rapportpunkten Nej finns inte. Värdet i adressen används inte.",
    }
    assert at.query_params["rapport"] == "2023-08-31"
    assert "jamfor" not in at.query_params
    assert at.query_params["avstamning"] != "Nej"


# ------------------------------------------------------- the bedömningsdag (issue 13, point 1)


def test_overview_on_a_date_equals_the_report_frozen_for_it(
    tiny_env: Paths, tmp_path: Path
) -> None:
    """The live view and a report frozen for the same date and data agree: per goal in the
    stored results the page reads, and in the page's status summary."""
    import datetime as dt
    from dataclasses import replace

    import duckdb

    from core.labels import status_badge
    from reports.freeze import build_report

    day = dt.date(2021, 12, 31)
    report, is_checkpoint = build_report(
        replace(tiny_env, reports_dir=tmp_path), "1962", day, dt.datetime(2026, 1, 1)
    )
    assert is_checkpoint
    frozen = {g.goal_id: g.status for g in report.goals}
    with duckdb.connect(str(tiny_env.db_path), read_only=True) as con:
        stored = dict(
            con.execute(
                "SELECT goal_id, status FROM goal_result WHERE municipality_id = '1962' "
                "AND as_of = ?",
                [day],
            ).fetchall()
        )
    assert stored == frozen

    at = _app("1962", per=day.isoformat())
    at.run()
    assert not at.exception
    assert at.header[0].value.startswith("Läget per 31 december 2021")
    summary = next(m.value for m in at.markdown if m.value.startswith(f"**{len(frozen)} mål:**"))
    for status in set(frozen.values()):
        n = list(frozen.values()).count(status)
        assert f"{status_badge(status)} **{n}**" in summary


def test_default_day_is_the_latest_checkpoint_the_data_reaches(tiny_env: Paths) -> None:
    """A fresh start opens on the latest checkpoint on or before the data's fetch date
    (30 August 2024 for the bundled snapshot), and keeps the default out of the URL."""
    at = _app("1962")
    at.run()
    assert at.header[0].value == (
        "Läget per 31 december 2022 · Årsredovisning (samlad bedömning) 2022"
    )
    assert "per" not in at.query_params
    at.selectbox(key="bedomningsdag").set_value("2021-06-30").run()
    assert at.query_params["per"] == "2021-06-30"
    assert at.header[0].value.startswith("Läget per 30 juni 2021")


@pytest.mark.parametrize(
    ("per", "says"),
    [
        ("2026-08-31", "räcker inte datan för en bedömning"),
        ("abc", "är inget datum"),
        ("2021-03-01", "finns ingen bedömning"),
    ],
)
def test_a_day_that_was_not_judged_is_explained(tiny_env: Paths, per: str, says: str) -> None:
    at = _app("1962", per=per)
    at.run()
    assert not at.exception
    assert any(says in w.value for w in at.warning)
    assert at.header[0].value.startswith("Läget per 31 december 2022")


def test_a_next_data_date_that_has_passed_is_flagged() -> None:
    import datetime as dt

    from ui.overview import _next_data

    today = dt.date(2026, 11, 29)
    assert _next_data(dt.date(2026, 6, 17), today) == "17 juni 2026 (passerat: nya värden väntas)"
    assert _next_data(dt.date(2027, 3, 1), today) == "1 mars 2027"


# A clean Swedish surface (issue 13, point 5).

MISSING_WORDS = r"\b(?:nan|NaN|None|NaT)\b|<NA>"


def _all_text(at: AppTest) -> str:
    """Everything a reader sees as text: headings, markdown, captions, notes, and every
    table's headers and cells."""
    parts = [_text(at)]
    parts += [str(e.value) for e in (*at.info, *at.warning, *at.error, *at.success)]
    for table in (*at.table, *at.dataframe):
        frame = table.value
        parts.append(" | ".join(map(str, frame.columns)))
        parts += [" | ".join(map(str, row)) for row in frame.astype(str).itertuples(index=False)]
    return "\n".join(parts)


@pytest.mark.parametrize("kommun", sorted(KOMMUNER))
def test_no_missing_value_words_and_no_doubled_labels(tiny_env: Paths, kommun: str) -> None:
    """A missing text (None, NaN, NA) never reaches a reader as "nan" or "None", on any
    page or on the goal page of any goal; a placeholder goal whose title is only its own
    label is not named twice ("Mål 6. Mål 6")."""
    import re

    import duckdb

    with duckdb.connect(str(tiny_env.db_path), read_only=True) as con:
        goals = [
            g
            for (g,) in con.execute(
                "SELECT goal_id FROM goal WHERE municipality_id = ? ORDER BY goal_id", [kommun]
            ).fetchall()
        ]
    at = _app(kommun)
    at.run()
    for page in [*PAGES, "app_pages/explorer.py"]:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        found = re.findall(rf".{{0,40}}(?:{MISSING_WORDS}).{{0,40}}", _all_text(at))
        assert not found, (page, found)
    at.switch_page("app_pages/goal.py").run()
    for goal in goals:
        at.query_params["mal"] = goal
        at.run()
        assert not at.exception, (goal, [e.value for e in at.exception])
        title = at.title[0].value
        assert not re.search(r"(\w+ \d+)\. \1\.?$", title), title
        found = re.findall(rf".{{0,40}}(?:{MISSING_WORDS}).{{0,40}}", _all_text(at))
        assert not found, (goal, found)


def test_placeholder_goal_says_it_is_not_worded_yet(tiny_env: Paths) -> None:
    at = _goal_page("0665", mal="ks-6")
    assert not at.exception
    assert at.title[0].value == "Mål 6 – ej formulerat ännu"
    assert "Mål 6 – ej formulerat ännu" in at.selectbox(key="mal").options  # the picker too
    assert "Mål 6. Mål 6" not in at.selectbox(key="mal").options


def test_goal_page_ambition_without_status_has_no_parenthesis(
    tiny_env: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pandas gives a missing text as NaN where the column holds other texts; the goal
    page then shows the ambition without a status, never "Ambitionsnivå (nan)". (The
    read is patched at the database boundary: a goal file cannot leave the status out.)"""
    import re

    from db import queries

    real = queries.query_goal

    def query_goal_without_ambition_status(*args: object) -> object:
        return real(*args).assign(
            ambition_text="Fler nya företag i hela kommunen.", ambition_status=float("nan")
        )

    monkeypatch.setattr(queries, "query_goal", query_goal_without_ambition_status)
    at = _goal_page("0665", mal="ks-3")
    assert not at.exception, [e.value for e in at.exception]
    markdown = [m.value for m in at.markdown]
    assert "**Ambitionsnivå:** Fler nya företag i hela kommunen." in markdown
    assert not re.search(MISSING_WORDS, _all_text(at))


def test_method_page_tables_are_swedish(tiny_env: Paths) -> None:
    """The back-test tables (docs/backtest.md, written in English by bench/backtest.py)
    show Swedish headers, Swedish method names and Swedish numbers."""
    import re

    at = _app("1962")
    at.run()
    at.switch_page("app_pages/method.py").run()
    assert not at.exception, [e.value for e in at.exception]
    # The chosen method; every method tried (behind a click); per horizon; per class.
    _, methods, horizons, classes, reliability = (t.value for t in at.table)
    assert list(reliability.columns) == [
        "Sannolikhet",
        "Prognoser",
        "Förutsagt (justerad)",
        "Inträffade (justerad)",
        "Förutsagt (ojusterad)",
        "Inträffade (ojusterad)",
    ]
    assert len(reliability) == 10
    assert all(re.fullmatch(r"\d{1,2},\d %", v) for v in reliability["Inträffade (justerad)"])

    # The sentence under the table gives the back-test's own figure for the largest gap,
    # and the table agrees with it to the rounding of its cells.
    stated = re.search(r"largest gap (\d+\.\d) points", BACKTEST_DOC.read_text("utf-8"))
    assert stated
    gap = float(stated.group(1))

    def pct(v: str) -> float:
        return float(v.rstrip(" %").replace(",", "."))

    table_gap = max(
        abs(pct(a) - pct(b))
        for a, b in zip(
            reliability["Förutsagt (justerad)"], reliability["Inträffade (justerad)"], strict=True
        )
    )
    assert abs(table_gap - gap) <= 0.15
    shown = f"{gap:.1f}".replace(".", ",")
    assert f"Efter justeringen är det största felet {shown} procentenheter" in _text(at)
    assert list(methods.columns) == [
        "Metod",
        "År framåt",
        "Kvot av skalade medelfel (mot senaste värdet)",
        "Täckning, 80 %-intervall",
        "Brier, P(≥ riket)",
    ]
    assert list(horizons.columns) == [
        "År framåt",
        "Bedömda prognoser",
        "Vald metod",
        "Destatis regel",
        "Regeln senaste värdet",
        "Sannolikhet kring senaste värdet",
    ]
    assert list(classes.columns) == ["Serier", "Prognoser (1 år)"] + [
        f"{h} år" for h in range(1, 9)
    ]
    assert {"korta (högst 4 värden)", "med luckor", "nästan konstanta", "riket"} <= set(
        classes["Serier"]
    )
    assert all(re.fullmatch(r"\d{2},\d %", v) for v in classes["3 år"])
    assert set(methods["Metod"]) == {
        "senaste värdet (inget förändras)",
        "femårstrend (Destatis)",
        "egen robust trend (Theil–Sen)",
        "egen robust trend, dämpad",
        "gemensam trend (vald)",
        "blandad trend (mest gemensam, lite egen; prövad, används inte)",
    }
    ratio = methods["Kvot av skalade medelfel (mot senaste värdet)"]
    assert all(re.fullmatch(r"\d,\d{3}", v) for v in ratio)
    assert all(re.fullmatch(r"\d{2},\d %", v) for v in methods["Täckning, 80 %-intervall"])
    assert all(re.fullmatch(r"0,\d{4}", v) for v in methods["Brier, P(≥ riket)"])
    assert all(re.fullmatch(r"\d{1,3}(\u00a0\d{3})+", v) for v in horizons["Bedömda prognoser"])
    text = _all_text(at)
    for english in ("pooled_growth", "naive", "theil_sen", "damped", "horizon", "selected"):
        assert english not in text, english
    assert "python -m" not in text


def test_charts_carry_the_swedish_number_locale(tiny_env: Paths) -> None:
    """Streamlit drops a spec's usermeta.embedOptions.formatLocale, so the locale travels in
    the spec's config (core.format.CHART_CONFIG); tooltips name their fields in Swedish."""
    import json

    from core.format import CHART_CONFIG

    at = _goal_page("1962", mal="mal-5", indikator="n5-valdsbrott")
    assert not at.exception, [e.value for e in at.exception]
    (chart,) = [n for n in _walk(at._tree) if getattr(n, "type", None) == "vega_lite_chart"]
    spec = json.loads(chart.proto.spec)
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["locale"]["number"]["thousands"] == "\u00a0"
    assert spec["config"]["numberFormat"] == CHART_CONFIG["numberFormat"]
    tooltips = [t for layer in spec["layer"] for t in layer.get("encoding", {}).get("tooltip", [])]
    assert tooltips
    assert {t.get("title", t["field"]) for t in tooltips} <= {
        "Serie",
        "År",
        "Värde",
        "Typ",
        "Målvärde",
        "Prognos",
    }
    assert all(t.get("format") == "d" for t in tooltips if t["field"] == "År")


def test_accessibility_statement_is_honest_about_what_is_not_met(tiny_env: Paths) -> None:
    """The tillgänglighetsredogörelse (issue 18) follows DIGG's template: the compliance
    status in DIGG's words, every known gap, the contact placeholder the municipality fills
    in, and Digg's report link."""
    from core.accessibility import COMPLIANCE, DIGG_REPORT_URL, KNOWN_GAPS
    from ui.accessibility import CONTACT_PLACEHOLDER, ORGANISATION_PLACEHOLDER

    at = _page("1962", "app_pages/accessibility.py")
    assert not at.exception
    assert at.title[0].value == "Tillgänglighet för Målpuls"
    assert [h.value for h in at.header] == [
        "Hur tillgänglig är tjänsten?",
        "Vad kan du göra om du inte kan använda delar av tjänsten?",
        "Rapportera brister i tjänstens tillgänglighet",
        "Tillsyn",
        "Teknisk information om tjänstens tillgänglighet",
        "Hur vi testat tjänsten",
    ]
    text = _text(at)
    assert COMPLIANCE == "delvis förenlig" and f"**{COMPLIANCE}**" in text
    assert DIGG_REPORT_URL in text
    assert CONTACT_PLACEHOLDER in text and ORGANISATION_PLACEHOLDER in text
    for gap in KNOWN_GAPS:
        assert gap.title in text, gap.title
        if gap.upstream:
            assert gap.upstream in text, gap.upstream
