"""End-to-end in a real browser: Debian's Chromium, driven by Playwright, against the real
app served by `streamlit run` on 127.0.0.1. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from config import PROJECT_ROOT, Paths

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
KOMMUNER = {"1962": "Norberg", "0665": "Vaggeryd", "0685": "Vetlanda"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(built_paths: Paths) -> Iterator[str]:
    assert Path(CHROMIUM).exists(), "Chromium saknas: installera med `make browser-deps`"
    port = _free_port()
    env = {**os.environ, "MALPULS_DATA_DIR": str(built_paths.db_path.parent)}
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
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
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
    search = page.get_by_label("Sök nyckeltal")
    search.fill("behöriga yrkesprogram hemkommun")
    search.press("Enter")
    expect(page.get_by_text(re.compile(r"\d+ träffar"))).to_be_visible()
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
    with page.expect_download() as info:
        page.get_by_role("button", name="Ladda ner kopplingarna (CSV)").click()
    target = ARTIFACTS / "agenda2030-0685.csv"
    info.value.save_as(target)
    text = target.read_text(encoding="utf-8-sig")
    header = text.splitlines()[0].split(";")
    assert header[:5] == ["Mål-id", "Mål", "Globalt mål", "Globalt mål, namn", "Koppling"]
    rows = [line.split(";") for line in text.splitlines()[1:] if line.count(";") >= 4]
    assert len(rows) == 52  # Vetlanda's 52 proposed delstrategi → SDG links
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
