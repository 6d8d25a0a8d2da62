"""etl.kolada_client over real HTTP, one fault at a time, in milliseconds.

A tiny scripted server on 127.0.0.1 (a thread, the standard library only) answers each
path with the replies a test queues: a status with a JSON body, or a fault (a dropped
connection, a hang until the test ends, a body cut short). Waits between retries go to a
virtual clock (`sleep`/`clock` injected), so a Retry-After of minutes costs nothing and
the exact waits can be asserted. Only two kinds of test wait for real: the timeout tests,
a fraction of a second, and the strict rate limit (StrictKolada, which counts real time),
run ten times faster than life. No assertion depends on how fast the machine is. The
whole ETL against the Kolada stand-in, with faults, is in test_etl_live.py.
"""

from __future__ import annotations

import email.utils
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from etl import kolada_client
from etl.kolada_client import (
    USER_AGENT,
    ClientConfig,
    KoladaAnswerError,
    KoladaClient,
    KoladaError,
)

# ------------------------------------------------------------------ the tiny server


@dataclass(frozen=True)
class Reply:
    """One answer: `status` with `body` (JSON, or bytes as they are), or a fault:
    "drop" (close without answering), "hang" (answer nothing until the test ends),
    "cut" (declare the whole body, send half, close)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    fault: str = ""


def page(values: list[Any], next_url: str | None = None) -> Reply:
    return Reply(body={"count": len(values), "values": values, "next_url": next_url})


EMPTY = page([])


@dataclass(frozen=True)
class Seen:
    target: str  # path and query, as sent
    headers: dict[str, str]

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.target).query))


class TinyKolada:
    """Answers GET requests from per-path queues (`script`); a path with nothing queued
    gets an empty page. Keeps a log of what it saw and the most requests it had in
    flight at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, list[Reply]] = {}
        self.log: list[Seen] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.before_reply: Callable[[str], None] | None = None
        self.released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.tiny = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v3"

    def script(self, path: str, *replies: Reply) -> None:
        """Answer the next requests for `path` (e.g. "/v3/kpi") with `replies`, in order."""
        with self._lock:
            self._queues.setdefault(path, []).extend(replies)

    def requests_for(self, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.log if s.path == path]

    def _next(self, seen: Seen) -> Reply:
        with self._lock:
            self.log.append(seen)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            queue = self._queues.get(seen.path)
            return queue.pop(0) if queue else EMPTY

    def _done(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def __enter__(self) -> TinyKolada:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.released.set()  # let hanging handlers go
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so a session really holds a connection
    disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms ACK wait

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        tiny: TinyKolada = self.server.tiny  # type: ignore[attr-defined]
        reply = tiny._next(Seen(self.path, dict(self.headers.items())))
        try:
            if tiny.before_reply:
                tiny.before_reply(urlsplit(self.path).path)
            self._answer(tiny, reply)
        except OSError:  # the client gave up first (a timeout test)
            self.close_connection = True
        finally:
            tiny._done()

    def _answer(self, tiny: TinyKolada, reply: Reply) -> None:
        if reply.fault == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if reply.fault == "hang":
            tiny.released.wait(timeout=30)
            self.close_connection = True
            return
        body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if reply.fault == "cut":
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)


