"""Issue 18 in a real browser (Debian's Chromium through Playwright, as tests/test_browser.py):
axe-core on every page for every municipality and on the key states, the document's
language, the heading order and Swedish names on every control.

axe-core comes bundled with axe-playwright-python (axe.min.js in the wheel): nothing is
downloaded when the tests run. Each URL is loaded and audited once (the `audits` fixture);
the tests below then judge what was found, one concern each, so a failure names the page
and what is wrong with it. docs/accessibility.md explains what is checked and why.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from core.accessibility import STREAMLIT_ENGLISH_NAMES, axe_exclusions
from tests.test_browser import (  # noqa: F401 (the fixtures are used by name)
    KOMMUNER,
    browser,
    server,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Every page in app.py's navigation (url_path; "" is Översikt), for every municipality.
PAGE_PATHS = (
    "",
    "mal",
    "malvarden",
    "utforska",
    "agenda-2030",
    "rapporter",
    "metod",
    "om-data",
    "tillganglighet",
)
# The states an auditor opens beyond a page's first view.
KEY_STATES = (
    "mal?kommun=1962&mal=mal-2",  # a goal open (with the assessment form: open mode)
    # A local indicator: its upload (the file picker and the template download).
    "mal?kommun=1962&mal=mal-2&indikator=n2-ekonomiskt-utsatta-barn",
    "agenda-2030?kommun=0665&sdg=11",  # a global goal open
    "utforska?kommun=1962&kpi=N15428&urval=liknande&vy=Diagram",  # the explorer with a chart
)
URLS = tuple(f"{p}?kommun={k}" for p in PAGE_PATHS for k in sorted(KOMMUNER)) + KEY_STATES

# WCAG 2.1 A and AA (what DOS-lagen asks through EN 301 549) plus axe's best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}

# Roles a person fills in or chooses with: each needs a (Swedish) name of its own.
INPUT_ROLES = ("combobox", "textbox", "searchbox", "slider", "spinbutton", "checkbox", "radio")
NAMED_ROLES = (*INPUT_ROLES, "button", "link", "switch", "tab")
# Words that mark a name as English. Not "start" (a Swedish word too), nor words that are
# the same in both languages.
ENGLISH_WORDS = frozenset(
    [
        "open",
        "close",
        "help",
        "clear",
        "remove",
        "link",
        "skip",
        "download",
        "search",
        "show",
        "hide",
        "select",
        "choose",
        "end",
        "fullscreen",
        "collapse",
        "expand",
        "increment",
        "decrement",
        "sort",
        "menu",
        "settings",
        "more",
        "options",
        "delete",
        "add",
        "edit",
        "copy",
        "view",
        "previous",
        "next",
        "rows",
        "columns",
        "filter",
        "reset",
        "toggle",
        "submit",
        "cancel",
        "save",
        "upload",
        "browse",
        "files",
        "drag",
        "drop",
        "here",
        "main",
        "content",
        "heading",
    ]
)
_SNAPSHOT_LINE = re.compile(r'^\s*- (?P<role>[a-z]+)(?: "(?P<name>(?:[^"\\]|\\.)*)")?')


@dataclass(frozen=True)
class Audit:
    """What one loaded URL showed: axe's violations, the headings in document order and
    the accessible names of its controls (role, name)."""

    violations: list[dict]
    headings: list[tuple[int, str]]
    controls: list[tuple[str, str]]
    lang: str


def _settle(page: Page) -> None:
    """Wait until the app has drawn the page: its h1, the run finished, no spinner or
    skeleton left, and a chart drawn where the URL asks for one."""
    expect(page.locator("h1").first).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=60_000
    )
    expect(page.locator('[data-testid="stSpinner"]')).to_have_count(0, timeout=60_000)
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=60_000)
    if "vy=Diagram" in page.url:
        expect(page.locator(".vega-embed").first).to_be_visible(timeout=60_000)


def _controls(page: Page) -> list[tuple[str, str]]:
    """(role, accessible name) of every control, from the browser's accessibility tree."""
    found = []
    for line in page.locator("body").aria_snapshot().splitlines():
        m = _SNAPSHOT_LINE.match(line)
        if m and m["role"] in NAMED_ROLES:
            found.append((m["role"], (m["name"] or "").replace('\\"', '"')))
    return found


