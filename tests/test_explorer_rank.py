"""Issue 17: one ranking rule across the app (core.ranking), the coverage notes
(core.coverage) and the Kön view (core.gender_gap), down to the explorer's pages."""

from __future__ import annotations

import math
import re
import subprocess

import duckdb
import pandas as pd
import pytest
import vl_convert as vlc
from streamlit.testing.v1 import AppTest

from config import PROJECT_ROOT
from core.coverage import (
    compute_coverage,
    coverage_note,
    fetch_scope,
    fetched_geographies,
    publishes_for,
)
from core.gender_gap import gap_sentence, gaps, summarise_gap
from core.judging import rank_among
from core.ranking import (
    GOAL_FILE,
    NO_DIRECTION,
    SDG_MAPPING,
    TITLE,
    GoalDirection,
    places,
    ranking_basis,
)
from core.scope import RIKET
from db import explorer, queries
from ui.charts import gender_gap_chart, gender_series_chart, ranking_chart

APP = str(PROJECT_ROOT / "app.py")
NBSP = "\u00a0"
ENGLISH = r"\b(?:value|year|municipality|gender|gap|women|men|Count of Records)\b"

# ------------------------------------------------------------------ the one rule


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        # a=3, b=1, c=3, d=2: ties share a place and the next place is skipped.
        ("öka", {"a": 1, "c": 1, "d": 3, "b": 4}),
        ("minska", {"b": 1, "d": 2, "a": 3, "c": 3}),
        (None, {"a": 1, "c": 1, "d": 3, "b": 4}),  # no direction: highest first
        ("bevaka", {"a": 1, "c": 1, "d": 3, "b": 4}),
    ],
)
def test_places_by_direction_with_ties(direction: str | None, expected: dict[str, int]) -> None:
    assert places({"a": 3.0, "b": 1.0, "c": 3.0, "d": 2.0}, direction) == expected


def test_places_leave_out_what_is_not_a_number() -> None:
    assert places({"a": 1.0, "b": math.nan, "c": 2.0}, "minska") == {"a": 1, "c": 2}


def test_rank_among_is_places() -> None:
    """Översikt's rank (rank_among) is the explorer's place for the same values and
    direction, among everyone and among the peers."""
    values = {f"m{i}": float((i * 7) % 11) for i in range(30)}
    for direction in ("öka", "minska"):
        everyone = places(values, direction)
        for m in values:
            r = rank_among(values, m, direction, peers=["m1", "m2", "m3"])
            assert r is not None and (r.rank_all, r.n_all) == (everyone[m], 30)
            group = {p: values[p] for p in {"m1", "m2", "m3", m}}
            assert r.rank_peers == places(group, direction)[m]
    assert rank_among(values, "m1", "bevaka", peers=[]) is None


def test_ranking_basis_order() -> None:
    own = GoalDirection("minska", "källa", "T")
    proposed = GoalDirection("öka", "förslag", "T")
    women = GoalDirection("öka", "förslag", "K")
    title = "Arbetslösa 16-24 år, andel (%)"  # our reading: minska ("arbetslös")
    # The goal file first; its own direction before a proposal; the gender ranked first.
    assert ranking_basis([proposed, own], ["öka"], title).direction == "minska"
    assert ranking_basis([own, women], [], title, gender="K").direction == "öka"
    b = ranking_basis([proposed], ["minska"], title)
    assert (b.direction, b.source, b.provenance) == ("öka", GOAL_FILE, "förslag")
    assert "Målpuls förslag" in b.explanation("Norberg")
    # "bevaka" in the goal file is no direction, whatever the title says.
    watched = ranking_basis([GoalDirection("bevaka", "förslag", "T")], ["öka"], title)
    assert (watched.direction, watched.watched_by) == (None, GOAL_FILE)
    assert "bevaka" in watched.explanation("Norberg")
    # Then Målpuls's Agenda 2030 mapping, when its rows agree; then the title.
    assert ranking_basis([], ["öka", "öka"], title).source == SDG_MAPPING
    assert ranking_basis([], ["bevaka"], title).direction is None
    read = ranking_basis([], ["öka", "minska"], title)
    assert (read.direction, read.source, read.word) == ("minska", TITLE, "arbetslös")
    assert "vår tolkning av nyckeltalets namn" in read.explanation("Norberg")
    none = ranking_basis([], [], "Invånare 0-12 år, antal")
    assert (none.direction, none.source) == (None, NO_DIRECTION)
    assert none.order_words == "högst värde först; nyckeltalet har ingen önskad riktning"
    assert read.order_words == "plats 1 = bäst, lägst värde är bäst"
    assert b.order_words == "plats 1 = bäst, högst värde är bäst"


