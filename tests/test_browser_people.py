"""People in the loop, end to end (issue 19's "done when"), in a real browser against a
real OIDC provider on 127.0.0.1 and the real app under `streamlit run` with sign-in on:

- a rapportör for Norberg's area "Växa upp" signs in through the provider's form, writes an
  assessment, saves a draft and marks it klar, and uploads a local indicator's values (a
  broken file first: every bad row named; then a good one, saved as version 1);
- meanwhile the nightly ETL runs over the same data folder and leaves what they wrote alone;
- the rapportör cannot edit a goal of another area;
- a läsare signs in and sees the signed-off assessment and the uploaded values, with no
  form and no upload;
- a report frozen afterwards holds the assessment and the local values, labelled with the
  municipality as their source.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from config import PROJECT_ROOT, Paths
from db.app_store import read_local_versions, read_signed_off
from reports.store import load_report
from tests.auth_helpers import add_person, run_auth_app, run_provider, sign_in
from tests.test_browser import _settled, browser  # noqa: F401 (the fixture is used by name)
from tests.test_reports import _cli

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib"),
]

RAPPORTOR = "rapportor@norberg.se"
LASARE = "lasare@norberg.se"
GOAL = "mal-2"  # area vaxa-upp
OTHER_AREA_GOAL = "mal-4"  # area leva-verka
LOCAL = "n2-ekonomiskt-utsatta-barn"
ROLES = f"""
signed_in = "ingen"

[[user]]
email = "{RAPPORTOR}"
role = "rapportör"
kommun = "1962"
areas = ["vaxa-upp"]

