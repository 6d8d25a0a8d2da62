"""Issue 18, item 4: every document Målpuls produces meets what WCAG 2.1 AA / EN 301 549
asks of a document. Word (the frozen report, "Nulägesbild och förslag till delmål"):
alternative text on every picture that says what it shows, real heading styles in order,
a marked header row and a caption on every table, Swedish, a title. Excel (the frozen
report, the target proposals, the explorer's and the Agenda page's extracts): a title and
language in the properties, meaningful sheet names, one header row frozen and filtered,
no merged cells, no colour without a word.

The checks read the files' XML as a screen reader or Word's accessibility checker would,
and are written as functions returning the problems found: the last tests feed them
documents with each fault, so a check that stopped finding anything would fail there.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm

from config import Paths
from core.reports import Report
from reports.excel import to_workbook
from reports.freeze import build_report
from reports.targets_doc import excel_workbook, word_document
from reports.word import to_docx
from tests.test_export import DAY, _values
from tests.test_reports import _PNG, AUGUST, target_report  # noqa: F401 (a fixture)
from tests.test_targets_doc import _chart, _fake_png, goals
from ui.export import swedish_table, to_excel
from ui.export import to_workbook as extract_workbook

# Alternative text that names no content: what Word writes itself, or a bare kind.
GENERIC_ALT = re.compile(r"^(diagram|bild|figur|graf|image|picture|chart)?\s*\d*\.?$", re.I)
DEFAULT_SHEET = re.compile(r"^(Sheet|Blad)\d*$")
HEADING = re.compile(r"^Heading (\d)$")
# A fake heading: a short paragraph in Normal style, every run bold.
FAKE_HEADING_MAX = 80


# ------------------------------------------------------------------ the checks


def docx_problems(content: bytes) -> list[str]:
    """Everything that keeps the .docx from being accessible, in words; [] if nothing."""
    doc = Document(io.BytesIO(content))
    problems = []
    props = doc.core_properties
    if not props.title.strip():
        problems.append("dc:title saknas")
    if props.language != "sv-SE":
        problems.append(f"dc:language är {props.language!r}")
    styles_xml = doc.styles.element.xml
    if 'w:lang w:val="sv-SE"' not in styles_xml or "en-US" in styles_xml:
        problems.append("standardspråket i styles.xml är inte sv-SE")
    if "en-US" in doc.settings.element.xml:
        problems.append("settings.xml säger en-US")

    body = doc.element.body
    for pic in body.iter(qn("pic:pic")):
        holder = next(
            (a for a in pic.iterancestors() if a.tag in (qn("wp:inline"), qn("wp:anchor"))),
            None,
        )
        doc_pr = holder.find(qn("wp:docPr")) if holder is not None else None
        descr = (doc_pr.get("descr") or "").strip() if doc_pr is not None else ""
        title = (doc_pr.get("title") or "").strip() if doc_pr is not None else ""
        if not descr or GENERIC_ALT.match(descr) or len(descr) < 40:
            problems.append(f"bild utan meningsfull alternativtext: {descr!r}")
        if not title or GENERIC_ALT.match(title):
            problems.append(f"bild utan meningsfull rubrik (docPr title): {title!r}")

    levels = []
    for p in doc.paragraphs:
        name = p.style.name
        if name == "Title":
            levels.append((0, p.text))
        elif m := HEADING.match(name):
            levels.append((int(m.group(1)), p.text))
        elif (
            name == "Normal"
            and p.text.strip()
            and len(p.text) <= FAKE_HEADING_MAX
            and all(r.bold for r in p.runs if r.text.strip())
        ):
            problems.append(f"fet text i stället för rubrikformat: {p.text!r}")
    if not levels or levels[0][0] != 0:
        problems.append("dokumentet börjar inte med sin titel (formatet Rubrik/Title)")
    elif levels[0][1] not in props.title:
        problems.append(f"titeln {levels[0][1]!r} är inte dokumentets titel {props.title!r}")
    if sum(1 for level, _ in levels if level == 0) > 1:
        problems.append("mer än en titel")
    for (before, _), (level, text) in itertools.pairwise(levels):
        if level > before + 1:
            problems.append(f"rubriknivå {before} följs av nivå {level}: {text!r}")
        if not text.strip():
            problems.append("tom rubrik")

    for n, table in enumerate(doc.tables, start=1):
        tr_pr = table.rows[0]._tr.trPr
        if tr_pr is None or tr_pr.find(qn("w:tblHeader")) is None:
            problems.append(f"tabell {n}: första raden är inte markerad som rubrikrad")
        caption = table._tbl.tblPr.find(qn("w:tblCaption"))
        if caption is None or not (caption.get(qn("w:val")) or "").strip():
            problems.append(f"tabell {n}: saknar beskrivning (tblCaption)")
        if not all(c.text.strip() for c in table.rows[0].cells):
            problems.append(f"tabell {n}: tom rubrikcell")
    return problems


def xlsx_problems(content: bytes) -> list[str]:
    """Everything that keeps the .xlsx from being accessible, in words; [] if nothing."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    problems = []
    if not (book.properties.title or "").strip():
        problems.append("arbetsboken saknar titel")
    if book.properties.language != "sv-SE":
        problems.append(f"arbetsbokens språk är {book.properties.language!r}")
    for ws in book.worksheets:
        name = ws.title
        if DEFAULT_SHEET.match(name):
            problems.append(f"bladet heter {name!r}")
        if ws.max_row < 2:
            problems.append(f"{name}: tomt blad")
        if ws.merged_cells.ranges:
            problems.append(f"{name}: sammanfogade celler {ws.merged_cells.ranges}")
        ref = ws.auto_filter.ref
        if not ref:
            problems.append(f"{name}: inget autofilter")
            continue
        first, last = ref.split(":")
        header_row = int(re.sub(r"\D", "", first))
        columns = openpyxl.utils.column_index_from_string(re.sub(r"\d", "", last))
        if ws.freeze_panes != f"A{header_row + 1}":
            problems.append(f"{name}: låst vid {ws.freeze_panes}, rubrikraden är {header_row}")
        header = [ws.cell(header_row, c).value for c in range(1, columns + 1)]
        if not all(isinstance(h, str) and h.strip() for h in header):
            problems.append(f"{name}: rubrikraden {header_row} har tomma celler: {header}")
        for row in ws.iter_rows():
            for cell in row:
                if cell.fill.patternType == "solid" and cell.value in (None, ""):
                    problems.append(f"{name}!{cell.coordinate}: färg utan ord")
    return problems