class VirtualTime:
    """clock/sleep for the client: sleeping moves the clock and is recorded, instantly."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


@pytest.fixture
def tiny() -> Iterator[TinyKolada]:
    with TinyKolada() as server:
        yield server


@pytest.fixture
def vt() -> VirtualTime:
    return VirtualTime()


def config_for(tiny: TinyKolada, **config: Any) -> ClientConfig:
    """Generous timeouts (a slow machine never causes a retry), 3 retries, backoff base
    0.1 s and max 1 s, 1000 requests/s (the rate limit stays out of the waits)."""
    base = ClientConfig(
        base_url=tiny.base_url,
        timeout=10.0,
        connect_timeout=10.0,
        max_retries=3,
        backoff_base=0.1,
        backoff_max=1.0,
        rate_per_second=1000,
    )
    return replace(base, **config)


def client_for(tiny: TinyKolada, vt: VirtualTime | None = None, **config: Any) -> KoladaClient:
    """A client of `tiny` without jitter, waiting on virtual time unless `vt` is None."""
    kw: dict[str, Any] = {"sleep": vt.sleep, "clock": vt.clock} if vt else {}
    return KoladaClient(config_for(tiny, **config), jitter=lambda: 0.0, **kw)


KPI = {"id": "N15428", "title": "Behöriga"}
ROW = {
    "kpi": "N15428",
    "municipality": "1962",
    "period": 2022,
    "values": [{"gender": "T", "value": 78.26, "status": "", "count": 1, "isdeleted": False}],
}


# ----------------------------------------------------------- retried, then right


def test_429_waits_as_long_as_retry_after_says(tiny: TinyKolada, vt: VirtualTime) -> None:
    tiny.script("/v3/kpi", Reply(429, {"error": "Too Many Requests"}, {"Retry-After": "7"}))
    tiny.script("/v3/kpi", page([KPI]))
    with client_for(tiny, vt) as client:
        assert client.fetch_all("kpi") == [KPI]
    assert vt.sleeps == [7.0]  # longer than the backoff (0.05 s), so Retry-After rules
    assert (client.stats.requests, client.stats.retries) == (2, 1)


def test_retry_after_as_a_date_and_capped(tiny: TinyKolada, vt: VirtualTime) -> None:
    in_a_minute = email.utils.formatdate(time.time() + 60, usegmt=True)
    tiny.script(
        "/v3/kpi",
        Reply(429, {}, {"Retry-After": in_a_minute}),
        Reply(429, {}, {"Retry-After": "86400"}),  # a day: we wait max_retry_after
        page([KPI]),
    )
    with client_for(tiny, vt, max_retry_after=300.0) as client:
        assert client.fetch_all("kpi") == [KPI]
    assert 50 < vt.sleeps[0] <= 60
    assert vt.sleeps[1] == 300.0


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retry_after_is_honoured_on_every_status(
    tiny: TinyKolada, vt: VirtualTime, status: int
) -> None:
    """A 503 asking for 5 s once got retries 0.3–3 s apart: any status carrying
    Retry-After is waited out."""
    tiny.script("/v3/kpi", Reply(status, {"error": "x"}, {"Retry-After": "5"}), page([KPI]))
    with client_for(tiny, vt) as client:
        assert client.fetch_all("kpi") == [KPI]
    assert vt.sleeps == [5.0]


def test_retry_after_pauses_every_request_not_just_the_refused_one(
    tiny: TinyKolada, vt: VirtualTime
) -> None:
    """The pause is the whole client's: even when the refused request gives up at once
    (the pause is beyond its budget), the next request, to another URL, waits it out."""
    tiny.script("/v3/kpi", Reply(429, {}, {"Retry-After": "60"}))
    with client_for(tiny, vt, retry_budget_seconds=10) as client:
        with pytest.raises(KoladaError, match="gav upp"):
            client.fetch_all("kpi")
        assert vt.sleeps == []  # gave up without sleeping in vain
        assert client.fetch_all("municipality") == []
    assert vt.sleeps == [60.0]


def test_a_429_halves_the_shared_rate_and_successes_win_it_back(
    tiny: TinyKolada, vt: VirtualTime
) -> None:
    tiny.script("/v3/kpi", Reply(429, {}), page([KPI]))
    with client_for(tiny, vt, rate_per_second=5) as client:
        client.fetch_all("kpi")
        for _ in range(25):
            client.fetch_all("municipality")
    # 0.05 s backoff, then the rest of the 0.2 s slot; then 0.4 s apart (2.5/s, halved),
    # narrowing with every success back to 0.2 s (5/s).
    assert vt.sleeps[:3] == pytest.approx([0.05, 0.15, 0.4])
    assert vt.sleeps[3] < 0.4
    assert vt.sleeps[-5:] == pytest.approx([0.2] * 5)


def test_the_rate_never_falls_below_its_floor(tiny: TinyKolada, vt: VirtualTime) -> None:
    tiny.script("/v3/kpi", *[Reply(429, {})] * 6, page([KPI]))
    config = {"rate_per_second": 4, "min_rate_per_second": 1, "backoff_max": 0.01}
    with client_for(tiny, vt, **config) as client:
        assert client.fetch_all("kpi") == [KPI]
    # Attempts 1/4, 1/2, then 1 s apart (the floor), not 2, 4, 8 s: the seventh starts at
    # 0.25 + 0.5 + 4 × 1 s. (The backoff, at most 0.01 s, hides inside each slot.)
    assert vt.now == pytest.approx(4.75)


class StrictKolada(TinyKolada):
    """A Kolada that lets through one request per `window` seconds, from anyone, and
    refuses any other with 429 and a Retry-After of 1, 2 or 3 s in turn."""

    def __init__(self, window: float) -> None:
        super().__init__()
        self.window = window
        self.refused = 0
        self._last = -window
        self._retry_after = itertools.cycle(["1", "2", "3"])

    def _next(self, seen: Seen) -> Reply:
        reply = super()._next(seen)
        with self._lock:
            now = time.monotonic()
            if now - self._last < self.window:
                self.refused += 1
                headers = {"Retry-After": next(self._retry_after)}
                return Reply(429, {"error": "Too Many Requests"}, headers)
            self._last = now
            return reply


def test_a_strict_rate_limit_slows_the_run_down_but_it_finishes() -> None:
    """The failure seen against a Kolada stand-in, ten times faster: Kolada allows 1
    request/s and asks for 1–3 s of patience; the client starts at 5/s with 3 workers.
    A client second is 0.1 s here (sleep and clock scaled), so the run takes 1–3 s.

    No retries for errors (max_retries=0): a refusal is not an error, so every URL must
    get through however often it is refused. (With max_retries=3 the old client failed
    about half the time, as timing fell.) The client sends 5 times faster than allowed,
    so refusals are certain; a slower machine only spaces its requests more."""
    scale = 0.1
    kpis = [f"N{i:05d}" for i in range(250)]  # 10 batches of 25
    with StrictKolada(window=1 * scale) as server:
        config = config_for(
            server,
            rate_per_second=5,
            concurrency=3,
            max_retries=0,
            backoff_base=0.5,
            backoff_max=30.0,
            retry_budget_seconds=600,
        )
        client = KoladaClient(
            config,
            sleep=lambda seconds: time.sleep(seconds * scale),
            clock=lambda: time.monotonic() / scale,
        )
        with client:
            assert client.fetch_values(kpis, ["1962"]) == []
        data = [s for s in server.log if s.path.startswith("/v3/data/")]
        assert len({s.path for s in data}) == 10
        assert server.refused >= 1
        assert client.stats.throttled == server.refused
        assert client.stats.requests == len(data) == 10 + server.refused


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_error_then_success(tiny: TinyKolada, vt: VirtualTime, status: int) -> None:
    tiny.script("/v3/kpi", Reply(status, {"error": "x"}), Reply(status, b"<html>"), page([KPI]))
    with client_for(tiny, vt) as client:
        assert client.fetch_all("kpi") == [KPI]
    assert (client.stats.requests, client.stats.retries) == (3, 2)
    assert len(tiny.requests_for("/v3/kpi")) == 3


def test_dropped_connection_is_retried(tiny: TinyKolada, vt: VirtualTime) -> None:
    tiny.script("/v3/kpi", Reply(fault="drop"), page([KPI]))
    with client_for(tiny, vt) as client:
        assert client.fetch_all("kpi") == [KPI]
    assert client.stats.retries == 1


def test_timeout_is_retried(tiny: TinyKolada) -> None:
    """The one real wait: a 0.2 s read timeout. A machine too slow to answer the second
    request in 0.2 s only adds retries, so the count is a lower bound."""
    tiny.script("/v3/kpi", Reply(fault="hang"))
    tiny.script("/v3/kpi", *[page([KPI])] * 5)
    with client_for(tiny, None, timeout=0.2, max_retries=5, backoff_base=0.001) as client:
        assert client.fetch_all("kpi") == [KPI]
    assert client.stats.retries >= 1


@pytest.mark.parametrize(
    "broken",
    [
        Reply(body=b"this is not json"),
        Reply(body=b'{"count": 1, "values": [{"id": "N1'),  # cut short, length matching
        Reply(body={"count": 1, "values": [KPI], "next_url": None}, fault="cut"),
    ],
    ids=["malformed", "truncated", "connection-cut-mid-body"],
)
def test_broken_json_is_retried(tiny: TinyKolada, vt: VirtualTime, broken: Reply) -> None:
    tiny.script("/v3/kpi", broken, page([KPI]))
    with client_for(tiny, vt) as client:
        assert client.fetch_all("kpi") == [KPI]
    assert client.stats.retries == 1


def test_backoff_is_exponential_with_jitter_and_capped(tiny: TinyKolada, vt: VirtualTime) -> None:
    tiny.script("/v3/kpi", *[Reply(503, {})] * 4, page([KPI]))
    jitters = iter([0.0, 1.0, 0.5, 0.0])
    config = config_for(tiny, max_retries=4, backoff_base=0.1, backoff_max=0.3)
    client = KoladaClient(config, sleep=vt.sleep, clock=vt.clock, jitter=lambda: next(jitters))
    with client:
        assert client.fetch_all("kpi") == [KPI]
    # Wait k lies in [cap/2, cap], cap = min(0.3, 0.1 × 2^k): "equal jitter".
    assert vt.sleeps == pytest.approx([0.05, 0.2, 0.225, 0.15])


# ------------------------------------------------------------------- not retried


@pytest.mark.parametrize("status", [400, 404, 410, 422])
def test_other_4xx_is_not_retried(tiny: TinyKolada, vt: VirtualTime, status: int) -> None:
    tiny.script("/v3/kpi/N00000", Reply(status, {"error": "Not Found"}), page([KPI]))
    with client_for(tiny, vt) as client, pytest.raises(KoladaAnswerError) as info:
        client.fetch_all("kpi/N00000")
    assert f"Kolada svarade {status}" in str(info.value)
    assert info.value.title == "Kolada gav ett oväntat svar"  # Kolada did answer
    assert "/v3/kpi/N00000" in str(info.value)
    assert (client.stats.requests, client.stats.retries) == (1, 0)
    assert len(tiny.requests_for("/v3/kpi/N00000")) == 1
    assert vt.sleeps == []


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (Reply(500, {}), "serverfel 500"),
        (Reply(502, {}, {"Retry-After": "1"}), "serverfel 502"),
        (Reply(fault="drop"), "anslutningen bröts"),
        (Reply(body=b"nonsense"), "inte giltig JSON"),
    ],
    ids=["500", "502-with-retry-after", "drop", "malformed"],
)
def test_gives_up_after_max_retries(
    tiny: TinyKolada, vt: VirtualTime, fault: Reply, words: str
) -> None:
    tiny.script("/v3/kpi", *[fault] * 3, page([KPI]))  # a fourth attempt would succeed
    with client_for(tiny, vt, max_retries=2) as client, pytest.raises(KoladaError) as info:
        client.fetch_all("kpi")
    message = str(info.value)
    assert words in message and "efter 3 försök" in message
    assert f"{tiny.base_url}/kpi" in message  # names the URL
    assert info.value.title == "Kolada svarar inte"
    assert len(tiny.requests_for("/v3/kpi")) == 3
    assert (client.stats.requests, client.stats.retries) == (3, 2)
    assert len(vt.sleeps) == 2  # no wait after the last attempt


@pytest.mark.parametrize("status", [429, 503])
def test_throttling_does_not_use_up_max_retries(
    tiny: TinyKolada, vt: VirtualTime, status: int
) -> None:
    tiny.script("/v3/kpi", *[Reply(status, {}, {"Retry-After": "2"})] * 10, page([KPI]))
    with client_for(tiny, vt, max_retries=2) as client:
        assert client.fetch_all("kpi") == [KPI]
    assert (client.stats.requests, client.stats.retries) == (11, 10)


@pytest.mark.parametrize(
    ("status", "words"), [(429, "för många anrop (429)"), (503, "serverfel 503")]
)
def test_throttling_gives_up_after_the_time_budget(
    tiny: TinyKolada, vt: VirtualTime, status: int, words: str
) -> None:
    tiny.script("/v3/kpi", *[Reply(status, {}, {"Retry-After": "60"})] * 20)
    config = {"max_retries": 2, "retry_budget_seconds": 300}
    with client_for(tiny, vt, **config) as client, pytest.raises(KoladaError) as info:
        client.fetch_all("kpi")
    # Asked at 0, 60, …, 300 s; a sixth wait would pass the budget, so it stops there.
    message = str(info.value)
    assert "gav upp efter 5 min och 6 försök" in message and words in message
    assert f"{tiny.base_url}/kpi" in message
    assert info.value.title == "Kolada svarar inte"
    assert len(tiny.requests_for("/v3/kpi")) == 6
    assert vt.sleeps == [60.0] * 5


def test_gives_up_after_timeouts(tiny: TinyKolada) -> None:
    tiny.script("/v3/kpi", Reply(fault="hang"), Reply(fault="hang"))
    client = client_for(tiny, None, timeout=0.1, max_retries=1, backoff_base=0.001)
    with client, pytest.raises(KoladaError, match=r"inget svar inom 0\.1 s"):
        client.fetch_all("kpi")
    assert client.stats.requests == 2


# ----------------------------------------------------------------------- paging


def test_pages_follow_absolute_and_relative_next_url(tiny: TinyKolada, vt: VirtualTime) -> None:
    tiny.script("/v3/kpi", page([KPI], f"{tiny.base_url}/kpi?page=2&per_page=5000"))
    tiny.script("/v3/kpi", page([{"id": "N2"}], "/v3/kpi?per_page=5000&page=3"))
    tiny.script("/v3/kpi", page([{"id": "N3"}]))
    with client_for(tiny, vt, per_page=5000) as client:
        assert [k["id"] for k in client.fetch_all("kpi")] == ["N15428", "N2", "N3"]
    seen = tiny.requests_for("/v3/kpi")
    assert [s.query for s in seen] == [
        {"per_page": "5000"},
        {"page": "2", "per_page": "5000"},
        {"per_page": "5000", "page": "3"},
    ]
    for s in seen:
        assert s.headers["User-Agent"] == USER_AGENT
        assert s.headers["Accept"] == "application/json"


def test_next_url_loop_is_stopped(tiny: TinyKolada, vt: VirtualTime) -> None:
    # Page 2 points back to page 1, with its query parameters in another order.
    first = f"{tiny.base_url}/data/kpi/N15428/year/2022?per_page=10&from_date=2024-01-01"
    tiny.script(
        "/v3/data/kpi/N15428/year/2022",
        page([ROW], first.replace("per_page=10", "page=2&per_page=10")),
        page([ROW], f"{tiny.base_url}/data/kpi/N15428/year/2022?from_date=2024-01-01&per_page=10"),
    )
    with client_for(tiny, vt, per_page=10) as client, pytest.raises(KoladaAnswerError) as info:
        client.fetch_all("data/kpi/N15428/year/2022", {"from_date": "2024-01-01"})
    assert "loop" in str(info.value)
    assert info.value.title == "Kolada gav ett oväntat svar"
    assert len(tiny.requests_for("/v3/data/kpi/N15428/year/2022")) == 2


def test_endless_paging_is_stopped(
    tiny: TinyKolada, vt: VirtualTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kolada_client, "MAX_PAGES", 3)
    tiny.script("/v3/kpi", *[page([KPI], f"/v3/kpi?page={n}") for n in range(2, 10)])
    with client_for(tiny, vt) as client, pytest.raises(KoladaAnswerError) as info:
        client.fetch_all("kpi")
    assert "fler än 3 sidor" in str(info.value)
    assert info.value.title == "Kolada gav ett oväntat svar"
    assert len(tiny.requests_for("/v3/kpi")) == 3


def test_batches_name_at_most_25_ids(tiny: TinyKolada, vt: VirtualTime) -> None:
    kpis = [f"N{i:05d}" for i in range(30)]
    munis = [f"{i:04d}" for i in range(1, 52)]
    with client_for(tiny, vt) as client:
        assert client.fetch_values(kpis, munis, from_date="2026-01-01") == []
    seen = [s for s in tiny.log if s.path.startswith("/v3/data/")]
    assert len(seen) == 2 * 3  # ceil(30/25) × ceil(51/25)
    asked: set[tuple[str, str]] = set()
    for s in seen:
        _, _, _, _, k, _, m = s.path.split("/")
        assert len(k.split(",")) <= 25 and len(m.split(",")) <= 25
        assert s.query == {"per_page": "5000", "from_date": "2026-01-01"}
        asked |= {(a, b) for a in k.split(",") for b in m.split(",")}
    assert asked == {(a, b) for a in kpis for b in munis}


def test_rate_limit_spaces_request_starts(tiny: TinyKolada, vt: VirtualTime) -> None:
    with client_for(tiny, vt, rate_per_second=5) as client:
        for _ in range(3):
            client.fetch_all("municipality")
    assert vt.sleeps == pytest.approx([0.2, 0.2])


# ------------------------------------------------------- one session per thread


class RecordingSession(requests.Session):
    """A Session that remembers the thread that made it and every thread that used it."""

    def __init__(self) -> None:
        super().__init__()
        self.owner = threading.get_ident()
        self.users: set[int] = set()
        self.closed = False

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.users.add(threading.get_ident())
        return super().request(*args, **kwargs)

    def close(self) -> None:
        self.closed = True
        super().close()


class Sessions(list[RecordingSession]):
    """A session factory for KoladaClient that keeps what it made."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def __call__(self) -> RecordingSession:
        session = RecordingSession()
        with self._lock:
            self.append(session)
        return session