[[user]]
email = "{LASARE}"
role = "läsare"
"""
GOOD_CSV = "År;Värde;Enhet\n2019;5,1;%\n2020;4,8;%\n2021;4,5;%\n2022;4,2;%\n"
BAD_CSV = "År;Värde\n2019;5,1\n20x0;4,8\n2021;fyra\n"


@pytest.fixture(scope="module")
def world(tiny_paths: Paths, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("people")
    data_dir = root / "state"
    data_dir.mkdir()
    for f in tiny_paths.db_path.parent.iterdir():
        if f.suffix in (".duckdb", ".json"):
            shutil.copy2(f, data_dir / f.name)
    roles = root / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    with run_provider() as provider:
        add_person(provider, RAPPORTOR, "Rut Rapportör")
        add_person(provider, LASARE, "Lars Läsare")
        with run_auth_app(provider, data_dir, roles, root) as app:
            yield {"app": app, "data_dir": data_dir, "root": root}


def _goal_url(app: str, goal: str, indicator: str | None = None) -> str:
    url = f"{app}/mal?kommun=1962&mal={goal}"
    return url + (f"&indikator={indicator}" if indicator else "")


def _signed_in_page(chromium: Browser, email: str, url: str) -> Page:
    context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="sv-SE")
    page = context.new_page()
    page.goto(url)
    sign_in(page, email)
    _settled(page)
    return page


def _etl(data_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "MALPULS_DATA_DIR": str(data_dir)}
    return subprocess.Popen(
        [sys.executable, "-m", "etl", "--offline"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_rapportor_signs_off_and_uploads_lasare_reads_report_freezes(
    world: dict,
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    app, data_dir = world["app"], world["data_dir"]
    etl = _etl(data_dir)  # the nightly run, while people write

    page = _signed_in_page(browser, RAPPORTOR, _goal_url(app, GOAL, LOCAL))
    expect(page.get_by_role("heading", name="Bedömning", exact=True)).to_be_visible()
    form = page.locator('[data-testid="stForm"]')
    form.get_by_text("Osäkert").click()
    form.get_by_label("Kommentar (prognos för måloppfyllelse)").fill(
        "Andelen minskar, men långsammare än målet kräver."
    )
    form.get_by_label("Planerade åtgärder").fill("Fler familjecentraler under 2027.")
    form.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_text("Utkast", exact=True)).to_be_visible()
    page.locator('[data-testid="stForm"]').get_by_role("button", name="Markera klar").click()
    expect(page.get_by_text("Klarmarkerad", exact=True)).to_be_visible()
    expect(page.get_by_text(f"klarmarkerad av {RAPPORTOR}", exact=False).first).to_be_visible()

    # A broken file: every bad row named, nothing saved.
    bad = tmp_path / "fel.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    page.locator('input[type="file"]').set_input_files(bad)
    error = page.locator('[data-testid="stAlertContentError"]')
    expect(error).to_contain_text("rad 3")
    expect(error).to_contain_text("rad 4")
    expect(error).to_contain_text("Värde")
    # The good file: checked, previewed, saved as version 1.
    good = tmp_path / "barn-i-ekonomiskt-utsatta-hushall.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    page.locator('input[type="file"]').set_input_files(good)
    expect(page.get_by_text("Filen är godkänd: 4 värden (%)")).to_be_visible()
    page.get_by_role("button", name="Spara som version 1").click()
    expect(
        page.get_by_text("Källa: Norberg (lokal indikator, inte Kolada). Version 1")
    ).to_be_visible()

    # The ETL ran meanwhile: it succeeded and left what people wrote alone.
    out, _ = etl.communicate(timeout=600)
    assert etl.returncode == 0, out.decode(errors="replace")[-2000:]
    store_path = data_dir / "malpuls-app.sqlite"
    (signed,) = read_signed_off(store_path, "1962")
    assert (signed.key.goal_id, signed.status, signed.signed_off_by) == (GOAL, "Osäkert", RAPPORTOR)
    (version,) = read_local_versions(store_path, "1962")
    assert (version.indicator_id, version.version, version.uploaded_by) == (LOCAL, 1, RAPPORTOR)
    assert [(r.year, r.value) for r in version.rows] == [
        (2019, 5.1),
        (2020, 4.8),
        (2021, 4.5),
        (2022, 4.2),
    ]

    # Another area's goal: readable, not editable.
    page.goto(_goal_url(app, OTHER_AREA_GOAL))
    _settled(page)
    expect(page.get_by_role("heading", name="Bedömning", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Markera klar")).to_have_count(0)
    expect(page.get_by_role("button", name="Spara utkast")).to_have_count(0)
    page.context.close()

    # The läsare sees both, and can change neither.
    reader = _signed_in_page(browser, LASARE, _goal_url(app, GOAL, LOCAL))
    expect(reader.get_by_text("Ledningens bedömning", exact=False).first).to_contain_text("Osäkert")
    expect(reader.get_by_text(f"klarmarkerad av {RAPPORTOR}", exact=False).first).to_be_visible()
    expect(
        reader.get_by_text("Andelen minskar, men långsammare än målet kräver.").first
    ).to_be_visible()
    expect(
        reader.get_by_text("Källa: Norberg (lokal indikator, inte Kolada)", exact=False)
    ).to_be_visible()
    expect(reader.get_by_role("button", name="Markera klar")).to_have_count(0)
    expect(reader.get_by_role("button", name="Spara utkast")).to_have_count(0)
    expect(reader.locator('input[type="file"]')).to_have_count(0)
    expect(reader.get_by_text("Ladda upp värden")).to_have_count(0)
    reader.context.close()

    # A report frozen today holds them.
    done = _cli(data_dir, "freeze", "--kommun", "1962", "--date", dt.date.today().isoformat())
    assert done.returncode == 0, done.stdout + done.stderr
    (frozen,) = (data_dir / "reports").rglob("*.json")
    report = load_report(frozen)
    goal = next(g for g in report.goals if g.goal_id == GOAL)
    assert (goal.assessment, goal.assessment_by) == ("Osäkert", RAPPORTOR)
    assert goal.assessment_actions == "Fler familjecentraler under 2027."
    local = next(i for i in report.indicators if i.indicator_id == LOCAL)
    assert (local.years, local.values) == ([2019, 2020, 2021, 2022], [5.1, 4.8, 4.5, 4.2])
    assert local.source == "Källa: Norberg"
    assert local.local_version == 1