# ------------------------------------------------------------------ the documents


@pytest.fixture(scope="module")
def vaggeryd(tiny_paths: Paths) -> Report:
    """Vaggeryd's report per 31 August 2023, frozen on the tiny database."""
    report, _ = build_report(tiny_paths, "0665", AUGUST, dt.datetime(2023, 9, 1))
    return report


def _alts(content: bytes) -> list[tuple[str, str]]:
    doc = Document(io.BytesIO(content))
    return [(s._inline.docPr.get("title"), s._inline.docPr.get("descr")) for s in doc.inline_shapes]


def test_frozen_report_word_is_accessible(vaggeryd: Report) -> None:
    content = to_docx(vaggeryd, chart=lambda _i, _n: _PNG)
    assert docx_problems(content) == []
    doc = Document(io.BytesIO(content))
    assert doc.core_properties.title == (
        f"Prognos för måloppfyllelse: {vaggeryd.label}, {vaggeryd.municipality_name}"
    )
    assert doc.core_properties.author == "Målpuls"
    areas = dict.fromkeys(g.area_id for g in vaggeryd.goals)  # the document's order
    charted = [
        i
        for a in areas
        for g in vaggeryd.goals
        if g.area_id == a
        for i in vaggeryd.indicators_of(g.goal_id)
        if i.years
    ]
    alts = _alts(content)
    assert len(alts) == len(charted) > 5
    for (title, descr), i in zip(alts, charted, strict=True):
        # What it shows (the indicator, the municipality), and its message in words.
        assert title == f"Linjediagram: {i.title}"
        assert descr.startswith(f"Linjediagram: {i.title}, Vaggeryd; bedömning: {i.status}")
        assert f"{i.years[0]}–{i.years[-1]}, senast " in descr or len(i.years) == 1
        assert "▲" not in descr and "▼" not in descr  # no status icons read as shapes
    goals_with_tables = [
        g
        for a in areas
        for g in vaggeryd.goals
        if g.area_id == a and vaggeryd.indicators_of(g.goal_id)
    ]
    assert len(doc.tables) == len(goals_with_tables)
    caption = doc.tables[0]._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val"))
    assert (
        caption
        == f"Indikatorer för Mål {goals_with_tables[0].number}. {goals_with_tables[0].title}"
    )


