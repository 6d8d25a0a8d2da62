"""The bundled snapshot is real Kolada data: every row is in the full source file in
../shared unchanged, and cutting it again gives the same files byte for byte."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from config import PROJECT_ROOT
from etl.bundle import VALUES, bundle, goal_kpis

from .conftest import SHARED

KOLADA = PROJECT_ROOT / "data" / "kolada"
needs_shared = pytest.mark.skipif(
    not (SHARED / "kolada" / VALUES).exists(),
    reason="../shared (the full Kolada source) is not beside this checkout",
)


def test_bundle_is_light() -> None:
    size = sum(p.stat().st_size for p in KOLADA.glob("*.parquet"))
    assert size < 8 * 1024 * 1024, f"data/kolada is {size / 1e6:.1f} MB"
    assert (KOLADA / "PROVENANCE.md").read_text(encoding="utf-8").count("Källa: Kolada") >= 1


@needs_shared
def test_every_bundled_value_is_in_the_source() -> None:
    con = duckdb.connect()
    missing = con.execute(
        f"""
        SELECT count(*) FROM read_parquet('{KOLADA / "values.parquet"}') b
        ANTI JOIN read_parquet('{SHARED / "kolada" / VALUES}') s
          ON s.kpi = b.kpi AND s.municipality_id = b.municipality_id
         AND s.year = b.year AND s.gender = b.gender AND s.value = b.value
        """
    ).fetchone()[0]
    assert missing == 0


def test_goal_kpis_are_bundled_for_all_geographies() -> None:
    used = goal_kpis(PROJECT_ROOT / "data" / "goals")
    assert "N15428" in used and "N15643" in used  # a successor is bundled too
    con = duckdb.connect()
    per_kpi = dict(
        con.execute(
            f"""
            SELECT kpi, count(DISTINCT municipality_id)
            FROM read_parquet('{KOLADA / "values.parquet"}') GROUP BY kpi
            """
        ).fetchall()
    )
    assert per_kpi["N15428"] >= 290


@pytest.mark.slow  # re-cuts the bundle from the 9.5 M-value source in ../shared
@needs_shared
def test_bundle_is_reproducible(tmp_path: Path) -> None:
    bundle(SHARED, tmp_path, PROJECT_ROOT / "data" / "goals")
    for committed in sorted(KOLADA.glob("*.parquet")):
        fresh = tmp_path / committed.name
        assert fresh.exists(), committed.name
        assert (
            hashlib.sha256(fresh.read_bytes()).hexdigest()
            == hashlib.sha256(committed.read_bytes()).hexdigest()
        ), f"{committed.name} differs: run `python -m etl bundle` and commit the result"
