"""Schema migrations: named functions, each applied once and in order, recorded by name in
the `_migrations` table (the pattern of simonw/llm's llm/migrations.py).

Why: the published database carries `value_revision`, the record of every value change the
live runs have made. A rebuild from the bundled snapshot (`python -m etl --offline`) starts
that record afresh, so a schema change must reach the published file as a migration of the
file itself, never as a rebuild.

How db/schema.sql and the migrations relate:

- db/schema.sql is the whole current schema. A fresh build (`create_schema`, through
  db.connection.create_database: the offline build and the app's first start) runs it and
  records every migration as applied, since that file is already current.
- The live ETL (etl.live) copies the published file and runs `migrate` on the copy before it
  writes anything; the copy is published only if the whole run succeeds.
- So a schema change is made twice, in one commit: in schema.sql (for fresh builds) and as a
  new function at the end of this file (for existing files), named `mNNN_what`. A released
  migration is never renamed or edited. tests/test_migrations.py proves that the landed
  baseline plus every migration gives exactly the catalogue schema.sql gives.
- `m001_baseline` is the schema every version before migrations had (frozen in
  tests/fixtures/schema_v1.sql): those versions wrote meta.schema_version = '1' and no
  `_migrations` table. `migrate` adopts such a file by running m001_baseline, which adds the
  tables and the macro that versions from before the vintages lacked (what the old
  upgrade_schema did) and drops the obsolete meta row.

Readers: the app opens the file read-only and cannot migrate it. `check_readable` refuses a
file that records a migration this code does not know (a newer program wrote it) or lacks
one the app's queries need (`python -m etl` upgrades it). A migration the app's queries do
not depend on is registered with `app_needs=False`, so deploying new code does not lock the
app out of the published file until the next ETL run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import duckdb

from core.errors import DataError

SCHEMA_SQL = Path(__file__).with_name("schema.sql")

MigrationFn = Callable[[duckdb.DuckDBPyConnection], None]


@dataclass(frozen=True)
class Migration:
    name: str
    apply: MigrationFn
    app_needs: bool  # the app's queries read what it adds or changes


MIGRATIONS: list[Migration] = []


@overload
def migration(fn: MigrationFn, /) -> MigrationFn: ...
@overload
def migration(*, app_needs: bool = True) -> Callable[[MigrationFn], MigrationFn]: ...
def migration(
    fn: MigrationFn | None = None, /, *, app_needs: bool = True
) -> MigrationFn | Callable[[MigrationFn], MigrationFn]:
    """Register `fn` as the next migration, under its function name: `@migration`, or
    `@migration(app_needs=False)` when the app can read the database without it."""

    def register(f: MigrationFn) -> MigrationFn:
        MIGRATIONS.append(Migration(f.__name__, f, app_needs))
        return f

    return register if fn is None else register(fn)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the current schema in an empty database (db/schema.sql) and record every
    migration as applied: the file is current, there is nothing to migrate."""
    con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
    _create_migrations_table(con)
    for m in MIGRATIONS:
        _record(con, m.name)


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply, in order, every migration not yet recorded in this database, each in its own
    transaction with its record; return the names applied. An empty database gets the
    current schema (create_schema). Raises DataError, leaving the database as it was,
    when it records migrations this code does not know: an older program must not write
    to a newer file."""
    recorded = _recorded(con)
    if recorded is None:
        if not _user_tables(con):
            create_schema(con)
            return [m.name for m in MIGRATIONS]
        if not _has(con, "meta"):
            raise _not_malpuls(con)
        recorded = []  # built before migrations: m001_baseline adopts it
    unknown = _unknown(recorded)
    if unknown:
        raise _newer_error(con, unknown)
    _create_migrations_table(con)
    applied = []
    for m in MIGRATIONS:
        if m.name in recorded:
            continue
        con.begin()
        try:
            m.apply(con)
            _record(con, m.name)
            con.commit()
        except duckdb.Error as exc:
            con.rollback()
            raise DataError(
                f"Databasen kunde inte uppgraderas: migreringen {m.name} misslyckades ({exc})",
                title="Databasen kunde inte uppgraderas",
            ) from exc
        applied.append(m.name)
    return applied


def check_readable(con: duckdb.DuckDBPyConnection) -> None:
    """Raise DataError (with a title and what to do) unless the app can read this database:
    it must be a Målpuls database, record no migration this code does not know, and have
    every migration the app needs. Only reads, so a read-only connection will do."""
    applied = _applied(con)
    unknown = _unknown(applied)
    if unknown:
        raise _newer_error(con, unknown)
    missing = [m.name for m in MIGRATIONS if m.app_needs and m.name not in applied]
    if missing:
        raise DataError(
            f"Databasen{_where(con)} har byggts av en äldre version av Målpuls och saknar "
            f"ändringar som programmet behöver ({', '.join(missing)}). Uppgradera den med: "
            "python -m etl (nattkörningen gör det också, och värdehistoriken behålls). "
            "Alternativt: ta bort filen och starta med make run, som bygger en ny databas "
            "från den medföljande ögonblicksbilden (värdehistoriken går då förlorad).",
            title="Databasen är äldre än programmet",
        )


def schema_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The newest migration applied to this database (e.g. 'm001_baseline'), or None when
    it has none (a database from before the baseline). For the Om data page."""
    applied = _applied(con)
    return max(applied) if applied else None