@pytest.fixture(scope="module")
def audits(server: str, browser: Browser) -> Iterator[dict[str, Audit]]:  # noqa: F811
    """Every URL loaded once in a laptop-sized window and audited; tests judge the results."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(60_000)
    axe = Axe()
    found: dict[str, Audit] = {}
    for url in URLS:
        page.goto(f"{server}/{url}")
        _settle(page)
        result = axe.run(page, options=AXE_OPTIONS)
        headings = page.evaluate(
            "[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]"
            ".map(h => [Number(h.tagName[1]), h.textContent.trim()])"
        )
        found[url] = Audit(
            violations=result.response["violations"],
            headings=[(level, text) for level, text in headings],
            controls=_controls(page),
            lang=page.evaluate("document.documentElement.lang"),
        )
    yield found
    context.close()


def _ours(violation: dict) -> list[str]:
    """The nodes of a violation that are not a listed Streamlit gap (core.accessibility):
    an exclusion names its rule and exact selector, never a whole rule."""
    skip = axe_exclusions()
    return [
        " ".join(node["target"])
        for node in violation["nodes"]
        if not any((violation["id"], t) in skip for t in node["target"])
    ]


@pytest.mark.parametrize("url", URLS)
def test_no_serious_or_critical_axe_violation(audits: dict[str, Audit], url: str) -> None:
    blocking = {
        f"{v['id']} ({v['impact']}): {v['help']}": nodes
        for v in audits[url].violations
        if v["impact"] in BLOCKING and (nodes := _ours(v))
    }
    assert not blocking, (url, blocking)


@pytest.mark.parametrize("url", URLS)
def test_headings_start_at_h1_and_skip_no_level(audits: dict[str, Audit], url: str) -> None:
    headings = audits[url].headings
    assert headings and headings[0][0] == 1, (url, headings[:3])
    skips = [(prev, cur) for prev, cur in itertools.pairwise(headings) if cur[0] > prev[0] + 1]
    assert not skips, (url, skips)


@pytest.mark.parametrize("url", URLS)
def test_every_control_has_a_swedish_name(audits: dict[str, Audit], url: str) -> None:
    """Every input has a name; a name in English is allowed only where Streamlit itself
    writes it (core.accessibility.STREAMLIT_ENGLISH_NAMES, upstream streamlit#1353)."""
    controls = audits[url].controls
    assert any(role in INPUT_ROLES for role, _ in controls), (url, "inga formulärfält")
    unnamed = [role for role, name in controls if role in INPUT_ROLES and not name.strip()]
    assert not unnamed, (url, unnamed)
    english = [
        (role, name)
        for role, name in controls
        if ENGLISH_WORDS & set(re.findall(r"[a-z]+", name.lower()))
        and not any(re.fullmatch(p, name) for p in STREAMLIT_ENGLISH_NAMES)
    ]
    assert not english, (url, english)


@pytest.mark.parametrize("url", URLS)
def test_document_language_is_swedish(audits: dict[str, Audit], url: str) -> None:
    assert audits[url].lang == "sv", url


def test_language_stays_swedish_when_moving_between_pages(
    server: str,  # noqa: F811
    browser: Browser,  # noqa: F811
) -> None:
    """Streamlit serves <html lang="en"> (streamlit#15726) and moves between pages without
    reloading the document: the fix in ui/accessibility.py must hold through both."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server}/?kommun=1962")
    _settle(page)
    assert page.evaluate("document.documentElement.lang") == "sv"
    nav = page.locator('[data-testid="stSidebarNav"]')
    for title, heading in (
        ("Mål", "Mål "),
        ("Agenda 2030", "Agenda 2030"),
        ("Tillgänglighet", "Tillgänglighet för Målpuls"),
        ("Översikt", "Översikt – Norberg"),
    ):
        nav.get_by_role("link", name=title, exact=True).click()
        expect(page.locator("h1").first).to_contain_text(heading)
        _settle(page)
        assert page.evaluate("document.documentElement.lang") == "sv", title
    # Something resetting the attribute (as a Streamlit update might) is put right again.
    page.evaluate("document.documentElement.lang = 'en'")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    context.close()


def test_the_statement_is_one_click_from_every_page(server: str, browser: Browser) -> None:  # noqa: F811
    """DIGG: the tillgänglighetsredogörelse is reachable from every page; it is in the
    navigation, and a phone reaches it through the sidebar."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="sv-SE", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server}/metod?kommun=0685")
    _settle(page)
    link = page.locator('[data-testid="stSidebarNav"]').get_by_role(
        "link", name="Tillgänglighet", exact=True
    )
    # On a phone the sidebar starts folded away (its links exist but lie off screen).
    expand = page.locator('[data-testid="stExpandSidebarButton"]')
    if expand.is_visible():
        expand.click()
    link.click()
    expect(page.locator("h1").first).to_have_text("Tillgänglighet för Målpuls")
    expect(page.get_by_text("delvis förenlig").first).to_be_visible()
    context.close()
