"""Render benchmark (issues 5 and 7): the overview, a goal page and the Agenda 2030 page
(with one global goal opened), server-side, with the database
holding the full 9.5 M real values.

    .venv/bin/python -m bench.bench_render

Builds a database from the bundled snapshot files but with the full values file from
../shared as kolada_value, then times complete script runs with Streamlit's AppTest (the
same work the server does for a browser, minus the websocket). Streamlit's data cache is
cleared before every timed run, so the figures are for uncached renders (the DuckDB
connection and the OS file cache stay warm, as on a running server). The
same views are timed on the bundled 1.07 M-value database too, to show how render time
grows with the data.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from config import PROJECT_ROOT, Paths
from etl.pipeline import build_offline

FULL_VALUES = (
    PROJECT_ROOT.parent / "shared" / "kolada" / "values_all_municipalities_2024-08-30.parquet"
)
APP = str(PROJECT_ROOT / "app.py")
GOALS = {"1962": "mal-2", "0665": "ks-2", "0685": "trygghet-och-tillit"}
REPEATS = 7


def _database(values: Path | None) -> Path:
    """A database from the bundled files, with `values` as kolada_value when given."""
    tmp = Path(tempfile.mkdtemp(prefix="malpuls-render-"))
    kolada = tmp / "kolada"
    kolada.mkdir()
    base = Paths.from_env()
    for f in base.kolada_dir.glob("*.parquet"):
        (kolada / f.name).symlink_to(f)
    if values is not None:
        (kolada / "values.parquet").unlink()
        (kolada / "values.parquet").symlink_to(values)
    paths = replace(
        base, kolada_dir=kolada, db_path=tmp / "malpuls.duckdb", status_path=tmp / "etl_status.json"
    )
    t = time.perf_counter()
    result = build_offline(paths, now=dt.datetime.now(), progress=lambda _m: None)
    print(
        f"database with {result.counts['kolada_value']:,} values built in "
        f"{time.perf_counter() - t:.1f} s ({paths.db_path.stat().st_size / 1e6:.0f} MB)"
    )
    os.environ["MALPULS_DATA_DIR"] = str(tmp)
    return tmp


def _time_run(kommun: str, page: str | None, params: dict[str, str]) -> float:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["kommun"] = kommun
    if page:
        at.run()
        at.switch_page(page).run()
        for k, v in params.items():
            at.query_params[k] = v
    st.cache_data.clear()  # the timed render computes everything it shows
    t = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - t
    if at.exception:
        raise SystemExit(f"render failed: {at.exception[0].value}")
    return elapsed


def main() -> int:
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    if not FULL_VALUES.exists():
        print(f"{FULL_VALUES} not found: this benchmark needs ../shared")
        return 1
    for label, values in (("bundled snapshot", None), ("full dataset", FULL_VALUES)):
        print(f"\n[{label}]")
        _database(values)
        print(f"median (max) of {REPEATS} fresh, uncached renders per view")
        for kommun, goal in GOALS.items():
            for view, page, params in (
                ("overview", None, {}),
                ("goal page", "app_pages/goal.py", {"mal": goal}),
                ("agenda 2030", "app_pages/agenda.py", {"sdg": "11"}),
            ):
                runs = [_time_run(kommun, page, params) for _ in range(REPEATS)]
                print(f"  {kommun} {view:11s}: {statistics.median(runs):.3f} s ({max(runs):.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
