"""The forecast calibration file (data/forecast_calibration.csv, written by
bench/backtest.py): the back-test's selected method and its error percentiles per horizon
and series class. Read by the ETL, the report freezer and the what-if, so all three
forecast alike."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from core.errors import DataError
from core.forecast import CLASSES, PERCENTILES, Calibration


def read_calibration(path: Path) -> Calibration:
    """Rows of the selected method; the class "all" (or a file without a class column)
    gives the pooled percentiles, the other classes (core.forecast.CLASSES) their own."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["selected"] == "1"]
        tables: dict[str, dict[int, np.ndarray]] = {}
        for r in rows:
            pct = np.array([float(r[f"p{p}"]) for p in PERCENTILES])
            tables.setdefault(r.get("class") or "all", {})[int(r["horizon"])] = pct
    except (OSError, KeyError, ValueError) as exc:
        raise DataError(f"Kalibreringsfilen {path} kan inte läsas ({exc})") from exc
    if not rows:
        raise DataError(f"Kalibreringsfilen {path} anger ingen vald metod")
    if "all" not in tables:
        raise DataError(f"Kalibreringsfilen {path} saknar percentiler för alla serier")
    return Calibration(
        rows[0]["method"],
        tables["all"],
        {c: t for c, t in tables.items() if c in CLASSES},
    )
