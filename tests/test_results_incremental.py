"""db.judging.ValuesAsOf (issue 14): values as known on a date, worked out in memory from
one read of each (KPI, gender) series, give exactly what the `values_as_of` macro gives
query by query, and the results a run materialises are exactly those of the per-query
recomputation.

The reference is the per-query path: `MacroValues` below is ValuesAsOf as it was before
issue 14 (one query through values_as_of per series, panel and rank field, and every
origin of the pooled trend at once). Histories are written the live run's way, through
db.sync.apply_values, with runs between the goal files' checkpoints so that past
checkpoints see older values."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pytest

import etl.results
from config import Paths
from core.forecast import Calibration
from core.judging import Series, panel_growth, vintage_date
from core.kolada import ValueRecord
from db import sync
from db.calibration import read_calibration
from db.connection import create_database
from db.judging import (
    ValuesAsOf,
    query_kommun_values,
    query_kpi_panel,
    query_series,
)

RESULT_TABLES = ("indicator_result", "goal_result", "sdg_kpi_result")


class MacroValues:
    """The per-query reference, ValuesAsOf as it was: every read goes through values_as_of
    (schema.sql), once per series, panel and rank field and vintage."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, series: Iterable[tuple[str, str]] = ()
    ) -> None:
        self.con = con
        self.last = con.execute(
            "SELECT CAST(max(replaced_at) AS DATE) FROM value_revision"
        ).fetchall()[0][0]
        self._cache: dict[tuple, Any] = {}

    def _once(self, key: tuple, read: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]

    def series(
        self, municipality_id: str, kpis: list[str], gender: str, as_of: dt.date
    ) -> Mapping[str, Series]:
        v = vintage_date(as_of, self.last)
        return self._once(
            ("s", municipality_id, tuple(kpis), gender, v),
            lambda: query_series(self.con, municipality_id, kpis, gender, v),
        )

    def growth(self, kpis: list[str], as_of: dt.date) -> Mapping[tuple[str, int], float]:
        v = vintage_date(as_of, self.last)
        out: dict[tuple[str, int], float] = {}
        for kpi in kpis:
            panel = self._once(("p", kpi, v), lambda k=kpi: query_kpi_panel(self.con, k, v))
            # panel_growth is pure: computed once per distinct panel (the slow part).
            content = tuple((m, tuple(y), tuple(x)) for m, y, x in panel)
            g = self._once(("g", content), lambda p=panel: panel_growth(p))
            out |= {(kpi, y): x for y, x in g.items()}
        return out

    def kommun_values(
        self, kpi: str, gender: str, year: int, as_of: dt.date
    ) -> Mapping[str, float]:
        v = vintage_date(as_of, self.last)
        return self._once(
            ("k", kpi, gender, year, v),
            lambda: dict(query_kommun_values(self.con, kpi, gender, year, v)),
        )


def _run(con: duckdb.DuckDBPyConnection, at: str, records: list[ValueRecord]) -> None:
    sync.apply_values(con, records, full_scope=None, at=dt.datetime.fromisoformat(at))


def _rec(kpi: str, m: str, year: int, value: float | None, gender: str = "T") -> ValueRecord:
    return ValueRecord(kpi, m, year, gender, value, value is None)


# ------------------------------------------------------------------ the reads, date by date


