"""Browser benchmark (issue 13, point 7): from navigation to a page that is idle with every
chart drawn, in headless Chromium, against `streamlit run`, compared with a bare one-line
Streamlit page measured in the same run (the floor).

    .venv/bin/python -m bench.bench_browser

The app runs on a database holding all 9.5 M Kolada values from ../shared, built into a
temporary folder the way bench.bench_render builds it (MALPULS_DATA_DIR points the server
at it). The bare page is `import streamlit as st; st.write("hej")` in another temporary
folder, with the app's .streamlit/config.toml and the same `streamlit run` flags. A third
server, from the same folder, shows the app's frame alone (CHROME_APP: the seven pages in
st.navigation, the two sidebar pickers, the data line, a title; no data): a reference row
that says how much of the budget the frame itself takes. The servers run for the whole
benchmark, one page load at a time; Debian's Chromium (as in
tests/test_browser.py, never a browser download) loads every URL in a fresh browser
context (empty cache, new websocket session) at 1440×900. URLs are interleaved: each of
the ROUNDS rounds visits every URL once, starting one URL later each round, so machine
noise hits all of them alike. Before the rounds, one untimed visit to each server (the
app on another kommun's overview) loads the Python modules and opens the database, so the
first timed visit of a page has a cold data cache (st.cache_data) but a warm process; later
visits hit the server's data cache, as on a running server. The table shows median and max
over the ROUNDS visits, the first visit alone, and the median's ratio to the bare page's.

Idle with every chart drawn. A script injected before the page's own scripts records, with
a MutationObserver, the last time any element was added or removed anywhere in the
document, or one of these attributes changed: stApp's data-test-script-state and
data-test-connection-state, an element's data-stale, a canvas's or svg's width or height.
Every 50 ms the page is checked for all of:
- [data-testid="stApp"] has data-test-connection-state="CONNECTED" and
  data-test-script-state="notRunning" (Streamlit's own end-of-run flags; "initial" before
  the first run);
- no running indicator in the status widget ([data-testid="stStatusWidgetRunningIcon"]
  inside [data-testid="stStatusWidget"]; it only appears after 500 ms of running, so it is
  a second check, not the main one; the widget itself may stay, showing "File change" when
  a source file is edited during the run), no [data-testid="stSkeleton"] (lazy element
  code still loading) and no [data-stale="true"] element (leftovers of a previous run);
- the main block container holds at least one element;
- every displayed [data-testid="stVegaLiteChart"] / .vega-embed (charts in a closed
  expander or hidden tab are skipped) contains vega's drawn `canvas.marks` or `svg.marks`
  with non-zero width and height.
When all hold and nothing has changed for QUIET_MS (300 ms), the page is idle. The time
reported is from just before `page.goto` to the moment the page reached that final state
(the later of the last recorded change and the first check that found all conditions true
in the current unbroken run), so the 300 ms confirmation window is not counted. A load
that does not reach idle in TIMEOUT_S fails the benchmark.

Page height: the scroll height of Streamlit's scrolling main section
([data-testid="stMain"]; the body itself does not scroll) at 1440×900 once idle, also
given in screen heights (900 px). Issue 13 asks for every page at most 1.5× the bare page
and Norberg's overview at most 3 screen heights.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import requests
from playwright.sync_api import Browser, sync_playwright

from bench.bench_render import FULL_VALUES, _database
from config import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1440, "height": 900}
ROUNDS = 5
QUIET_MS = 300
TIMEOUT_S = 120
WARMUP_PATH = "/?kommun=0180"  # Stockholm: loads modules and the database, not the pages' data
VETLANDA_GOAL = "trygghet-och-tillit"  # checked against the goal table at start
BARE_APP = 'import streamlit as st; st.write("hej")\n'
# A reference, not a target: what the app's frame alone costs, with no data and no
# content. Seven pages in st.navigation, the two sidebar pickers every page of the app has
# (kommun, bedömningsdag with Vaggeryd's 13 dates), the data line and a title.
CHROME_APP = """
import streamlit as st

def page():
    st.title("Översikt – Norberg")