def test_frozen_report_with_a_proposal_says_so_in_the_alt_text(target_report: Report) -> None:  # noqa: F811
    content = to_docx(target_report, chart=lambda _i, _n: _PNG)
    assert docx_problems(content) == []
    descrs = [d for _t, d in _alts(content)]
    assert any(
        "bedömning: " in d and "mot förslag till målvärde (ej beslutat)" in d for d in descrs
    )


def test_frozen_report_excel_is_accessible(vaggeryd: Report) -> None:
    content = to_workbook(vaggeryd)
    assert xlsx_problems(content) == []
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.properties.title == f"{vaggeryd.label}: måluppföljning, Vaggeryd"
    summary = book["Sammanfattning"]
    header_row = summary.freeze_panes and int(summary.freeze_panes[1:]) - 1
    assert summary.cell(header_row, 1).value == "Område"
    # The filter ends at the last goal: the source line below it is not filtered data.
    assert summary.auto_filter.ref == f"A{header_row}:K{header_row + len(vaggeryd.goals)}"
    area = book.worksheets[1]
    assert area["A1"].value == vaggeryd.area_title(vaggeryd.goals[0].area_id)
    assert area["A4"].value == "Mål"
    assert area.freeze_panes == "A5" and area.auto_filter.ref.startswith("A4:S")
    assert area.print_title_rows == "$4:$4"  # the header on every printed page


