"""Cached data access for the pages.

The database file is replaced atomically by each ETL run. Connections and cached query
results are keyed on the file's identity (inode, size, mtime), so the app picks up a new
file on the next rerun without a restart, and a reader holding the old file keeps a
complete old file until it lets go.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from config import Paths
from core.errors import DataError, MalpulsError
from db import queries
from db.connection import connect_read_only, file_identity

T = TypeVar("T")


def paths() -> Paths:
    return Paths.from_env()


def ensure_database() -> None:
    """Build the database from the bundled snapshot if it does not exist yet (first start)."""
    p = paths()
    if p.db_path.exists():
        return
    from etl.pipeline import build_offline, record_status

    started = dt.datetime.now()
    with st.spinner(
        "Databasen byggs från den medföljande Kolada-ögonblicksbilden (första start) …"
    ):
        try:
            result = build_offline(p, now=started, progress=lambda _msg: None)
        except MalpulsError as exc:
            record_status(p, mode="offline", started=started, error=exc, result=None)
            raise
    record_status(p, mode="offline", started=started, error=None, result=result)


_lock = threading.Lock()
_open: dict[str, Any] = {"identity": None, "con": None}


def _connection(path: str, identity: tuple[int, int, int]) -> duckdb.DuckDBPyConnection:
    """One read-only connection per published file, replaced when the file is.

    The old connection must be closed before the new file is opened: DuckDB caches open
    database instances by path, so connecting to the same path while the old instance is
    still open would silently hand back the old file's data.
    """
    with _lock:
        if _open["identity"] != identity:
            if _open["con"] is not None:
                _open["con"].close()
                _open["con"] = None
            _open["con"] = connect_read_only(Path(path))
            _open["identity"] = identity
        return _open["con"]


def _current() -> tuple[str, tuple[int, int, int]]:
    p = paths().db_path
    if not p.exists():
        raise DataError("Databasen finns inte. Bygg den med: python -m etl --offline")
    return str(p), file_identity(p)


def _run(fn: Callable[..., T], *args: Any) -> T:
    path, identity = _current()
    # A cursor is a separate connection to the same database: safe to use from the
    # script thread while other sessions use their own.
    with _connection(path, identity).cursor() as cur:
        return fn(cur, *args)


@st.cache_data(ttl=600, show_spinner=False)
def _cached(name: str, identity: tuple[int, int, int], *args: Any) -> Any:
    del identity
    return _run(getattr(queries, name), *args)


def load(name: str, *args: Any) -> Any:
    """Run `db.queries.<name>(con, *args)`, cached per database file."""
    _, identity = _current()
    return _cached(name, identity, *args)


def municipalities() -> list[tuple[str, str]]:
    return load("query_framework_municipalities")


def meta() -> dict[str, str]:
    return load("query_meta")


def frame(name: str, *args: Any) -> pd.DataFrame:
    return load(name, *args)


def etl_status() -> dict[str, Any] | None:
    """The last ETL run's outcome (written by the ETL beside the database)."""
    p = paths().status_path
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