def test_each_worker_thread_has_its_own_session(tiny: TinyKolada) -> None:
    made = Sessions()
    # Data requests wait until three are in flight at once: the three workers each hold
    # a request, so they must be using three sessions.
    gate = threading.Barrier(3, timeout=10)
    tiny.before_reply = lambda path: gate.wait() if path.startswith("/v3/data/") else None
    kpis = [f"N{i:05d}" for i in range(75)]  # 3 batches per call
    client = KoladaClient(config_for(tiny, concurrency=3), session_factory=made)
    assert client.fetch_all("municipality") == []  # the calling thread's session
    assert client.fetch_values(kpis, ["1962"]) == []
    assert client.fetch_values(kpis, ["0665"]) == []  # the same workers again
    assert tiny.most_in_flight == 3

    assert len(made) == 1 + 3
    assert len({s.owner for s in made}) == 4
    for session in made:
        assert session.users == {session.owner}  # never shared between threads
        assert session.headers["User-Agent"] == USER_AGENT
    assert not any(s.closed for s in made)
    client.close()
    assert all(s.closed for s in made)


def test_close_then_use_again_opens_new_sessions(tiny: TinyKolada) -> None:
    made = Sessions()
    client = KoladaClient(config_for(tiny), session_factory=made)
    client.fetch_all("kpi")
    client.close()
    client.fetch_all("kpi")
    client.close()
    assert len(made) == 2 and all(s.closed for s in made)


def test_a_failed_batch_fails_the_whole_fetch(tiny: TinyKolada, vt: VirtualTime) -> None:
    kpis = [f"N{i:05d}" for i in range(75)]
    tiny.script("/v3/data/kpi/" + ",".join(kpis[25:50]) + "/municipality/1962", Reply(404, {}))
    with client_for(tiny, vt) as client, pytest.raises(KoladaError, match="svarade 404"):
        client.fetch_values(kpis, ["1962"])
