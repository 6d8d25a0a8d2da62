"""AppTest of the Målvärden page (ui.targets) on the tiny database: it renders for Norberg
with the goal and indicator taken from the URL, speaks of förslag (never of a decision),
shows the choice and the downloads; a bad `mal` gets a Swedish message with the way back
and no traceback; Vetlanda, with no KPI indicators, gets the empty-state message."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from config import PROJECT_ROOT, Paths
from core.targets import GoalProposals
from db.proposals import build_proposals

APP = str(PROJECT_ROOT / "app.py")
PAGE = "app_pages/targets.py"
# Norberg's last report date before the tiny snapshot's data date: its goals' period
# (2020-2022) still has a year ahead, so the proposals have options.
PER = "2021-12-31"


def _page(kommun: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["kommun"] = kommun
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(PAGE).run()
    return at


def _text(at: AppTest) -> str:
    parts = [
        e.value
        for e in (
            *at.title,
            *at.header,
            *at.subheader,
            *at.markdown,
            *at.caption,
            *at.info,
            *at.error,
        )
    ]
    return "\n".join(str(p) for p in parts)


@pytest.fixture(scope="module")
def norberg(tiny_paths: Paths) -> list[GoalProposals]:
    with duckdb.connect(str(tiny_paths.db_path), read_only=True) as con:
        return build_proposals(con, "1962", as_of=dt.date.fromisoformat(PER))


def test_page_renders_goal_and_indicator_from_url(
    tiny_env: Paths, norberg: list[GoalProposals]
) -> None:
    goal, proposal = next(
        (g, p) for g in norberg for p in g.proposals if p.options
    )  # an indicator with options: the whole page is drawn
    at = _page(
        "1962", per=PER, mal=goal.goal_id, indikator=proposal.indicator_id, alternativ="median"
    )
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "Målvärden – Norberg"
    assert at.selectbox(key="mv_mal").value == goal.goal_id
    assert at.selectbox(key="mv_indikator").value == proposal.indicator_id
    assert at.query_params["mal"] == goal.goal_id
    assert at.query_params["indikator"] == proposal.indicator_id
    text = _text(at)
    assert proposal.indicator_title in text
    assert "Nulägesbild" in text
    assert f"av {proposal.nulage.rank_all.of} kommuner" in text  # "plats 45 av 290 kommuner"
    assert "Källa: Kolada" in text and "Egen bearbetning av data från Kolada" in text
    assert "Förslag: liknande kommuners mediantakt" in text  # the options table
    # The choice, from the URL: a proposal to the politicians, with the command.
    assert at.radio(key="mv_alternativ").value == "liknande kommuners mediantakt"
    assert "är ett förslag till politiken, inte ett beslut" in text
    command = next(c.value for c in at.code if c.value.startswith("python -m etl propose "))
    assert "data/goals/1962-norberg.yaml" in command and "--option median" in command
    # The command shown is one the CLI accepts, naming the indicator on the page.
    from etl.__main__ import _parser

    args = _parser().parse_args(command.split()[3:])
    assert args.command == "propose" and args.option == "median"
    assert args.indicator == proposal.indicator_id and args.as_of is not None
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[f"Senaste värde ({proposal.nulage.latest_year})"]
    labels = [b.label for b in at.get("download_button")]
    assert "Ladda ner Word" in labels and "Ladda ner Excel" in labels


def test_choosing_an_option_puts_it_in_the_url(
    tiny_env: Paths, norberg: list[GoalProposals]
) -> None:
    goal, proposal = next((g, p) for g in norberg for p in g.proposals if p.options)
    at = _page("1962", per=PER, mal=goal.goal_id, indikator=proposal.indicator_id)
    assert not at.exception
    assert at.radio(key="mv_alternativ").value is None
    assert "alternativ" not in at.query_params
    at.radio(key="mv_alternativ").set_value("bästa kvartilens takt").run()
    assert not at.exception
    assert at.query_params["alternativ"] == "kvartil"


def test_bad_goal_in_url_gets_swedish_message(tiny_env: Paths) -> None:
    at = _page("1962", per=PER, mal="mal-99")
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value.replace("\\", "")  # shown as plain text (escaped)
    assert "Målet mal-99 finns inte bland målen med nyckeltal för Norberg" in message
    assert "Välj ett av målen" in message
    assert len(at.get("page_link")) >= 2  # the goals, and the way back


def test_bad_indicator_in_url_gets_a_note_and_the_first_indicator(
    tiny_env: Paths, norberg: list[GoalProposals]
) -> None:
    goal = next(g for g in norberg if g.proposals)
    at = _page("1962", per=PER, mal=goal.goal_id, indikator="finns-inte")
    assert not at.exception
    assert not at.error
    notes = [i.value.replace("\\", "") for i in at.info]
    assert any("Indikatorn finns-inte finns inte i målet" in n for n in notes), notes
    assert at.selectbox(key="mv_indikator").value == goal.proposals[0].indicator_id


def test_vetlanda_without_kpi_indicators_gets_empty_state(tiny_env: Paths) -> None:
    at = _page("0685")
    assert not at.exception
    assert not at.error
    text = _text(at)
    assert "Vetlanda har inga styrande mål med nyckeltal från Kolada ännu" in text
    assert not at.selectbox(key="kommun").disabled  # the sidebar still works
