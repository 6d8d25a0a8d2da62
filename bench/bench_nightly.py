"""Nightly incremental run benchmark (issue 14). Prints its figures; run from the project root:

    .venv/bin/python -m bench.bench_nightly

1. Builds a database holding all 9.5 M Kolada values from ../shared the way
   bench.bench_render does (bench_render._database).
2. Simulates a year of nightly live runs in bulk SQL: on each of NIGHTS nights before NOW,
   REVISED_PER_NIGHT random values of the run's scope (the goal KPIs × every geography)
   are revised by up to ±2 % and ADDED_PER_NIGHT values of the year after the scope's
   latest are added. Each change is a value_revision row at 03:00 of its night, as
   db.sync.apply_values records it (old and new value, chained per key), and kolada_value
   ends holding each key's last value. The meta says the last live run was the night
   before NOW and the last full reload two nights before, so the timed runs are
   incremental.
3. Times run_live against the Kolada stand-in (tests/standin, serving the same 9.5 M
   values, no added latency): a quiet night (Kolada reports no change) and a changed night
   (CHANGED_REVISED stored values revised and CHANGED_ADDED values of a new year added in
   the stand-in that day). Every timed run starts from a fresh copy of the same simulated
   database (copied untimed), median of REPEATS (or the first argument): total, fetch,
   database (apply, recompute, check, publish) and compute_results alone.
4. Baselines measured in the same run, since this machine is noisy: DuckDB grouping every
   value by its key (a 9.5 M-row aggregate: each run is also given as a ratio to it), and
   copying the database file (what every live run does first with shutil.copyfile), given
   as a share of the run.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb

import etl.live
from bench.bench_render import FULL_VALUES, _database
from config import Paths
from db import load
from etl.kolada_client import ClientConfig
from etl.live import FETCHED_WHOLE_KEY, LiveResult, run_live
from etl.settings import Settings
from tests.standin import KoladaStandIn

NOW = dt.datetime(2026, 11, 22, 3, 0)
NIGHTS = 365
REVISED_PER_NIGHT = 2_000
ADDED_PER_NIGHT = 300
CHANGED_REVISED = 1_500
CHANGED_ADDED = 500
REPEATS = 3
SEED = 14


def _simulate_year(db_path: Path, kpis: tuple[str, ...], geos: tuple[str, ...]) -> None:
    """A year of nightly revisions of the scope's values, in bulk (see the module docstring)."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute("SELECT setseed(?)", [SEED / 100])
        con.execute("CREATE TEMP TABLE sk AS SELECT unnest(?::TEXT[]) AS id", [list(kpis)])
        con.execute("CREATE TEMP TABLE sg AS SELECT unnest(?::TEXT[]) AS id", [list(geos)])
        con.execute(
            """
            CREATE TEMP TABLE scope_vals AS
            SELECT row_number() OVER () - 1 AS rid, kpi, municipality_id, year, gender, value
            FROM kolada_value
            WHERE kpi IN (SELECT id FROM sk) AND municipality_id IN (SELECT id FROM sg)
              AND value IS NOT NULL
            """
        )
        n_scope = con.execute("SELECT count(*) FROM scope_vals").fetchall()[0][0]
        # Revisions: per night, random scope values; a key revised on several nights is
        # chained (each night's old value is the previous night's new one).
        con.execute(
            """
            CREATE TEMP TABLE picks AS
            SELECT DISTINCT night, CAST(floor(random() * $n) AS BIGINT) AS rid
            FROM range(1, $nights + 1) t(night), range($per) r(i)
            """,
            {"n": n_scope, "nights": NIGHTS, "per": REVISED_PER_NIGHT},
        )
        con.execute(
            """
            CREATE TEMP TABLE chain AS
            WITH f AS (
                SELECT p.night, s.*, 1 + (random() - 0.5) * 0.04 AS factor
                FROM picks p JOIN scope_vals s USING (rid)
            ), c AS (
                SELECT *, value * exp(sum(ln(factor)) OVER (
                    PARTITION BY rid ORDER BY night)) AS new_value
                FROM f
            )
            SELECT kpi, municipality_id, year, gender,
                   lag(new_value, 1, value) OVER (PARTITION BY rid ORDER BY night) AS old_value,
                   new_value, night, rid
            FROM c
            """
        )
        # Additions: a new year's values, each first published on one night.
        con.execute(
            """
            CREATE TEMP TABLE added AS
            SELECT s.kpi, s.municipality_id, CAST(s.year + 1 AS SMALLINT) AS year, s.gender,
                   NULL::DOUBLE AS old_value, s.value * (1 + (random() - 0.5) * 0.04) AS new_value,
                   1 + CAST(floor(random() * $nights) AS BIGINT) AS night
            FROM scope_vals s
            WHERE s.year = (SELECT max(year) FROM scope_vals) AND NOT EXISTS (
                SELECT 1 FROM kolada_value v WHERE v.kpi = s.kpi
                  AND v.municipality_id = s.municipality_id AND v.year = s.year + 1
                  AND v.gender = s.gender)
            ORDER BY random() LIMIT $limit
            """,
            {"nights": NIGHTS, "limit": ADDED_PER_NIGHT * NIGHTS},
        )
        start = NOW - dt.timedelta(days=NIGHTS + 1)
        con.execute(
            """
            INSERT INTO value_revision
            SELECT kpi, municipality_id, year, gender, old_value, new_value,
                   $start + to_days(CAST(night AS INTEGER)) AS replaced_at
            FROM (SELECT kpi, municipality_id, year, gender, old_value, new_value, night
                  FROM chain UNION ALL SELECT * FROM added)
            ORDER BY replaced_at
            """,
            {"start": start},
        )
        con.execute(
            """
            UPDATE kolada_value v SET value = l.new_value
            FROM (SELECT kpi, municipality_id, year, gender, arg_max(new_value, night) AS new_value
                  FROM chain GROUP BY ALL) l
            WHERE v.kpi = l.kpi AND v.municipality_id = l.municipality_id
              AND v.year = l.year AND v.gender = l.gender
            """
        )
        con.execute(
            "INSERT INTO kolada_value "
            "SELECT kpi, municipality_id, year, gender, new_value FROM added"
        )
        con.execute(
            "CREATE TEMP TABLE sorted_values AS "
            "SELECT * FROM kolada_value ORDER BY kpi, municipality_id, year, gender"
        )
        con.execute("DELETE FROM kolada_value")
        con.execute("INSERT INTO kolada_value SELECT * FROM sorted_values")
        last = NOW - dt.timedelta(days=1)
        load.upsert_meta(
            con,
            {
                "last_live_success": last.isoformat(timespec="seconds"),
                "last_full_reload": (last - dt.timedelta(days=1)).isoformat(timespec="seconds"),
                "data_date": last.date().isoformat(),
                # What that full reload leaves (etl.live): every scope KPI fetched whole, so
                # the KPIs Kolada has no values for are not fetched whole again.
                FETCHED_WHOLE_KEY: json.dumps(sorted(kpis)),
            },
        )
        con.execute("CHECKPOINT")
        n_rev, n_keys = con.execute(
            "SELECT count(*), count(DISTINCT (kpi, municipality_id, year, gender)) "
            "FROM value_revision"
        ).fetchall()[0]
        n_values = con.execute("SELECT count(*) FROM kolada_value").fetchall()[0][0]
    finally:
        con.close()
    print(
        f"simulated {NIGHTS} nights: {n_rev:,} value_revision rows over {n_keys:,} keys "
        f"(scope {len(kpis)} KPIs x {len(geos)} geographies = {n_scope:,} values); "
        f"{n_values:,} values now; file {db_path.stat().st_size / 1e6:.0f} MB"
    )


