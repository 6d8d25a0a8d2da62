"""Issue 18 item 3 in a real browser (Debian's Chromium through Playwright, as
tests/test_browser.py): the Agenda 2030 matrix's choice can be made with the keyboard
alone, and a chart's text alternative reaches the browser (its aria-label, and the
"Visa som tabell" expander opened by keyboard). Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.test_browser import (  # noqa: F401 (the fixtures are used by name)
    ARTIFACTS,
    _settled,
    browser,
    page,
    server,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _tab_to(page: Page, target: Locator, limit: int) -> int:  # noqa: F811
    """Press Tab until `target` has the focus; the number of presses. Fails after `limit`:
    a target the keyboard cannot reach, or one too far away."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return presses
    raise AssertionError(f"Tab never reached {target} in {limit} presses")


def test_agenda_sdg_detail_by_keyboard_only(server: str, page: Page) -> None:  # noqa: F811
    """A keyboard user: from the top of the page, Tab to the link beside the matrix,
    Enter, Tab to the select box, choose goal 11 with the keys: the URL and the detail
    follow, as a click in the matrix would."""
    page.goto(f"{server}/agenda-2030?kommun=0665")
    # A first view may wait for the server's caches: a generous timeout, no timing claim.
    expect(page.locator("h1").first).to_have_text("Agenda 2030", timeout=60_000)
    _settled(page)
    link = page.get_by_role("link", name="välj det globala målet i en lista")
    _tab_to(page, link, limit=60)
    page.keyboard.press("Enter")
    box = page.get_by_role("combobox", name="Globalt mål")
    # The link lands at the detail's heading: the select box is a Tab or two on.
    assert _tab_to(page, box, limit=3) <= 3
    page.keyboard.press("ArrowDown")
    page.keyboard.type("11 Hållbara")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]sdg=11\b"))
    heading = page.get_by_role("heading", name="Mål 11: Hållbara städer och samhällen")
    expect(heading).to_be_visible()
    # Its goals and indicators follow, each a link the keyboard reaches in turn.
    expect(page.get_by_text("Mål som kopplas hit").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "chart-agenda-keyboard-sdg11.png"))


def test_chart_text_alternative_in_the_browser(server: str, page: Page) -> None:  # noqa: F811
    """The chart's description is its accessible name, and its table opens by keyboard."""
    page.goto(f"{server}/mal?kommun=1962&mal=mal-2")
    expect(page.locator("h1").first).to_have_text("Mål 2. Vi har en god folkhälsa.", timeout=60_000)
    _settled(page)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    expect(chart).to_have_attribute("aria-label", re.compile(r"^Linjediagram: Norbergs värde "))
    label = chart.get_attribute("aria-label")
    expect(page.get_by_text(label or "", exact=True)).to_be_visible()  # said on the page too
    summary = page.locator("summary", has_text="Visa som tabell").first
    _tab_to(page, summary, limit=80)
    page.keyboard.press("Enter")
    table = page.locator(".mp-chart-data table").first
    expect(table).to_be_visible()
    expect(table.locator("th").first).to_have_text("År")
    expect(table.locator("th", has_text="Norberg")).to_have_count(1)
    # Swedish numbers: a decimal comma, never a point.
    cells = table.locator("td").all_inner_texts()
    assert any("," in c for c in cells) and not any(re.search(r"\d\.\d", c) for c in cells)
    page.screenshot(path=str(ARTIFACTS / "chart-mal-1962-table.png"))