def test_targets_word_is_accessible() -> None:
    content = word_document(
        goals(),
        "Norberg",
        "Vision Norberg 2030",
        dt.date(2026, 8, 31),
        charts={("mal-1", "n1-behoriga"): _chart()},
        png=_fake_png,
    )
    assert docx_problems(content) == []
    doc = Document(io.BytesIO(content))
    assert doc.paragraphs[1].style.name == "Subtitle"  # "Förslag — inte beslutat"
    titles = [p.indicator_title for g in goals() for p in g.proposals]
    alts = _alts(content)
    assert [t for t, _d in alts] == [f"Linjediagram: {t}" for t in titles]
    assert all(
        d.startswith(f"Linjediagram: {t}, Norberg.")
        for (_t, d), t in zip(alts, titles, strict=True)
    )
    assert "P(nås)" in alts[0][1] and "Utvecklingen: förbättras." in alts[0][1]
    captions = [t._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val")) for t in doc.tables]
    assert captions == ["Förslag till delmål: Behöriga till yrkesprogram",
                        "Förslag till delmål: Trygg i skolan"]  # fmt: skip


def test_targets_word_without_areas_skips_no_heading_level() -> None:
    """Goals outside an area start at Heading 1, their indicators at Heading 2."""
    content = word_document(
        [replace(g, area_title="") for g in goals()],
        "Norberg",
        "Vision Norberg 2030",
        dt.date(2026, 8, 31),
        png=_fake_png,
    )
    assert docx_problems(content) == []
    doc = Document(io.BytesIO(content))
    goal = next(p for p in doc.paragraphs if p.text == goals()[0].goal_title)
    assert goal.style.name == "Heading 1"


def test_targets_excel_is_accessible() -> None:
    content = excel_workbook(goals(), "Norberg", "Vision Norberg 2030", dt.date(2026, 8, 31))
    assert xlsx_problems(content) == []
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.properties.title.startswith("Nulägesbild och förslag till delmål: ")
    for ws in book.worksheets:
        assert ws["A1"].value.startswith("Nulägesbild och förslag till delmål")
        assert ws.cell(5, 1).value == "Kommun" and ws.auto_filter.ref.startswith("A5:")


def test_targets_workbook_from_the_cli_is_accessible(tiny_env: Paths, tmp_path: Path) -> None:
    """`python -m reports targets` on real proposals (the tiny database), not hand-made."""
    from reports.__main__ import main

    args = ["--date", "2021-12-31", "--format", "xlsx", "--out", str(tmp_path)]
    assert main(["targets", "--kommun", "1962", *args]) == 0
    written = sorted(tmp_path.glob("malvarden-1962-*.xlsx"))
    assert written
    for path in written:
        assert xlsx_problems(path.read_bytes()) == []


def test_explorer_and_agenda_extracts_are_accessible() -> None:
    values, meta = _values()
    table = swedish_table(values, meta)
    content = to_excel(table, meta, {"Kommun": "Norberg (1962)"}, DAY)
    assert xlsx_problems(content) == []
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.properties.title == "Nyckeltal från Kolada: N15428, N00001"
    about = dict(list(book["Om uttaget"].values)[1:])
    assert about["Titel"] == book.properties.title

    import pandas as pd

    links = pd.DataFrame({"Mål-id": ["mal-1"], "Globalt mål": [3]})
    content = extract_workbook(
        {"Kopplingar": links}, {"Kommun": "Vetlanda (0685)"}, DAY, source="X"
    )
    assert xlsx_problems(content) == []
    title = openpyxl.load_workbook(io.BytesIO(content)).properties.title
    assert title == "Uttag ur Målpuls: Kopplingar (Vetlanda (0685))"


# ------------------------------------------------------------------ the checks find faults


def test_the_word_check_finds_each_fault() -> None:
    """A document as python-docx writes it by default, with a picture without alt text,
    a bold paragraph posing as a heading, a skipped level and a table without a header."""
    doc = Document()
    doc.add_heading("Rapport", level=0)
    doc.add_paragraph().add_run("Inledning").bold = True
    doc.add_heading("Avsnitt", level=3)
    doc.add_picture(io.BytesIO(_PNG), width=Cm(2))
    doc.add_table(rows=2, cols=2).cell(0, 0).text = "A"
    buf = io.BytesIO()
    doc.save(buf)
    problems = "\n".join(docx_problems(buf.getvalue()))
    for fault in (
        "dc:title saknas",
        "dc:language",
        "en-US",
        "bild utan meningsfull alternativtext",
        "fet text i stället för rubrikformat: 'Inledning'",
        "rubriknivå 0 följs av nivå 3",
        "tabell 1: första raden är inte markerad",
        "tabell 1: saknar beskrivning",
        "tabell 1: tom rubrikcell",
    ):
        assert fault in problems


def test_the_excel_check_finds_each_fault() -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Status", None])
    ws.append(["På väg", 1])
    ws.merge_cells("A3:B3")
    ws.auto_filter.ref = "A1:B2"
    ws["C2"].fill = openpyxl.styles.PatternFill("solid", fgColor="FF0000")
    buf = io.BytesIO()
    book.save(buf)
    problems = "\n".join(xlsx_problems(buf.getvalue()))
    for fault in (
        "arbetsboken saknar titel",
        "arbetsbokens språk",
        "bladet heter 'Sheet'",
        "sammanfogade celler",
        "låst vid None",
        "rubrikraden 1 har tomma celler",
        "Sheet!C2: färg utan ord",
    ):
        assert fault in problems
