"""All of Kolada through the live ETL (issue 17.1). Prints its figures (progress on stderr);
run from the project root:

    .venv/bin/python -m bench.bench_etl_kolada

1. The Kolada v3 stand-in (tests/standin) serves ALL the real values: the 9.5 M of
   ../shared/kolada/values_all_municipalities_*.parquet (2,012 KPIs, 312 geographies,
   1994–2022), with the bundled catalogue and groups (data/kolada). It runs in a process
   of its own, so that its Python (JSON for every page) does not share the ETL's.
2. A database built offline from the bundled snapshot and goal files, then a full run
   with `[scope] all_kpis = true, extra_geographies = "alla"` at the polite defaults
   (5 requests/s, 3 in flight): requests made against the least possible (the planned
   questions plus the further pages their answers need, counted from the served file),
   wall time against the time the requests alone need at 5/s and against DuckDB's own
   read of the Parquet file, peak memory (RSS) of the ETL process (each run in a child
   process of its own, so the figure is that run's), the database's size,
   the values stored, and whether they are exactly the values served.
3. An incremental run the next day, nothing changed at Kolada: requests and wall time.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb

from config import PROJECT_ROOT, Paths
from core.kolada import MAX_IDS_PER_LIST
from etl.kolada_client import ClientConfig
from etl.live import FIRST_YEAR, run_live
from etl.pipeline import build_offline
from etl.settings import Settings

FULL_VALUES = (
    PROJECT_ROOT.parent / "shared" / "kolada" / "values_all_municipalities_2024-08-30.parquet"
)
KOLADA = PROJECT_ROOT / "data" / "kolada"
NOW = dt.datetime(2026, 11, 22, 3, 0)
PER_PAGE = ClientConfig.per_page


def _log(message: str) -> None:
    print(f"{dt.datetime.now():%H:%M:%S} {message}", file=sys.stderr, flush=True)


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _rss_mb() -> float:
    with Path("/proc/self/status").open(encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class _PeakRss:
    """The highest resident memory of this process, sampled every 0.2 s, and its peak up
    to `mark()` (the fetch) apart from the rest (applying to the database)."""

    def __init__(self) -> None:
        self.peak = self.at_mark = _rss_mb()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(0.2):
            self.peak = max(self.peak, _rss_mb())

    def mark(self) -> None:
        self.at_mark = max(self.peak, _rss_mb())

    def stop(self) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def _data_dir(folder: Path) -> Path:
    """The stand-in's folder: the bundled catalogue and groups, all the values."""
    folder.mkdir()
    for path in KOLADA.glob("*.parquet"):
        if path.name != "values.parquet":
            shutil.copy(path, folder / path.name)
    # The stand-in reads kpi, municipality_id, year, gender, value: the file's columns.
    (folder / "values.parquet").symlink_to(FULL_VALUES)
    return folder


