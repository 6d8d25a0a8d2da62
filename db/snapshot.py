"""The bundled Kolada snapshot: what it is (SNAPSHOT_META, read by the offline build and the
report freezer) and the SQL for cutting it (etl.bundle, maintainers only)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb
import pandas as pd

# The schema version is not meta: it is the migrations recorded in _migrations
# (db.migrations.schema_version).
SNAPSHOT_META = {
    "data_source": "Kolada (ögonblicksbild via open-numbers/ddf--kolada--dump)",
    "data_date": "2024-08-30",
    "catalog_date": "2026-03-23",
}

PARQUET_OPTIONS = "(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 19)"


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    with duckdb.connect() as con:
        con.register("df", df)
        con.execute(f"COPY df TO {_lit(path)} {PARQUET_OPTIONS}")


def copy_values_subset(
    source: Path, target: Path, geographies: Iterable[str], kpis: Iterable[str]
) -> int:
    """Copy the non-null rows of `source` that belong to one of `geographies` (every KPI)
    or to one of `kpis` (every geography), sorted; return the number of rows written."""
    with duckdb.connect() as con:
        con.execute("CREATE TEMP TABLE geo (id TEXT)")
        con.executemany("INSERT INTO geo VALUES (?)", [(g,) for g in sorted(geographies)])
        con.execute("CREATE TEMP TABLE goal_kpi (id TEXT)")
        con.executemany("INSERT INTO goal_kpi VALUES (?)", [(k,) for k in sorted(kpis)])
        con.execute(
            f"""
            COPY (
                SELECT kpi, municipality_id, CAST(year AS SMALLINT) AS year, gender, value
                FROM read_parquet({_lit(source)})
                WHERE value IS NOT NULL
                  AND (municipality_id IN (SELECT id FROM geo)
                       OR kpi IN (SELECT id FROM goal_kpi))
                ORDER BY kpi, municipality_id, year, gender
            ) TO {_lit(target)} {PARQUET_OPTIONS}
            """
        )
        return con.execute(f"SELECT count(*) FROM read_parquet({_lit(target)})").fetchall()[0][0]
