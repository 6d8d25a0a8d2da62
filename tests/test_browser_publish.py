"""Issue 18's done-when in a real browser (Debian's Chromium through Playwright, as
tests/test_browser.py): each municipality's published goal barometer opens from disk
(file://) on a laptop and on a phone, a goal is one click from the front page, nothing is
fetched from anywhere else, nothing scrolls sideways, and axe finds zero violations on
every page. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from config import Paths
from reports.freeze import build_report
from reports.publish import publish
from reports.store import save_report
from tests.test_browser import (  # noqa: F401 (the fixture is used by name)
    ARTIFACTS,
    KOMMUNER,
    VIEWPORTS,
    _device_page,
    browser,
)

# Its own xdist group: it needs no Streamlit server, so under `make test` it can run on
# the other worker than tests/test_browser.py.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser-publish")]

DATE = dt.date(2023, 8, 31)


@pytest.fixture(scope="module")
def sites(built_paths: Paths, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each municipality's report frozen at DATE on the full bundled data, published."""
    root = tmp_path_factory.mktemp("published")
    out = {}
    for kommun in KOMMUNER:
        report, _ = build_report(built_paths, kommun, DATE, dt.datetime(2023, 9, 1))
        save_report(root / "reports", report)
        out[kommun] = root / f"site-{kommun}"
        publish(root / "reports", kommun, DATE, out[kommun], now=dt.datetime(2026, 11, 29))
    return out


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def _violations(axe: Axe, page: Page) -> list[str]:
    result = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in result.response["violations"]
    ]


def _fits(page: Page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("device", list(VIEWPORTS))
@pytest.mark.parametrize("kommun", sorted(KOMMUNER))
def test_published_site_opens_from_disk_and_passes_axe(
    browser: Browser,  # noqa: F811
    axe: Axe,
    sites: dict[str, Path],
    kommun: str,
    device: str,
) -> None:
    site = sites[kommun]
    width, _ = VIEWPORTS[device]
    context, page = _device_page(browser, device)
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    try:
        page.goto((site / "index.html").as_uri())
        expect(page.locator("h1")).to_contain_text(KOMMUNER[kommun])
        expect(page.locator("html")).to_have_attribute("lang", "sv")
        # The stylesheet loaded over a relative file:// link (the header's band colour).
        band = page.locator("header.site").evaluate("e => getComputedStyle(e).backgroundColor")
        assert band == "rgb(243, 245, 248)"
        # The first Tab reaches the skip link, and it shows.
        page.keyboard.press("Tab")
        skip = page.locator("a.skip")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()
        page.screenshot(path=ARTIFACTS / f"site-{kommun}-index-{device}.png", full_page=True)
        failures = {}
        if found := _violations(axe, page):
            failures["index.html"] = found
        assert _fits(page, width), "index.html scrolls sideways"

        # A goal is one click from the front page, and its chart is there.
        first_goal = page.locator("ul.goals a").first
        target = first_goal.get_attribute("href")
        first_goal.click()
        expect(page).to_have_url((site / str(target)).as_uri())
        expect(page.locator("h1")).to_be_visible()
        charts = page.locator("figure svg[role=img]")
        if charts.count():
            expect(charts.first).to_be_visible()
            assert charts.first.bounding_box()["width"] <= width  # type: ignore[index]
        page.screenshot(path=ARTIFACTS / f"site-{kommun}-goal-{device}.png")

        for html in sorted(site.glob("*.html")):
            page.goto(html.as_uri())
            if found := _violations(axe, page):
                failures[html.name] = found
            assert _fits(page, width), f"{html.name} scrolls sideways"
        assert not failures, failures
        outside = [u for u in fetched if not u.startswith("file://")]
        assert not outside, f"fetched from elsewhere: {outside}"
    finally:
        context.close()
