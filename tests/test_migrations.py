"""db.migrations: from blank, from a database the landed version (before migrations) built,
twice, with a column added by a later migration, and the app's refusal of a database newer
or older than the code.

The landed database is built from tests/fixtures/schema_v1.sql, a frozen copy of
db/schema.sql as it was before migrations, and filled through db.sync.apply_values (the
live run's write path), so its value_revision rows are real revisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from core.errors import DataError
from core.kolada import ValueRecord
from db import migrations, sync
from db.connection import connect_read_only, create_database
from db.migrations import check_readable, migrate, schema_version

SCHEMA_V1 = Path(__file__).with_name("fixtures") / "schema_v1.sql"
# Objects that versions from before the vintages lacked; m001_baseline adds them.
PRE_VINTAGE_MISSING = ("value_revision", "values_as_of", "kpi_sdg_map", "sdg_kpi_result")
FIRST_VERSION_MISSING = (*PRE_VINTAGE_MISSING, "kpi_change", "indicator_result", "goal_result")


def _catalogue(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], list[tuple]]:
    """Every table's DDL and every macro's definition, as DuckDB itself writes them."""
    tables = con.execute(
        "SELECT table_name, sql FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name"
    ).fetchall()
    macros = con.execute(
        """
        SELECT function_name, parameters, macro_definition FROM duckdb_functions()
        WHERE NOT internal AND function_type IN ('macro', 'table_macro')
        ORDER BY function_name
        """
    ).fetchall()
    return tables, macros


def _landed_database(path: Path, *, missing: tuple[str, ...] = ()) -> duckdb.DuckDBPyConnection:
    """A database as the landed version left it: schema_version '1' in meta, no
    _migrations; `missing` drops what an even older version did not have yet."""
    con = duckdb.connect(str(path))
    con.execute(SCHEMA_V1.read_text(encoding="utf-8"))
    con.execute("INSERT INTO meta VALUES ('schema_version', '1'), ('data_date', '2026-11-01')")
    for name in missing:
        con.execute(f"DROP MACRO TABLE {name}" if name == "values_as_of" else f"DROP TABLE {name}")
    return con


def _values(*rows: tuple[str, str, int, float | None]) -> list[ValueRecord]:
    return [ValueRecord(k, m, y, "T", v, v is None) for k, m, y, v in rows]


def _fill(con: duckdb.DuckDBPyConnection) -> None:
    """Two live runs: the second revises one value, deletes one, adds one."""
    first = _values(("N1", "0665", 2022, 1.0), ("N1", "0665", 2023, 2.0), ("N2", "0665", 2023, 5.0))
    sync.apply_values(con, first, full_scope=None, at=dt.datetime(2026, 4, 1, 3, 0))
    second = _values(("N1", "0665", 2023, 2.5), ("N2", "0665", 2023, None), ("N1", "0665", 2024, 3))
    sync.apply_values(con, second, full_scope=None, at=dt.datetime(2026, 9, 1, 3, 0))


def _revisions(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "SELECT kpi, municipality_id, year, gender, old_value, new_value, replaced_at "
        "FROM value_revision ORDER BY ALL"
    ).fetchall()


def _as_of(con: duckdb.DuckDBPyConnection, day: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM values_as_of(DATE '{day}') ORDER BY ALL").fetchall()


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[migrations.Migration]]:
    """The real migrations; a test may register more with @migrations.migration, for this
    test only."""
    extended = list(migrations.MIGRATIONS)
    monkeypatch.setattr(migrations, "MIGRATIONS", extended)
    yield extended


def test_names_are_unique_numbered_and_in_order() -> None:
    names = [m.name for m in migrations.MIGRATIONS]
    assert names[0] == "m001_baseline"
    assert names == sorted(set(names))
    assert all(n[0] == "m" and n[1:4].isdigit() and n[4] == "_" for n in names)


def test_from_blank(tmp_path: Path) -> None:
    """A fresh build is schema.sql with every migration recorded; migrate on a blank
    database gives the same; neither has anything left to do."""
    with create_database(tmp_path / "fresh.duckdb") as fresh, duckdb.connect() as blank:
        assert migrate(blank) == [m.name for m in migrations.MIGRATIONS]
        assert _catalogue(blank) == _catalogue(fresh)
        for con in (fresh, blank):
            assert migrate(con) == []
            check_readable(con)
            assert schema_version(con) == migrations.MIGRATIONS[-1].name
            recorded = con.execute("SELECT name FROM _migrations ORDER BY name").fetchall()
            assert [r[0] for r in recorded] == [m.name for m in migrations.MIGRATIONS]


@pytest.mark.parametrize(
    "missing",
    [(), PRE_VINTAGE_MISSING, FIRST_VERSION_MISSING],
    ids=["landed", "before-vintages", "first-version"],
)
def test_landed_schema_plus_migrations_is_schema_sql(tmp_path: Path, missing: tuple) -> None:
    """The invariant that keeps schema.sql and the migrations one schema: a database the
    landed version (or an older one) built, migrated, has exactly the fresh build's tables,
    columns, constraints and macros."""
    with (
        _landed_database(tmp_path / "old.duckdb", missing=missing) as old,
        create_database(tmp_path / "fresh.duckdb") as fresh,
    ):
        assert migrate(old) == [m.name for m in migrations.MIGRATIONS]
        assert _catalogue(old) == _catalogue(fresh)
        assert old.execute("SELECT * FROM meta").fetchall() == [("data_date", "2026-11-01")]


def test_landed_database_keeps_its_history_through_a_column_migration(
    tmp_path: Path, registry: list[migrations.Migration]
) -> None:
    """A later migration that adds a column to value_revision runs on the landed database
    after the baseline; every revision survives and values_as_of answers as before."""

    @migrations.migration
    def m999_revision_source(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("ALTER TABLE value_revision ADD COLUMN source TEXT DEFAULT 'kolada'")

    with _landed_database(tmp_path / "old.duckdb") as con:
        _fill(con)
        revisions, spring, today = (
            _revisions(con),
            _as_of(con, "2026-05-01"),
            _as_of(con, "2026-12-01"),
        )
        assert len(revisions) == 6

        assert migrate(con) == [
            "m001_baseline",
            "m002_target_provenance",
            "m003_local_version",
            "m999_revision_source",
        ]
        assert _revisions(con) == revisions
        assert con.execute("SELECT DISTINCT source FROM value_revision").fetchall() == [("kolada",)]
        assert _as_of(con, "2026-05-01") == spring
        assert _as_of(con, "2026-12-01") == today
        assert spring != today
        check_readable(con)
        assert schema_version(con) == "m999_revision_source"

        assert migrate(con) == []
        assert _revisions(con) == revisions


def test_applying_twice_is_a_no_op(tmp_path: Path) -> None:
    with _landed_database(tmp_path / "old.duckdb") as con:
        _fill(con)
        migrate(con)
        once = (_catalogue(con), _revisions(con), con.execute("FROM _migrations").fetchall())
        assert migrate(con) == []
        assert (
            _catalogue(con),
            _revisions(con),
            con.execute("FROM _migrations").fetchall(),
        ) == once


def test_landed_database_is_refused_until_the_etl_upgrades_it(tmp_path: Path) -> None:
    """New code, published file still from the landed version (the baseline schema): the
    app needs m002 (a target's provenance), so it refuses the file with a message saying
    how to upgrade it, and reads it once `migrate` (what every ETL run does) has run."""
    path = tmp_path / "old.duckdb"
    _landed_database(path).close()
    with connect_read_only(path) as con:
        assert schema_version(con) == "m001_baseline"
        with pytest.raises(DataError, match="m002_target_provenance") as err:
            check_readable(con)
        assert "python -m etl" in str(err.value)
    with duckdb.connect(str(path)) as con:
        migrate(con)
    with connect_read_only(path) as con:
        check_readable(con)
        assert con.execute("SELECT DISTINCT provenance FROM ambition").fetchall() in (
            [],
            [("beslut",)],
        )


def test_database_older_than_the_app_needs_is_refused(tmp_path: Path) -> None:
    with _landed_database(tmp_path / "old.duckdb", missing=PRE_VINTAGE_MISSING) as con:
        assert schema_version(con) is None
        with pytest.raises(DataError) as err:
            check_readable(con)
    assert err.value.title == "Databasen är äldre än programmet"
    assert "python -m etl" in str(err.value)
    assert "make run" in str(err.value)


def test_pending_migration_refuses_the_app_only_if_it_needs_it(
    tmp_path: Path, registry: list[migrations.Migration]
) -> None:
    with create_database(tmp_path / "db.duckdb") as con:

        @migrations.migration(app_needs=False)
        def m998_not_read_by_the_app(con: duckdb.DuckDBPyConnection) -> None:
            con.execute("CREATE TABLE etl_note (note TEXT)")

        check_readable(con)

        @migrations.migration
        def m999_read_by_the_app(con: duckdb.DuckDBPyConnection) -> None:
            con.execute("ALTER TABLE kolada_value ADD COLUMN status TEXT")

        with pytest.raises(DataError, match="m999_read_by_the_app") as err:
            check_readable(con)
        assert err.value.title == "Databasen är äldre än programmet"
        assert "m998" not in str(err.value)
        assert migrate(con) == ["m998_not_read_by_the_app", "m999_read_by_the_app"]
        check_readable(con)


def test_database_newer_than_the_code_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with create_database(path) as con:
        con.execute("INSERT INTO _migrations VALUES ('m900_from_the_future', localtimestamp)")
        before = (_catalogue(con), con.execute("FROM _migrations ORDER BY name").fetchall())
        for call in (check_readable, migrate):
            with pytest.raises(DataError, match="m900_from_the_future") as err:
                call(con)
            assert err.value.title == "Databasen är nyare än programmet"
            assert str(path) in str(err.value)
        assert (_catalogue(con), con.execute("FROM _migrations ORDER BY name").fetchall()) == before
        assert schema_version(con) == "m900_from_the_future"


def test_failed_migration_is_rolled_back_and_not_recorded(
    tmp_path: Path, registry: list[migrations.Migration]
) -> None:
    @migrations.migration
    def m999_half_done(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("ALTER TABLE value_revision ADD COLUMN source TEXT")
        con.execute("ALTER TABLE no_such_table ADD COLUMN x TEXT")

    with _landed_database(tmp_path / "old.duckdb") as con:
        with pytest.raises(DataError, match="m999_half_done"):
            migrate(con)
        # The baseline before it stays applied; the failed one left no trace.
        assert con.execute("SELECT name FROM _migrations").fetchall() == [
            ("m001_baseline",),
            ("m002_target_provenance",),
            ("m003_local_version",),
        ]
        columns = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'value_revision'"
        ).fetchall()
        assert ("source",) not in columns


def test_a_file_that_is_not_a_malpuls_database_is_refused() -> None:
    with duckdb.connect() as con:
        con.execute("CREATE TABLE something_else (x INTEGER)")
        for call in (check_readable, migrate):
            with pytest.raises(DataError) as err:
                call(con)
            assert err.value.title == "Databasen kan inte läsas"
