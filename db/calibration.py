"""The forecast calibration file (data/forecast_calibration.csv, written by
bench/backtest.py): the back-test's selected method and its error percentiles. Read by the
ETL, the report freezer and the what-if, so all three forecast alike."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from core.errors import DataError
from core.forecast import PERCENTILES, Calibration


def read_calibration(path: Path) -> Calibration:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["selected"] == "1"]
    except (OSError, KeyError) as exc:
        raise DataError(f"Kalibreringsfilen {path} kan inte läsas ({exc})") from exc
    if not rows:
        raise DataError(f"Kalibreringsfilen {path} anger ingen vald metod")
    return Calibration(
        rows[0]["method"],
        {int(r["horizon"]): np.array([float(r[f"p{p}"]) for p in PERCENTILES]) for r in rows},
    )