def _median(f: Callable[[], float], repeats: int = REPEATS) -> float:
    return statistics.median(f() for _ in range(repeats))


def _copy_seconds(src: Path) -> float:
    dst = src.with_name("copy.duckdb")
    t = time.perf_counter()
    shutil.copyfile(src, dst)
    elapsed = time.perf_counter() - t
    dst.unlink()
    return elapsed


def _group_seconds(src: Path) -> float:
    con = duckdb.connect(str(src), read_only=True)
    try:
        t = time.perf_counter()
        con.execute(
            "SELECT count(*) FROM (SELECT kpi, municipality_id, year, gender, count(*) "
            "FROM kolada_value GROUP BY ALL)"
        ).fetchall()
        return time.perf_counter() - t
    finally:
        con.close()


def _changes(base: Path, kpis: tuple[str, ...]) -> tuple[list[tuple], list[tuple]]:
    """A changed night's news from Kolada: CHANGED_REVISED stored values of the goal KPIs
    revised by 5 %, and CHANGED_ADDED values of the year after the latest published."""
    con = duckdb.connect(str(base), read_only=True)
    try:
        revised = con.execute(
            f"""
            SELECT kpi, municipality_id, year, gender, value * 1.05 + 1 FROM (
                SELECT * FROM kolada_value
                WHERE kpi IN (SELECT unnest(?::TEXT[])) AND value IS NOT NULL
            ) USING SAMPLE reservoir({CHANGED_REVISED} ROWS) REPEATABLE (14)
            """,
            [list(kpis)],
        ).fetchall()
        added = con.execute(
            f"""
            SELECT kpi, municipality_id, year + 1, gender, value FROM (
                SELECT * FROM kolada_value v
                WHERE kpi IN (SELECT unnest(?::TEXT[])) AND value IS NOT NULL
                  AND year = (SELECT max(year) FROM kolada_value
                              WHERE kpi IN (SELECT unnest(?::TEXT[])))
                  AND NOT EXISTS (
                      SELECT 1 FROM kolada_value n WHERE n.kpi = v.kpi
                        AND n.municipality_id = v.municipality_id AND n.year = v.year + 1
                        AND n.gender = v.gender)
            ) USING SAMPLE reservoir({CHANGED_ADDED} ROWS) REPEATABLE (14)
            """,
            [list(kpis), list(kpis)],
        ).fetchall()
    finally:
        con.close()
    return revised, added


