"""Explorer benchmark (issue 6) on the full 9.5 M-value database.

    .venv/bin/python -m bench.bench_explorer

- filter-to-table: a complete server-side run of the Utforska page after a filter change
  (search, selection, comparison set), Streamlit's data cache cleared first, median of runs;
  and the two database reads behind it on their own;
- ranking: all 290 kommuner for one KPI and year, median of runs.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time

import duckdb

from bench.bench_render import FULL_VALUES, _database, _time_run
from db import queries

REPEATS = 15
VIEWS = [
    {"q": "behöriga yrkesprogram", "kpi": "N15428"},
    {"q": "ohälsotal", "kpi": "N00957", "urval": "liknande"},
    {"kpi": "N15428,N17461", "urval": "alla", "fran": "2018", "till": "2022"},
]


def _page_run(params: dict[str, str]) -> float:
    return _time_run("1962", "app_pages/explorer.py", params)


def main() -> int:
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    if not FULL_VALUES.exists():
        print(f"{FULL_VALUES} not found: this benchmark needs ../shared")
        return 1
    folder = _database(FULL_VALUES)
    for params in VIEWS:
        runs = [_page_run(params) for _ in range(REPEATS)]
        print(
            f"  page run {params}: median {statistics.median(runs) * 1000:.0f} ms "
            f"(max {max(runs) * 1000:.0f} ms)"
        )
    con = duckdb.connect(str(folder / "malpuls.duckdb"), read_only=True)
    search, values, ranking = [], [], []
    munis = [m for m, t in queries.query_all_municipalities(con) if t == "K"]
    for _ in range(REPEATS):
        t = time.perf_counter()
        queries.query_kpi_search(con, ["behöriga", "yrkesprogram"], None, None, None, "1962")
        search.append(time.perf_counter() - t)
        t = time.perf_counter()
        queries.query_values(con, ["N15428", "N17461"], munis, "T", 2013, 2022)
        values.append(time.perf_counter() - t)
        t = time.perf_counter()
        queries.query_ranking(con, "N15428", "T", None)
        ranking.append(time.perf_counter() - t)
    for label, runs in (
        ("search", search),
        ("values, 2 KPIs x 290 kommuner x 10 years", values),
        ("ranking across 290 kommuner", ranking),
    ):
        print(
            f"  {label}: median {statistics.median(runs) * 1000:.1f} ms "
            f"(max {max(runs) * 1000:.1f} ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
