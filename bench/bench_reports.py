"""Report benchmark (issue 8): freezing an interim report and exporting it to Excel and
Word, per municipality, with the database holding the full 9.5 M real values.

    .venv/bin/python -m bench.bench_reports

Freezing judges every goal indicator as of the date with the values known then (the
vintage-aware reads), so it is timed on the full dataset; the Word export draws one PNG
chart per indicator, which dominates its time.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.bench_render import FULL_VALUES, _database
from config import Paths
from reports.excel import to_workbook
from reports.freeze import build_report
from reports.word import to_docx

DATE = dt.date(2023, 8, 31)
REPEATS = 3


def main() -> int:
    if not FULL_VALUES.exists():
        print(f"{FULL_VALUES} not found: this benchmark needs ../shared")
        return 1
    _database(FULL_VALUES)
    paths = replace(Paths.from_env(), reports_dir=Path(tempfile.mkdtemp()))
    print(f"median (max) of {REPEATS} runs, report per {DATE}")
    for kommun in ("1962", "0665", "0685"):
        timings: dict[str, list[float]] = {"freeze": [], "excel": [], "word": []}
        for _ in range(REPEATS):
            t = time.perf_counter()
            report, _ = build_report(paths, kommun, DATE, dt.datetime.now())
            timings["freeze"].append(time.perf_counter() - t)
            t = time.perf_counter()
            xlsx = to_workbook(report)
            timings["excel"].append(time.perf_counter() - t)
            t = time.perf_counter()
            docx = to_docx(report)
            timings["word"].append(time.perf_counter() - t)
        print(
            f"  {kommun}: {len(report.goals)} mål, {len(report.indicators)} indikatorer; "
            + "; ".join(
                f"{k} {statistics.median(v):.2f} s ({max(v):.2f} s)" for k, v in timings.items()
            )
            + f"; xlsx {len(xlsx) / 1e3:.0f} kB, docx {len(docx) / 1e3:.0f} kB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