@pytest.fixture
def history(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Two KPIs over three kommuner and a region, with every kind of change: revised
    twice, deleted, deleted and added again, added, added and then revised (where the
    macro's arg_min skips the added value's missing old value), two runs on one day; and
    values from the snapshot that no run touched, one of them null."""
    con = create_database(tmp_path / "h.duckdb")
    con.execute(
        "INSERT INTO municipality VALUES ('0001', 'A', 'K'), ('0002', 'B', 'K'), "
        "('0003', 'C', 'K'), ('0010', 'Region', 'L')"
    )
    con.execute(
        "INSERT INTO kolada_value VALUES ('N1', '0003', 2014, 'T', 0.5), "
        "('N2', '0001', 2014, 'T', NULL), ('N2', '0002', 2014, 'K', 1.5)"
    )
    start = [
        _rec(k, m, y, float(i))
        for i, (k, m, y) in enumerate(
            (k, m, y)
            for k in ("N1", "N2")
            for m in ("0001", "0002", "0003", "0010")
            for y in range(2015, 2021)
        )
    ]
    start += [_rec("N1", "0001", 2019, 7.5, "K"), _rec("N1", "0001", 2019, 6.5, "M")]
    _run(con, "2020-01-05 03:00", start)
    _run(con, "2020-06-01 03:00", [_rec("N1", "0001", 2019, 100.0), _rec("N2", "0002", 2018, None)])
    _run(con, "2020-06-01 15:00", [_rec("N1", "0001", 2019, 101.0), _rec("N1", "0002", 2021, 3.0)])
    revised, readded, deleted = (
        _rec("N1", "0002", 2021, 4.0),
        _rec("N2", "0002", 2018, 9.0),
        _rec("N1", "0003", 2016, None),
    )
    _run(con, "2021-02-10 03:00", [revised, readded, deleted])
    _run(
        con, "2021-09-01 03:00", [_rec("N1", "0001", 2019, 102.0, "K"), _rec("N2", "0010", 2021, 1)]
    )
    _run(con, "2022-03-03 03:00", [_rec("N1", "0001", 2019, None), _rec("N2", "0003", 2020, 2.5)])
    yield con
    con.close()


RUN_DAYS = ("2020-01-05", "2020-06-01", "2021-02-10", "2021-09-01", "2022-03-03")


def _days() -> list[dt.date]:
    """Each run's day, the day before and the day after, and dates far before and after."""
    out = [dt.date(2019, 1, 1), dt.date(2020, 12, 31), dt.date(2023, 1, 1)]
    for day in map(dt.date.fromisoformat, RUN_DAYS):
        out += [day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)]
    return out


def test_values_as_of_in_memory_equal_the_macro_on_every_date(
    history: duckdb.DuckDBPyConnection,
) -> None:
    """Series, panels, pooled trends (each origin looked up, and all at once) and rank
    fields, on the days of the runs, the days around them and far from them."""
    con = history
    values, reference = ValuesAsOf(con), MacroValues(con)
    geos = ("0001", "0002", "0003", "0010", "9999")
    for day in _days():
        for m in geos:
            for gender in ("T", "K", "M"):
                for kpis in (["N1", "N2"], ["N2", "N3"]):
                    assert values.series(m, kpis, gender, day) == reference.series(
                        m, kpis, gender, day
                    ), (day, m, gender, kpis)
        for kpi in ("N1", "N2", "N3"):
            _, panel = values.kpi_panel(kpi, day)
            expected = query_kpi_panel(con, kpi, vintage_date(day, reference.last))
            assert [(m, list(y), list(x)) for m, y, x in panel] == expected, (day, kpi)
            growth, expected_growth = values.growth([kpi], day), reference.growth([kpi], day)
            for year in range(2014, 2023):
                assert growth.get((kpi, year)) == expected_growth.get((kpi, year)), (day, kpi)
            assert dict(growth) == expected_growth, (day, kpi)
            for year in (2014, 2016, 2019, 2021):
                for gender in ("T", "K"):
                    assert values.kommun_values(kpi, gender, year, day) == (
                        reference.kommun_values(kpi, gender, year, day)
                    ), (day, kpi, gender, year)


def test_added_then_revised_value_reads_as_the_macro_reads_it(
    history: duckdb.DuckDBPyConnection,
) -> None:
    """N1/0002/2021 was added on 2020-06-01 and revised on 2021-02-10. Before it was
    added, the macro (arg_min skips the missing old value) gives the value the revision
    replaced; ValuesAsOf follows the macro, not a reading of its comment."""
    before = dt.date(2020, 3, 1)
    for values in (ValuesAsOf(history), MacroValues(history)):
        years, vals = values.series("0002", ["N1"], "T", before)["N1"]
        assert (years[-1], vals[-1]) == (2021, 3.0)


def test_a_kpi_without_values_or_revisions_has_no_series(
    history: duckdb.DuckDBPyConnection,
) -> None:
    values = ValuesAsOf(history)
    assert values.series("0001", ["X9"], "T", dt.date(2021, 1, 1)) == {}
    assert dict(values.growth(["X9"], dt.date(2021, 1, 1))) == {}
    assert values.kommun_values("X9", "T", 2019, dt.date(2021, 1, 1)) == {}


# ------------------------------------------------------------------ whole runs


