"""End-to-end in a real browser: Debian's Chromium, driven by Playwright, against the real
app served by `streamlit run` on 127.0.0.1. Screenshots go to test-artifacts/."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from config import PROJECT_ROOT, Paths

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
# Every browser module imports this one, so this is the default for all their `expect`s
# (Playwright's own is 5 s, and page.set_default_timeout does not reach expect): a cold
# server's first run of a page, or the KPI search index built at the first search (3-4 s
# here, more when CI's other worker is busy), is something to wait for, not a claim about
# speed. Speed is measured in bench/, not here.
expect.set_options(timeout=30_000)
KOMMUNER = {"1962": "Norberg", "0665": "Vaggeryd", "0685": "Vetlanda"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def run_app(
    env: dict[str, str], *args: str, log: Path | None = None, port: int | None = None
) -> Iterator[str]:
    """The app under `streamlit run app.py` on 127.0.0.1 at `port` (default: a free one),
    with `env` added to this process's environment and `args` after the server flags; its
    output goes to `log` (or nowhere). Yields the base URL once it answers its health check."""
    port = port or _free_port()
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(log.open("wb")) if log else subprocess.DEVNULL
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                *args,
            ],
            cwd=PROJECT_ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(240):
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit stopped (log: {log or 'none'})")
                try:
                    if requests.get(f"{url}/_stcore/health", timeout=1).ok:
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.25)
            else:
                raise RuntimeError("streamlit did not start")
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server(built_paths: Paths) -> Iterator[str]:
    assert Path(CHROMIUM).exists(), "Chromium saknas: installera med `make browser-deps`"
    with run_app({"MALPULS_DATA_DIR": str(built_paths.db_path.parent)}) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


VIEWPORTS = {"desktop": (1440, 900), "phone": (390, 844)}


def _settled(page: Page) -> None:
    """Wait until the page's run has finished before clicking or typing: under load, input
    sent while the script still runs can be lost with the rerun it triggers."""
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-script-state", "notRunning"
    )


def _device_page(browser: Browser, device: str) -> tuple[BrowserContext, Page]:
    """A fresh context and page as a laptop (1440×900) or a phone (390×844, touch)."""
    width, height = VIEWPORTS[device]
    phone = device == "phone"
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="sv-SE",
        is_mobile=phone,
        has_touch=phone,
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE")
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


@pytest.mark.parametrize("kommun", sorted(KOMMUNER))
def test_overview_url_renders(server: str, page: Page, kommun: str) -> None:
    page.goto(f"{server}/?kommun={kommun}")
    expect(page.locator("h1").first).to_have_text(f"Översikt – {KOMMUNER[kommun]}")
    expect(page.get_by_text("Källa: Kolada").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"oversikt-{kommun}.png"))


def test_click_to_goal_chart_and_back(server: str, page: Page) -> None:
    page.goto(f"{server}/?kommun=1962")
    expect(page.locator("h1").first).to_have_text("Översikt – Norberg")
    page.get_by_role("link", name=re.compile(r"Mål 2\. Vi har en god folkhälsa")).click()
    expect(page).to_have_url(re.compile(r"/mal\?.*mal=mal-2"))
    expect(page.locator("h1").first).to_have_text("Mål 2. Vi har en god folkhälsa.")
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    expect(chart).to_be_visible()
    expect(chart.locator("canvas, svg").first).to_be_visible()  # vega drew something
    page.screenshot(path=str(ARTIFACTS / "mal-1962-mal-2.png"), full_page=True)
    page.go_back()
    expect(page.locator("h1").first).to_have_text("Översikt – Norberg")
    expect(page).to_have_url(re.compile(r"kommun=1962"))


def test_shared_goal_url_opens_directly(server: str, page: Page) -> None:
    page.goto(f"{server}/mal?kommun=0665&mal=ks-3&indikator=ks-3-nystartade-foretag")
    expect(page.locator("h1").first).to_have_text(
        "Mål 3. Ökad mångfald av nya företag och näringar"
    )
    expect(page.locator('[data-testid="stVegaLiteChart"]')).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "mal-0665-ks-3.png"))


def test_search_chart_and_excel_download(server: str, page: Page) -> None:
    """An analyst's path: search, pick the KPI, see the chart, download the Excel file
    and open it."""
    import openpyxl

    page.goto(f"{server}/utforska?kommun=1962")
    expect(page.locator("h1").first).to_have_text("Utforska nyckeltal")
    _settled(page)
    search = page.get_by_label("Sök nyckeltal")
    search.fill("behöriga yrkesprogram hemkommun")
    search.press("Enter")
    expect(page.get_by_text(re.compile(r"\d+ sökträffar"))).to_be_visible()
    page.get_by_label("Valda nyckeltal").click()
    page.get_by_role("option", name=re.compile(r"\(N15428\)")).click()
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"kpi=N15428"))
    # Click the option's label (the radio input itself is visually hidden) and wait for the
    # rerun to put the choice in the URL before going on.
    page.get_by_text("Liknande kommuner", exact=True).click()
    expect(page).to_have_url(re.compile(r"urval=liknande"))
    page.get_by_role("radio", name="Diagram").click()
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    expect(chart.locator("canvas, svg").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "utforska-1962-diagram.png"))
    page.get_by_role("radio", name="Tabell").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Ladda ner Excel").click()
    target = ARTIFACTS / "utforska-1962.xlsx"
    info.value.save_as(target)
    book = openpyxl.load_workbook(target)
    rows = list(book["Data"].values)
    assert rows[0][:2] == ("Kolada-id", "Nyckeltal")
    assert {r[0] for r in rows[1:]} == {"N15428"}
    assert len({r[2] for r in rows[1:]}) == 8  # Norberg and its seven peers
    assert page.url.count("urval=liknande") == 1


def test_agenda_2030_cell_to_indicator(server: str, page: Page) -> None:
    """A leader's path: click the cell where goal 3 meets SDG 11, see the SDG's goals and
    indicators below, follow the indicator to its chart on the goal page."""
    page.goto(f"{server}/agenda-2030?kommun=1962")
    expect(page.locator("h1").first).to_have_text("Agenda 2030")
    cell = page.locator('[aria-label^="Globalt mål 11 och 3. Vi har attraktiva"]')
    expect(cell).to_have_count(1)
    _settled(page)
    cell.click()
    expect(page).to_have_url(re.compile(r"sdg=11"))
    expect(page.get_by_text("Mål 11: Hållbara städer och samhällen")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "agenda2030-1962-sdg11.png"), full_page=True)
    # Choose another SDG in the select box, then click the same cell again: it counts.
    box = page.get_by_role("combobox", name="Globalt mål")
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name=re.compile(r"^5 Jämställdhet")).click()
    expect(page).to_have_url(re.compile(r"sdg=5"))
    expect(cell).to_have_count(1)  # the re-keyed matrix has replaced the old one
    cell.click()
    expect(page).to_have_url(re.compile(r"sdg=11"))
    link = page.get_by_role("link", name=re.compile(r"Trångboddhet i flerbostadshus"))
    expect(link).to_have_count(1)
    link.click()
    expect(page).to_have_url(re.compile(r"/mal\?.*mal=mal-3.*indikator="))
    expect(page.locator("h1").first).to_have_text(re.compile(r"^Mål 3\. Vi har attraktiva"))
    expect(page.get_by_text(re.compile("Trångboddhet i flerbostadshus")).first).to_be_visible()
    expect(page.locator('[data-testid="stVegaLiteChart"]')).to_have_count(1)


def test_agenda_2030_links_download(server: str, page: Page) -> None:
    page.goto(f"{server}/agenda-2030?kommun=0685")
    expect(page.locator("h1").first).to_have_text("Agenda 2030")
    _settled(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Ladda ner kopplingarna (CSV)").click()
    target = ARTIFACTS / "agenda2030-0685.csv"
    info.value.save_as(target)
    text = target.read_text(encoding="utf-8-sig")
    header = text.splitlines()[0].split(";")
    assert header[:5] == ["Mål-id", "Mål", "Globalt mål", "Globalt mål, namn", "Koppling"]
    rows = [line.split(";") for line in text.splitlines()[1:] if line.count(";") >= 4]
    # Vetlanda's 52 proposed delstrategi → SDG links in the goal file, and 8 more through
    # the indicators `python -m etl propose` proposed: all of them proposals.
    assert len(rows) == 60
    assert {r[4] for r in rows} == {"Förslag"}
    assert text.rstrip().endswith("Egen bearbetning av data från Kolada.")


def test_frozen_report_word_download(server: str, page: Page, built_paths: Paths) -> None:
    """Freeze Norberg's August report into the served state folder, open it on the reports
    page and download the Word document the interim report is written from."""
    import datetime as dt

    from docx import Document

    from reports.freeze import freeze
    from reports.store import report_path

    if not report_path(built_paths.reports_dir, "1962", dt.date(2023, 8, 31)).exists():
        freeze(
            built_paths,
            "1962",
            dt.date(2023, 8, 31),
            now=dt.datetime(2023, 9, 1, 8),
            progress=lambda _m: None,
        )
    page.goto(f"{server}/rapporter?kommun=1962&rapport=2023-08-31")
    expect(page.locator("h1").first).to_have_text("Rapporter – Norberg")
    expect(page.get_by_text("Delårsrapport per 31 augusti 2023").first).to_be_visible()
    _settled(page)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Ladda ner Word").click()
    target = ARTIFACTS / "prognos-1962-2023-08-31.docx"
    info.value.save_as(target)
    doc = Document(str(target))
    assert doc.paragraphs[0].text == (
        "Prognos för måloppfyllelse: Delårsrapport per 31 augusti 2023"
    )
    assert len(doc.inline_shapes) > 40
    page.screenshot(path=str(ARTIFACTS / "rapporter-1962.png"), full_page=True)


def test_bad_urls_get_a_swedish_message_and_a_way_back(server: str, browser: Browser) -> None:
    """Links that forgive, on a desktop and on a phone: an unknown municipality, goal or
    global goal, or a malformed year, gets a Swedish message and a way on that works in the
    page itself (the sidebar is folded away on a phone); never a traceback."""
    for device in VIEWPORTS:
        phone = device == "phone"
        context, page = _device_page(browser, device)

        def settled(shot: str, page: Page = page, device: str = device) -> None:
            """Once the run has ended and every element is drawn: no traceback, and a
            screenshot."""
            app = page.locator('[data-testid="stApp"]')
            expect(app).to_have_attribute("data-test-script-state", "notRunning")
            expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0)
            expect(page.locator('[data-stale="true"]')).to_have_count(0)
            body = page.locator("body").inner_text()
            assert "Traceback" not in body and "Error" not in body, (shot, body)
            expect(page.locator('[data-testid="stException"]')).to_have_count(0)
            page.screenshot(path=str(ARTIFACTS / f"url-{shot}-{device}.png"))

        page.goto(f"{server}/?kommun=9999")
        expect(
            page.get_by_text("Kommunen 9999 finns inte i Målpuls. Välj en kommun:")
        ).to_be_visible()
        settled("kommun-9999")
        page.get_by_role("link", name="Vaggeryd", exact=True).click()
        expect(page.locator("h1").first).to_have_text("Översikt – Vaggeryd")
        expect(page).to_have_url(re.compile(r"kommun=0665"))

        page.goto(f"{server}/mal?kommun=1962&mal=doesnotexist")
        expect(
            page.get_by_text(
                "Målet doesnotexist finns inte för Norberg. Välj ett av kommunens mål:"
            )
        ).to_be_visible()
        settled("mal-doesnotexist")
        page.get_by_role("link", name="Mål 2. Vi har en god folkhälsa.", exact=True).click()
        expect(page.locator("h1").first).to_have_text("Mål 2. Vi har en god folkhälsa.")
        expect(page).to_have_url(re.compile(r"/mal\?.*mal=mal-2"))

        page.goto(f"{server}/utforska?kommun=1962&fran=abc")
        expect(page.get_by_text("Startåret abc är inget årtal.")).to_be_visible()
        expect(page.locator("h1").first).to_have_text("Utforska nyckeltal")
        expect(page).not_to_have_url(re.compile(r"fran="))  # the link to share on is clean
        settled("utforska-fran-abc")

        page.goto(f"{server}/agenda-2030?kommun=0685&sdg=99")
        expect(
            page.get_by_text("Globalt mål 99 finns inte: Agenda 2030 har mål 1–17.")
        ).to_be_visible()
        expect(page.locator("h1").first).to_have_text("Agenda 2030")
        settled("agenda-sdg-99")

        if not phone:
            # The picker is not stuck: choosing the first municipality works too.
            page.goto(f"{server}/?kommun=9999")
            expect(page.get_by_text("Kommunen 9999 finns inte i Målpuls.")).to_be_visible()
            page.get_by_role("combobox", name="Kommun").click()
            page.get_by_role("option", name="Norberg", exact=True).click()
            expect(page.locator("h1").first).to_have_text("Översikt – Norberg")
            expect(page).to_have_url(re.compile(r"kommun=1962"))
        context.close()


def test_leadership_summary_in_the_first_screen(server: str, browser: Browser) -> None:
    """ "Are we on track, and why?" in the first screen, on a laptop and on a phone: the
    heading names the bedömningsdag, the status summary is inside the first viewport, no
    "nan", no developer chrome; a shared ?per= opens on that day."""
    for device, (_, height) in VIEWPORTS.items():
        context, page = _device_page(browser, device)
        for kommun, name in KOMMUNER.items():
            page.goto(f"{server}/?kommun={kommun}")
            expect(page.locator("h1").first).to_have_text(f"Översikt – {name}")
            heading = page.locator("h2").first
            expect(heading).to_contain_text("Läget per ")
            summary = page.get_by_text(re.compile(r"^\d+ mål:")).first
            expect(summary).to_be_visible()
            box = summary.bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, (device, kommun, box)
            expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
                "data-test-script-state", "notRunning"
            )
            body = page.locator("body").inner_text()
            assert not re.findall(r"\bnan\b", body.lower()), (device, kommun)
            assert "Deploy" not in body, (device, kommun)
            page.screenshot(path=str(ARTIFACTS / f"lage-{kommun}-{device}.png"))
        context.close()
    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="sv-SE")
    page.goto(f"{server}/?kommun=1962&per=2021-06-30")
    expect(page.locator("h2").first).to_contain_text("Läget per 30 juni 2021")
    page.close()


def test_no_developer_chrome_and_swedish_chart_numbers(server: str, page: Page) -> None:
    """.streamlit/config.toml (client.toolbarMode = "minimal") hides the Deploy button and
    the ⋮ menu (Rerun, Clear cache); the chart's axis and tooltip read Swedish numbers
    (the spec's config.locale, core.format.CHART_CONFIG): "1 000", never "1,000"."""
    page.goto(f"{server}/mal?kommun=1962&mal=mal-5&indikator=n5-valdsbrott")
    expect(page.locator("h1").first).to_have_text(re.compile(r"^Mål 5\. "))
    expect(page.get_by_role("button", name="Deploy")).to_have_count(0)
    expect(page.locator('[data-testid="stMainMenu"]')).to_have_count(0)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    expect(chart.locator("svg text", has_text=re.compile("^1\u00a0000$"))).to_have_count(1)
    expect(chart.locator("svg text", has_text=re.compile(r"^\d,\d{3}$"))).to_have_count(0)
    expect(chart.locator("svg text", has_text=re.compile("^2018$"))).to_have_count(1)
    norberg = chart.locator('path[aria-label*="År: 2018;"][aria-label*="Serie: Norberg"]')
    norberg.first.hover(force=True)
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_contain_text("Värde")
    expect(tooltip).to_contain_text(re.compile(r"1\s622"))
    page.screenshot(path=str(ARTIFACTS / "mal-1962-mal-5-diagram.png"))


# The Målvärden page (issue 16, app_pages/targets.py, ui/targets.py) for Norberg.
_WAIT = 30_000  # ms for each expect once the page is drawn (expect's default is 5 s)


@pytest.fixture(scope="module")
def targets_choice(built_paths: Paths) -> tuple[str, str, str, str]:
    """(goal id, indicator id, indicator title, KPI) of Norberg's first indicator that has a
    "median" option on the day the page opens on (the default bedömningsdag), read from the
    database the test server serves."""
    import datetime as dt

    from core.judging import default_judging_date
    from db import queries
    from db.connection import connect_read_only
    from db.proposals import build_proposals

    con = connect_read_only(built_paths.db_path)
    try:
        data_date = dt.date.fromisoformat(queries.query_meta(con)["data_date"])
        dates = queries.query_judging_dates(con, "1962") or [(data_date, None)]
        as_of = default_judging_date(list(dates), data_date)
        goals = build_proposals(con, "1962", as_of=as_of)
    finally:
        con.close()
    for g in goals:
        for p in g.proposals:
            if any(o.kind == "liknande kommuners mediantakt" for o in p.options):
                return g.goal_id, p.indicator_id, p.indicator_title, p.nulage.kpi
    pytest.fail(f"Norberg har inget förslag med mediantakt per {as_of}")


def _targets_url(server: str, choice: tuple[str, str, str, str]) -> str:
    goal_id, indicator_id, _, _ = choice
    return (
        f"{server}/malvarden?kommun=1962&mal={goal_id}&indikator={indicator_id}&alternativ=median"
    )


def _targets_drawn(page: Page, timeout: float = 90_000) -> None:
    """The run has ended, every element is drawn (no skeleton, nothing stale) and Vega
    has drawn the chart; then no traceback anywhere."""
    expect(page.locator("h1").first).to_have_text("Målvärden – Norberg", timeout=timeout)
    expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=timeout
    )
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=timeout)
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=timeout)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0, timeout=_WAIT)
    assert "Traceback" not in page.locator("body").inner_text()