@contextmanager
def _standin(folder: Path) -> Iterator[str]:
    """A stand-in serving `folder` in a child process; yields its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.bench_etl_kolada", "--serve", str(folder)],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    try:
        base_url = proc.stdout.readline().strip()
        if not base_url.startswith("http"):
            raise RuntimeError(f"the stand-in did not start: {base_url!r}")
        yield base_url
    finally:
        proc.stdin.close()  # the child serves until its stdin closes
        proc.wait(timeout=60)


def _serve(folder: Path) -> int:
    from tests.standin import KoladaStandIn

    with KoladaStandIn(folder) as api:
        print(api.base_url, flush=True)
        sys.stdin.read()
    return 0


def _least_pages(geographies: list[str], years: list[int]) -> tuple[int, int, int]:
    """(pages the questions asked need, rows served, rows of catalogue KPIs): a question
    about 25 geographies × 25 years is answered in rows of (kpi, municipality, year), at
    most PER_PAGE a page, at least one page."""
    with duckdb.connect() as con:
        counts = con.execute(
            "SELECT municipality_id, year, count(*) FROM (SELECT DISTINCT kpi, "
            f"municipality_id, year FROM read_parquet({_lit(FULL_VALUES)})) GROUP BY ALL"
        ).fetchall()
        in_catalogue = con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT kpi, municipality_id, year "
            f"FROM read_parquet({_lit(FULL_VALUES)}) WHERE kpi IN "
            f"(SELECT id FROM read_parquet({_lit(KOLADA / 'kpi.parquet')})))"
        ).fetchall()[0][0]
    rows = {(m, int(y)): n for m, y, n in counts}
    pages = 0
    n = MAX_IDS_PER_LIST
    for i in range(0, len(geographies), n):
        for j in range(0, len(years), n):
            asked = sum(
                rows.get((m, y), 0) for m in geographies[i : i + n] for y in years[j : j + n]
            )
            pages += max(1, math.ceil(asked / PER_PAGE))
    return pages, sum(rows.values()), in_catalogue


def _parquet_read_seconds() -> float:
    with duckdb.connect() as con:
        t = time.perf_counter()
        con.execute(f"CREATE TABLE raw AS SELECT * FROM read_parquet({_lit(FULL_VALUES)})")
        return time.perf_counter() - t


def _stored(db: Path) -> tuple[int, int, int]:
    """(values stored, served values missing from the store, stored values of catalogue
    KPIs that were not served): the run must store exactly what Kolada serves."""
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("SELECT count(*) FROM kolada_value").fetchall()[0][0]
        served = (
            f"SELECT kpi, municipality_id, CAST(year AS SMALLINT) AS year, gender, value "
            f"FROM read_parquet({_lit(FULL_VALUES)}) WHERE value IS NOT NULL "
            "AND kpi IN (SELECT id FROM kpi WHERE NOT is_retired)"
        )
        missing = con.execute(
            f"SELECT count(*) FROM ({served} EXCEPT ALL SELECT * FROM kolada_value)"
        ).fetchall()[0][0]
        extra = con.execute(
            "SELECT count(*) FROM (SELECT * FROM kolada_value "
            "WHERE kpi IN (SELECT id FROM kpi WHERE NOT is_retired) "
            f"EXCEPT ALL {served})"
        ).fetchall()[0][0]
    return stored, missing, extra


# What a run reports back from its child process (LiveResult's figures).
_FIGURES = (
    "requests",
    "value_requests",
    "value_retries",
    "planned_requests",
    "further_pages",
    "fetched",
    "added",
    "changed",
    "deleted",
    "fetch_seconds",
    "db_seconds",
)


def _run_child(db_dir: Path, base_url: str, now: dt.datetime, full: bool) -> int:
    """One run_live in this (child) process, so that its peak memory is its own; prints
    its figures as JSON on the last line of stdout."""
    paths = replace(
        Paths.from_env(), db_path=db_dir / "malpuls.duckdb", status_path=db_dir / "status.json"
    )
    settings = Settings(
        client=ClientConfig(base_url=base_url),  # the polite defaults
        all_kpis=True,
        extra_geographies="alla",
    )
    last = [0.0]

    def batch(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 15 or done == total:
            last[0] = time.perf_counter()
            _log(f"  {done}/{total} questions answered")

    rss = _PeakRss()

    def progress(message: str) -> None:
        if message.startswith("Uppdaterar databasen"):
            rss.mark()
        _log(message)

    t = time.perf_counter()
    r = run_live(paths, settings, now=now, full=full, progress=progress, on_batch=batch)
    wall = time.perf_counter() - t
    rss.stop()
    figures = {name: getattr(r, name) for name in _FIGURES}
    figures |= {
        "wall": wall,
        "rss_fetch": rss.at_mark,
        "rss_peak": rss.peak,
        "mode": r.mode.mode,
        "from_date": str(r.mode.from_date),
        "kpis": len(r.scope.goal_kpis) + len(r.scope.extra_kpis),
        "geographies": len(r.scope.all_geographies),
        "plan": [f"{p.requests} {p.shape}" for p in r.plan],
    }
    print(json.dumps(figures), flush=True)
    return 0


def _run(db_dir: Path, base_url: str, now: dt.datetime, *, full: bool) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.bench_etl_kolada",
            "--run",
            str(db_dir),
            base_url,
            now.isoformat(),
            "full" if full else "incremental",
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _report(label: str, r: dict[str, Any], least: int | None) -> None:
    meta = r["requests"] - r["value_requests"]
    rate = ClientConfig.rate_per_second
    wall = r["wall"]
    print(f"\n[{label}] mode={r['mode']} from_date={r['from_date']}")
    print(
        f"  scope: {r['kpis']} KPIs x {r['geographies']} geographies; questions: "
        + ", ".join(r["plan"])
    )
    print(
        f"  requests made: {r['requests']} = {r['value_requests']} data "
        f"({r['planned_requests']} questions + {r['further_pages']} further pages + "
        f"{r['value_retries']} retries) + {meta} metadata"
    )
    if least is not None:
        print(
            f"  least possible for these questions: {least} data requests "
            f"({r['planned_requests']} questions + {least - r['planned_requests']} pages their "
            f"answers need at {PER_PAGE} rows/page) + {meta} metadata = {least + meta}; "
            f"made/least {r['requests'] / (least + meta):.3f}"
        )
    print(
        f"  wall time {wall:.1f} s (fetch {r['fetch_seconds']:.1f} s, database "
        f"{r['db_seconds']:.1f} s); the requests alone at {rate:g}/s: "
        f"{r['requests'] / rate:.1f} s (wall / that {wall / (r['requests'] / rate):.2f})"
    )
    print(
        f"  values fetched {r['fetched']:,}; added {r['added']:,}, changed {r['changed']:,}, "
        f"deleted {r['deleted']:,}; peak RSS of the ETL process {r['rss_peak']:,.0f} MB "
        f"({r['rss_fetch']:,.0f} MB until the values were fetched)"
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["--serve"]:
        return _serve(Path(argv[1]))
    if argv[:1] == ["--run"]:
        db_dir, base_url, now, mode = argv[1:5]
        return _run_child(Path(db_dir), base_url, dt.datetime.fromisoformat(now), mode == "full")
    if not FULL_VALUES.exists():
        print(f"skipped: {FULL_VALUES} not found")
        return 0
    load = os.getloadavg()
    print(
        f"Målpuls: all of Kolada through the live ETL, {dt.datetime.now():%Y-%m-%d %H:%M}, "
        f"duckdb {duckdb.__version__}, {os.cpu_count()} CPUs, load average "
        f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start"
    )
    tmp = Path(tempfile.mkdtemp(prefix="malpuls-bench-kolada-"))
    try:
        paths = replace(
            Paths.from_env(), db_path=tmp / "malpuls.duckdb", status_path=tmp / "etl_status.json"
        )
        _log("Building the database from the bundled snapshot …")
        build_offline(paths, now=NOW - dt.timedelta(days=30), progress=lambda _m: None)
        size_before = paths.db_path.stat().st_size / 1e6
        _log("Starting the stand-in with all 9.5 M values (a child process) …")
        read_seconds = _parquet_read_seconds()
        with _standin(_data_dir(tmp / "kolada")) as base_url:
            _log("Full run, all of Kolada (a child process) …")
            full = _run(tmp, base_url, NOW, full=True)
            years = list(range(FIRST_YEAR, NOW.year + 2))
            with duckdb.connect(str(paths.db_path), read_only=True) as con:
                geographies = [r[0] for r in con.execute("SELECT id FROM municipality").fetchall()]
            pages, rows, rows_catalogue = _least_pages(sorted(geographies), years)
            _report("full, all of Kolada", full, pages)
            print(
                f"  rows served (kpi, municipality, year): {rows:,}, {rows_catalogue:,} of "
                f"them of catalogue KPIs: no client can do with fewer than "
                f"{math.ceil(rows_catalogue / PER_PAGE)} data pages"
            )
            print(
                f"  DuckDB reads the Parquet file (9.5 M values) into memory in "
                f"{read_seconds:.2f} s: the run takes {full['wall'] / read_seconds:.0f} times that"
            )
            stored, missing, extra = _stored(paths.db_path)
            print(
                f"  database {size_before:.0f} MB before, {paths.db_path.stat().st_size / 1e6:.0f} "
                f"MB after; values stored {stored:,} (Kolada's nulls are not stored); "
                f"served values missing {missing}, stored values not served {extra}"
            )
            _log("Incremental run the next day, nothing changed …")
            night = _run(tmp, base_url, NOW + dt.timedelta(days=1), full=False)
            _report("incremental the next day, nothing changed", night, None)
            print(f"  database {paths.db_path.stat().st_size / 1e6:.0f} MB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
