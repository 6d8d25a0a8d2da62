"""Explorer benchmark (issues 6 and 17) on the full 9.5 M-value database.

    .venv/bin/python -m bench.bench_explorer

Server-side script runs with Streamlit's AppTest (the work the server does for a browser,
minus the websocket), median of REPEATS, with a bare one-line Streamlit page timed the
same way in the same run as the baseline (this machine is shared: the ratio travels, the
milliseconds less so).

- filter → table: the page is run in one state (Streamlit's data cache cleared first, so
  nothing from an earlier repeat helps), the filter is changed, and the next run is timed:
  what a user waits for after a click, with what the click did not change still cached,
  as on a running server. Each view is also timed cold (the whole data cache cleared
  before the timed run), the worst case.
- catalogue search: the KPI search engine (core.kpi_search, the one behind the page)
  over the whole catalogue, for each of the analyst queries in tests/data/kpi_queries.csv;
  the index is built once per published database file (its build time is printed).
- the database reads behind the heaviest view on their own, against DuckDB's own scan of
  the values table.
"""

from __future__ import annotations

import csv
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import streamlit as st
from streamlit.testing.v1 import AppTest

from bench.bench_render import APP, FULL_VALUES, _database
from config import PROJECT_ROOT
from core.kpi_search import KpiSearchIndex
from db import queries
from db.kpi_docs import query_kpi_docs

REPEATS = 11
KOMMUN = "1962"  # Norberg
TWO_BY_ALL = {"kpi": "N15428,N17461", "fran": "2013", "till": "2022"}
# (label, state before, state after): the filter change a user makes.
CHANGES: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("search typed", {}, {"q": "behöriga yrkesprogram"}),
    ("KPI chosen", {"q": "behöriga yrkesprogram"}, {"q": "behöriga yrkesprogram", "kpi": "N15428"}),
    ("peers chosen", {"kpi": "N00957"}, {"kpi": "N00957", "urval": "liknande"}),
    ("2 KPIs x 290 kommuner, table", TWO_BY_ALL, {**TWO_BY_ALL, "urval": "alla"}),
    (
        "2 KPIs x 290 kommuner, years changed",
        {**TWO_BY_ALL, "urval": "alla"},
        {**TWO_BY_ALL, "urval": "alla", "fran": "2018"},
    ),
    *[
        (
            f"view {vy}, 290 kommuner",
            {**TWO_BY_ALL, "urval": "alla"},
            {**TWO_BY_ALL, "urval": "alla", "vy": vy},
        )
        for vy in ("Diagram", "Rangordning", "Fördelning", "Kön")
    ],
]
BARE_APP = 'import streamlit as st\n\nst.write("hej")\n'


def _median_ms(runs: list[float]) -> str:
    return f"median {statistics.median(runs) * 1000:6.1f} ms (max {max(runs) * 1000:6.1f} ms)"


def _app(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["kommun"] = KOMMUN
    at.run()
    at.switch_page("app_pages/explorer.py").run()
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    return at


def _set_state(at: AppTest, params: dict[str, str]) -> None:
    for k in [k for k in at.query_params if k != "kommun"]:
        del at.query_params[k]
    for k, v in params.items():
        at.query_params[k] = v


def _timed(at: AppTest) -> float:
    t = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - t
    if at.exception:
        raise SystemExit(f"run failed: {at.exception[0].value}")
    return elapsed


def _change(before: dict[str, str], after: dict[str, str]) -> tuple[list[float], list[float]]:
    """(warm, cold) runs of the page after the filter change."""
    at = _app(before)
    warm, cold = [], []
    for _ in range(REPEATS):
        _set_state(at, before)
        st.cache_data.clear()
        at.run()
        _set_state(at, after)
        warm.append(_timed(at))
        st.cache_data.clear()
        cold.append(_timed(at))
    return warm, cold


def _bare() -> list[float]:
    folder = Path(tempfile.mkdtemp(prefix="malpuls-bare-"))
    (folder / "bare.py").write_text(BARE_APP)
    at = AppTest.from_file(str(folder / "bare.py"), default_timeout=60)
    at.run()
    return [_timed(at) for _ in range(REPEATS)]


def _reads(con: duckdb.DuckDBPyConnection) -> None:
    munis = [m for m, t in queries.query_all_municipalities(con) if t == "K"]
    reads: dict[str, Callable[[], object]] = {
        "DuckDB's own scan: count(*) of the values table": lambda: con.execute(
            "SELECT count(*) FROM kolada_value WHERE value IS NOT NULL"
        ).fetchall(),
        "values, 2 KPIs x 290 kommuner x 10 years": lambda: queries.query_values(
            con, ["N15428", "N17461"], munis, "T", 2013, 2022
        ),
        "ranking across 290 kommuner": lambda: queries.query_ranking(con, "N15428", "T", None),
    }
    for label, read in reads.items():
        runs = []
        for _ in range(REPEATS):
            t = time.perf_counter()
            read()
            runs.append(time.perf_counter() - t)
        print(f"  {label:52s} {_median_ms(runs)}")


def _search(con: duckdb.DuckDBPyConnection) -> None:
    t = time.perf_counter()
    index = KpiSearchIndex(query_kpi_docs(con))
    print(f"  index built once per database file: {time.perf_counter() - t:.2f} s")
    with (PROJECT_ROOT / "tests" / "data" / "kpi_queries.csv").open(encoding="utf-8") as f:
        texts = [row["query"] for row in csv.DictReader(f)]
    for label, explain in (
        ("as the page asks (200 hits, order only)", False),
        ("with every hit's reasons (as etl kpi-search)", True),
    ):
        per_query = []
        for text in texts:
            runs = []
            for _ in range(REPEATS):
                t = time.perf_counter()
                index.search(text, 200, explain=explain)
                runs.append(time.perf_counter() - t)
            per_query.append(statistics.median(runs))
        print(
            f"  {len(texts)} analyst queries over {len(index.docs):,} KPIs, {label}: median "
            f"of the queries' medians {statistics.median(per_query) * 1000:.1f} ms, slowest "
            f"query {max(per_query) * 1000:.1f} ms"
        )


def main() -> int:
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    if not FULL_VALUES.exists():
        print(f"{FULL_VALUES} not found: this benchmark needs ../shared")
        return 1
    folder = _database(FULL_VALUES)
    bare = statistics.median(_bare())
    print(f"\nbaseline: a bare one-line Streamlit page, median {bare * 1000:.1f} ms per run")
    print("\nfilter → table (server-side page run after the change; ratio to the bare page)")
    for label, before, after in CHANGES:
        warm, cold = _change(before, after)
        w, c = statistics.median(warm), statistics.median(cold)
        print(
            f"  {label:38s} after the click {w * 1000:6.1f} ms ({w / bare:4.1f}x bare, max "
            f"{max(warm) * 1000:.0f}); all caches cold {c * 1000:6.1f} ms ({c / bare:4.1f}x)"
        )
    con = duckdb.connect(str(folder / "malpuls.duckdb"), read_only=True)
    print("\ncatalogue search (core.kpi_search, the page's engine)")
    _search(con)
    print("\ndatabase reads on their own")
    _reads(con)
    return 0


if __name__ == "__main__":
    sys.exit(main())
