"""What the app's own store (issue 19) costs a page run, against DuckDB reads of the same run.

    .venv/bin/python -m bench.bench_app_store

The overview and the goal page read the signed-off assessments from the SQLite store on
every run (ui.assessments.with_assessments: nothing cached, so a sign-off shows at once),
and the goal page reads a local indicator's versions. This builds a store in a temporary
folder with a busy municipality's worth of rows (10 frameworks' worth of goals × 4 reports,
each with 3 changes; 11 local indicators × 5 versions of 60 values) and times, as medians:

- AppStore.assessments(kommun)          what the overlay reads per run
- AppStore.local_versions(kommun, ind)  what a local indicator reads per run
- AppStore.save_draft                   one save (a compare-and-set write, synchronous=FULL)
- baseline: the published database's query_goals for the same municipality on a fresh
  read-only DuckDB cursor, the page's own main read (data/malpuls.duckdb; build it with
  `python -m etl --offline`).

Run it with nothing else running; the figures are ratios against the baseline in the same run.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from config import Paths
from core.people import AssessmentDraft, AssessmentKey, LocalRow
from db import queries
from db.app_store import AppStore

MUNICIPALITY = "1962"
GOALS = 60
REPORTS = [dt.date(2025, 4, 30), dt.date(2025, 8, 31), dt.date(2025, 12, 31), dt.date(2026, 4, 30)]
LOCAL_INDICATORS = 11
VERSIONS = 5
REPEATS = 200


def _median_ms(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    fn()  # warm
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _fill(store: AppStore) -> None:
    now = dt.datetime(2026, 5, 2, 9)
    for g in range(GOALS):
        for day in REPORTS:
            key = AssessmentKey(MUNICIPALITY, f"mal-{g}", day)
            draft = AssessmentDraft("Osäkert", "En kommentar om prognosen. " * 8, "Åtgärd. " * 6)
            a = store.save_draft(key, draft, by="a@kommun.se", expected_version=0, now=now)
            a = store.save_draft(key, draft, by="a@kommun.se", expected_version=a.version, now=now)
            store.mark_done(key, draft, by="b@kommun.se", expected_version=a.version, now=now)
    for i in range(LOCAL_INDICATORS):
        for v in range(VERSIONS):
            rows = [
                LocalRow(2000 + y, 10.0 + y + v / 10, gender)
                for y in range(20)
                for gender in ("T", "K", "M")
            ]
            store.save_local_version(
                MUNICIPALITY, f"lokal-{i}", rows, unit="%", filename="v.csv", by="a", now=now
            )


def main() -> None:
    db = Paths.from_env().db_path
    with tempfile.TemporaryDirectory() as tmp:
        store = AppStore(Path(tmp) / "malpuls-app.sqlite")
        started = time.perf_counter()
        _fill(store)
        print(
            f"store: {GOALS * len(REPORTS)} assessments ({GOALS * len(REPORTS) * 3} changes), "
            f"{LOCAL_INDICATORS * VERSIONS} uploads of 60 values, filled in "
            f"{time.perf_counter() - started:.1f} s"
        )
        con = duckdb.connect(str(db), read_only=True)

        def baseline() -> None:
            cur = con.cursor()
            queries.query_goals(cur, MUNICIPALITY)
            cur.close()

        n = 0

        def save() -> None:
            nonlocal n
            n += 1
            key = AssessmentKey(MUNICIPALITY, f"bench-{n}", REPORTS[0])
            store.save_draft(
                key,
                AssessmentDraft("På väg", "x"),
                by="c@kommun.se",
                expected_version=0,
                now=dt.datetime(2026, 5, 2, 9),
            )

        base = _median_ms(baseline)
        rows = [
            ("assessments(kommun), 240 rows", _median_ms(lambda: store.assessments(MUNICIPALITY))),
            (
                "local_versions(kommun, indicator), 5 × 60",
                _median_ms(lambda: store.local_versions(MUNICIPALITY, "lokal-3")),
            ),
            ("save_draft (one write)", _median_ms(save, repeats=100)),
        ]
        con.close()
    print(f"baseline: query_goals on the published DuckDB file: {base:.2f} ms (median)")
    for label, ms in rows:
        print(f"{label}: {ms:.2f} ms (median), {ms / base:.2f} × baseline")


if __name__ == "__main__":
    main()