def test_no_page_ranks_highest_first_on_its_own() -> None:
    """ "högst värde" is said in one place, the ranking rule's words (core.ranking), and
    in the ranking chart's axis title when the rule found no direction."""
    out = subprocess.run(
        ["grep", "-rln", "högst värde", "ui", "core", "reports", "app_pages"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert sorted(p for p in out if p.endswith(".py")) == ["core/ranking.py", "ui/explorer_rank.py"]
    text = (PROJECT_ROOT / "ui" / "explorer_rank.py").read_text(encoding="utf-8")
    assert text.count("högst värde") == 1 and "if basis.direction else" in text


# ------------------------------------------------------------------ the explorer's ranks


def _explorer_place(
    con: duckdb.DuckDBPyConnection, m: str, kpi: str, gender: str, last_year: int
) -> tuple[int, int, int] | None:
    """(place, of, year) as Rangordning computes it for a municipality, KPI and gender."""
    values = explorer.query_kommun_values(con, kpi, gender, last_year)
    goal, sdg = explorer.query_direction_sources(con, m, kpi)
    title = con.execute("SELECT title FROM kpi WHERE id = ?", [kpi]).fetchall()[0][0]
    basis = ranking_basis(goal, sdg, title, gender)
    p = places(dict(zip(values["municipality_id"], values["value"], strict=True)), basis.direction)
    if m not in p:
        return None
    return p[m], len(p), int(values["year"].iloc[0])


def test_explorer_place_equals_overview_place(tiny_con: duckdb.DuckDBPyConnection) -> None:
    """For every goal indicator Översikt ranks (indicator_result on the data date), the
    explorer's Rangordning gives the same place among the same number of kommuner."""
    rows = tiny_con.execute(
        """
        SELECT r.municipality_id, r.judged_kpi_id, i.gender, r.latest_year, r.rank_all,
               r.n_all, i.indicator_id
        FROM indicator_result r JOIN indicator i USING (municipality_id, indicator_id)
        WHERE r.as_of = (SELECT CAST(value AS DATE) FROM meta WHERE key = 'data_date')
          AND r.rank_all IS NOT NULL
        """
    ).fetchall()
    assert len(rows) > 20
    assert ("1962", "n2-ohalsotal") in {(m, ind) for m, *_, ind in rows}
    for m, kpi, gender, year, rank, n, ind in rows:
        assert _explorer_place(tiny_con, m, kpi, gender, year) == (rank, n, year), (m, ind)


def test_ohalsotal_page_place_is_the_overview_place(tiny_env: object) -> None:
    """Norberg's Ohälsotal (a goal indicator, minska): the sentence on Rangordning names
    the place Översikt shows, with what place 1 means and where the direction is from."""
    con = duckdb.connect(str(tiny_env.db_path), read_only=True)  # type: ignore[attr-defined]
    try:
        overview = queries.query_indicator_overview(con, "1962")
    finally:
        con.close()
    row = overview[overview["indicator_id"] == "n2-ohalsotal"].iloc[0]
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["kommun"] = "1962"
    at.run()
    at.switch_page("app_pages/explorer.py").run()
    at.query_params.update({"kpi": "N00957", "vy": "Rangordning"})
    at.run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    expected = (
        f"**Norberg** har plats {int(row['rank_all'])} av {int(row['n_all'])} "
        f"(plats 1 = bäst, lägst värde är bäst) för Ohälsotal, dagar, {int(row['judged_year'])}."
    )
    assert any(t.startswith(expected) for t in texts), texts
    assert any("står i målfilen för Norberg som Målpuls förslag" in c.value for c in at.caption)


# ------------------------------------------------------------------ coverage


TYPES = {"1962": "K", "0683": "K", "0685": "K", "0019": "L", RIKET: "L"}
NAMES = {"1962": "Norberg", "0683": "Värnamo", "0685": "Vetlanda", "0019": "Region Västmanland"}


def test_kolada_publishes_by_type() -> None:
    assert publishes_for("K", "1962", "K") and not publishes_for("K", "0019", "L")
    assert publishes_for("K", RIKET, "L") and publishes_for("L", RIKET, "L")
    assert not publishes_for("L", "1962", "K") and publishes_for("A", "0019", "L")
    assert publishes_for(None, "0019", "L")


def test_coverage_of_a_kpi_outside_the_goal_files() -> None:
    """Asked for four kommuner; the run fetches the KPI for two; one of those has no
    value in Kolada."""
    cov = compute_coverage(
        ["1962", "0683", "0685", "0180", "1280"],
        TYPES | {"0180": "K", "1280": "K"},
        "K",
        with_values={"1962", "0683"},
        fetched={"1962", "0683", "0685", RIKET},
    )
    assert cov.covered == ("1962", "0683") and cov.not_fetched == ("0180", "1280")
    note = coverage_note(cov, kpi_type="K", names=NAMES, period="2022")
    assert note is not None and note.startswith("Värden saknas för Vetlanda, 0180 och 1280")
    assert "Målpuls hämtar inte nyckeltalet för 0180 och 1280" in note
    assert "För Vetlanda har Kolada inga värden." in note


def test_coverage_counts_and_goal_kpis() -> None:
    asked = [f"{i:04d}" for i in range(100, 390)]  # 290 kommuner
    types = dict.fromkeys(asked, "K")
    cov = compute_coverage(asked, types, "A", set(asked[:24]), fetched=set(asked[:30]))
    note = coverage_note(cov, kpi_type="A", names={}, period="2022")
    assert note is not None and note.startswith("Värden för 24 av 290 kommuner (2022).")
    assert "Målpuls hämtar inte nyckeltalet för 260 kommuner" in note
    assert "För de övriga 6 har Kolada inga värden." in note
    # A goal KPI is fetched everywhere: what is missing, Kolada lacks.
    goal = compute_coverage(asked, types, "A", set(asked[:149]), fetched=None)
    note = coverage_note(goal, kpi_type="A", names={}, period="2013–2022")
    assert note == (
        "Värden för 149 av 290 kommuner (2013–2022). För de 141 som saknas har Kolada inga värden."
    )
    full = compute_coverage(asked, types, "A", set(asked), fetched=None)
    assert full.complete and coverage_note(full, kpi_type="A", names={}, period="2022") is None


def test_coverage_by_the_kpis_municipality_type() -> None:
    """A region is never missing for a kommun KPI; a region-only KPI over kommuner says
    so instead of "0 av 3"."""
    egen = ["1962", "0019", RIKET]
    kommun_kpi = compute_coverage(egen, TYPES, "K", {"1962", RIKET}, fetched=None)
    assert kommun_kpi.complete and kommun_kpi.left_out == 1
    region_kpi = compute_coverage(["1962", "0683", "0685"], TYPES, "L", set(), fetched=None)
    note = coverage_note(region_kpi, kpi_type="L", names=NAMES, period="2022")
    assert note == (
        "Kolada publicerar nyckeltalet bara för regioner och riket, och jämförelsen har inga "
        "sådana."
    )
    riket = compute_coverage(egen, TYPES, "A", {"1962", "0019"}, fetched=None)
    note = coverage_note(riket, kpi_type="A", names=NAMES | {RIKET: "Riket"}, period="2022")
    assert note == "Värden saknas för Riket (2022): Kolada har inga."


def test_fetched_geographies_follow_the_scope() -> None:
    groups = [
        ("G1", "Liknande kommuner, övergripande, Norberg, 2022", ["0683"]),
        ("G2", "Liknande kommuner, övergripande, Norberg, 2023", ["0685", "1280"]),
    ]
    assert fetched_geographies([("1962", "Norberg")], groups) == {
        "1962",
        "0019",
        RIKET,
        "0685",
        "1280",
    }


def test_fetch_scope() -> None:
    """A KPI no goal file names is fetched for the core geographies, unless the run
    fetches extras everywhere or the database shows it did (values outside the core)."""
    core = frozenset({"1962", "0019", RIKET})
    scope = {"extras_everywhere": False, "core": core}
    assert fetch_scope(goal_kpi=False, with_values={"1962"}, **scope) == core
    assert fetch_scope(goal_kpi=True, with_values={"1962"}, **scope) is None
    assert fetch_scope(goal_kpi=False, with_values={"1962", "0180"}, **scope) is None
    everywhere = {"extras_everywhere": True, "core": core}
    assert fetch_scope(goal_kpi=False, with_values=set(), **everywhere) is None


def test_tabell_with_all_kommuner_says_what_is_missing(tiny_env: object) -> None:
    """The tiny database holds values for a few dozen kommuner: Tabell with Alla kommuner
    says how many of 290 it has, for a goal KPI (Kolada's gaps, as far as the database
    knows) as for an Agenda 2030 KPI no goal file names (not fetched)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["kommun"] = "1962"
    at.run()
    at.switch_page("app_pages/explorer.py").run()
    at.query_params.update({"kpi": "N00957", "urval": "alla"})
    at.run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any(re.match(r"Värden för \d+ av 290 kommuner \(\d{4}–\d{4}\)\.", w) for w in warnings)
    assert not any("Målpuls hämtar inte" in w for w in warnings)  # a goal KPI


# ------------------------------------------------------------------ Kön


def test_gender_gap_summary_and_sentence() -> None:
    rows = [
        ("1962", 2019, "K", 40.0),
        ("1962", 2019, "M", 24.0),
        ("1962", 2022, "K", 38.0),
        ("1962", 2022, "M", 23.9),
        ("0683", 2022, "K", 30.0),
        ("0683", 2022, "M", 20.0),
        ("0685", 2022, "K", 25.0),
        ("0685", 2022, "M", 20.0),
        ("0686", 2022, "K", 25.0),  # no men's value: no gap
    ]
    by_key = gaps(rows)
    assert by_key[("1962", 2022)] == pytest.approx((38.0, 23.9, 14.1))
    assert ("0686", 2022) not in by_key
    s = summarise_gap(by_key, "1962", ["0683", "0685", "0686", "1962"])
    assert s is not None and (s.year, s.n_peers, s.first_year) == (2022, 2, 2019)
    assert s.peers_median == pytest.approx(7.5) and s.change == "minskat"
    assert gap_sentence(s, "Norberg") == (
        "**Norberg** 2022: kvinnor 38, män 23,9, skillnad 14,1 (kvinnor − män). "
        "Medianskillnaden bland 2 liknande kommuner: 7,5. Skillnaden har minskat sedan 2019 "
        "(då 16)."
    )
    wider = summarise_gap(
        gaps([*rows, ("1962", 2018, "K", 30.0), ("1962", 2018, "M", 25.0)]), "1962", []
    )
    assert wider is not None and wider.change == "ökat" and wider.peers_median is None
    assert summarise_gap(by_key, "9999", []) is None


def test_kon_view_answers_first_and_says_when_not_divided(tiny_env: object) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["kommun"] = "1962"
    at.run()
    at.switch_page("app_pages/explorer.py").run()
    at.query_params.update({"kpi": "N00957", "vy": "Kön"})
    at.run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert any(
        re.match(r"\*\*Norberg\*\* \d{4}: kvinnor [\d,]+, män [\d,]+, skillnad", t) for t in texts
    )
    assert any("Egen bearbetning av data från Kolada" in c.value for c in at.caption)
    assert any(c.value == "Källa: Kolada" for c in at.caption)
    at.query_params["kpi"] = "N00923"  # Medellivslängd män: not divided by gender
    at.run()
    assert any("Kolada delar inte upp Medellivslängd män" in i.value for i in at.info)


# ------------------------------------------------------------------ charts


def _aria(chart: object) -> str:
    svg = vlc.vegalite_to_svg(chart.to_json())  # type: ignore[attr-defined]
    labels = re.findall(r'aria-label="([^"]*)"', svg)
    return "\n".join(a for a in labels if not a.startswith(("X-axis", "Y-axis", "Symbol")))


def test_ranking_chart_best_first_in_swedish() -> None:
    ranking = pd.DataFrame(
        {
            "municipality_id": ["a", "b", "c"],
            "municipality": ["Avesta", "Boden", "Kalix"],
            "value": [30.5, 1234.0, 12.0],
            "Plats": [2, 3, 1],
        }
    )
    chart = ranking_chart(ranking, "b", "plats 1 (bäst) till vänster")
    svg = vlc.vegalite_to_svg(chart.to_json())
    # Best first: the x axis lists the kommuner in the order of their places.
    assert "3 values: Kalix, Avesta, Boden" in svg
    assert "Kommuner, plats 1 (bäst) till vänster" in svg and "titled 'Värde'" in svg
    aria = _aria(chart)
    assert f"Kommun: Boden; Värde: 1{NBSP}234; Plats: 3" in aria
    assert not re.search(ENGLISH, aria)


def test_gender_charts_are_swedish() -> None:
    values = pd.DataFrame(
        {
            "year": [2021, 2021, 2022, 2022],
            "gender": ["K", "M", "K", "M"],
            "value": [1200.5, 1000.0, 38.0, 23.9],
        }
    )
    aria = _aria(gender_series_chart(values))
    assert f"År: 2021; Värde: 1{NBSP}200,5; Kön: Kvinnor" in aria
    gaps_df = pd.DataFrame(
        {
            "municipality_id": ["1962", "0683"],
            "municipality": ["Norberg", "Värnamo"],
            "women": [38.0, 30.0],
            "men": [23.9, 20.0],
            "gap": [14.1, -2.5],
        }
    )
    aria = _aria(gender_gap_chart(gaps_df, "1962", peers_median=7.5))
    assert "Skillnad (kvinnor − män): 14,1" in aria and "−2,5" in aria
    assert "Liknande kommuners median: 7,5" in aria
    assert not re.search(ENGLISH, aria)
