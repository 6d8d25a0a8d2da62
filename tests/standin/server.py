"""A local stand-in for the Kolada v3 API (https://api.kolada.se/v3/), for tests and benchmarks.

It serves the bundled snapshot in data/kolada/ over real HTTP on 127.0.0.1 and behaves as
/work/shared/kolada/API.md describes: the paging envelope, at most 25 values per id list, unknown
ids giving an empty list, unknown query parameters ignored, data rows grouped per
(kpi, municipality, period) with all genders, `from_date` with deletions, municipality-group ids
averaged over their members. Tests can revise, delete and remove data, add latency and inject
faults (429, 5xx, slow, dropped connection, malformed or truncated JSON, looping or relative
`next_url`).

Only the standard library and duckdb are used. Each request runs on its own thread with its own
DuckDB cursor on one in-memory database.

    with KoladaStandIn(Path("data/kolada")) as api:
        requests.get(f"{api.base_url}/kpi", timeout=5)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import socket
import threading
import time
import traceback
from collections import OrderedDict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import duckdb

MAX_PER_PAGE = 5000
MAX_LIST = 25
ANSWERS_KEPT = 4  # whole data answers kept for paging (a client has 3 in flight)
INITIAL_DATE = dt.date(2024, 8, 30)

FAULT_KINDS = frozenset(
    {
        "429",
        "500",
        "503",
        "slow",
        "drop",
        "malformed",
        "truncated",
        "next_url_loop",
        "relative_next",
    }
)

KPI_FIELDS = (
    "id",
    "title",
    "description",
    "is_divided_by_gender",
    "municipality_type",
    "auspice",
    "operating_area",
    "perspective",
    "prel_publication_date",
    "publication_date",
    "publ_period",
    "has_ou_data",
)

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STATUS_TEXT = {
    400: "Bad Request",
    404: "Not Found",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
_ROUTES = frozenset(
    {"kpi", "municipality", "municipality_groups", "kpi_groups", "ou", "data", "oudata"}
)
_GENDER_ORDER = "CASE gender WHEN 'T' THEN 0 WHEN 'K' THEN 1 WHEN 'M' THEN 2 ELSE 3 END, gender"


@dataclass
class Fault:
    """One injected fault. `times` is decremented each time it fires; -1 means forever."""

    kind: str
    path_contains: str = ""
    times: int = 1
    params: dict[str, Any] = field(default_factory=dict)


class _BadRequestError(Exception):
    """Answered as 400 {"error": message}."""


class _NotFoundError(Exception):
    """Answered as 404 {"error": "Not Found"}."""


@dataclass
class _Answer:
    status: int
    payload: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _in(column: str, n: int) -> str:
    return f"{column} IN ({', '.join('?' * n)})"


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class KoladaStandIn:
    """Kolada v3 API stand-in serving the Parquet snapshot in `data_dir`.

    Use as a context manager (`with KoladaStandIn(path) as api:`) or call start()/stop().
    Every initial value has change date `initial_date`.
    """

    def __init__(
        self,
        data_dir: Path | str,
        *,
        initial_date: dt.date = INITIAL_DATE,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.initial_date = initial_date
        self.host = host
        self._port = port
        self._lock = threading.RLock()
        self._latency = float(latency)
        # A barrier every request waits at before it is answered (see `gate`).
        self._gate: threading.Barrier | None = None
        self._faults: list[Fault] = []
        self._log: list[str] = []
        self._count = 0
        self._errors: list[str] = []
        # Whole answers to recent data questions, paged from here: a client asks the pages
        # of one question one after another, and computing the answer again for each page
        # made a page of a large answer (every municipality, 25 KPIs or all of them) cost
        # as much as the whole answer. Cleared by every change to the data.
        self._answers: OrderedDict[tuple[Any, ...], list[tuple[Any, ...]]] = OrderedDict()
        self._generation = 0  # counts changes to the data
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._closed = False
        self._con = duckdb.connect(":memory:")
        self._load()
        self._writer = self._con.cursor()

    # ------------------------------------------------------------------ loading

    def _load(self) -> None:
        d = self.data_dir

        def src(name: str) -> str:
            path = d / f"{name}.parquet"
            if not path.is_file():
                raise FileNotFoundError(path)
            return f"read_parquet({_sql_path(path)})"

        c = self._con
        c.execute(
            f"CREATE TABLE kpi AS SELECT {', '.join(KPI_FIELDS)} FROM {src('kpi')} ORDER BY id"
        )
        c.execute(f"CREATE TABLE municipality AS SELECT id, title, type FROM {src('municipality')}")
        c.execute(f"CREATE TABLE mg AS SELECT id, title FROM {src('municipality_group')}")
        c.execute(
            "CREATE TABLE mgm AS SELECT DISTINCT group_id, municipality_id "
            f"FROM {src('municipality_group_member')}"
        )
        c.execute(f"CREATE TABLE kg AS SELECT id, title FROM {src('kpi_group')}")
        c.execute(
            f"CREATE TABLE kgm AS SELECT DISTINCT group_id, kpi_id FROM {src('kpi_group_member')}"
        )
        # Sorted so that DuckDB's zone maps skip most row groups for a KPI or municipality filter.
        c.execute(
            "CREATE TABLE vals AS SELECT kpi, municipality_id, year::SMALLINT AS year, gender, "
            "value::DOUBLE AS value, ?::DATE AS changed, false AS isdeleted "
            f"FROM {src('values')} ORDER BY kpi, municipality_id, year, gender",
            [self.initial_date],
        )

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> KoladaStandIn:
        """Bind 127.0.0.1 (port 0 = any free port) and serve on a daemon thread."""
        if self._closed:
            raise RuntimeError("stand-in closed")
        if self._server is not None:
            raise RuntimeError("stand-in already started")
        server = _Server((self.host, self._port), _Handler)
        server.standin = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="kolada-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting requests and close every open connection. Data and log are kept,
        so start() may be called again (on a new port unless one was given)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._connections)
            self._connections.clear()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def close(self) -> None:
        """stop() and release the DuckDB database; the object cannot be started again."""
        self.stop()
        with self._lock:
            if not self._closed:
                self._closed = True
                self._writer.close()
                self._con.close()

    def __enter__(self) -> KoladaStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("stand-in not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """e.g. "http://127.0.0.1:54321/v3" (no trailing slash)."""
        return f"http://{self.host}:{self.port}/v3"

    # ------------------------------------------------------------ observation

    @property
    def request_log(self) -> list[str]:
        """Path+query of every request received since the last clear_log() (a copy)."""
        with self._lock:
            return list(self._log)

    @property
    def request_count(self) -> int:
        """Number of requests received since the last clear_log() (faulted ones included)."""
        with self._lock:
            return self._count

    def clear_log(self) -> None:
        """Empty request_log and reset request_count to 0."""
        with self._lock:
            self._log.clear()
            self._count = 0

    @property
    def errors(self) -> list[str]:
        """Tracebacks of unexpected exceptions inside the stand-in (answered as 500)."""
        with self._lock:
            return list(self._errors)

    # ---------------------------------------------------------------- control

    @property
    def latency(self) -> float:
        return self._latency

    def set_latency(self, seconds: float) -> None:
        """Sleep this long before every response (0 to switch off)."""
        with self._lock:
            self._latency = max(0.0, float(seconds))

    def gate(self, parties: int | None, timeout: float = 30.0) -> None:
        """Hold each request until `parties` requests are in flight at once (None: no gate).
        A server that answered one request at a time would never fill the gate: its first
        request waits out `timeout` and is answered 503. This proves concurrency without
        timing anything."""
        with self._lock:
            self._gate = None if parties is None else threading.Barrier(parties, timeout=timeout)

    def add_fault(
        self, kind: str, *, path_contains: str = "", times: int = 1, **params: Any
    ) -> Fault:
        """Inject a fault for the next `times` requests whose path+query contains
        `path_contains` (times=-1: forever). Faults are checked in the order added; the first
        matching one with times left fires. Params: retry_after (429, 503), delay (slow),
        full_length (truncated: declare the full Content-Length and cut the connection)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {sorted(FAULT_KINDS)}")
        if kind == "slow" and "delay" not in params:
            raise ValueError("fault 'slow' needs delay=<seconds>")
        fault = Fault(kind, path_contains, times, dict(params))
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.times != 0 and fault.path_contains in path:
                    if fault.times > 0:
                        fault.times -= 1
                    return fault
        return None

    # -------------------------------------------------------------- mutations

    def revise(
        self,
        kpi: str,
        municipality_id: str,
        year: int,
        gender: str,
        value: float | None,
        on: dt.date,
    ) -> None:
        """Change (or add) one value, with change date `on`."""
        with self._lock:
            self._answers.clear()
            self._generation += 1
            w = self._writer
            w.execute(
                "DELETE FROM vals WHERE kpi = ? AND municipality_id = ? AND year = ? "
                "AND gender = ?",
                [kpi, municipality_id, year, gender],
            )
            w.execute(
                "INSERT INTO vals VALUES (?, ?, ?, ?, ?, ?, false)",
                [kpi, municipality_id, year, gender, value, on],
            )

    def delete(self, kpi: str, municipality_id: str, year: int, gender: str, on: dt.date) -> bool:
        """Mark one value deleted (value null, isdeleted true) with change date `on`.
        Returns whether a live value existed; a tombstone is recorded either way."""
        with self._lock:
            self._answers.clear()
            self._generation += 1
            w = self._writer
            key = [kpi, municipality_id, year, gender]
            existed = w.execute(
                "SELECT count(*) FROM vals WHERE kpi = ? AND municipality_id = ? AND year = ? "
                "AND gender = ? AND NOT isdeleted",
                key,
            ).fetchone()
            w.execute(
                "DELETE FROM vals WHERE kpi = ? AND municipality_id = ? AND year = ? "
                "AND gender = ?",
                key,
            )
            w.execute("INSERT INTO vals VALUES (?, ?, ?, ?, NULL, ?, true)", [*key, on])
            return bool(existed and existed[0])

    def remove_kpi(self, kpi_id: str) -> bool:
        """The KPI vanishes from the catalogue and from kpi_groups members, and all its data
        goes (data requests for it then answer an empty list). Returns whether it was listed."""
        with self._lock:
            self._answers.clear()
            self._generation += 1
            w = self._writer
            found = w.execute("SELECT count(*) FROM kpi WHERE id = ?", [kpi_id]).fetchone()
            w.execute("DELETE FROM kpi WHERE id = ?", [kpi_id])
            w.execute("DELETE FROM kgm WHERE kpi_id = ?", [kpi_id])
            w.execute("DELETE FROM vals WHERE kpi = ?", [kpi_id])
            return bool(found and found[0])

    # ------------------------------------------------------------ HTTP plumbing

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _record(self, path: str) -> float:
        with self._lock:
            self._log.append(path)
            self._count += 1
            return self._latency

    def _record_error(self) -> None:
        with self._lock:
            self._errors.append(traceback.format_exc())

    # ---------------------------------------------------------------- routing

    def answer(self, raw_path: str, origin: str) -> _Answer:
        """The answer to GET `raw_path` (path+query); `origin` is "http://host:port" for the
        absolute next_url/previous_url."""
        try:
            return self._route(raw_path, origin)
        except _BadRequestError as e:
            return _Answer(400, {"error": str(e)})
        except _NotFoundError:
            return _Answer(404, {"error": "Not Found"})

    def _route(self, raw_path: str, origin: str) -> _Answer:
        parts = urlsplit(raw_path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        segs = [unquote(s) for s in parts.path.split("/")[1:]]
        while segs and segs[-1] == "":
            segs.pop()
        if not segs:
            raise _NotFoundError
        if segs[0] == "v2":
            return _Answer(410, {"error": "Gone: API v2 is switched off, use /v3"})
        if segs[0] != "v3" or len(segs) < 2:
            raise _NotFoundError
        name, rest = segs[1], segs[2:]
        if name not in _ROUTES or (name not in ("data", "oudata") and len(rest) > 1):
            raise _NotFoundError
        per_page, page = _paging(query)
        page_url = _PageUrl(origin, parts.path, parts.query, page)
        cur = self._con.cursor()
        try:
            if name in ("data", "oudata"):
                return self._data(cur, name, rest, query, per_page, page, page_url)
            ids = _id_list(rest[0]) if rest else None
            if name == "kpi":
                items, more = self._kpis(cur, ids, query, per_page, page)
            elif name == "municipality":
                items, more = self._municipalities(cur, ids, query, per_page, page)
            elif name == "municipality_groups":
                items, more = self._groups(
                    cur,
                    ("mg", "mgm", "municipality_id", "municipality"),
                    ids,
                    query,
                    per_page,
                    page,
                )
            elif name == "kpi_groups":
                items, more = self._groups(
                    cur, ("kg", "kgm", "kpi_id", "kpi"), ids, query, per_page, page
                )
            else:  # "ou": the snapshot holds no organisational units
                items, more = [], False
        finally:
            cur.close()
        return _Answer(200, page_url.envelope(items, more))

    # -------------------------------------------------------------- metadata

    def _kpis(
        self,
        cur: duckdb.DuckDBPyConnection,
        ids: list[str] | None,
        query: dict[str, str],
        per_page: int,
        page: int,
    ) -> tuple[list[dict[str, Any]], bool]:
        where, params = _filters(ids, query.get("title"))
        rows = cur.execute(
            f"SELECT {', '.join(KPI_FIELDS)} FROM kpi {where} ORDER BY id LIMIT ? OFFSET ?",
            [*params, per_page + 1, (page - 1) * per_page],
        ).fetchall()
        return [dict(zip(KPI_FIELDS, r, strict=True)) for r in rows[:per_page]], len(
            rows
        ) > per_page

    def _municipalities(
        self,
        cur: duckdb.DuckDBPyConnection,
        ids: list[str] | None,
        query: dict[str, str],
        per_page: int,
        page: int,
    ) -> tuple[list[dict[str, Any]], bool]:
        where, params = _filters(ids, query.get("title"))
        if query.get("region_type"):
            where += (" AND " if where else "WHERE ") + "type = ?"
            params.append(query["region_type"])
        rows = cur.execute(
            f"SELECT id, title, type FROM municipality {where} ORDER BY id LIMIT ? OFFSET ?",
            [*params, per_page + 1, (page - 1) * per_page],
        ).fetchall()
        items = [{"id": i, "title": t, "type": ty} for i, t, ty in rows[:per_page]]
        return items, len(rows) > per_page

    def _groups(
        self,
        cur: duckdb.DuckDBPyConnection,
        tables: tuple[str, str, str, str],
        ids: list[str] | None,
        query: dict[str, str],
        per_page: int,
        page: int,
    ) -> tuple[list[dict[str, Any]], bool]:
        table, members, member_col, titles = tables
        where, params = _filters(ids, query.get("title"))
        rows = cur.execute(
            f"""
            WITH g AS (SELECT id, title FROM {table} {where} ORDER BY id LIMIT ? OFFSET ?)
            SELECT g.id, any_value(g.title),
                   coalesce(list({{'member_id': m.{member_col},
                                   'member_title': coalesce(t.title, '')}}
                                 ORDER BY m.{member_col})
                            FILTER (WHERE m.{member_col} IS NOT NULL), [])
            FROM g
            LEFT JOIN {members} m ON m.group_id = g.id
            LEFT JOIN {titles} t ON t.id = m.{member_col}
            GROUP BY g.id ORDER BY g.id
            """,
            [*params, per_page + 1, (page - 1) * per_page],
        ).fetchall()
        items = [{"id": i, "title": t, "members": m} for i, t, m in rows[:per_page]]
        return items, len(rows) > per_page

    # ------------------------------------------------------------------ data

    def _data(
        self,
        cur: duckdb.DuckDBPyConnection,
        name: str,
        rest: list[str],
        query: dict[str, str],
        per_page: int,
        page: int,
        page_url: _PageUrl,
    ) -> _Answer:
        place = "municipality" if name == "data" else "ou"
        order = ["kpi", place, "year"]
        if len(rest) % 2:
            raise _NotFoundError
        dims: dict[str, str] = {}
        for key, value in zip(rest[::2], rest[1::2], strict=True):
            if key not in order or key in dims:
                raise _NotFoundError
            if dims and order.index(key) < order.index(list(dims)[-1]):
                raise _NotFoundError
            dims[key] = value
        if len(dims) < 2:
            raise _BadRequestError(
                f"at least two of kpi, {place} and year must be given, "
                f"e.g. /v3/{name}/kpi/{{kpi}}/{place}/{{{place}}}/year/{{year}}"
            )
        kpis = _id_list(dims["kpi"]) if "kpi" in dims else None
        places = _id_list(dims[place]) if place in dims else None
        years = _year_list(dims["year"]) if "year" in dims else None
        from_date = _from_date(query.get("from_date"))
        if name == "oudata":  # the snapshot holds no organisational-unit data
            return _Answer(200, page_url.envelope([], False))
        rows = self._answer(cur, kpis, places, years, from_date)
        rows = rows[(page - 1) * per_page : page * per_page + 1]
        items = [
            {
                "kpi": kpi,
                "municipality": muni,
                "period": int(year),
                "values": [
                    {
                        "gender": v["g"],
                        "value": v["v"],
                        "status": "",
                        "count": int(v["c"]),
                        "isdeleted": bool(v["d"]),
                    }
                    for v in values
                ],
            }
            for kpi, muni, year, values in rows[:per_page]
        ]
        return _Answer(200, page_url.envelope(items, len(rows) > per_page))

    def _answer(
        self,
        cur: duckdb.DuckDBPyConnection,
        kpis: list[str] | None,
        places: list[str] | None,
        years: list[int] | None,
        from_date: dt.date | None,
    ) -> list[tuple[Any, ...]]:
        """Every row of a data question, in answer order; the latest few are kept."""
        key = (*(tuple(x) if x else None for x in (kpis, places, years)), from_date)
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
            generation = self._generation
        rows = self._data_rows(cur, kpis, places, years, from_date)
        with self._lock:
            if generation != self._generation:
                return rows  # the data changed meanwhile: answer, but keep nothing stale
            self._answers[key] = rows
            while len(self._answers) > ANSWERS_KEPT:
                self._answers.popitem(last=False)
        return rows

    def _data_rows(
        self,
        cur: duckdb.DuckDBPyConnection,
        kpis: list[str] | None,
        places: list[str] | None,
        years: list[int] | None,
        from_date: dt.date | None,
    ) -> list[tuple[Any, ...]]:
        conds: list[str] = []
        params: list[Any] = []
        common: list[str] = []
        common_params: list[Any] = []
        if kpis:
            common.append(_in("v.kpi", len(kpis)))
            common_params += kpis
        if years:
            common.append(_in("v.year", len(years)))
            common_params += years
        conds = list(common)
        params = list(common_params)
        if places:
            conds.append(_in("v.municipality_id", len(places)))
            params += places
        direct = (
            "SELECT v.kpi, v.municipality_id AS m, v.year, v.gender, v.value, 1 AS cnt, "
            f"v.changed, v.isdeleted FROM vals v WHERE {' AND '.join(conds)}"
        )
        parts = [direct]
        if places:
            # A municipality-group id in the municipality position: the unweighted mean of the
            # members' values, `count` the number of members contributing.
            gconds = [_in("g.group_id", len(places)), *common]
            parts.append(
                "SELECT v.kpi, g.group_id AS m, v.year, v.gender, "
                "avg(v.value) FILTER (WHERE NOT v.isdeleted), "
                "count(v.value) FILTER (WHERE NOT v.isdeleted), "
                "max(v.changed), bool_and(v.isdeleted) "
                "FROM vals v JOIN mgm g ON g.municipality_id = v.municipality_id "
                f"WHERE {' AND '.join(gconds)} "
                "GROUP BY v.kpi, g.group_id, v.year, v.gender"
            )
            params += [*places, *common_params]
        if from_date is not None:
            keep = "changed >= ?"
            params.append(from_date)
        else:
            keep = "NOT isdeleted"
        sql = f"""
            WITH r AS ({" UNION ALL ".join(parts)})
            SELECT kpi, m, year,
                   list({{'g': gender, 'v': value, 'c': cnt, 'd': isdeleted}}
                        ORDER BY {_GENDER_ORDER})
            FROM r WHERE {keep}
            GROUP BY kpi, m, year
            ORDER BY kpi, m, year
        """
        return cur.execute(sql, params).fetchall()


# ---------------------------------------------------------------------- helpers


def _paging(query: dict[str, str]) -> tuple[int, int]:
    def number(key: str, default: int) -> int:
        raw = query.get(key, "")
        if raw == "":
            return default
        try:
            n = int(raw)
        except ValueError:
            raise _BadRequestError(f"{key} must be a positive integer, got {raw!r}") from None
        if n < 1:
            raise _BadRequestError(f"{key} must be a positive integer, got {raw!r}")
        return n

    return min(number("per_page", MAX_PER_PAGE), MAX_PER_PAGE), number("page", 1)


def _id_list(segment: str) -> list[str]:
    ids = [s.strip() for s in segment.split(",")]
    ids = [s for s in ids if s]
    if not ids:
        raise _BadRequestError("empty id list")
    if len(ids) > MAX_LIST:
        raise _BadRequestError(f"at most {MAX_LIST} values per list, got {len(ids)}")
    return ids


def _year_list(segment: str) -> list[int]:
    raw = _id_list(segment)
    try:
        return [int(y) for y in raw]
    except ValueError:
        raise _BadRequestError(f"years must be integers, got {segment!r}") from None


def _from_date(raw: str | None) -> dt.date | None:
    if raw is None or raw == "":
        return None
    if not _DATE_RE.match(raw):
        raise _BadRequestError(f"from_date must be YYYY-MM-DD, got {raw!r}")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise _BadRequestError(f"from_date must be YYYY-MM-DD, got {raw!r}") from None


def _filters(ids: list[str] | None, title: str | None) -> tuple[str, list[Any]]:
    conds: list[str] = []
    params: list[Any] = []
    if ids:
        conds.append(_in("id", len(ids)))
        params += ids
    if title:
        conds.append("contains(lower(title), lower(?))")
        params.append(title)
    return ("WHERE " + " AND ".join(conds) if conds else ""), params


class _PageUrl:
    """Builds next_url/previous_url for the requested path and query."""

    def __init__(self, origin: str, path: str, query: str, page: int) -> None:
        self.origin = origin
        self.path = path
        self.pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "page"]
        self.page = page

    def url(self, page: int) -> str:
        q = urlencode([*self.pairs, ("page", str(page))], safe=",")
        return f"{self.origin}{self.path}?{q}"

    def envelope(self, items: list[dict[str, Any]], more: bool) -> dict[str, Any]:
        return {
            "count": len(items),
            "values": items,
            "next_url": self.url(self.page + 1) if more else None,
            "previous_url": self.url(self.page - 1) if self.page > 1 else None,
        }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    standin: KoladaStandIn

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or hang up are part of the tests; stay quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "KoladaStandIn/1.0"
    timeout = 60
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.standin._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.standin._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        api = self.server.standin
        raw = self.path
        latency = api._record(raw)
        if latency:
            time.sleep(latency)
        gate = api._gate
        if gate is not None:
            try:
                gate.wait()
            except threading.BrokenBarrierError:
                self._send(503, _json({"error": _STATUS_TEXT[503]}), {})
                return
        fault = api._take_fault(raw)
        kind = fault.kind if fault else ""
        try:
            if kind == "drop":
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            if kind in ("429", "500", "503"):
                status = int(kind)
                headers = {}
                retry_after = fault.params.get("retry_after", 1 if kind == "429" else None)
                if retry_after is not None:
                    headers["Retry-After"] = str(int(retry_after))
                self._send(status, _json({"error": _STATUS_TEXT[status]}), headers)
                return
            if kind == "slow":
                time.sleep(float(fault.params["delay"]))
            if api._server is not self.server:  # stopped meanwhile
                self.close_connection = True
                return
            host = self.headers.get("Host") or f"{api.host}:{self.server.server_address[1]}"
            try:
                answer = api.answer(raw, f"http://{host}")
            except Exception:
                api._record_error()
                answer = _Answer(500, {"error": "Internal Server Error"})
            payload = answer.payload
            if answer.status == 200 and "next_url" in payload:
                if kind == "next_url_loop":
                    payload["next_url"] = f"http://{host}{raw}"
                elif kind == "relative_next":
                    for key in ("next_url", "previous_url"):
                        if payload[key]:
                            parts = urlsplit(payload[key])
                            payload[key] = f"{parts.path}?{parts.query}"
            body = _json(payload)
            if kind == "malformed":
                self._send(200, b"this is not json")
            elif kind == "truncated":
                half = body[: len(body) // 2]
                if fault.params.get("full_length"):
                    self._send(200, half, declared=len(body))
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                else:
                    self._send(200, half)
            else:
                self._send(answer.status, body, answer.headers)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def _send(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        declared: int | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body) if declared is None else declared))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


def _json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