# ------------------------------------------------------------------ bookkeeping


def _create_migrations_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS _migrations "
        "(name TEXT PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
    )


def _record(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute("INSERT INTO _migrations VALUES (?, localtimestamp)", [name])


def _user_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND NOT temporary"
        ).fetchall()
    ]


def _has(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """A table or a (table) macro of this name exists in the database."""
    return bool(
        con.execute(
            """
            SELECT count(*) FROM (
                SELECT table_name AS name FROM duckdb_tables()
                WHERE database_name = current_database() AND NOT temporary
                UNION ALL
                SELECT function_name FROM duckdb_functions()
                WHERE database_name = current_database() AND NOT internal
                  AND function_type IN ('macro', 'table_macro')
            ) WHERE name = ?
            """,
            [name],
        ).fetchall()[0][0]
    )


def _recorded(con: duckdb.DuckDBPyConnection) -> list[str] | None:
    """The names in _migrations, or None when the database has no such table."""
    if not _has(con, "_migrations"):
        return None
    return [r[0] for r in con.execute("SELECT name FROM _migrations ORDER BY name").fetchall()]


def _applied(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What the database holds, as migration names: the recorded ones, or for a database
    built before migrations, m001_baseline if it has everything the baseline adds."""
    recorded = _recorded(con)
    if recorded is not None:
        return recorded
    if not _has(con, "meta"):
        raise _not_malpuls(con)
    return ["m001_baseline"] if all(_has(con, n) for n in _BASELINE_ADDITIONS) else []


def _unknown(names: list[str]) -> list[str]:
    known = {m.name for m in MIGRATIONS}
    return [n for n in names if n not in known]


def _where(con: duckdb.DuckDBPyConnection) -> str:
    path = con.execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()[0][0]
    return f" {path}" if path else ""


def _newer_error(con: duckdb.DuckDBPyConnection, unknown: list[str]) -> DataError:
    return DataError(
        f"Databasen{_where(con)} har uppdaterats av en nyare version av Målpuls: den har "
        f"ändringar som den här versionen inte känner till ({', '.join(unknown)}). "
        "Uppdatera Målpuls till samma version som ETL-körningen som skrev databasen. "
        "Databasen lämnas orörd.",
        title="Databasen är nyare än programmet",
    )


def _not_malpuls(con: duckdb.DuckDBPyConnection) -> DataError:
    return DataError(
        f"Filen{_where(con)} är ingen Målpuls-databas (tabellen meta saknas). Flytta undan "
        "den och starta med make run, som bygger databasen från den medföljande "
        "ögonblicksbilden.",
        title="Databasen kan inte läsas",
    )


# ------------------------------------------------------------------ migrations

# What versions before the baseline lacked, frozen as db/schema.sql defined it at the
# baseline (schema_version '1'). Never change these: later changes are later migrations.
_BASELINE_ADDITIONS = {
    "kpi_change": """
        CREATE TABLE kpi_change (
            kpi_id      TEXT NOT NULL,
            change      TEXT NOT NULL
                        CHECK (change IN ('vanished', 'returned', 'new', 'retitled')),
            title       TEXT,
            detected_at TIMESTAMP NOT NULL
        )""",
    "kpi_sdg_map": """
        CREATE TABLE kpi_sdg_map (
            kpi_id      TEXT NOT NULL,
            sdg         INTEGER NOT NULL,
            target_code TEXT,
            direction   TEXT NOT NULL,
            reason      TEXT NOT NULL,
            PRIMARY KEY (kpi_id, sdg)
        )""",
    "value_revision": """
        CREATE TABLE value_revision (
            kpi             TEXT NOT NULL,
            municipality_id TEXT NOT NULL,
            year            SMALLINT NOT NULL,
            gender          TEXT NOT NULL,
            old_value       DOUBLE,
            new_value       DOUBLE,
            replaced_at     TIMESTAMP NOT NULL
        )""",
    "values_as_of": """
        CREATE MACRO values_as_of(d) AS TABLE
            WITH later AS (
                SELECT kpi, municipality_id, year, gender,
                       arg_min(old_value, replaced_at) AS old_value
                FROM value_revision WHERE CAST(replaced_at AS DATE) > d
                GROUP BY ALL
            )
            SELECT v.kpi, v.municipality_id, v.year, v.gender, v.value
            FROM kolada_value v
            ANTI JOIN later l ON l.kpi = v.kpi AND l.municipality_id = v.municipality_id
                 AND l.year = v.year AND l.gender = v.gender
            UNION ALL
            SELECT kpi, municipality_id, year, gender, old_value FROM later
            WHERE old_value IS NOT NULL""",
    "indicator_result": """
        CREATE TABLE indicator_result (
            municipality_id  TEXT NOT NULL,
            indicator_id     TEXT NOT NULL,
            goal_id          TEXT NOT NULL,
            as_of            DATE NOT NULL,
            checkpoint_label TEXT,
            judged_kpi_id    TEXT,
            status           TEXT NOT NULL,
            basis            TEXT NOT NULL,
            reason           TEXT NOT NULL,
            direction        TEXT NOT NULL,
            n_points         INTEGER NOT NULL,
            base_year        INTEGER,
            base_value       DOUBLE,
            latest_year      INTEGER,
            latest_value     DOUBLE,
            data_age_years   INTEGER,
            next_publication DATE,
            noise            DOUBLE,
            change_per_year  DOUBLE,
            target_value     DOUBLE,
            target_date      DATE,
            horizon_years    INTEGER,
            method           TEXT,
            point            DOUBLE,
            lo80             DOUBLE,
            hi80             DOUBLE,
            p_met            DOUBLE,
            thresholds       TEXT,
            rank_all         INTEGER,
            n_all            INTEGER,
            quartile_all     INTEGER,
            rank_peers       INTEGER,
            n_peers          INTEGER,
            PRIMARY KEY (municipality_id, indicator_id, as_of)
        )""",
    "goal_result": """
        CREATE TABLE goal_result (
            municipality_id   TEXT NOT NULL,
            goal_id           TEXT NOT NULL,
            as_of             DATE NOT NULL,
            checkpoint_label  TEXT,
            status            TEXT NOT NULL,
            reason            TEXT NOT NULL,
            counts            TEXT NOT NULL,
            weakest_indicator TEXT,
            forecast_allowed  BOOLEAN NOT NULL,
            assessment        TEXT,
            disagrees         BOOLEAN NOT NULL,
            PRIMARY KEY (municipality_id, goal_id, as_of)
        )""",
    "sdg_kpi_result": """
        CREATE TABLE sdg_kpi_result (
            municipality_id TEXT NOT NULL,
            kpi_id          TEXT NOT NULL,
            as_of           DATE NOT NULL,
            status          TEXT NOT NULL,
            basis           TEXT NOT NULL,
            reason          TEXT NOT NULL,
            direction       TEXT NOT NULL,
            n_points        INTEGER NOT NULL,
            latest_year     INTEGER,
            latest_value    DOUBLE,
            change_per_year DOUBLE,
            PRIMARY KEY (municipality_id, kpi_id)
        )""",
}


@migration
def m001_baseline(con: duckdb.DuckDBPyConnection) -> None:
    """Adopt a database built before migrations (meta.schema_version '1'). Every such
    version wrote the same schema_version but the early ones lacked some tables (the KPI
    change log, results, Agenda 2030 mapping, vintages): add what is missing. The version
    now lives in _migrations, so the meta row goes."""
    for name, ddl in _BASELINE_ADDITIONS.items():
        if not _has(con, name):
            con.execute(ddl)
    con.execute("DELETE FROM meta WHERE key = 'schema_version'")


@migration
def m002_target_provenance(con: duckdb.DuckDBPyConnection) -> None:
    """Issue 16: a target value is a proposal or a decision, and a result judged against
    one says which. Rows already there were all decided targets (the only kind before),
    hence 'beslut' for them; the default goes again so a new row must say."""
    # Only what is missing: a file built by a version with these columns but without the
    # _migrations record (as m001_baseline assumes of any file) has them already.
    if not _has_column(con, "ambition", "provenance"):
        con.execute("ALTER TABLE ambition ADD COLUMN provenance TEXT DEFAULT 'beslut'")
        con.execute("ALTER TABLE ambition ALTER COLUMN provenance SET NOT NULL")
        con.execute("ALTER TABLE ambition ALTER COLUMN provenance DROP DEFAULT")
    for column, kind in (
        ("proposal_method", "TEXT"),
        ("proposal_date", "DATE"),
        ("proposal_by", "TEXT"),
    ):
        if not _has_column(con, "ambition", column):
            con.execute(f"ALTER TABLE ambition ADD COLUMN {column} {kind}")
    if not _has_column(con, "indicator_result", "target_provenance"):
        con.execute("ALTER TABLE indicator_result ADD COLUMN target_provenance TEXT")


@migration(app_needs=False)
def m003_local_version(con: duckdb.DuckDBPyConnection) -> None:
    """Issue 19: a local indicator is judged on the values the municipality uploaded; its
    result names the upload used, so nothing takes it for Kolada's. NULL for every row
    already there (no upload was judged before). The app reads nothing of it yet."""
    if not _has_column(con, "indicator_result", "local_version"):
        con.execute("ALTER TABLE indicator_result ADD COLUMN local_version INTEGER")


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
            "AND table_name = ? AND column_name = ?",
            [table, column],
        ).fetchone()[0]
    )
