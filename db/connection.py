"""Opening database files.

The ETL writes a fresh file and publishes it with an atomic rename (etl.publish), so a
reader only ever opens complete files. Readers open read-only: DuckDB then takes no write
lock, and the ETL never waits for the app.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from core.errors import DataError
from db.migrations import create_schema


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


def file_identity(path: Path) -> tuple[int, int, int]:
    """(inode, size, mtime_ns): changes whenever a new file has been published, so readers
    can key cached connections on it and pick up new data without a restart."""
    st = path.stat()
    return (st.st_ino, st.st_size, st.st_mtime_ns)