def test_targets_page_norberg_and_excel_download(
    server: str, page: Page, targets_choice: tuple[str, str, str, str]
) -> None:
    """A controller's path: a shared link to one of Norberg's indicators with the median
    option chosen shows the nulägesbild, the chart, the options table, the choice with its
    command and the downloads; the Excel file opens with its "Förslag" sheet."""
    import openpyxl

    goal_id, indicator_id, title, kpi = targets_choice
    page.set_default_timeout(60_000)
    page.goto(_targets_url(server, targets_choice))
    _targets_drawn(page)
    page.screenshot(path=str(ARTIFACTS / "malvarden-1962-top.png"))
    expect(page).to_have_url(re.compile(rf"mal={re.escape(goal_id)}(&|$)"), timeout=_WAIT)
    expect(page).to_have_url(
        re.compile(rf"indikator={re.escape(indicator_id)}(&|$)"), timeout=_WAIT
    )
    expect(page.locator("h2", has_text=title).first).to_be_visible(timeout=_WAIT)
    # The nulägesbild: its heading, the four figures, the words.
    expect(page.get_by_role("heading", name="Nulägesbild", exact=True)).to_be_visible(timeout=_WAIT)
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(4, timeout=_WAIT)
    expect(page.get_by_text("Plats bland alla kommuner").first).to_be_visible(timeout=_WAIT)
    # The chart, drawn by Vega.
    chart = page.locator('[data-testid="stVegaLiteChart"]')
    expect(chart).to_have_count(1, timeout=_WAIT)
    chart.scroll_into_view_if_needed()
    expect(chart.locator("canvas, svg").first).to_be_visible(timeout=_WAIT)
    # The options table, one row per option, all named as förslag.
    table = page.locator(".mp-table table")
    expect(table).to_have_count(1, timeout=_WAIT)
    expect(table.locator("caption")).to_contain_text("Alternativen", timeout=_WAIT)
    expect(table.locator("tbody tr")).to_have_count(3, timeout=_WAIT)
    expect(table).to_contain_text("Förslag: liknande kommuners mediantakt", timeout=_WAIT)
    # The choice from the URL, and the command that writes it into the goal file.
    radio = page.get_by_role("radio", name="Förslag: liknande kommuners mediantakt")
    expect(radio).to_be_checked(timeout=_WAIT)
    expect(page.get_by_role("radio", name="Förslag: hålla nivån")).not_to_be_checked(timeout=_WAIT)
    expect(page.get_by_text("är ett förslag till politiken, inte ett beslut")).to_be_visible(
        timeout=_WAIT
    )
    code = page.locator('[data-testid="stCode"]')
    expect(code).to_have_count(1, timeout=_WAIT)
    expect(code).to_contain_text(
        "python -m etl propose data/goals/1962-norberg.yaml", timeout=_WAIT
    )
    expect(code).to_contain_text(f"--indicator {indicator_id}", timeout=_WAIT)
    expect(code).to_contain_text("--option median", timeout=_WAIT)
    # The downloads.
    word = page.get_by_role("button", name="Ladda ner Word")
    excel = page.get_by_role("button", name="Ladda ner Excel")
    expect(word).to_have_count(1, timeout=_WAIT)
    expect(excel).to_have_count(1, timeout=_WAIT)
    excel.scroll_into_view_if_needed()
    expect(word).to_be_visible(timeout=_WAIT)
    expect(excel).to_be_visible(timeout=_WAIT)
    page.screenshot(path=str(ARTIFACTS / "malvarden-1962.png"), full_page=True)
    _settled(page)
    with page.expect_download(timeout=120_000) as info:
        excel.click()
    download = info.value
    assert download.suggested_filename.startswith("malvarden-1962-")
    assert download.suggested_filename.endswith(".xlsx")
    target = ARTIFACTS / "malvarden-1962.xlsx"
    download.save_as(target)
    book = openpyxl.load_workbook(target)
    assert "Förslag" in book.sheetnames and "Nulägesbild" in book.sheetnames
    sheet = book["Förslag"]
    assert str(sheet["A1"].value).startswith("Nulägesbild och förslag till delmål")
    assert "Norberg" in str(sheet["A2"].value)
    rows = list(sheet.values)
    ours = [r for r in rows if len(r) > 3 and r[2] == title and r[3] == kpi]
    assert ours, f"ingen rad för {title} ({kpi}) i bladet Förslag"
    # Choosing an option wrote nothing and the page is still whole after the download.
    expect(radio).to_be_checked(timeout=_WAIT)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0, timeout=_WAIT)


