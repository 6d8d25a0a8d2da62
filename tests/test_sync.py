"""db.sync.apply_values (issue 14): a run writes only what changed, a changed value in
place, so the sorted order of kolada_value survives a night; the counts and the revisions
are what they were; added rows are re-sorted into place once enough have gathered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from core.kolada import ValueRecord
from db import sync
from db.connection import create_database

AT = dt.datetime(2026, 11, 22, 3, 0)
START = [
    (k, m, y, "T", float(y - 2000))
    for k in ("N1", "N2")
    for m in ("0001", "0002")
    for y in (2020, 2021, 2022)
]


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = create_database(tmp_path / "v.duckdb")
    c.executemany("INSERT INTO kolada_value VALUES (?, ?, ?, ?, ?)", START)
    yield c
    c.close()


def _rec(kpi: str, m: str, year: int, value: float | None) -> ValueRecord:
    return ValueRecord(kpi, m, year, "T", value, value is None)


def _stored(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """kolada_value in its physical order."""
    return con.execute(
        "SELECT kpi, municipality_id, year, gender, value FROM kolada_value ORDER BY rowid"
    ).fetchall()


def _revisions(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT kpi, municipality_id, year, old_value, new_value FROM value_revision ORDER BY ALL"
    ).fetchall()


def _unsorted(con: duckdb.DuckDBPyConnection) -> str | None:
    rows = con.execute("SELECT value FROM meta WHERE key = ?", [sync.UNSORTED_ROWS_KEY])
    return next(iter(rows.fetchall()), (None,))[0]


def test_incremental_writes_changes_in_place(con: duckdb.DuckDBPyConnection) -> None:
    records = [
        _rec("N1", "0001", 2021, 99.0),  # changed
        _rec("N1", "0002", 2022, 22.0),  # the same value: no change
        _rec("N2", "0001", 2020, None),  # deleted
        _rec("N2", "0001", 2019, None),  # deleted, but never stored: nothing
        _rec("N2", "0002", 2023, 23.0),  # added
    ]
    changes = sync.apply_values(con, records, full_scope=None, at=AT)
    assert (changes.added, changes.changed, changes.deleted) == (1, 1, 1)
    expected = [r for r in START if r[:3] != ("N2", "0001", 2020)]
    expected = [(*r[:4], 99.0) if r[:3] == ("N1", "0001", 2021) else r for r in expected]
    # Every stored row where it was, the added one at the end (not re-sorted yet).
    assert _stored(con) == [*expected, ("N2", "0002", 2023, "T", 23.0)]
    assert _revisions(con) == [
        ("N1", "0001", 2021, 21.0, 99.0),
        ("N2", "0001", 2020, 20.0, None),
        ("N2", "0002", 2023, None, 23.0),
    ]
    assert _unsorted(con) == "1"


def test_a_quiet_night_writes_nothing(con: duckdb.DuckDBPyConnection) -> None:
    changes = sync.apply_values(con, [], full_scope=None, at=AT)
    assert (changes.added, changes.changed, changes.deleted) == (0, 0, 0)
    assert _stored(con) == START
    assert _revisions(con) == []


def test_full_reload_drops_what_kolada_no_longer_serves(con: duckdb.DuckDBPyConnection) -> None:
    """Scope N1 × 0001: what is not served any more goes; N1 elsewhere and N2 stay."""
    served = [_rec("N1", "0001", 2020, 20.0), _rec("N1", "0001", 2021, 21.5)]
    changes = sync.apply_values(con, served, full_scope=[(["N1"], ["0001"])], at=AT)
    assert (changes.added, changes.changed, changes.deleted) == (0, 1, 1)
    assert _stored(con) == [
        ("N1", "0001", 2020, "T", 20.0),
        ("N1", "0001", 2021, "T", 21.5),
        *(r for r in START if r[:2] != ("N1", "0001")),
    ]
    assert _revisions(con) == [
        ("N1", "0001", 2021, 21.0, 21.5),
        ("N1", "0001", 2022, 22.0, None),
    ]


def test_added_rows_are_resorted_once_enough_have_gathered(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync, "RESORT_AFTER_ROWS", 2)
    sync.apply_values(con, [_rec("N1", "0001", 2023, 23.0)], full_scope=None, at=AT)
    assert _stored(con)[-1] == ("N1", "0001", 2023, "T", 23.0)
    assert _unsorted(con) == "1"
    later = AT + dt.timedelta(days=1)
    added = [_rec("N1", "0002", 2019, 19.0), _rec("N2", "0001", 2023, 23.0)]
    sync.apply_values(con, added, full_scope=None, at=later)
    stored = _stored(con)
    assert stored == sorted(stored) and len(stored) == len(START) + 3
    assert _unsorted(con) == "0"
