"""All of Kolada as the scope (issue 17.1): etl.toml `[scope] all_kpis = true` and
`extra_geographies = "alla"`, over real HTTP against the local Kolada v3 stand-in.

The stand-in serves a cut of the bundled real data (every KPI of the catalogue is asked
for; some dozens have values, a few for every geography), so the run stays quick: the
whole 9.5 M values are for bench/bench_etl_kolada.py. The run must store every served
value of every KPI for every geography, ask exactly the planned questions (every KPI at
once, per 25 geographies and 25 years: 13 × 2) plus the further pages their answers
need, and an incremental run the next day must ask only for the changes since then."""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from config import PROJECT_ROOT, Paths
from db import queries
from etl.bundle import goal_kpis
from etl.live import FIRST_YEAR, LiveResult, run_live
from etl.pipeline import build_offline
from etl.settings import Settings

from .standin import KoladaStandIn, quick_settings

pytestmark = pytest.mark.live

NOW = dt.datetime(2026, 11, 22, 3, 0)
KOLADA = PROJECT_ROOT / "data" / "kolada"
VAGGERYD = PROJECT_ROOT / "data" / "goals" / "0665-vaggeryd.yaml"
PER_PAGE = 1000  # Kolada's is 5,000; smaller pages give the test's small answers several
# Stored before the run, never served: a value in a year the questions do not name
# (before FIRST_YEAR) stays; one in a year they name is gone from Kolada and goes.
OLD_YEAR = ("N00401", "0665", 1985, "T", 1.0)
WITHDRAWN = ("N00401", "0665", 2015, "K", 9.5)


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _kolada_dir(folder: Path, values_sql: str) -> Path:
    """A stand-in data folder: the bundled catalogue and groups, and `values_sql` (over
    `v`, the bundled values) as values.parquet."""
    folder.mkdir()
    for path in KOLADA.glob("*.parquet"):
        if path.name != "values.parquet":
            shutil.copy(path, folder / path.name)
    with duckdb.connect() as con:
        con.execute(
            f"CREATE VIEW v AS SELECT * FROM read_parquet({_lit(KOLADA / 'values.parquet')})"
        )
        con.execute(
            f"COPY ({values_sql} ORDER BY ALL) TO {_lit(folder / 'values.parquet')} "
            "(FORMAT parquet)"
        )
    return folder


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Vaggeryd's goal KPIs and the catalogue's first 40 KPIs with values (some for every
    geography, some for the core ones only), as Kolada would serve them: the years of
    both year batches (1990–2014, 2015–2027), a few of each to keep the test quick."""
    folder = tmp_path_factory.mktemp("served")
    goals = ", ".join(f"'{k}'" for k in sorted(goal_kpis(VAGGERYD.parent)))
    catalogue = f"SELECT id FROM read_parquet({_lit(KOLADA / 'kpi.parquet')})"
    return _kolada_dir(
        folder / "kolada",
        f"""
        SELECT * FROM v WHERE kpi IN ({catalogue}) AND (kpi IN ({goals}) OR kpi IN (
            SELECT DISTINCT kpi FROM v WHERE kpi IN ({catalogue}) ORDER BY kpi LIMIT 40))
          AND year IN (1995, 2010, 2014, 2015, 2021, 2022)
        """,
    )


@pytest.fixture
def paths(tmp_path: Path, served: Path) -> Paths:
    """A database built offline from the served values of Vaggeryd, its region and Riket
    only, with one value changed, one Kolada withdrew and one from before FIRST_YEAR."""
    start = _kolada_dir(
        tmp_path / "start",
        f"""
        SELECT kpi, municipality_id, year, gender,
               CASE WHEN (kpi, municipality_id, year, gender) = ('N00401', '0665', 2010, 'T')
                    THEN value + 1 ELSE value END AS value
        FROM read_parquet({_lit(served / "values.parquet")})
        WHERE municipality_id IN ('0665', '0006', '0000')
        UNION ALL SELECT * FROM (VALUES {OLD_YEAR}, {WITHDRAWN})
        """,
    )
    goals = tmp_path / "goals"
    goals.mkdir()
    shutil.copy(VAGGERYD, goals / VAGGERYD.name)
    p = replace(
        Paths.from_env(),
        kolada_dir=start,
        goals_dir=goals,
        db_path=tmp_path / "malpuls.duckdb",
        status_path=tmp_path / "etl_status.json",
    )
    build_offline(p, now=NOW - dt.timedelta(days=30), progress=lambda _m: None)
    return p


def _whole_kolada(api: KoladaStandIn) -> Settings:
    # A read timeout no loaded machine reaches: slowness must not turn into retries.
    return replace(
        quick_settings(api, timeout=120.0, per_page=PER_PAGE),
        all_kpis=True,
        extra_geographies="alla",
    )


def _run(paths: Paths, api: KoladaStandIn, now: dt.datetime, **kw: object) -> LiveResult:
    return run_live(paths, _whole_kolada(api), now=now, progress=lambda _m: None, **kw)


def _stored(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT * FROM kolada_value ORDER BY ALL").fetchall()


def _served(served: Path) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(
            "SELECT kpi, municipality_id, year, gender, value "
            f"FROM read_parquet({_lit(served / 'values.parquet')}) ORDER BY ALL"
        ).fetchall()


def _pages_needed(served: Path, geographies: list[str], years: list[int]) -> int:
    """Pages the 26 questions (25 geographies × 25 years each, every KPI) need at PER_PAGE
    rows of (kpi, municipality, year) a page, counted from the served file itself."""
    with duckdb.connect() as con:
        counts = con.execute(
            "SELECT municipality_id, year, count(DISTINCT kpi) "
            f"FROM read_parquet({_lit(served / 'values.parquet')}) GROUP BY ALL"
        ).fetchall()
    rows = {(m, y): n for m, y, n in counts}
    pages = 0
    for i in range(0, len(geographies), 25):
        for j in range(0, len(years), 25):
            n = sum(rows.get((m, y), 0) for m in geographies[i : i + 25] for y in years[j : j + 25])
            pages += max(1, math.ceil(n / PER_PAGE))
    return pages


def _data_requests(api: KoladaStandIn) -> list[str]:
    return [r for r in api.request_log if "/v3/data/" in r]


def test_all_of_kolada_full_then_incremental(paths: Paths, served: Path) -> None:
    with KoladaStandIn(served) as api:
        full = _run(paths, api, NOW, full=True)
        assert full.published and full.mode.mode == "full"
        scope = full.scope
        assert scope.whole_catalogue and scope.extra_geographies == scope.all_geographies
        assert len(scope.goal_kpis) + len(scope.extra_kpis) == 6099
        assert len(scope.all_geographies) == 312

        # Every served value of every KPI for every geography, and nothing else but the
        # value from a year no question named.
        assert _stored(paths.db_path) == sorted([*_served(served), OLD_YEAR])
        held = [r for r in _served(served) if r[1] in ("0665", "0006", "0000")]
        assert (full.added, full.changed, full.deleted) == (
            len(_served(served)) - len(held),
            1,
            1,
        )
        assert full.fetched == len(_served(served))
        # The explorer's coverage note reads the scope the values were fetched for.
        with duckdb.connect(str(paths.db_path), read_only=True) as con:
            assert queries.query_meta(con)["extra_geographies"] == "alla"

        # Requests: the 26 planned questions (every KPI at once) and exactly the further
        # pages their answers need; a retry (none expected) would repeat a URL.
        data = _data_requests(api)
        first = [r for r in data if not re.search(r"[?&]page=", r)]
        assert full.planned_requests == 26 == len(set(first))
        assert all(re.match(r"/v3/data/municipality/[^/]+/year/[^/?]+\?", r) for r in first)
        years = list(range(FIRST_YEAR, NOW.year + 2))
        needed = _pages_needed(served, list(scope.all_geographies), years)
        assert needed > 26  # some answers span pages
        assert len(set(data)) == needed
        assert len(data) == needed + full.value_retries == full.value_requests
        assert full.further_pages == needed - 26

        # The next night, nothing changed: the same 26 questions, for changes only.
        before = _stored(paths.db_path)
        api.clear_log()
        night = _run(paths, api, NOW + dt.timedelta(days=1))
        assert night.mode.mode == "incremental" and night.published
        assert night.backfilled == ()
        assert (night.added, night.changed, night.deleted, night.fetched) == (0, 0, 0, 0)
        data = _data_requests(api)
        assert len(set(data)) == 26 == night.planned_requests
        assert all("from_date=2026-11-19" in r and "/v3/data/municipality/" in r for r in data)
        assert _stored(paths.db_path) == before

        # A revision anywhere in Kolada comes with the next night's changes.
        kpi, muni, year, gender, value = next(r for r in before if r[1] == "2584")
        api.revise(kpi, muni, year, gender, value + 2, on=(NOW + dt.timedelta(days=2)).date())
        again = _run(paths, api, NOW + dt.timedelta(days=2))
        assert (again.added, again.changed, again.deleted) == (0, 1, 0)
        assert _stored(paths.db_path) == sorted(
            (kpi, muni, year, gender, value + 2) if r[:4] == (kpi, muni, year, gender) else r
            for r in before
        )
