"""The Agenda 2030 page under AppTest, for each municipality, checked against the database
(the tiny one, tests/tiny.py) with queries written independently of the page's own code."""

from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from config import PROJECT_ROOT, Paths

APP = str(PROJECT_ROOT / "app.py")
PAGE = "app_pages/agenda.py"


def _agenda(kommun: str, sdg: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["kommun"] = kommun
    at.run()
    at.switch_page(PAGE).run()
    if sdg is not None:
        at.query_params["sdg"] = sdg
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _walk(node: object):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _nodes(at: AppTest, kind: str) -> list:
    return [n for n in _walk(at._tree) if getattr(n, "type", None) == kind]


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in (*at.markdown, *at.header, *at.subheader, *at.caption))


def _direct_sdgs(con: duckdb.DuckDBPyConnection, kommun: str) -> dict[int, set[str]]:
    """SDG → provenances of the goal file's direct links (a target counts for its goal)."""
    rows = con.execute(
        """
        SELECT coalesce(t.goal, TRY_CAST(l.target_id AS INTEGER)), l.provenance
        FROM goal_link l LEFT JOIN sdg_target t
          ON l.link_type = 'sdg_target' AND t.target_code = l.target_id
        WHERE l.municipality_id = ? AND l.link_type IN ('sdg', 'sdg_target')
        """,
        [kommun],
    ).fetchall()
    out: dict[int, set[str]] = {}
    for sdg, prov in rows:
        out.setdefault(sdg, set()).add(prov)
    # A proposed indicator's mapped SDG is a proposed link, too.
    for (sdg,) in con.execute(_KPI_SDGS + " AND i.provenance = 'förslag'", [kommun]).fetchall():
        out.setdefault(sdg, set()).add("förslag")
    return out


_KPI_SDGS = """
    SELECT DISTINCT m.sdg FROM indicator i
    JOIN kpi_sdg_map m ON m.kpi_id = i.kpi_id
    JOIN sdg_kpi_result r ON r.kpi_id = m.kpi_id AND r.municipality_id = i.municipality_id
    WHERE i.municipality_id = ?
"""


def _via_kpi_sdgs(con: duckdb.DuckDBPyConnection, kommun: str) -> set[int]:
    """SDGs reached through the document's own indicators (not proposed ones)."""
    return {
        r[0] for r in con.execute(_KPI_SDGS + " AND i.provenance <> 'förslag'", [kommun]).fetchall()
    }


@pytest.mark.parametrize("kommun", ["0665", "0685", "1962"])
def test_summary_and_coverage_match_the_goal_file(tiny_env: Paths, kommun: str) -> None:
    at = _agenda(kommun)
    with duckdb.connect(str(tiny_env.db_path), read_only=True) as con:
        direct = _direct_sdgs(con, kommun)
        via = _via_kpi_sdgs(con, kommun)
        names = dict(con.execute("SELECT goal, name_sv_short FROM sdg_goal").fetchall())
    metrics = {m.label: m.value for m in at.metric}
    # The headline counts the documents' links only: a proposed link is never a decision.
    from_doc = {sdg for sdg, provs in direct.items() if "källa" in provs}
    assert metrics["Globala mål som målen tar upp"] == f"{len(from_doc)} av 17"
    assert metrics["Bara som förslag"] == str(len(set(direct) - from_doc))
    assert metrics["Bara via nyckeltal"] == str(len(via - set(direct)))
    untouched = sorted(set(range(1, 18)) - set(direct) - via)
    assert metrics["Inte berörda alls"] == str(len(untouched))
    line = next(m.value for m in at.markdown if m.value.startswith("**Globala mål som inget"))
    for sdg in untouched:
        assert f"{sdg} {names[sdg]}" in line
    for sdg in set(range(1, 18)) - set(untouched):
        assert f" {sdg} {names[sdg]}" not in line.replace(":**", ":** ")
    # One matrix per framework, plus one per chained kind of link (challenges, RUS).
    frameworks = {"0665": 2, "0685": 1, "1962": 1}[kommun]
    chained = 2 if kommun == "0685" else 0
    charts = _nodes(at, "vega_lite_chart")
    assert len(charts) == frameworks + chained + 1  # + the status-by-SDG chart
    text = _markdown(at)
    assert "Från dokumentet" in text and "Förslag" in text and "Via nyckeltal" in text
    assert "Egen bearbetning av data från Kolada" in text


def test_norberg_reaches_agenda_2030_only_through_its_indicators(tiny_env: Paths) -> None:
    at = _agenda("1962")
    assert "Kopplingarna nedan går via målens nyckeltal" in at.info[0].value
    reverse = at.dataframe[0].value
    assert set(reverse["Globala mål (dokument)"]) == {""}
    goal_3 = reverse[reverse["Mål"].str.startswith("3. ")].iloc[0]
    assert "11" in goal_3["Via nyckeltal"].split(", ")  # trångboddhet → mål 11


