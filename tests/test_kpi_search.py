"""The KPI search engine (core.kpi_search) on the real catalogue, its reader (db.kpi_docs)
and its command line (`python -m etl kpi-search`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace

import duckdb
import pytest

from config import PROJECT_ROOT, Paths
from core.kpi_search import (
    BOOST_SDG_TARGET,
    CONTEXT_WEIGHT,
    GoalFileUse,
    Hit,
    KpiDoc,
    KpiSearchIndex,
    propose_for_goal,
)
from db.kpi_docs import query_kpi_docs


@pytest.fixture(scope="module")
def docs(tiny_paths: Paths) -> list[KpiDoc]:
    # The tiny database holds the whole catalogue (only its values are cut).
    with duckdb.connect(str(tiny_paths.db_path), read_only=True) as con:
        return query_kpi_docs(con)


@pytest.fixture(scope="module")
def index(docs: list[KpiDoc]) -> KpiSearchIndex:
    return KpiSearchIndex(docs)


def _ids(index: KpiSearchIndex, text: str, k: int = 10, **kw: object) -> list[str]:
    return [h.kpi for h in index.search(text, k, **kw)]  # type: ignore[arg-type]


def test_docs_are_the_catalogue_with_what_ranking_needs(
    docs: list[KpiDoc], tiny_con: duckdb.DuckDBPyConnection
) -> None:
    retired = {k for (k,) in tiny_con.execute("SELECT id FROM kpi WHERE is_retired").fetchall()}
    total = tiny_con.execute("SELECT count(*) FROM kpi").fetchall()[0][0]
    assert len(docs) == total > 6000
    assert {d.id for d in docs if d.is_retired} == retired and retired
    by_id = {d.id: d for d in docs}
    n15428 = by_id["N15428"]
    assert n15428.in_agenda2030 and n15428.latest_year is not None
    assert GoalFileUse("1962", "Norberg") in n15428.used_by
    assert any("Folkhälsa" in c for c in by_id["N00925"].context)
    # The curated Agenda 2030 mapping, as codes (data/reference/kpi_sdg_mapping.csv).
    assert (by_id["N07403"].sdg_goals, by_id["N07403"].sdg_targets) == ((16,), ("16.1",))
    assert by_id["N01958"].sdg_goals == (11,) and by_id["N01958"].sdg_targets == ()
    agenda = tiny_con.execute(
        "SELECT count(DISTINCT s.kpi_id) FROM kpi_sdg s JOIN kpi k ON k.id = s.kpi_id"
    ).fetchall()[0][0]
    assert sum(d.in_agenda2030 for d in docs) == agenda > 80


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("behörighet gymnasiet", "N15428"),
        ("behöriga yrkesprogram", "N15428"),
        ("behoriga yrkesprogram", "N15428"),  # typed without å/ä/ö
        ("BEHÖRIGA YRKESPROGRAM", "N15428"),
        ("behorig yrkesprog", "N15428"),  # partial words
        ("gymnasieelever examen", "N17461"),
        ("gymnasie examen 4 år", "N17461"),  # a compound's part finds the compound
        ("medellivslangd kvinnor", "N00925"),
    ],
)
def test_finds_the_kpi_in_the_top_ten(index: KpiSearchIndex, text: str, expected: str) -> None:
    assert expected in _ids(index, text)


def test_accents_do_not_matter(index: KpiSearchIndex) -> None:
    assert _ids(index, "behöriga yrkesprogram") == _ids(index, "behoriga yrkesprogram")
    assert _ids(index, "Ohälsotal") == _ids(index, "ohalsotal")


def test_no_shared_word_is_no_hit(index: KpiSearchIndex) -> None:
    assert index.search("", 10) == []
    assert index.search("och i för", 10) == []  # stop words only
    assert index.search("qqqzzx", 10) == []


def test_a_kpi_without_values_ranks_below_an_equal_one_with_values(docs: list[KpiDoc]) -> None:
    with_values = next(d for d in docs if d.id == "N15428")
    without = replace(with_values, id="X00001", latest_year=None, n_geographies=0)
    index = KpiSearchIndex([*docs, without])
    for propose in (False, True):
        hits = index.search("behöriga yrkesprogram hemkommun", 50, propose=propose)
        ids = [h.kpi for h in hits]
        assert "X00001" in ids or propose  # a lookup still finds it
        if "X00001" in ids:
            assert ids.index("N15428") < ids.index("X00001")
    lookup = {h.kpi: h for h in index.search("behöriga yrkesprogram hemkommun", 50)}
    assert "inga värden i databasen, därför lägre rankad" in lookup["X00001"].reasons
    assert lookup["X00001"].score < lookup["N15428"].score
    assert any(r.startswith("värden till ") for r in lookup["N15428"].reasons)


def test_reasons_name_title_words_agenda_and_use(index: KpiSearchIndex) -> None:
    hit = next(h for h in index.search("behöriga yrkesprogram", 10) if h.kpi == "N15428")
    assert hit.reasons[0] == "ord i titeln: behöriga, yrkesprogram"
    assert "i Agenda 2030-gruppen" in hit.reasons
    assert "används i Norbergs målfil" in hit.reasons


def test_leave_one_out_ignores_the_own_goal_file(index: KpiSearchIndex) -> None:
    """A proposal for Norberg must not lean on Norberg's own file (the benchmark's honesty)."""
    # N31816 is in Norberg's file only (N15428, say, is proposed in the others too).
    text = "långvarigt ekonomiskt bistånd"
    own = {h.kpi: h for h in index.search(text, 10)}["N31816"]
    left_out = {h.kpi: h for h in index.search(text, 10, exclude_usage_of="1962")}["N31816"]
    assert "används i Norbergs målfil" in own.reasons
    assert not any("Norberg" in r for r in left_out.reasons)
    assert left_out.score < own.score
    # Another municipality's exclusion leaves Norberg's use counted.
    other = {h.kpi: h for h in index.search(text, 10, exclude_usage_of="0665")}["N31816"]
    assert other.score == own.score


def test_only_restricts_to_the_given_ids(index: KpiSearchIndex) -> None:
    assert _ids(index, "behöriga yrkesprogram", only={"N15428", "N00925"}) == ["N15428"]
    assert _ids(index, "behöriga yrkesprogram", only=set()) == []


def test_proposals_for_a_goal_explain_themselves(index: KpiSearchIndex) -> None:
    hits = propose_for_goal(index, "Vi har en god folkhälsa.", n=10, municipality_id="1962")
    assert len(hits) == 10
    assert "N00925" in [h.kpi for h in hits] or "N00923" in [h.kpi for h in hits]
    for h in hits:
        assert h.reasons and not any("Norberg" in r for r in h.reasons)
    families = [h.title.split(",")[0] for h in hits]
    assert len(set(families)) == len(families)  # one KPI per measure


def test_cli_prints_ranked_id_tab_title_lines(tiny_paths: Paths) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "etl", "kpi-search", "behöriga yrkesprogram", "--limit", "5"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "MALPULS_DATA_DIR": str(tiny_paths.db_path.parent)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = out.splitlines()
    assert len(lines) == 5 and out.endswith("\n")
    assert all(re.fullmatch(r"[A-Z]\d{5}\t[^\t]+", line) for line in lines), lines
    assert (
        lines[0] == "N15428\tElever i åk 9 som är behöriga till yrkesprogram, hemkommun, andel (%)"
    )


def test_cli_without_database_says_how_to_build_it(tmp_path: Paths) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "etl", "kpi-search", "ohälsotal"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "MALPULS_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert "python -m etl --offline" in done.stderr


def test_a_retired_kpi_is_found_by_its_title_but_never_proposed(
    index: KpiSearchIndex, docs: list[KpiDoc]
) -> None:
    """Norberg's "trygg i skolan" names N15533, retired (its successor is N15643): a lookup
    of the old title finds it and says it is retired; a proposal offers only current KPIs."""
    title = "Elever i åk 9: Jag känner mig trygg i skolan, positiva svar, andel (%)"
    hit = {h.kpi: h for h in index.search(title, 10)}["N15533"]
    assert "avvecklat i Kolada" in hit.reasons
    retired = {d.id for d in docs if d.is_retired}
    for text in (title, "Vi har vi den bästa skolan för varje barn och ungdom."):
        proposed = {h.kpi for h in propose_for_goal(index, text, n=50)}
        assert proposed and not proposed & retired


# ---------------------------------------------------------------------- a goal's context

NORBERG_AREA = (
    "Norberg - att växa upp i. Lusten att lära är grunden för all utveckling, det är vad "
    "skolan har att stimulera. Med förebyggande folkhälsoarbete skapas förutsättningar för "
    "jämlik hälsa. I Norberg ska alla invånare ges förutsättningar att leva i goda bostäder "
    "till rimliga kostnader och i en stimulerande och trygg miljö."
)


def test_a_context_weighs_below_the_goals_own_words() -> None:
    own = {"folkhals": 1.0}
    long_context = {"folkhals": 1.0, "skol": 1.0, "bostad": 1.0, "trygg": 0.7}
    around = KpiSearchIndex.context_terms(own, long_context)
    assert set(around) == {"skol", "bostad", "trygg"}  # the goal's own word is not repeated
    assert sum(around.values()) == pytest.approx(CONTEXT_WEIGHT * sum(own.values()))
    assert around["trygg"] == pytest.approx(0.7 * around["skol"])
    # A short context: each word at CONTEXT_WEIGHT, not scaled up to the own words' total.
    assert KpiSearchIndex.context_terms({"a": 1.0, "b": 1.0}, {"c": 1.0}) == {"c": CONTEXT_WEIGHT}
    assert KpiSearchIndex.context_terms(own, {"folkhals": 1.0}) == {}


def test_a_proposal_reads_the_goals_area_and_says_so(index: KpiSearchIndex) -> None:
    title = "Vi har en god folkhälsa."
    plain = propose_for_goal(index, title, n=20, municipality_id="1962")
    assert propose_for_goal(index, title, n=20, municipality_id="1962", context=None) == plain
    with_area = propose_for_goal(index, title, n=20, municipality_id="1962", context=NORBERG_AREA)
    assert [h.kpi for h in with_area] != [h.kpi for h in plain]
    # The goal's own subject still leads: life expectancy stays among the proposals.
    assert {"N00925", "N00923"} & {h.kpi for h in with_area[:10]}
    from_area = [r for h in with_area for r in h.reasons if "från målets område" in r]
    assert from_area and all(
        re.fullmatch(r"ord i (titeln|beskrivningen) från målets område: .+", r) for r in from_area
    )
    # The goal's own words come first in a reason: no hit cites only the area for a word
    # of the title.
    for h in with_area:
        assert not any("från målets område: folkhälsa" in r for r in h.reasons)


# ---------------------------------------------------------------------- Agenda 2030 links

VIOLENCE = "Minska våldet och öka tryggheten"  # N07403 "Anmälda våldsbrott" is mapped to 16.1


def _rank_and_hit(hits: list[Hit], kpi: str) -> tuple[int, Hit]:
    ids = [h.kpi for h in hits]
    assert kpi in ids, ids
    return ids.index(kpi), hits[ids.index(kpi)]


def test_a_goal_linked_to_a_target_boosts_the_kpis_mapped_to_it(index: KpiSearchIndex) -> None:
    unlinked_rank, unlinked = _rank_and_hit(propose_for_goal(index, VIOLENCE, n=50), "N07403")
    linked_rank, linked = _rank_and_hit(
        propose_for_goal(index, VIOLENCE, n=50, sdg_targets={"16.1"}, sdg_goals={16}), "N07403"
    )
    assert linked_rank < unlinked_rank
    assert linked.score == pytest.approx(BOOST_SDG_TARGET * unlinked.score)
    reason = "kopplat till Agenda 2030-delmål 16.1, som målet är kopplat till"
    assert reason in linked.reasons
    assert not any("som målet är kopplat till" in r for r in unlinked.reasons)


def test_a_goal_linked_to_an_sdg_boosts_its_kpis_less_than_a_target(
    index: KpiSearchIndex,
) -> None:
    plain = _rank_and_hit(propose_for_goal(index, VIOLENCE, n=50), "N07403")[1]
    by_goal = _rank_and_hit(propose_for_goal(index, VIOLENCE, n=50, sdg_goals=[16]), "N07403")[1]
    by_target = _rank_and_hit(
        propose_for_goal(index, VIOLENCE, n=50, sdg_targets=["16.1"]), "N07403"
    )[1]
    assert plain.score < by_goal.score < by_target.score
    assert "kopplat till Agenda 2030-mål 16, som målet är kopplat till" in by_goal.reasons
    # Another target of the same SDG: the tie is the SDG's, not the target's.
    other = _rank_and_hit(propose_for_goal(index, VIOLENCE, n=50, sdg_targets=["16.7"]), "N07403")
    assert other[1].score == pytest.approx(by_goal.score)
    # A link to another SDG boosts nothing here.
    unrelated = _rank_and_hit(propose_for_goal(index, VIOLENCE, n=50, sdg_goals=[13]), "N07403")
    assert unrelated[1].score == pytest.approx(plain.score)
