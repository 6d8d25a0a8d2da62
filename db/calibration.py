"""The forecast calibration files, written by bench/backtest.py: data/forecast_calibration.csv
(the back-test's selected method and its error percentiles per horizon and series class) and
beside it data/forecast_recalibration.csv (the isotonic map that corrects P(ambition met)).
Read by the ETL, the report freezer and the what-if, so all three forecast alike."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from core.errors import DataError
from core.forecast import CLASSES, P_MIN, PERCENTILES, POOLED, Calibration

RECALIBRATION_FILE = "forecast_recalibration.csv"


def read_calibration(path: Path, recalibration_path: Path | None = None) -> Calibration:
    """Rows of the selected method; the class "all" (or a file without a class column)
    gives the pooled percentiles, the other classes (core.forecast.CLASSES) their own.
    The recalibration map is read from `recalibration_path` (default: RECALIBRATION_FILE
    beside `path`); without that file, probabilities are used as the percentiles give them."""
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
    method = rows[0]["method"]
    recal_path = (
        path.with_name(RECALIBRATION_FILE) if recalibration_path is None else recalibration_path
    )
    return Calibration(
        method,
        tables["all"],
        {c: t for c, t in tables.items() if c in CLASSES},
        read_recalibration(recal_path, method) if recal_path.exists() else {},
    )


def read_recalibration(path: Path, method: str) -> dict[int, np.ndarray]:
    """Knots (2 × k: raw, recalibrated) per horizon; the horizon "all" is the pooled map
    (core.forecast.POOLED). The file must be for `method` (the one the calibration file
    selects) and each map monotone within [P_MIN, 1 − P_MIN]."""
    knots: dict[int, list[tuple[float, float]]] = {}
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r["method"] != method:
                    raise DataError(
                        f"Omkalibreringen {path} gäller metoden {r['method']}, men "
                        f"kalibreringsfilen väljer {method}: kör om bakåttestet"
                    )
                h = POOLED if r["horizon"] == "all" else int(r["horizon"])
                knots.setdefault(h, []).append((float(r["raw"]), float(r["recalibrated"])))
    except (OSError, KeyError, ValueError) as exc:
        raise DataError(f"Omkalibreringen {path} kan inte läsas ({exc})") from exc
    out = {h: np.array(sorted(k)).T for h, k in knots.items()}
    for h, (x, y) in out.items():
        if (
            np.any(np.diff(x) <= 0)
            or np.any(np.diff(y) < 0)
            or y.min() < P_MIN
            or y.max() > 1 - P_MIN
        ):
            raise DataError(f"Omkalibreringen {path} är inte växande inom 1–99 % (horisont {h})")
    return out
