"""Opening database files.

The ETL writes a fresh file and publishes it with an atomic rename (etl.publish), so a
reader only ever opens complete files. Readers open read-only: DuckDB then takes no write
lock, and the ETL never waits for the app. The app opens the published file with
`connect_published` (see there why not `connect_read_only`); the ETL and the report freezer,
which open it once per process, use `connect_read_only`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from core.errors import DataError
from db.migrations import create_schema

Identity = tuple[int, int, int]  # see file_identity

# The name the published file is attached under in its connection (see connect_published).
PUBLISHED_CATALOG = "malpuls"
# How often connect_published tries again when the file is replaced while it opens it;
# publishes are far apart (nightly), so a second try finds the file still.
OPEN_ATTEMPTS = 3


def create_database(path: Path) -> duckdb.DuckDBPyConnection:
    """Create a new database file at `path` with the current schema (db/schema.sql), every
    migration recorded as applied."""
    con = duckdb.connect(str(path))
    create_schema(con)
    return con


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.exists():
        raise DataError(f"Databasen {path} finns inte. Bygg den med: python -m etl --offline")
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise DataError(
            f"Databasen {path} kan inte öppnas ({exc}). Bygg om den med: python -m etl --offline",
            title="Databasen kan inte öppnas",
        ) from exc


def connect_published(path: Path) -> tuple[duckdb.DuckDBPyConnection, Identity]:
    """A read-only connection to the file published at `path` now, and that file's
    `file_identity`, for a process that keeps reading while new files are published.

    Not `duckdb.connect(path)`: DuckDB keeps one database instance per (resolved) path in a
    process, so while any connection to an older file at the path is still open, connecting
    again hands back the older file, silently. Instead the file is attached, read-only, to
    an in-memory instance of its own (ATTACH does not go through that cache) and made this
    connection's default catalog. So an older and a newer file can be open side by side,
    and the older one can stay open until its last reader is done. Each such connection
    holds a database instance (its own buffer pool and threads) until it is closed.

    A cursor of the returned connection starts in the in-memory catalog: take cursors with
    `published_cursor`.

    The identity is taken before and after the ATTACH; when they differ the ETL replaced
    the file meanwhile and the open is tried again, so the identity is that of the file the
    connection reads.
    """
    for _ in range(OPEN_ATTEMPTS):
        before = _identity_or_none(path)
        if before is None:
            raise DataError(f"Databasen {path} finns inte. Bygg den med: python -m etl --offline")
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"ATTACH {_literal(path)} AS {PUBLISHED_CATALOG} (READ_ONLY)")
            con.execute(f"USE {PUBLISHED_CATALOG}")
        except duckdb.Error as exc:
            con.close()
            raise DataError(
                f"Databasen {path} kan inte öppnas ({exc}). Bygg om den med: "
                "python -m etl --offline",
                title="Databasen kan inte öppnas",
            ) from exc
        if _identity_or_none(path) == before:
            return con, before
        con.close()
    raise DataError(
        f"Databasen {path} byttes ut medan den öppnades, {OPEN_ATTEMPTS} gånger i rad. Ladda "
        "om sidan om en stund.",
        title="Databasen byts ut just nu",
    )


def published_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A new connection (`cursor()`) for one thread's read, on the same file as `con` from
    `connect_published`."""
    cur = con.cursor()
    cur.execute(f"USE {PUBLISHED_CATALOG}")
    return cur


def _identity_or_none(path: Path) -> Identity | None:
    try:
        return file_identity(path)
    except FileNotFoundError:
        return None


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def file_identity(path: Path) -> Identity:
    """(inode, size, mtime_ns): changes whenever a new file has been published, so readers
    can key cached connections on it and pick up new data without a restart."""
    st = path.stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)