def other():
    st.write("hej")

titles = ["Översikt", "Mål", "Utforska", "Agenda 2030", "Rapporter", "Metod", "Om data"]
nav = st.navigation(
    [st.Page(page, title=titles[0], url_path="oversikt", default=True)]
    + [st.Page(other, title=t, url_path=f"sida{i}") for i, t in enumerate(titles[1:])]
)
st.sidebar.selectbox("Kommun", ["Norberg", "Vaggeryd", "Vetlanda"])
st.sidebar.selectbox("Bedömningsdag", [f"31 december {y}" for y in range(2010, 2023)])
st.sidebar.caption("Kolada-data hämtad 30 augusti 2024 · senaste år 2022. Källa: Kolada")
nav.run()
"""
CHROME = "app frame only (reference)"

# Runs in every new document before its own scripts.
INIT_SCRIPT = """
(() => {
  const s = (window.__mpIdle = { lastChange: performance.now(), readySince: null });
  new MutationObserver(() => { s.lastChange = performance.now(); }).observe(document, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["data-test-script-state", "data-test-connection-state",
                      "data-stale", "width", "height"],
  });
})();
"""

# Polled until it returns an object: the page is idle with every chart drawn.
IDLE_CHECK = """
(quietMs) => {
  const s = window.__mpIdle;
  if (!s) return false;
  const now = performance.now();
  const app = document.querySelector('[data-testid="stApp"]');
  const drawn = (c) => {
    if (c.getClientRects().length === 0) return true;  // not displayed
    const marks = c.querySelector("canvas.marks, svg.marks");
    if (!marks) return false;
    const r = marks.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"], .vega-embed')];
  const ready =
    !!app &&
    app.getAttribute("data-test-connection-state") === "CONNECTED" &&
    app.getAttribute("data-test-script-state") === "notRunning" &&
    !document.querySelector(
      '[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]') &&
    !document.querySelector('[data-testid="stSkeleton"]') &&
    !document.querySelector('[data-stale="true"]') &&
    !!document.querySelector(
      '[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]') &&
    charts.every(drawn);
  if (!ready) { s.readySince = null; return false; }
  if (s.readySince === null) s.readySince = now;
  const settled = Math.max(s.readySince, s.lastChange);
  if (now - settled < quietMs) return false;
  const main = document.querySelector('[data-testid="stMain"]');
  const h1 = document.querySelector("h1");
  return {
    settledAgoMs: now - settled,
    height: main ? main.scrollHeight : document.documentElement.scrollHeight,
    charts: document.querySelectorAll('[data-testid="stVegaLiteChart"]').length,
    elements: document.getElementsByTagName("*").length,
    exceptions: [...document.querySelectorAll('[data-testid="stException"]')].map(
      (e) => e.textContent.slice(0, 300)),
    h1: h1 ? h1.textContent : "",
  };
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _server(script: str, cwd: Path, env: dict[str, str], log: Path) -> Iterator[str]:
    """`streamlit run script` with the flags tests/test_browser.py uses; yields its URL."""
    port = _free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script,
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
            ],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=out,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if requests.get(f"{url}/_stcore/health", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited: {log.read_text()[-2000:]}")
            time.sleep(0.25)
        else:
            raise RuntimeError(f"streamlit did not start: {log.read_text()[-2000:]}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _load(browser: Browser, url: str) -> dict:
    """One page load in a fresh context; seconds to idle, page height and what was shown."""
    context = browser.new_context(viewport=VIEWPORT, locale="sv-SE")
    try:
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_S * 1000)
        handle = page.wait_for_function(
            IDLE_CHECK, arg=QUIET_MS, polling=50, timeout=TIMEOUT_S * 1000
        )
        ended = time.perf_counter()
        info = handle.json_value()
        info["seconds"] = ended - started - info["settledAgoMs"] / 1000
        return info
    finally:
        context.close()


def _vetlanda_goal(db_path: Path) -> str:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        goals = [
            r[0]
            for r in con.execute(
                "SELECT goal_id FROM goal WHERE municipality_id = '0685'"
            ).fetchall()
        ]
    finally:
        con.close()
    if VETLANDA_GOAL not in goals:
        raise SystemExit(f"{VETLANDA_GOAL} is not a Vetlanda goal: {goals}")
    return VETLANDA_GOAL


def _load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def main() -> int:
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    if not FULL_VALUES.exists():
        print(f"{FULL_VALUES} not found: this benchmark needs ../shared")
        return 1
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found: install it with `make browser-deps`")
        return 1
    data_dir = _database(FULL_VALUES)  # sets MALPULS_DATA_DIR
    bare_dir = Path(tempfile.mkdtemp(prefix="malpuls-bare-"))
    try:
        (bare_dir / "app.py").write_text(BARE_APP)
        (bare_dir / "chrome.py").write_text(CHROME_APP)
        shutil.copytree(PROJECT_ROOT / ".streamlit", bare_dir / ".streamlit")
        vetlanda = _vetlanda_goal(data_dir / "malpuls.duckdb")
        pages = [
            "/?kommun=1962",
            "/?kommun=0665",
            "/?kommun=0685",
            "/mal?kommun=1962&mal=mal-2",
            "/mal?kommun=0665&mal=ks-2",
            f"/mal?kommun=0685&mal={vetlanda}",
        ]
        env = {**os.environ, "MALPULS_DATA_DIR": str(data_dir)}
        with (
            _server("app.py", PROJECT_ROOT, env, data_dir / "streamlit.log") as app_url,
            _server("app.py", bare_dir, env, bare_dir / "streamlit.log") as bare_url,
            _server("chrome.py", bare_dir, env, bare_dir / "chrome.log") as chrome_url,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            targets = {"bare page": bare_url + "/", CHROME: chrome_url + "/"} | {
                path: app_url + path for path in pages
            }
            _load(browser, bare_url + "/")
            _load(browser, chrome_url + "/")
            _load(browser, app_url + WARMUP_PATH)
            print(f"before the rounds: {_load_note()}")
            runs: dict[str, list[dict]] = {name: [] for name in targets}
            names = list(targets)
            t = time.perf_counter()
            for r in range(ROUNDS):
                for name in names[r % len(names) :] + names[: r % len(names)]:
                    runs[name].append(_load(browser, targets[name]))
            print(
                f"after {ROUNDS} rounds × {len(names)} URLs in "
                f"{time.perf_counter() - t:.0f} s: {_load_note()}"
            )
            browser.close()
    finally:
        shutil.rmtree(bare_dir, ignore_errors=True)
        shutil.rmtree(data_dir, ignore_errors=True)

    floor = statistics.median(x["seconds"] for x in runs["bare page"])
    print(
        f"\nNavigation to idle with every chart drawn, headless Chromium, "
        f"{VIEWPORT['width']}×{VIEWPORT['height']}, {ROUNDS} fresh contexts per URL "
        f"(database with all values)\n"
    )
    print("| URL | median s | max s | 1st visit s | ratio to bare | charts | height px (screens) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    for name, xs in runs.items():
        secs = [x["seconds"] for x in xs]
        median = statistics.median(secs)
        ratio = median / floor
        if name not in ("bare page", CHROME):
            worst = max(worst, ratio)
        height = xs[-1]["height"]
        print(
            f"| `{name}` | {median:.2f} | {max(secs):.2f} | {secs[0]:.2f} | {ratio:.2f}× "
            f"| {xs[-1]['charts']} | {height} ({height / VIEWPORT['height']:.1f}) |"
        )
    print(f"\nworst ratio {worst:.2f}× (target ≤ 1.5×)")
    print("what each URL showed, and every load's seconds in visiting order:")
    for name, xs in runs.items():
        shown = {(x["h1"], x["charts"]) for x in xs}
        secs = ", ".join(f"{x['seconds']:.2f}" for x in xs)
        for h1, charts in shown:
            print(f"  {name}: h1 {h1!r}, {charts} charts; {secs}")
        for i, x in enumerate(xs, 1):
            for text in x["exceptions"]:
                print(f"  ! {name} visit {i} showed an exception: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
