"""Issue 17 in a real browser (Debian's Chromium through Playwright, as tests/test_browser.py):
Utforska's Rangordning and Kön answer in the first screen, on a laptop and on a phone,
and Rangordning's place for a goal KPI is the one Översikt shows. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import re

import duckdb
import pytest
from playwright.sync_api import Browser, expect

from config import Paths
from db import queries
from tests.test_browser import (  # noqa: F401 (the fixtures are used by name)
    ARTIFACTS,
    VIEWPORTS,
    _device_page,
    _settled,
    browser,
    server,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_rank_and_gender_answers_in_the_first_screen(
    server: str,  # noqa: F811
    browser: Browser,  # noqa: F811
    built_paths: Paths,
) -> None:
    with duckdb.connect(str(built_paths.db_path), read_only=True) as con:
        overview = queries.query_indicator_overview(con, "1962")
    row = overview[overview["indicator_id"] == "n2-ohalsotal"].iloc[0]
    rank, n = int(row["rank_all"]), int(row["n_all"])
    answers = {
        "Rangordning": re.compile(
            rf"Norberg har plats {rank} av {n} \(plats 1 = bäst, lägst värde är bäst\) "
            r"för Ohälsotal, dagar"
        ),
        "Kön": re.compile(r"Norberg \d{4}: kvinnor [\d,]+, män [\d,]+, skillnad"),
    }
    for device, (_, height) in VIEWPORTS.items():
        context, page = _device_page(browser, device)
        for view, answer in answers.items():
            page.goto(f"{server}/utforska?kommun=1962&kpi=N00957&vy={view}")
            _settled(page)
            sentence = page.get_by_text(answer).first
            expect(sentence).to_be_visible()
            box = sentence.bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, (device, view, box)
            expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_attached()
            body = page.locator("body").inner_text()
            assert "högst värde först" not in body  # Ohälsotal has a direction
            assert not re.findall(r"\bnan\b", body.lower()), (device, view)
            page.screenshot(path=str(ARTIFACTS / f"utforska-{view.lower()}-1962-{device}.png"))
        context.close()
