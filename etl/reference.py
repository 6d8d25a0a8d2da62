"""Build the ReferenceData that goal-file links are checked against, from the bundled
reference CSVs and KPI catalogue."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq

from core.agenda import SdgMapping, parse_sdg_mapping
from core.errors import DataError, ReferenceFileError
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


MAPPING_FILE = "kpi_sdg_mapping.csv"


def read_target_goals(reference_dir: Path) -> dict[str, int]:
    """SDG target code → its goal number ('11.2' → 11)."""
    path = reference_dir / "sdg_targets.csv"
    codes = _csv_column(path, "target_code")
    goals = _csv_column(path, "goal")
    return {c: int(g) for c, g in zip(codes, goals, strict=True)}


def read_sdg_mapping(reference_dir: Path, ref: ReferenceData) -> list[SdgMapping]:
    """The curated KPI → SDG mapping, validated; a bad row stops the run with the file,
    row and field named (the published database is left as it was)."""
    path = reference_dir / MAPPING_FILE
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise DataError(f"Referensfilen {path} kan inte läsas ({exc})") from exc
    mapping, problems = parse_sdg_mapping(
        f"data/reference/{MAPPING_FILE}",
        rows,
        target_goal=read_target_goals(reference_dir),
        kpis=ref.kpis | ref.retired_kpis,
    )
    if problems:
        raise ReferenceFileError(problems)
    return mapping
