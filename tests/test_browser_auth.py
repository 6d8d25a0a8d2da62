"""Sign-in end to end (issue 19): Debian's Chromium, through Playwright, against the real
app under `streamlit run` with [auth] pointing at a real OpenID Connect provider on
127.0.0.1 (tests/auth_helpers.py). People sign in through the provider's own login form;
the roles file turns one of them away. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from config import Paths
from tests.auth_helpers import add_person, run_auth_app, run_provider, sign_in, sign_out
from tests.test_browser import (  # noqa: F401 (the fixture is used by name)
    ARTIFACTS,
    VIEWPORTS,
    _device_page,
    _settled,
    browser,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    # The provider (a test tool) calls Authlib's server API that Authlib has deprecated.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib"),
]

READER = ("lena.lasare@norberg.se", "Lena Läsare")
REPORTER = ("rut.rapportor@norberg.se", "Rut Rapportör")
STRANGER = ("okand@example.se", "Okänd Person")
ROLES = """\
signed_in = "ingen"

[[user]]
email = "lena.lasare@norberg.se"
role = "läsare"

[[user]]
email = "Rut.Rapportor@Norberg.se"   # signs in in lower case: compared case-insensitively
role = "rapportör"
kommun = "1962"
"""


@pytest.fixture(scope="module")
def roles_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app's roles file; a test that changes it puts ROLES back (the app reads it once
    per session, so a change counts from the next page load)."""
    roles = tmp_path_factory.mktemp("roles") / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    return roles