def _timed_run(paths: Paths, base: Path, settings: Settings) -> tuple[float, LiveResult, float]:
    """One live run from a fresh copy of `base`: (wall, result, compute_results seconds)."""
    shutil.copyfile(base, paths.db_path)
    compute = []
    original = etl.live.compute_results

    def timed(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        out = original(*args, **kwargs)
        compute.append(time.perf_counter() - t)
        return out

    etl.live.compute_results = timed
    try:
        t = time.perf_counter()
        r = run_live(paths, settings, now=NOW, progress=lambda _m: None)
        wall = time.perf_counter() - t
    finally:
        etl.live.compute_results = original
    if not r.published or r.mode.mode != "incremental":
        raise SystemExit(f"run not incremental or not published: {r.mode}")
    return wall, r, sum(compute)


def _nights(tmp: Path, repeats: int) -> None:
    """Simulate the year in the database `tmp` holds, then time the nights."""
    paths = replace(
        Paths.from_env(),
        kolada_dir=tmp / "kolada",
        db_path=tmp / "malpuls.duckdb",
        status_path=tmp / "etl_status.json",
    )
    with KoladaStandIn(paths.kolada_dir) as api:
        settings = Settings(client=ClientConfig(base_url=api.base_url))
        scope = run_live(paths, settings, now=NOW, dry_run=True, progress=lambda _m: None).scope
        base = tmp / "base.duckdb"
        t = time.perf_counter()
        _simulate_year(paths.db_path, scope.goal_kpis, scope.all_geographies)
        print(f"  (simulation {time.perf_counter() - t:.1f} s)")
        shutil.copyfile(paths.db_path, base)

        copy = _median(lambda: _copy_seconds(base))
        group = _median(lambda: _group_seconds(base))
        print(
            f"baselines, median of {REPEATS}: copy the {base.stat().st_size / 1e6:.0f} MB file "
            f"(shutil.copyfile, as every run does) {copy:.2f} s; DuckDB groups every value by "
            f"its key {group:.2f} s"
        )
        revised, added = _changes(base, scope.goal_kpis)
        for label, prepare in (
            ("quiet night", lambda: None),
            (
                f"changed night ({len(revised)} values revised, {len(added)} added)",
                lambda: [
                    api.revise(k, m, y, g, v, NOW.date()) for k, m, y, g, v in [*revised, *added]
                ],
            ),
        ):
            prepare()
            runs = [_timed_run(paths, base, settings) for _ in range(repeats)]
            wall = statistics.median(w for w, _, _ in runs)
            fetch = statistics.median(r.fetch_seconds for _, r, _ in runs)
            db = statistics.median(r.db_seconds for _, r, _ in runs)
            compute = statistics.median(c for _, _, c in runs)
            r = runs[0][1]
            print(
                f"[{label}] median of {repeats}: total {wall:.1f} s = fetch {fetch:.1f} s + "
                f"database {db:.1f} s (of which compute_results {compute:.1f} s) + "
                f"metadata and goal files {wall - fetch - db:.1f} s; "
                f"{r.fetched} values fetched, added {r.added}, changed {r.changed}; "
                f"total / grouping baseline {wall / group:.1f}; file copy {copy / wall:.1%} "
                "of the total"
            )
            print(f"  runs: {', '.join(f'{w:.1f} s' for w, _, _ in runs)}")


def main() -> int:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else REPEATS
    if not FULL_VALUES.exists():
        print(f"{FULL_VALUES} not found: this benchmark needs ../shared")
        return 1
    print(
        f"Målpuls nightly benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}, "
        f"duckdb {duckdb.__version__}"
    )
    tmp = _database(FULL_VALUES)
    try:
        _nights(tmp, repeats)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # 300 MB of databases
    return 0


if __name__ == "__main__":
    sys.exit(main())
