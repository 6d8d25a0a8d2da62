"""Build the ReferenceData that goal-file links are checked against, from the bundled
reference CSVs and KPI catalogue."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq

from core.errors import DataError
from core.goals import ReferenceData


def _csv_column(path: Path, column: str) -> list[str]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return [row[column] for row in csv.DictReader(fh)]
    except (OSError, KeyError) as exc:
        raise DataError(f"Referensfilen {path} kan inte läsas ({exc})") from exc


def _parquet_column(path: Path, column: str) -> list[str]:
    try:
        return [str(v) for v in pq.read_table(path, columns=[column]).column(column).to_pylist()]
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise DataError(f"Datafilen {path} kan inte läsas ({exc})") from exc


def read_reference_data(reference_dir: Path, kolada_dir: Path) -> ReferenceData:
    return ReferenceData(
        sdg_goals=frozenset(int(g) for g in _csv_column(reference_dir / "sdg_goals.csv", "goal")),
        sdg_targets=frozenset(_csv_column(reference_dir / "sdg_targets.csv", "target_code")),
        crc_articles=frozenset(
            int(a) for a in _csv_column(reference_dir / "crc_articles.csv", "article")
        ),
        kpis=frozenset(_parquet_column(kolada_dir / "kpi.parquet", "id")),
        retired_kpis=frozenset(_parquet_column(kolada_dir / "kpi_retired.parquet", "id")),
        municipalities=frozenset(_parquet_column(kolada_dir / "municipality.parquet", "id")),
    )
