"""The boundary every read from the app passes: a query function from db.queries or
db.judging, run on a connection, with DuckDB's errors turned into the project's error type
(a Swedish message a person can act on) so no page shows a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import duckdb

from core.errors import DataError

T = TypeVar("T")


class DatabaseReadError(DataError):
    title = "Databasen kunde inte läsas"


def run_read(con: duckdb.DuckDBPyConnection, fn: Callable[..., T], *args: Any) -> T:
    try:
        return fn(con, *args)
    except duckdb.Error as exc:
        raise DatabaseReadError(
            f"Uppgifterna kunde inte hämtas ur databasen ({fn.__name__}: {exc}). Ladda om "
            "sidan om en stund. Kvarstår felet: bygg om databasen med `make run` (bundlad "
            "data) eller `python -m etl` (från Kolada)."
        ) from exc