def test_drill_down_from_sdg_to_goals_and_indicators(tiny_env: Paths) -> None:
    at = _agenda("1962", sdg="11")
    assert at.selectbox(key="sdg").value == "11"
    assert any("Mål 11: Hållbara städer och samhällen" in m.value for m in at.markdown)
    goals = at.dataframe[0].value
    assert list(goals["Koppling"].unique()) == ["Via nyckeltal"]
    links = _nodes(at, "page_link")
    trang = [p for p in links if "Trångboddhet" in p.proto.label]
    assert len(trang) == 1
    assert "mal=mal-3" in trang[0].proto.query_string or ("mal-3" in str(trang[0].proto)), trang[
        0
    ].proto
    with duckdb.connect(str(tiny_env.db_path), read_only=True) as con:
        expected = {
            r[0]
            for r in con.execute(
                """
                SELECT k.title FROM kpi_sdg_map m JOIN kpi k ON k.id = m.kpi_id
                JOIN sdg_kpi_result r ON r.kpi_id = m.kpi_id AND r.municipality_id = '1962'
                WHERE m.sdg = 11 AND m.kpi_id NOT IN (
                    SELECT kpi_id FROM indicator
                    WHERE municipality_id = '1962' AND kpi_id IS NOT NULL)
                """
            ).fetchall()
        }
    more = next(d.value for d in at.dataframe if "Varför här" in d.value.columns)
    assert set(more["Nyckeltal"]) == expected
    assert all(u.startswith("utforska?kommun=1962&kpi=") for u in more["Kolada"])


def test_vaggeryd_document_links_and_proposals_look_different(tiny_env: Paths) -> None:
    at = _agenda("0665", sdg="3")
    goals = at.dataframe[0].value
    # Goal 3 of the programme is linked to SDG 3 by the municipality's own website text.
    row = goals[goals["Mål"].str.startswith("3. Vaggeryds kommun")].iloc[0]
    assert row["Koppling"] == "Från dokumentet"
    at = _agenda("0665", sdg="5")
    kinds = dict(
        zip(at.dataframe[0].value["Mål"].str[:2], at.dataframe[0].value["Koppling"], strict=True)
    )
    assert kinds == {"3.": "Från dokumentet", "4.": "Förslag"}
    crc = next(d.value for d in at.dataframe if "Artikel" in d.value.columns)
    assert len(crc) == 16 and crc.iloc[0]["Artikel"].startswith("Artikel 2:")
    assert "Barnkonventionen" in [s.value for s in at.header]


def test_vetlanda_challenges_and_rus_reach_the_sdgs(tiny_env: Paths) -> None:
    at = _agenda("0685", sdg="16")
    subheaders = [s.value for s in at.header]
    assert "Utmaningar → mål → globala mål" in subheaders
    assert "Regional utvecklingsstrategi (RUS) → mål → globala mål" in subheaders
    reverse = next(d.value for d in at.dataframe if "Utmaningar" in d.value.columns)
    first = reverse.iloc[0]
    assert "Inkludering" in first["Utmaningar"] and "(förslag)" in first["RUS"]
    # 11, 16, 17 from the file's proposed links; 8 through a proposed indicator (N02243,
    # sysselsatta invånare, mapped to SDG 8).
    assert first["Globala mål (förslag)"].split(", ") == ["8", "11", "16", "17"]


def test_matrix_click_selects_the_sdg(tiny_env: Paths) -> None:
    """A click in a matrix arrives as the chart's selection state; the page turns it into
    the chosen SDG and writes it to the URL."""
    at = _agenda("1962")
    at.session_state["matrix_mal_norberg-2030_0"] = {"selection": {"cell": [{"sdg": 4}]}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="sdg").value == "4"
    assert at.query_params["sdg"] == "4"
    # The select box moves on; the matrices start afresh, so clicking SDG 4 again counts.
    at.selectbox(key="sdg").set_value("7").run()
    assert at.query_params["sdg"] == "7"
    at.session_state["matrix_mal_norberg-2030_1"] = {"selection": {"cell": [{"sdg": 4}]}}
    at.run()
    assert at.selectbox(key="sdg").value == "4"


def test_goal_page_links_back_to_its_global_goals(tiny_env: Paths) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["kommun"] = "0685"
    at.run()
    at.switch_page("app_pages/goal.py").run()
    at.query_params["mal"] = "trygghet-och-tillit"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    links = [p.proto for p in _nodes(at, "page_link") if "Agenda 2030-vyn" in p.proto.label]
    assert [p.label.split(" i ")[0] for p in links] == [
        "Globalt mål 11",
        "Globalt mål 16",
        "Globalt mål 17",
    ]
    assert (links[0].page, links[0].query_string) == ("agenda-2030", "kommun=0685&sdg=11")
