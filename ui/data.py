"""Cached data access for the pages: the one place the app reads the database.

Pages and ui modules call read functions as objects, `data.query(queries.query_goals,
municipality_id)`, so a reader (and a tool) can follow a page to its SQL. Errors from
DuckDB arrive as MalpulsError (db.reads) and are shown by the app's one error display.

The database file is replaced atomically by each ETL run. Connections and cached results
are keyed on the file's identity (inode, size, mtime), so the app picks up a new file on
the next rerun without a restart, and a reader holding the old file keeps a complete old
file until it lets go. The app never builds the database: `make run` does.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import streamlit as st

from config import Paths
from core.errors import DataError
from db import queries
from db.connection import connect_read_only, file_identity
from db.migrations import check_readable
from db.reads import run_read

T = TypeVar("T")

MISSING_DATABASE = (
    "Databasen finns inte ännu. Starta Målpuls med `make run`: det bygger databasen från "
    "den medföljande Kolada-ögonblicksbilden och startar sedan instrumentpanelen."
)


def paths() -> Paths:
    return Paths.from_env()


_lock = threading.Lock()
_open: dict[str, Any] = {"identity": None, "con": None}


def _connection(path: str, identity: tuple[int, int, int]) -> duckdb.DuckDBPyConnection:
    """One read-only connection per published file, replaced when the file is.

    The old connection must be closed before the new file is opened: DuckDB caches open
    database instances by path, so connecting to the same path while the old instance is
    still open would silently hand back the old file's data.
    """
    with _lock:
        if _open["identity"] != identity or _open["con"] is None:
            if _open["con"] is not None:
                _open["con"].close()
                _open["con"] = None
                _open["identity"] = None
            con = connect_read_only(Path(path))
            try:
                # A database built by newer code (or too old for this code) is refused
                # with a message naming the command, never read half-understood.
                check_readable(con)
            except DataError:
                con.close()
                raise
            _open["con"] = con
            _open["identity"] = identity
        return _open["con"]


def _current() -> tuple[str, tuple[int, int, int]]:
    p = paths().db_path
    if not p.exists():
        raise DataError(MISSING_DATABASE, title="Databasen saknas")
    return str(p), file_identity(p)


@st.cache_data(ttl=600, show_spinner=False)
def _cached(_fn: Callable[..., Any], name: str, identity: tuple[int, int, int], *args: Any) -> Any:
    # `_fn` is not hashed (leading underscore); `name` (module + function) keys the cache.
    del name
    path, _ = _current()
    # A cursor is a separate connection to the same database: safe to use from the
    # script thread while other sessions use their own.
    with _connection(path, identity).cursor() as cur:
        return run_read(cur, _fn, *args)


def query(fn: Callable[..., T], *args: Any) -> T:
    """`fn(con, *args)` for a read function of db.queries or db.judging, cached per
    published database file."""
    _, identity = _current()
    return _cached(fn, f"{fn.__module__}.{fn.__qualname__}", identity, *args)


def municipalities() -> list[tuple[str, str]]:
    return query(queries.query_framework_municipalities)


def meta() -> dict[str, str]:
    return query(queries.query_meta)


def etl_status() -> dict[str, Any] | None:
    """The last ETL run's outcome (written by the ETL beside the database)."""
    p = paths().status_path
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