def test_targets_bad_goal_gets_a_swedish_message(
    server: str, page: Page, targets_choice: tuple[str, str, str, str]
) -> None:
    """A stale or mistyped `mal`: a Swedish message with the goals to choose, no traceback;
    a goal link in the message opens that goal."""
    page.set_default_timeout(60_000)
    page.goto(f"{server}/malvarden?kommun=1962&mal=finnsinte&alternativ=median")
    expect(
        page.get_by_text(
            "Målet finnsinte finns inte bland målen med nyckeltal för Norberg. Välj ett av målen:"
        )
    ).to_be_visible(timeout=90_000)  # the first run reads the proposals
    _targets_drawn(page)
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "Error" not in body, body
    assert "Exception" not in body, body
    page.screenshot(path=str(ARTIFACTS / "malvarden-1962-mal-finnsinte.png"))
    goal_id = targets_choice[0]
    link = page.locator(f'[data-testid="stMain"] a[href$="mal={goal_id}"]').first
    expect(link).to_be_visible(timeout=_WAIT)
    link.click()
    expect(page).to_have_url(
        re.compile(rf"/malvarden\?.*mal={re.escape(goal_id)}(&|$)"), timeout=_WAIT
    )
    _targets_drawn(page)
    expect(page.get_by_text("Målet finnsinte finns inte")).to_have_count(0, timeout=_WAIT)


