"""Cached data access for the pages: the one place the app reads the database.

Pages and ui modules call read functions as objects, `data.query(queries.query_goals,
municipality_id)`, so a reader (and a tool) can follow a page to its SQL. Errors from
DuckDB arrive as MalpulsError (db.reads) and are shown by the app's one error display.

The database file is replaced atomically by each ETL run, while sessions read it. Every
published file gets one shared read-only connection (db.connection.connect_published), and
each read takes its own cursor on it, counted as a reader of that file. A newer file gets
a new connection at the first read after the publish; the older one is closed when its
last reader is done, never under a reader. So a read never fails or mixes two files
because of a publish, and the first read that starts after a publish reads the new file
(tests/test_reader_publish.py). Cached results are keyed on the file's identity (inode,
size, mtime), so the app picks up a new file on the next rerun without a restart. The app
never builds the database: `make run` does.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import streamlit as st

from config import Paths
from core.errors import DataError
from core.kpi_search import KpiSearchIndex
from db import queries
from db.connection import Identity, connect_published, file_identity, published_cursor
from db.kpi_docs import query_kpi_docs
from db.migrations import check_readable
from db.reads import run_read

T = TypeVar("T")

MISSING_DATABASE = (
    "Databasen finns inte ännu. Starta Målpuls med `make run`: det bygger databasen från "
    "den medföljande Kolada-ögonblicksbilden och startar sedan instrumentpanelen."
)


def paths() -> Paths:
    return Paths.from_env()


@dataclass(eq=False)
class _File:
    """The shared connection to one published file and how many reads are using it."""

    con: duckdb.DuckDBPyConnection
    identity: Identity
    readers: int = 0


class _PublishedFiles:
    """The connection to the newest published file, and older ones still being read.

    The lock guards the bookkeeping and every call that touches a shared connection
    (opening, closing, taking and closing a cursor): DuckDB refuses, rather than waits for,
    a call on a connection busy with another. The reads run on their cursors, outside it. A
    publish costs the first reader after it one open (attach and check_readable, about a
    tenth of a second on the full database), during which other reads wait.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._newest: _File | None = None
        self._older: list[_File] = []  # replaced, still being read

    @contextmanager
    def cursor(self, path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the file published at `path` now, kept open (with its file) until
        the block ends."""
        file, cur = self._acquire(path)
        try:
            yield cur
        finally:
            self._release(file, cur)

    def _acquire(self, path: Path) -> tuple[_File, duckdb.DuckDBPyConnection]:
        with self._lock:
            if self._newest is None or self._newest.identity != _identity(path):
                self._replace_newest(self._open(path))
            file = self._newest
            assert file is not None
            cur = published_cursor(file.con)
            file.readers += 1
            return file, cur

    def _release(self, file: _File, cur: duckdb.DuckDBPyConnection) -> None:
        with self._lock:
            try:
                cur.close()
            finally:
                file.readers -= 1
                if file is not self._newest and file.readers == 0:
                    self._older.remove(file)
                    file.con.close()

    def _replace_newest(self, file: _File) -> None:
        old, self._newest = self._newest, file
        if old is None:
            return
        if old.readers:
            self._older.append(old)
        else:
            old.con.close()

    @staticmethod
    def _open(path: Path) -> _File:
        con, identity = connect_published(path)
        try:
            # A database built by newer code (or too old for this code) is refused with a
            # message naming the command, never read half-understood.
            check_readable(con)
        except DataError:
            con.close()
            raise
        return _File(con, identity)


_files = _PublishedFiles()


def _identity(path: Path) -> Identity:
    try:
        return file_identity(path)
    except FileNotFoundError:
        raise DataError(MISSING_DATABASE, title="Databasen saknas") from None


@st.cache_data(ttl=600, show_spinner=False)
def _cached(_fn: Callable[..., Any], name: str, identity: Identity, *args: Any) -> Any:
    # `_fn` is not hashed (leading underscore); `name` (module + function) and `identity`
    # key the cache. The read may find a file newer than `identity` (one published since
    # `query` looked), never an older one.
    del name, identity
    with _files.cursor(paths().db_path) as cur:
        return run_read(cur, _fn, *args)


def query(fn: Callable[..., T], *args: Any) -> T:
    """`fn(con, *args)` for a read function of db.queries or db.judging, cached per
    published database file."""
    identity = _identity(paths().db_path)
    return _cached(fn, f"{fn.__module__}.{fn.__qualname__}", identity, *args)


@st.cache_resource(max_entries=2, show_spinner=False)
def _kpi_index(identity: Identity) -> KpiSearchIndex:
    # One index per published file, shared by all sessions: building it takes about two
    # seconds, a search 5-20 ms. Two entries: the newest file and one being left.
    del identity
    with _files.cursor(paths().db_path) as cur:
        return KpiSearchIndex(run_read(cur, query_kpi_docs))


def kpi_index() -> KpiSearchIndex:
    """The KPI search engine (core.kpi_search) over the published file's catalogue."""
    return _kpi_index(_identity(paths().db_path))


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
