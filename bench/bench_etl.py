"""ETL benchmark (issue 3). Prints its figures; run from the project root:

    .venv/bin/python -m bench.bench_etl

1. A full and an incremental run against the local Kolada v3 stand-in (tests/standin)
   serving the bundled real data with 50 ms added latency per request, with the default
   politeness settings (5 requests/s, 3 in flight): requests made vs the minimum for the
   scope, wall time, rows/s into DuckDB.
2. Loading the full 9.5 M-value file (../shared/kolada/values_all_municipalities_*.parquet)
   into the schema, against the time DuckDB needs just to read that file.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import duckdb

from config import PROJECT_ROOT, Paths
from db.connection import create_database
from db.load import load_values
from etl.kolada_client import ClientConfig
from etl.live import run_live
from etl.pipeline import build_offline
from etl.settings import Settings
from tests.standin import KoladaStandIn

FULL_VALUES = (
    PROJECT_ROOT.parent / "shared" / "kolada" / "values_all_municipalities_2024-08-30.parquet"
)
LATENCY = 0.05
NOW = dt.datetime(2026, 11, 22, 3, 0)


def _etl_runs() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="malpuls-bench-"))
    paths = replace(
        Paths.from_env(), db_path=tmp / "malpuls.duckdb", status_path=tmp / "etl_status.json"
    )
    build_offline(paths, now=NOW - dt.timedelta(days=30), progress=lambda _m: None)
    with KoladaStandIn(paths.kolada_dir, latency=LATENCY) as api:
        settings = Settings(client=ClientConfig(base_url=api.base_url))  # default politeness
        for label, kwargs, now in (
            ("full", {"full": True}, NOW),
            ("incremental, nothing changed", {}, NOW + dt.timedelta(days=1)),
        ):
            api.clear_log()
            t = time.perf_counter()
            r = run_live(paths, settings, now=now, progress=lambda _m: None, **kwargs)
            wall = time.perf_counter() - t
            log = api.request_log
            data = [x for x in log if "/v3/data/" in x]
            extra_pages = sum(1 for x in data if re.search(r"[?&]page=", x))
            meta = len(log) - len(data)
            planned = r.planned_requests
            minimum = planned + extra_pages + meta
            print(f"\n[{label}] mode={r.mode.mode} from_date={r.mode.from_date}")
            print(
                f"  scope: {len(r.scope.goal_kpis)} KPIs x {len(r.scope.all_geographies)} "
                f"geographies (+{len(r.scope.extra_kpis)} extra x "
                f"{len(r.scope.extra_geographies)})"
            )
            print(
                f"  requests made: {len(log)} = {len(data)} data ({planned} first pages + "
                f"{extra_pages} extra pages) + {meta} metadata; retries {r.retries}"
            )
            print(
                f"  minimum for the scope: planned questions {planned} "
                f"+ {extra_pages} extra pages + {meta} metadata = {minimum}; "
                f"ratio {len(log) / minimum:.2f}"
            )
            print(
                f"  wall time {wall:.1f} s (fetch {r.fetch_seconds:.1f} s, database "
                f"{r.db_seconds:.1f} s); {r.fetched} values fetched; "
                f"{r.fetched / r.db_seconds if r.db_seconds else 0:,.0f} rows/s into DuckDB; "
                f"added {r.added}, changed {r.changed}, deleted {r.deleted}"
            )


def _parquet_load(repeats: int = 3) -> None:
    if not FULL_VALUES.exists():
        print(f"\n[parquet load] skipped: {FULL_VALUES} not found")
        return
    reads, reads_file, loads = [], [], []
    for _ in range(repeats):
        with duckdb.connect() as con:
            t = time.perf_counter()
            con.execute(f"CREATE TABLE raw AS SELECT * FROM read_parquet('{FULL_VALUES}')")
            reads.append(time.perf_counter() - t)
        tmp = Path(tempfile.mkdtemp(prefix="malpuls-bench-"))
        with duckdb.connect(str(tmp / "raw.duckdb")) as con:
            t = time.perf_counter()
            con.execute(f"CREATE TABLE raw AS SELECT * FROM read_parquet('{FULL_VALUES}')")
            con.execute("CHECKPOINT")
            reads_file.append(time.perf_counter() - t)
        con = create_database(tmp / "schema.duckdb")
        t = time.perf_counter()
        n = load_values(con, FULL_VALUES)
        con.execute("CHECKPOINT")
        loads.append(time.perf_counter() - t)
        con.close()
    r, rf, ld = (statistics.median(x) for x in (reads, reads_file, loads))
    print(f"\n[parquet load] {n:,} rows, median of {repeats}")
    print(f"  DuckDB reads the Parquet file into memory: {r:.2f} s")
    print(f"  DuckDB reads it into a table in a database file: {rf:.2f} s")
    print(f"  Målpuls loads it into the schema (kolada_value, file, checkpointed): {ld:.2f} s")
    print(
        f"  ratio vs in-memory read {ld / r:.2f} (target <= 2); vs read into a file {ld / rf:.2f}"
    )


def main() -> int:
    print(
        f"Målpuls ETL benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}, "
        f"duckdb {duckdb.__version__}, latency {LATENCY * 1000:.0f} ms/request"
    )
    _etl_runs()
    _parquet_load()
    return 0


if __name__ == "__main__":
    sys.exit(main())