# Overflowing the phone's width is allowed only inside what scrolls sideways on purpose:
# tables, charts, code.
_OVERFLOW_JS = """
(width) => {
  const allowed = '.mp-table, .mp-chart-data, [data-testid="stVegaLiteChart"],'
    + ' [data-testid="stDataFrame"],'
    + ' [data-testid="stTable"], [data-testid="stCode"], [data-testid="stSidebar"]';
  const out = [];
  for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
    if (el.closest(allowed)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none') continue;
    if (r.right > width + 1) {
      out.push(`${el.tagName}#${el.id}.${el.className} [${el.getAttribute('data-testid')}]`
        + ` right=${Math.round(r.right)}`);
    }
  }
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    mainScrollWidth: (document.querySelector('[data-testid="stMain"]') || {}).scrollWidth,
    offenders: out.slice(0, 20),
  };
}
"""


def test_targets_page_fits_a_phone(
    server: str, browser: Browser, targets_choice: tuple[str, str, str, str]
) -> None:
    """At 390×844 nothing on the Målvärden page is wider than the screen except inside
    the table, the chart and the code block (which scroll sideways by themselves)."""
    context, page = _device_page(browser, "phone")
    try:
        page.set_default_timeout(60_000)
        page.goto(_targets_url(server, targets_choice))
        _targets_drawn(page)
        page.screenshot(path=str(ARTIFACTS / "malvarden-1962-phone-top.png"))
        chart = page.locator('[data-testid="stVegaLiteChart"]')
        chart.scroll_into_view_if_needed()
        expect(chart.locator("canvas, svg").first).to_be_visible(timeout=_WAIT)
        expect(page.get_by_role("button", name="Ladda ner Excel")).to_have_count(1, timeout=_WAIT)
        width = VIEWPORTS["phone"][0]
        result = page.evaluate(_OVERFLOW_JS, width)
        page.screenshot(path=str(ARTIFACTS / "malvarden-1962-phone.png"), full_page=True)
        assert result["scrollWidth"] <= width, result
        assert result["mainScrollWidth"] is None or result["mainScrollWidth"] <= width, result
        assert not result["offenders"], result
        # The check is not blind: a block wider than the phone is caught.
        page.evaluate(
            """() => {
              const wide = document.createElement('div');
              wide.id = 'mp-too-wide';
              wide.style.width = '600px';
              wide.style.height = '10px';
              const main = document.querySelector('[data-testid="stMainBlockContainer"]')
                || document.querySelector('[data-testid="stMain"]');
              main.appendChild(wide);
            }"""
        )
        caught = page.evaluate(_OVERFLOW_JS, width)["offenders"]
        assert any(o.startswith("DIV#mp-too-wide.") for o in caught), caught
    finally:
        context.close()
