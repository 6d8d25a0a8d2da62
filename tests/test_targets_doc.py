"""The "Nulägesbild och förslag till delmål" documents (reports.targets_doc): the Word file
opens, says it is a förslag, has one chart per indicator with alt text; the Excel file has
Swedish headers and one row per indicator × option × milestone. Built from hand-made
proposals with plausible values (the contract in core.targets), so the test does not
depend on the proposal engine."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from openpyxl import load_workbook

from config import Paths
from core.targets import (
    FLAG_NO_AMBITION,
    HOLD,
    PEER_MEDIAN,
    TOP_QUARTER,
    AchievedChange,
    GoalProposals,
    Milestone,
    Nulage,
    Option,
    Proposal,
    Rank,
    Spread,
)
from reports.targets_doc import (
    NOT_DECIDED,
    ROW_COLUMNS,
    TITLE,
    FanPoint,
    TargetChart,
    alt_text,
    excel_workbook,
    option_rows,
    target_chart,
    word_document,
)


def _option(kind: str, step: float, p_end: float, flag: str | None = None) -> Option:
    milestones = tuple(
        Milestone(
            dt.date(year, 12, 31),
            "periodmål" if year == 2027 else "delmål",
            78.3 + step * (year - 2022),
            min(0.95, p_end + 0.1 * (2027 - year)),
            f"{10 + year - 2022} av 45 liknande kommuner förbättrades så mycket",
        )
        for year in range(2024, 2028)
    )
    return Option(
        kind,
        f"Dagens värde plus {step} procentenheter per år.",
        milestones,
        accepted_limit=78.3 + step * 5 - 2.0,
        flag=flag,
        evidence="12 av 45 liknande kommuner förbättrades så mycket på fem år.",
    )


def _proposal(indicator_id: str, title: str, kpi: str, *, options: bool = True) -> Proposal:
    nulage = Nulage(
        kpi=kpi,
        gender="T",
        direction="öka",
        unit="%",
        latest_year=2022,
        latest_value=78.3,
        n_points=9,
        trend_per_year=0.8,
        trend_words="Förbättras",
        rank_all=Rank(45, 290, 2022),
        rank_peers=Rank(3, 8, 2022),
        peers_name="Liknande kommuner, övergripande, Norberg, 2023",
        spread_all=Spread(2022, 290, 50.0, 70.0, 76.0, 82.0, 95.0),
        spread_peers=Spread(2022, 8, 60.0, 71.0, 75.5, 80.0, 88.0),
        riket=80.1,
        achieved=(AchievedChange(3, "liknande", 45, 1.2, 3.0, 5.5, 30),),
    )
    if not options:
        return Proposal(indicator_id, title, nulage, (), note="För kort serie för förslag.")
    return Proposal(
        indicator_id,
        title,
        nulage,
        (
            _option(HOLD, 0.0, 0.93, FLAG_NO_AMBITION),
            _option(PEER_MEDIAN, 0.5, 0.62),
            _option(TOP_QUARTER, 1.5, 0.24),
        ),
    )


def goals() -> list[GoalProposals]:
    return [
        GoalProposals(
            framework_id="norberg-2030",
            framework_name="Vision Norberg 2030",
            area_title="Strategiskt område 1. Norberg - att växa upp i",
            goal_id="mal-1",
            goal_title="Mål 1. Alla barn och unga har goda förutsättningar",
            goal_kind="styrande mål",
            period_start=dt.date(2024, 1, 1),
            period_end=dt.date(2027, 12, 31),
            proposals=(
                _proposal("n1-behoriga", "Behöriga till yrkesprogram", "N15428"),
                _proposal("n1-trygg", "Trygg i skolan", "N15533"),
            ),
        ),
        GoalProposals(
            framework_id="norberg-2030",
            framework_name="Vision Norberg 2030",
            area_title="Strategiskt område 2. Norberg - att leva i",
            goal_id="mal-2",
            goal_title="Mål 2. Vi har en god folkhälsa.",
            goal_kind="styrande mål",
            period_start=dt.date(2024, 1, 1),
            period_end=dt.date(2027, 12, 31),
            proposals=(_proposal("n2-kort", "Kort serie", "N00957", options=False),),
        ),
    ]


def _chart() -> TargetChart:
    history = pd.DataFrame(
        {
            "year": [2018, 2019, 2020, 2021, 2022] * 3,
            "series": ["kommun"] * 5 + ["riket"] * 5 + ["liknande"] * 5,
            "value": [74.0, 75.5, 76.0, 77.1, 78.3, 79, 79.5, 79.8, 80, 80.1, 74, 74, 75, 75, 75.5],
        }
    )
    band = pd.DataFrame(
        {"year": [2018, 2019, 2020, 2021, 2022], "q25": [70.0] * 5, "q75": [80.0] * 5}
    )
    fan = tuple(
        FanPoint(y, 78.3 + 0.5 * (y - 2022), 78.3 - (y - 2022), 78.3 + 2 * (y - 2022))
        for y in range(2022, 2028)
    )
    return TargetChart(history, band, fan)


def _fake_png(_chart: object) -> bytes:
    # A real PNG (1×1) so python-docx can read its size; vl-convert is tested once below.
    import base64

    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )


def test_word_document_has_title_pictures_with_alt_text_and_says_forslag() -> None:
    gp = goals()
    content = word_document(
        gp,
        "Norberg",
        "Vision Norberg 2030",
        dt.date(2026, 8, 31),
        charts={("mal-1", "n1-behoriga"): _chart()},
        png=_fake_png,
    )
    doc = Document(io.BytesIO(content))
    # Swedish for screen readers and spell-checking, not python-docx's en-US default.
    assert doc.core_properties.language == "sv-SE"
    assert 'w:lang w:val="sv-SE"' in doc.styles.element.xml
    assert "en-US" not in doc.styles.element.xml
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == TITLE
    first_page = "\n".join(paragraphs[:5])
    assert NOT_DECIDED in first_page and "Förslag" in first_page
    n_indicators = sum(len(g.proposals) for g in gp)
    pictures = doc.inline_shapes
    assert len(pictures) == n_indicators
    descrs = [s._inline.docPr.get("descr") for s in pictures]
    assert all(d and d.strip() for d in descrs)
    assert "Behöriga till yrkesprogram" in descrs[0]
    assert "Förslag: bästa kvartilens takt" in descrs[0]
    text = "\n".join(paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells
    )
    assert "Förslag: hålla nivån" in text
    assert "62 %" in text
    assert "knappast en ambition" in text
    assert "Källa: Kolada" in text and "Egen bearbetning av data från Kolada" in text
    assert "För kort serie för förslag." in text
    assert len(doc.tables) == 2  # one options table per indicator with options


def test_word_document_draws_real_charts() -> None:
    """The chart really renders through vl-convert (the one slow step, once)."""
    gp = goals()[:1]
    content = word_document(
        gp,
        "Norberg",
        "Vision Norberg 2030",
        dt.date(2026, 8, 31),
        charts={("mal-1", "n1-behoriga"): _chart()},
    )
    doc = Document(io.BytesIO(content))
    assert len(doc.inline_shapes) == 2
    blob = doc.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    assert doc.part.related_parts[blob].blob[:8] == b"\x89PNG\r\n\x1a\n"


def test_excel_has_swedish_headers_and_one_row_per_milestone() -> None:
    gp = goals()
    wb = load_workbook(
        io.BytesIO(excel_workbook(gp, "Norberg", "Vision Norberg 2030", dt.date(2026, 8, 31)))
    )
    assert wb.sheetnames == ["Förslag", "Nulägesbild"]
    ws = wb["Förslag"]
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Kommun")
    headers = [ws.cell(header_row, c).value for c in range(1, len(ROW_COLUMNS) + 1)]
    assert headers == [
        "Kommun",
        "Mål",
        "Indikator",
        "KPI-id",
        "Alternativ",
        "Datum",
        "Typ",
        "Värde",
        "P(nås)",
        "Flagga",
        "Underlag",
    ]
    rows = [
        [ws.cell(r, c).value for c in range(1, len(headers) + 1)]
        for r in range(header_row + 1, ws.max_row + 1)
        if ws.cell(r, 5).value
    ]
    expected = [
        (p.indicator_title, o.kind, m.date, m.value, m.p_reached)
        for g in gp
        for p in g.proposals
        for o in p.options
        for m in o.milestones
    ]
    assert len(rows) == len(expected) == 2 * 3 * 4
    for row, (title, kind, date, value, p) in zip(rows, expected, strict=True):
        assert row[0] == "Norberg"
        assert row[2] == title
        assert row[4] == f"Förslag: {kind}"
        assert row[5].date() == date
        assert row[7] == pytest.approx(value)
        assert row[8] == pytest.approx(p)
    p_cell = ws.cell(header_row + 1, 9)
    assert p_cell.number_format == "0%"
    nl = wb["Nulägesbild"]
    values = [c.value for row in nl.iter_rows() for c in row if c.value is not None]
    assert "Senaste värde" in values and "Plats bland alla kommuner" in values
    assert 45 in values and 290 in values


def test_option_rows_and_alt_text_speak_of_forslag() -> None:
    p = goals()[0].proposals[0]
    rows = option_rows(p)
    assert [r["Alternativ"] for r in rows] == [
        "Förslag: hålla nivån",
        "Förslag: liknande kommuners mediantakt",
        "Förslag: bästa kvartilens takt",
    ]
    assert rows[1]["P(nås)"] == "62 %"
    assert rows[0]["Flagga"] == "knappast en ambition"
    assert rows[1]["2024"] == "79,3"  # a delmål per year, the last one the periodmål
    assert rows[1]["2027 (periodmål)"] == "80,8"
    text = alt_text(p, _chart(), "Norberg")
    assert "Prognos för 2027" in text and "80 % intervall" in text
    spec = target_chart(_chart(), p, "Norberg", chosen=PEER_MEDIAN).to_dict()
    labels = spec["layer"][-1]["encoding"]["color"]["scale"]["domain"]
    assert "Förslag: liknande kommuners mediantakt" in labels


def test_cli_writes_one_workbook_per_framework(
    tiny_env: Paths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m reports targets` on the tiny database: Norberg's workbook is written;
    Vetlanda (no styrande goal with KPI indicators) gets a Swedish message and exit 1."""
    from reports.__main__ import main

    args = ["targets", "--date", "2021-12-31", "--format", "xlsx", "--out", str(tmp_path)]
    assert main([*args[:1], "--kommun", "1962", *args[1:]]) == 0
    written = sorted(tmp_path.glob("malvarden-1962-*.xlsx"))
    assert written, capsys.readouterr()
    wb = load_workbook(written[0])
    assert wb.sheetnames == ["Förslag", "Nulägesbild"]
    assert main([*args[:1], "--kommun", "0685", *args[1:]]) == 1
    assert "Vetlanda har inga styrande mål med nyckeltal" in capsys.readouterr().err