def _revise_nightly(con: duckdb.DuckDBPyConnection, nights: Iterable[str], seed: int = 14) -> None:
    """Runs on `nights` that revise, delete and add goal-KPI values (sync.apply_values)."""
    rng = random.Random(seed)
    kpis = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT kpi_id FROM indicator WHERE kpi_id IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    rows = con.execute(
        "SELECT kpi, municipality_id, year, gender, value FROM kolada_value "
        "WHERE list_contains(?, kpi) AND value IS NOT NULL ORDER BY ALL",
        [kpis],
    ).fetchall()
    assert rows, "the tiny database has values of the goal KPIs"
    for night in nights:
        records = []
        for k, m, y, g, v in rng.sample(rows, min(len(rows), 150)):
            kind = rng.random()
            if kind < 0.7:
                records.append(ValueRecord(k, m, y, g, v * (1 + rng.uniform(-0.2, 0.2)), False))
            elif kind < 0.85:
                records.append(ValueRecord(k, m, y, g, None, True))
            else:
                records.append(ValueRecord(k, m, y + 1, g, v * 1.1, False))
        _run(con, night, records)


def _results(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


# Runs between the checkpoints of 2019–2022, so each past checkpoint has its own vintage,
# then the live runs' case: runs after every checkpoint, up to the data date.
NIGHTS = (
    *("2019-04-02 03:00", "2020-05-02 03:00", "2020-09-15 03:00", "2021-03-01 03:00"),
    *("2021-03-02 03:00", "2021-11-11 03:00", "2022-06-20 03:00", "2022-09-01 03:00"),
    *("2026-10-01 03:00", "2026-10-02 03:00", "2026-11-20 03:00"),
)
DATA_DATE = dt.date(2026, 11, 22)


class TodaysValues(ValuesAsOf):
    """Every date judged on the current values: what the results would be if vintages
    were ignored (to show the comparison can tell)."""

    def series(self, m: str, kpis: list[str], gender: str, as_of: dt.date) -> Mapping[str, Series]:
        return super().series(m, kpis, gender, DATA_DATE)

    def growth(self, kpis: list[str], as_of: dt.date) -> Mapping[tuple[str, int], float]:
        return super().growth(kpis, DATA_DATE)

    def kommun_values(
        self, kpi: str, gender: str, year: int, as_of: dt.date
    ) -> Mapping[str, float]:
        return super().kommun_values(kpi, gender, year, DATA_DATE)


def _compute(path: Path, values: type, calibration: Calibration) -> dict[str, list[tuple]]:
    with pytest.MonkeyPatch.context() as mp, duckdb.connect(str(path)) as con:
        mp.setattr(etl.results, "ValuesAsOf", values)
        etl.results.compute_results(con, calibration, DATA_DATE, progress=lambda _m: None)
        return {t: _results(con, t) for t in RESULT_TABLES}


# Slow by design (the reference is the old per-query path, about 20 s): the full suite runs
# it, `make test-fast` does not.
@pytest.mark.slow
def test_results_equal_the_per_query_recomputation(tiny_paths: Paths, tmp_path: Path) -> None:
    """The materialised results (every indicator, goal and Agenda 2030 KPI on every date)
    are the same, row for row, as with the per-query reads; and they depend on the
    vintages (judged on today's values, the past checkpoints come out differently)."""
    calibration = read_calibration(tiny_paths.calibration_path)
    db = tmp_path / "revised.duckdb"
    shutil.copy(tiny_paths.db_path, db)
    with duckdb.connect(str(db)) as con:
        _revise_nightly(con, NIGHTS)
        n_revisions = con.execute("SELECT count(*) FROM value_revision").fetchall()[0][0]
    assert n_revisions > 100 * len(NIGHTS)
    copies = {}
    for name in ("fast", "reference", "today"):
        copies[name] = tmp_path / f"{name}.duckdb"
        shutil.copy(db, copies[name])
    fast = _compute(copies["fast"], ValuesAsOf, calibration)
    reference = _compute(copies["reference"], MacroValues, calibration)
    today = _compute(copies["today"], TodaysValues, calibration)
    assert len({r[3] for r in fast["indicator_result"]}) > 3, "several dates judged"
    for t in RESULT_TABLES:
        assert fast[t] == reference[t], t
    assert fast["indicator_result"] != today["indicator_result"]
