"""A tiny Kolada snapshot for fast database tests, cut from the bundled real one.

In the spirit of harlequin's `tiny_duck` fixture: a small database in a temporary folder,
built by the real pipeline (`etl.pipeline.build_offline`) from a real subset of
data/kolada. Nothing is computed or invented: the catalogue files (KPIs, municipalities,
groups, Agenda 2030 membership) are copied whole, and values.parquet keeps only the rows of

- the KPIs the goal files name (and successors) and the KPIs of the curated Agenda 2030
  mapping (data/reference/kpi_sdg_mapping.csv), for
- the framework municipalities, their regions, Riket and their "Liknande kommuner,
  övergripande" peers (the same core geographies etl.bundle keeps), plus Stockholm,
  Göteborg, Malmö and every tenth kommun by id, so rankings and "all kommuner" views
  have a few dozen municipalities to work on.

Tests on this database must compute expectations from it (or from the bundled files),
never from counts that hold only for the full snapshot (290 kommuner, 1.07 M values);
those tests use the full build (`built_paths`) and are marked slow.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb

from core.scope import RIKET, peer_group, region_of
from etl.bundle import framework_municipalities, goal_kpis

BIG_CITIES = ("0180", "1280", "1480")  # Stockholm, Malmö, Göteborg (the explorer's own list)
EVERY_NTH_KOMMUN = 10


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def tiny_geographies(kolada_dir: Path, goals_dir: Path) -> list[str]:
    """The municipality and region ids the tiny snapshot keeps values for."""
    with duckdb.connect() as con:
        munis = con.execute(
            f"SELECT id, title, type FROM read_parquet({_lit(kolada_dir / 'municipality.parquet')})"
            " ORDER BY id"
        ).fetchall()
        members: dict[str, list[str]] = {}
        for gid, mid in con.execute(
            "SELECT group_id, municipality_id FROM read_parquet("
            f"{_lit(kolada_dir / 'municipality_group_member.parquet')}) ORDER BY ALL"
        ).fetchall():
            members.setdefault(gid, []).append(mid)
        groups = [
            (gid, title, members.get(gid, []))
            for gid, title in con.execute(
                "SELECT id, title FROM read_parquet("
                f"{_lit(kolada_dir / 'municipality_group.parquet')})"
            ).fetchall()
        ]
    title_of = {m: t for m, t, _ in munis}
    geos = {RIKET, *BIG_CITIES}
    for muni in framework_municipalities(goals_dir):
        geos |= {muni, region_of(muni)}
        peers = peer_group(groups, title_of[muni])
        if peers is not None:
            geos |= set(peers[1])
    kommuner = [m for m, _, kind in munis if kind == "K"]
    geos |= set(kommuner[::EVERY_NTH_KOMMUN])
    return sorted(geos)


def tiny_kpis(goals_dir: Path, reference_dir: Path) -> list[str]:
    """The goal files' KPIs (and successors) and the curated Agenda 2030 mapping's KPIs."""
    with (reference_dir / "kpi_sdg_mapping.csv").open(encoding="utf-8", newline="") as fh:
        mapped = {row["kpi_id"] for row in csv.DictReader(fh)}
    return sorted(goal_kpis(goals_dir) | mapped)


def cut_tiny_kolada(kolada_dir: Path, goals_dir: Path, reference_dir: Path, out: Path) -> int:
    """Write the tiny snapshot into `out`; return its number of values.

    values.parquet keeps the bundled file's row order (sorted by key, which
    db.load.load_values relies on); a filter alone does not keep it once DuckDB runs the
    join in parallel, hence the ORDER BY on the source row number."""
    out.mkdir(parents=True, exist_ok=True)
    for parquet in sorted(kolada_dir.glob("*.parquet")):
        if parquet.name != "values.parquet":
            shutil.copy2(parquet, out / parquet.name)
    with duckdb.connect() as con:
        con.execute("CREATE TEMP TABLE geo (id TEXT)")
        con.executemany(
            "INSERT INTO geo VALUES (?)", [(g,) for g in tiny_geographies(kolada_dir, goals_dir)]
        )
        con.execute("CREATE TEMP TABLE wanted_kpi (id TEXT)")
        con.executemany(
            "INSERT INTO wanted_kpi VALUES (?)",
            [(k,) for k in tiny_kpis(goals_dir, reference_dir)],
        )
        con.execute(
            f"""
            COPY (
                SELECT * EXCLUDE (file_row_number)
                FROM read_parquet({_lit(kolada_dir / "values.parquet")}, file_row_number = true)
                WHERE municipality_id IN (SELECT id FROM geo)
                  AND kpi IN (SELECT id FROM wanted_kpi)
                ORDER BY file_row_number
            ) TO {_lit(out / "values.parquet")} (FORMAT parquet)
            """
        )
        return con.execute(
            f"SELECT count(*) FROM read_parquet({_lit(out / 'values.parquet')})"
        ).fetchall()[0][0]
