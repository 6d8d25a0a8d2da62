"""The Kolada v3 HTTP client: the only module in Målpuls that talks HTTP.

It returns raw JSON pages; core.kolada shapes them. Politeness and robustness live here,
written once:
- a timeout on every call (requests has none by default);
- retries with exponential backoff and jitter on 429, 5xx, connection errors, timeouts and
  unreadable JSON; never on other 4xx (`get_json`);
- a Retry-After on any answer is waited out by the whole client, not only by the request
  that got it: every thread holds its next request until then;
- "slow down" answers (429, 503) slow the whole client: the shared rate, at most
  `rate_per_second` requests per second across all threads, halves (down to
  `min_rate_per_second`) and creeps back with each success, as TCP does. Such answers are
  retried for up to `retry_budget_seconds` per URL, however many attempts that takes; other
  failures get `max_retries` more attempts. A server that is merely strict makes the run
  slow, not failed;
- `concurrency` worker threads, so at most that many requests in flight;
- one `requests.Session` per thread (a Session is not thread-safe), all closed by `close()`;
- `next_url` paging, absolute or relative, guarded against loops;
- a descriptive User-Agent.

Used by etl.live (the nightly run) and bench/bench_etl.py; tests/test_kolada_client.py
covers every fault over real HTTP.
"""

from __future__ import annotations

import contextlib
import email.utils
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests

from core.errors import MalpulsError
from core.kolada import (
    ValueRecord,
    parse_envelope,
    parse_groups,
    parse_kpis,
    parse_municipalities,
    parse_value_rows,
    plan_municipality_year_batches,
    plan_value_batches,
    plan_year_batches,
)

DEFAULT_BASE_URL = "https://api.kolada.se/v3"
USER_AGENT = "Malpuls-ETL/0.1 (malpuls goal follow-up dashboard; nightly sync)"
MAX_PAGES = 10_000  # far above any real answer; stops a server that pages forever


def _normalised(url: str) -> str:
    """The URL with its query parameters sorted, so a loop is caught however the server
    orders them."""
    parts = urlsplit(url)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


class KoladaError(MalpulsError):
    """Kolada could not be reached or kept failing; the message names the URL."""

    title = "Kolada svarar inte"


class KoladaAnswerError(KoladaError):
    """Kolada answered, but with something no retry will mend: a 4xx other than 429, a
    next_url that loops, endless pages. A KoladaError still, so the CLI's exit code is
    the same; only the title differs, since Kolada did answer."""

    title = "Kolada gav ett oväntat svar"


class _StoppedError(Exception):
    """The consumer of stream_values stopped: a worker drops what it was handing over."""