@pytest.fixture(scope="module")
def auth_app(
    tiny_paths: Paths, roles_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("auth")
    with run_provider() as provider:
        for email, name in (READER, REPORTER, STRANGER):
            add_person(provider, email, name)
        with run_auth_app(provider, tiny_paths.db_path.parent, roles_file, folder) as url:
            yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:  # noqa: F811
    """A fresh browser context per test: no identity cookie from another test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE")
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def _sidebar(page: Page) -> Locator:
    return page.locator('[data-testid="stSidebar"]')


def _shoot(browser: Browser, url: str, name: str, email: str | None = None) -> None:  # noqa: F811
    """The page at `url` (after signing in as `email`, if given) at both sizes."""
    for device in VIEWPORTS:
        context: BrowserContext
        context, pg = _device_page(browser, device)
        try:
            pg.goto(url)
            expect(pg.get_by_role("button", name="Logga in")).to_be_visible()
            if email:
                sign_in(pg, email)
                expect(pg.locator("h1").first).to_have_text("Du har inte behörighet")
            _settled(pg)
            pg.screenshot(path=str(ARTIFACTS / f"{name}-{device}.png"))
        finally:
            context.close()


@pytest.mark.parametrize("path", ["/?kommun=1962", "/mal?kommun=0665&mal=ks-3", "/om-data"])
def test_not_signed_in_sees_only_the_sign_in_page(auth_app: str, page: Page, path: str) -> None:
    page.goto(f"{auth_app}{path}")
    expect(page.locator("h1").first).to_have_text("Logga in i Målpuls")
    expect(page.get_by_role("button", name="Logga in")).to_be_visible()
    _settled(page)
    body = page.locator("body")
    for data in ("Översikt", "Källa: Kolada", "Norberg", "Vaggeryd", "Om data"):
        expect(body).not_to_contain_text(data)
    expect(page.locator('[data-testid="stSelectbox"]')).to_have_count(0)
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
    expect(_sidebar(page)).to_be_hidden()  # nothing in it: not even an empty column


def test_reader_signs_in_and_lands_on_the_overview(auth_app: str, page: Page) -> None:
    page.goto(f"{auth_app}/?kommun=1962")
    sign_in(page, READER[0])
    expect(page.locator("h1").first).to_have_text("Översikt – Norberg")
    sidebar = _sidebar(page)
    expect(sidebar).to_contain_text(READER[1])
    expect(sidebar).to_contain_text(READER[0])
    expect(sidebar).to_contain_text("Roll: läsare")
    expect(sidebar.get_by_role("button", name="Logga ut")).to_be_visible()
    expect(sidebar).not_to_contain_text("Inloggning är avstängd")
    page.screenshot(path=str(ARTIFACTS / "inloggad-lasare.png"))


def test_email_case_and_role_of_a_reporter(auth_app: str, page: Page) -> None:
    """The roles file writes Rut's address with capitals; she signs in in lower case."""
    page.goto(f"{auth_app}/?kommun=1962")
    sign_in(page, REPORTER[0])
    expect(page.locator("h1").first).to_have_text("Översikt – Norberg")
    expect(_sidebar(page)).to_contain_text("Roll: rapportör för Norberg")


def test_a_shared_link_still_leads_there_after_sign_in(auth_app: str, page: Page) -> None:
    """Streamlit's callback lands on the start page; the app goes on to the link's page."""
    page.goto(f"{auth_app}/om-data?kommun=0665")
    expect(page.locator("h1").first).to_have_text("Logga in i Målpuls")
    sign_in(page, READER[0])
    expect(page).to_have_url(re.compile(r"/om-data\?kommun=0665$"))
    expect(page.locator("h1").first).to_have_text("Om data")


def test_unlisted_person_is_turned_away_and_can_sign_out(auth_app: str, page: Page) -> None:
    page.goto(f"{auth_app}/?kommun=1962")
    sign_in(page, STRANGER[0])
    expect(page.locator("h1").first).to_have_text("Du har inte behörighet")
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text(f"Du är inloggad som {STRANGER[0]}")
    body = page.locator("body")
    for data in ("Översikt", "Källa: Kolada", "Norberg"):
        expect(body).not_to_contain_text(data)
    expect(page.locator('[data-testid="stSelectbox"]')).to_have_count(0)
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
    sign_out(page)
    expect(page.locator("h1").first).to_have_text("Logga in i Målpuls")


def test_sign_out_ends_the_session(auth_app: str, page: Page) -> None:
    page.goto(f"{auth_app}/?kommun=1962")
    sign_in(page, READER[0])
    expect(page.locator("h1").first).to_have_text("Översikt – Norberg")
    sign_out(page)
    expect(page.locator("h1").first).to_have_text("Logga in i Målpuls")
    # The identity cookie is gone: a new visit is not signed in either.
    page.goto(f"{auth_app}/?kommun=1962")
    expect(page.locator("h1").first).to_have_text("Logga in i Målpuls")
    expect(page.locator("body")).not_to_contain_text("Översikt")


def test_without_a_roles_file_everyone_signed_in_reads(
    auth_app: str, page: Page, roles_file: Path
) -> None:
    roles_file.unlink()
    try:
        page.goto(f"{auth_app}/?kommun=1962")
        sign_in(page, STRANGER[0])
        expect(page.locator("h1").first).to_have_text("Översikt – Norberg")
        sidebar = _sidebar(page)
        expect(sidebar).to_contain_text("Roll: läsare")
        expect(sidebar).to_contain_text("Ingen rollfil: alla inloggade kan läsa men inte ändra.")
    finally:
        roles_file.write_text(ROLES, encoding="utf-8")


def test_an_invalid_roles_file_shows_its_mistake_and_no_data(
    auth_app: str, page: Page, roles_file: Path
) -> None:
    roles_file.write_text(ROLES.replace('role = "läsare"', 'role = "admin"'), encoding="utf-8")
    try:
        page.goto(f"{auth_app}/?kommun=1962")
        sign_in(page, READER[0])
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("Fel i rollfilen")
        expect(alert).to_contain_text(f"{roles_file}: user[0].role: okänd roll 'admin'")
        expect(page.locator("body")).not_to_contain_text("Översikt")
        expect(page.locator('[data-testid="stSelectbox"]')).to_have_count(0)
    finally:
        roles_file.write_text(ROLES, encoding="utf-8")


def test_screenshots_of_the_sign_in_and_no_access_pages(
    auth_app: str,
    browser: Browser,  # noqa: F811
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    _shoot(browser, f"{auth_app}/?kommun=1962", "inloggning")
    _shoot(browser, f"{auth_app}/?kommun=1962", "ingen-behorighet", STRANGER[0])
    for name in ("inloggning", "ingen-behorighet"):
        for device in VIEWPORTS:
            assert Path(ARTIFACTS / f"{name}-{device}.png").stat().st_size > 5_000
