"""The explorer's table and downloads in a real browser (Chromium against `streamlit run`,
the fixtures of tests/test_browser.py): a year column sorts by number though its cells
read Swedish text, and the downloads carry their names. st.dataframe draws on a canvas;
the sorted order is read from the grid's accessibility table (role="grid"), which holds
the rows on screen in the order shown."""

from __future__ import annotations

import re

import duckdb
import openpyxl
import pytest
from playwright.sync_api import Page, expect

from config import Paths
from tests.test_browser import ARTIFACTS, _settled, browser, page, server  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _visible_rows(pg: Page) -> list[tuple[str, float]]:
    """(name, value) of the table rows the grid renders, top to bottom."""
    rows = pg.locator('[data-testid="stDataFrame"] table[role="grid"] tbody tr')
    out = []
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td").all_inner_texts()
        if len(cells) >= 2 and cells[1].strip():
            out.append((cells[0].strip(), float(cells[1])))
    return out


def test_year_column_sorts_by_number(server: str, page: Page, built_paths: Paths) -> None:  # noqa: F811
    """Sorting 2020 descending puts 100 above 97,7 (as text, "97,7" > "100")."""
    page.goto(f"{server}/utforska?kommun=1962&kpi=N15428&urval=alla&fran=2020&till=2020")
    _settled(page)
    grid = page.locator('[data-testid="stDataFrame"]')
    expect(grid).to_be_visible()
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    # The header of the last (only year) column: one click sorts ascending, two descending;
    # the header's arrow says when the grid has done it.
    header = grid.locator('table[role="grid"] thead')
    for arrow in ("↑", "↓"):
        page.mouse.click(box["x"] + box["width"] - 40, box["y"] + 18)
        expect(header).to_contain_text(f"{arrow} 2020")
    rows = _visible_rows(page)
    assert len(rows) >= 8
    numbers = [v for _, v in rows]
    assert numbers == sorted(numbers, reverse=True), rows
    with duckdb.connect(str(built_paths.db_path), read_only=True) as con:
        (top,) = con.execute(
            "SELECT max(v.value) FROM kolada_value v JOIN municipality m "
            "ON m.id = v.municipality_id AND m.type = 'K' "
            "WHERE v.kpi = 'N15428' AND v.year = 2020 AND v.gender = 'T'"
        ).fetchone()
    assert numbers[0] == pytest.approx(top)
    # Both sides of the text-sort trap are on screen: a three-digit and a two-digit value.
    assert numbers[0] >= 100 > numbers[-1]
    page.screenshot(path=str(ARTIFACTS / "utforska-1962-sorterad.png"))


def test_downloads_are_named_and_name_the_comparison(server: str, page: Page) -> None:  # noqa: F811
    page.goto(f"{server}/utforska?kommun=1962&kpi=N15428&urval=liknande")
    _settled(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Ladda ner Excel").click()
    name = info.value.suggested_filename
    assert re.fullmatch(r"malpuls-N15428-norberg-\d{4}-\d{2}-\d{2}\.xlsx", name), name
    target = ARTIFACTS / name
    info.value.save_as(target)
    book = openpyxl.load_workbook(target)
    assert book["Data"].freeze_panes == "A2" and book["Data"].auto_filter.ref
    about = dict(list(book["Om uttaget"].values)[1:])
    assert about["Jämförelse"].startswith("Liknande kommuner")
    assert re.fullmatch(r"Kolada-data hämtad \d+ \w+ \d{4} · senaste år \d{4}", about["Data"])
    with page.expect_download() as info:
        page.get_by_role("button", name="Ladda ner CSV (Excel)").click()
    assert info.value.suggested_filename == name.replace(".xlsx", ".csv")