class _TransientError(Exception):
    """One attempt failed in a way that asking again may cure. `throttled`: the server
    said it is overloaded (429, 503), so the whole client should slow down."""

    def __init__(
        self, reason: str, retry_after: float | None = None, *, throttled: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason, self.retry_after, self.throttled = reason, retry_after, throttled


@dataclass(frozen=True)
class ClientConfig:
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 30.0
    connect_timeout: float = 10.0
    max_retries: int = 5  # more attempts after an error; 429 and 503 do not count
    retry_budget_seconds: float = 1800.0  # how long one URL may be throttled (429, 503)
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_retry_after: float = 300.0  # a server asking for a longer pause gets this much
    rate_per_second: float = 5.0  # the most; 429 and 503 lower it for a while
    min_rate_per_second: float = 0.2  # however often Kolada says 429, no slower than this
    concurrency: int = 3
    per_page: int = 5000


@dataclass
class ClientStats:
    requests: int = 0
    retries: int = 0
    throttled: int = 0  # answers that said "slow down" (429, 503)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, *, requests: int = 0, retries: int = 0, throttled: int = 0) -> None:
        with self._lock:
            self.requests += requests
            self.retries += retries
            self.throttled += throttled


RECOVERY_STEPS = 20  # successes that win back the whole top rate


class _Throttle:
    """The pace all threads share: request starts at least 1/rate seconds apart, none
    before a pause ends. A "slow down" answer halves the rate, down to a floor, but only
    if the refused request was sent at the current rate: refusals of requests sent before
    the last halving are old news (three workers refused together halve it once). Each
    success adds back 1/RECOVERY_STEPS of the top rate (additive increase, multiplicative
    decrease, as TCP does)."""

    def __init__(
        self,
        rate: float,
        floor: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self._top = rate
        self._floor = min(floor, rate)
        self._rate = rate
        self._generation = 0  # counts halvings
        self._next = 0.0
        self._paused_until = float("-inf")
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def wait(self) -> int:
        """Take the next slot, sleeping until it comes; returns the rate's generation, for
        `slow_down`."""
        while True:
            with self._lock:
                now = self._clock()
                start = max(now, self._next, self._paused_until)
                self._next = start + (1.0 / self._rate if self._rate > 0 else 0.0)
                generation = self._generation
            if start > now:
                self._sleep(start - now)
            with self._lock:
                if self._paused_until <= start:
                    return generation
            # A pause began while this thread slept for its slot: wait that out too.

    def pause(self, seconds: float) -> None:
        """No request starts, from any thread, for `seconds` from now."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def slow_down(self, generation: int) -> None:
        """The server refused a request sent in `generation`: halve the rate, unless that
        was done already for an earlier refusal of the same generation."""
        with self._lock:
            if generation == self._generation and self._top > 0:
                self._rate = max(self._floor, self._rate / 2)
                self._generation += 1

    def speed_up(self) -> None:
        with self._lock:
            self._rate = min(self._top, self._rate + self._top / RECOVERY_STEPS)


def _duration(seconds: float) -> str:
    """12 min, 45 s, 0.3 s: how long a client tried, for a message."""
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{round(seconds, 1):g} s"


class KoladaClient:
    """Fetches from Kolada v3 with the politeness and retry policy of this module.

    Call `close()` when done (or use `with`): it stops the worker threads and closes every
    thread's session. `session_factory`, `sleep`, `clock` and `jitter` are for tests.
    """

    def __init__(
        self,
        config: ClientConfig | None = None,
        *,
        session_factory: Callable[[], requests.Session] = requests.Session,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.config = config or ClientConfig()
        self.stats = ClientStats()
        self._new_session = session_factory
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._sleep, self._clock, self._jitter = sleep, clock, jitter
        self._throttle = _Throttle(
            self.config.rate_per_second, self.config.min_rate_per_second, clock, sleep
        )
        self._base = self.config.base_url.rstrip("/") + "/"

    def __enter__(self) -> KoladaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker threads and close every session. The client may be used again;
        it then opens new ones."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            sessions, self._sessions = self._sessions, []
            self._local = threading.local()
        for session in sessions:
            session.close()

    # ------------------------------------------------------------------ transport

    def _session(self) -> requests.Session:
        """This thread's session, opened on first use (the pattern of dlt's
        sources/helpers/requests): requests.Session is not thread-safe."""
        local = self._local
        session: requests.Session | None = getattr(local, "session", None)
        if session is None:
            session = self._new_session()
            session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
            with self._lock:
                self._sessions.append(session)
            local.session = session
        return session

    def _backoff(self, attempt: int) -> float:
        cap = min(self.config.backoff_max, self.config.backoff_base * 2**attempt)
        return cap / 2 + self._jitter() * cap / 2  # "equal jitter": never zero, never over cap

    @staticmethod
    def _retry_after(resp: requests.Response) -> float | None:
        value = resp.headers.get("Retry-After")
        if not value:
            return None
        if value.strip().isdigit():
            return float(value.strip())
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        """GET one URL and decode its JSON, retrying what may get better.

        The retry policy, in one place. Worth asking again: a 429, a 5xx, a dropped
        connection, a timeout, a 200 whose body is not JSON (broken, or cut short). Any
        other status is final: KoladaAnswerError at once. Between attempts this URL waits
        an exponential backoff with jitter, or the server's Retry-After if longer (capped
        at `max_retry_after`); a Retry-After also pauses every other thread until then. A
        429 or 503 halves the shared rate and is retried until `retry_budget_seconds`
        have passed since the first attempt (it gives up early rather than wait past
        them); any other failure gets `max_retries` more attempts. Every attempt takes a
        slot from the shared throttle and is counted in `stats`, so the run record shows
        what Kolada really saw.

        Written by hand rather than with a library, because none holds the whole policy:
        urllib3's `Retry` acts inside one session's transport, so it never sees the body
        (a broken or truncated JSON page, a real Kolada failure, would need a second retry
        loop out here) nor the other threads (its Retry-After sleep pauses one request,
        and it has no shared rate to lower); tenacity would replace only the loop below,
        while the choice of what is transient, the shared throttle, the time budget and
        the counts stay ours, at the price of one more pinned dependency.
        """
        started = self._clock()
        attempts = errors = 0
        while True:
            if attempts:
                self.stats.add(retries=1)
            generation = self._throttle.wait()
            attempts += 1
            self.stats.add(requests=1)
            try:
                payload = self._attempt(url, params)
            except _TransientError as failure:
                wait = self._backoff(attempts - 1)
                if failure.retry_after is not None:
                    asked = min(failure.retry_after, self.config.max_retry_after)
                    self._throttle.pause(asked)
                    wait = max(wait, asked)
                if failure.throttled:
                    self.stats.add(throttled=1)
                    self._throttle.slow_down(generation)
                    spent = self._clock() - started
                    if spent + wait > self.config.retry_budget_seconds:
                        raise KoladaError(
                            f"Kolada bad oss vänta gång på gång med {url}: gav upp efter "
                            f"{_duration(spent)} och {attempts} försök: {failure.reason}"
                        ) from failure
                else:
                    errors += 1
                    if errors > self.config.max_retries:
                        raise KoladaError(
                            f"Kolada svarade inte på {url} efter {attempts} försök: "
                            f"{failure.reason}"
                        ) from failure
                self._sleep(wait)
                continue
            self._throttle.speed_up()
            return payload

    def _attempt(self, url: str, params: dict[str, Any] | None) -> Any:
        """One GET: the decoded JSON, or _TransientError saying why it is worth asking again."""
        try:
            resp = self._session().get(
                url, params=params, timeout=(self.config.connect_timeout, self.config.timeout)
            )
        except requests.Timeout as exc:
            raise _TransientError(f"inget svar inom {self.config.timeout:g} s") from exc
        except requests.RequestException as exc:
            raise _TransientError(f"anslutningen bröts ({type(exc).__name__})") from exc
        if resp.status_code == 200:
            try:
                return resp.json()
            except ValueError as exc:
                reason = "svaret var inte giltig JSON (trasigt eller avkortat)"
                raise _TransientError(reason) from exc
        retry_after = self._retry_after(resp)
        if resp.status_code == 429:
            raise _TransientError("för många anrop (429)", retry_after, throttled=True)
        if resp.status_code >= 500:
            throttled = resp.status_code == 503  # Service Unavailable: overloaded
            raise _TransientError(f"serverfel {resp.status_code}", retry_after, throttled=throttled)
        # Other 4xx will not get better by asking again.
        raise KoladaAnswerError(
            f"Kolada svarade {resp.status_code} för {resp.url}: {resp.text[:300]}"
        )

    def fetch_pages(self, path: str, params: dict[str, Any] | None = None) -> Iterator[list[Any]]:
        """Yield each page's items, following next_url until it is null or empty."""
        url = urljoin(self._base, path.lstrip("/"))
        query: dict[str, Any] | None = {"per_page": self.config.per_page, **(params or {})}
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            payload = self.get_json(url, query)
            shown = (
                url if query is None else requests.Request("GET", url, params=query).prepare().url
            )
            items, next_url = parse_envelope(payload, str(shown))
            yield items
            if not next_url:
                return
            seen.add(_normalised(str(shown)))
            url = urljoin(self._base, next_url)
            query = None  # next_url carries its own query string
            if _normalised(url) in seen:
                raise KoladaAnswerError(
                    f"Kolada pekar tillbaka på en redan hämtad sida (loop): {url}"
                )
        raise KoladaAnswerError(f"Kolada gav fler än {MAX_PAGES} sidor för {path}; avbryter")

    def fetch_all(self, path: str, params: dict[str, Any] | None = None) -> list[Any]:
        return [item for page in self.fetch_pages(path, params) for item in page]

    # ------------------------------------------------------------------ endpoints

    def fetch_kpis(self) -> list[dict[str, Any]]:
        return parse_kpis(self.fetch_all("kpi"), f"{self._base}kpi")

    def fetch_municipalities(self) -> list[dict[str, str]]:
        return parse_municipalities(self.fetch_all("municipality"), f"{self._base}municipality")

    def fetch_municipality_groups(self) -> list[tuple[str, str, list[str]]]:
        return parse_groups(
            self.fetch_all("municipality_groups"), f"{self._base}municipality_groups"
        )

    def fetch_kpi_groups(self) -> list[tuple[str, str, list[str]]]:
        return parse_groups(self.fetch_all("kpi_groups"), f"{self._base}kpi_groups")

    @staticmethod
    def value_questions(
        *,
        kpis: Sequence[str] = (),
        municipalities: Sequence[str] = (),
        years: Sequence[int] = (),
    ) -> list[str]:
        """The data paths that ask for `kpis` × `municipalities` × `years`, given two of
        the three (the third left out means "all"), in batches of at most 25 ids a list:
        data/kpi/{k}/municipality/{m}, data/kpi/{k}/year/{y} or
        data/municipality/{m}/year/{y}."""
        if kpis and municipalities and not years:
            return [
                f"data/kpi/{','.join(kb)}/municipality/{','.join(mb)}"
                for kb, mb in plan_value_batches(kpis, municipalities)
            ]
        if kpis and years and not municipalities:
            return [
                f"data/kpi/{','.join(kb)}/year/{','.join(yb)}"
                for kb, yb in plan_year_batches(kpis, years)
            ]
        if municipalities and years and not kpis:
            return [
                f"data/municipality/{','.join(mb)}/year/{','.join(yb)}"
                for mb, yb in plan_municipality_year_batches(municipalities, years)
            ]
        raise ValueError("a data question names exactly two of kpis, municipalities, years")

    def stream_values(
        self,
        questions: Sequence[str],
        *,
        from_date: str | None = None,
        on_batch: Callable[[int, int], None] | None = None,
    ) -> Iterator[list[ValueRecord]]:
        """Each page of values the data `questions` (value_questions) answer, as it comes,
        `concurrency` questions at a time; `on_batch(done, total)` after each question.

        Streamed, so that all of Kolada (9.5 M values, ~2 GB as Python objects) never sits
        in memory: at most a few pages wait in a bounded queue, and a consumer slower than
        Kolada holds the workers back. Any question failing fails the whole fetch (a
        partial scope must never be published as if complete): the error is raised here,
        and nothing of the fetch stays in flight once the iterator is done or closed."""
        params = {"from_date": from_date} if from_date else None
        pages: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=2 * self.config.concurrency)
        stop = threading.Event()

        def put(item: tuple[str, Any]) -> None:
            while not stop.is_set():
                try:
                    pages.put(item, timeout=0.05)
                    return
                except queue.Full:
                    continue
            raise _StoppedError

        def ask(path: str) -> None:
            url = f"{self._base}{path}"
            try:
                for page in self.fetch_pages(path, params):
                    put(("page", list(parse_value_rows(page, url))))
                put(("done", None))
            except _StoppedError:
                return
            except BaseException as exc:  # handed to the consumer, which raises it
                with contextlib.suppress(_StoppedError):
                    put(("failed", exc))

        pool = self._workers()
        futures = [pool.submit(ask, q) for q in questions]
        done = 0
        try:
            while done < len(futures):
                kind, item = pages.get()
                if kind == "page":
                    yield item
                elif kind == "done":
                    done += 1
                    if on_batch:
                        on_batch(done, len(futures))
                else:
                    raise item
        finally:
            stop.set()
            for f in futures:
                f.cancel()
            wait_for(futures)

    def fetch_values_all_municipalities(
        self,
        kpis: Sequence[str],
        years: Sequence[int],
        *,
        from_date: str | None = None,
        on_batch: Callable[[int, int], None] | None = None,
    ) -> list[ValueRecord]:
        """Values for every municipality and region, asked per (KPI batch, year batch)."""
        questions = self.value_questions(kpis=kpis, years=years)
        return [
            r
            for page in self.stream_values(questions, from_date=from_date, on_batch=on_batch)
            for r in page
        ]

    def _workers(self) -> ThreadPoolExecutor:
        """The client's `concurrency` worker threads, kept for its lifetime so that each
        keeps its session (and its open connection) from one batch list to the next."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=max(1, self.config.concurrency), thread_name_prefix="kolada"
                )
            return self._pool

    def fetch_values(
        self,
        kpis: Sequence[str],
        municipalities: Sequence[str],
        *,
        from_date: str | None = None,
        on_batch: Callable[[int, int], None] | None = None,
    ) -> list[ValueRecord]:
        """All values for the scope, in ceil(K/25) × ceil(M/25) batches (plus extra pages),
        a few at a time. Any batch failing fails the whole fetch: a partial scope must never
        be published as if complete."""
        questions = self.value_questions(kpis=kpis, municipalities=municipalities)
        return [
            r
            for page in self.stream_values(questions, from_date=from_date, on_batch=on_batch)
            for r in page
        ]
