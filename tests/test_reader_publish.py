"""Readers never fail, and never read a torn or stale file, while the ETL publishes (issue 14).

The ETL replaces the database with os.replace (etl.publish.staged_file) while the app reads
it through ui.data.query. Readers run in several threads of this process and in several
threads of another process (this module run as a script), each read a cache miss (a fresh
argument), while the test publishes a new file many times. Every published file carries a
marker in `meta` and a `probe` table with exactly `marker` rows, so a read that returns both
shows which file it read and that it read one whole file.

The run is bounded by counts, never by time: the test publishes the next file only when
every reader has seen the last one, and fails a reader that keeps reading an old file for
STALL_READS reads. The only timeout (HANG_SECONDS without a single read anywhere) guards
against a deadlock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from config import PROJECT_ROOT, Paths
from db.connection import create_database
from etl.publish import staged_file

PUBLISHES = 30
THREADS = 3  # readers in this process
PROCESS_THREADS = 2  # readers in the other process
STALL_READS = 200  # reads of an old file after a publish before a reader counts as stuck
HANG_SECONDS = 120  # no read at all for this long: a deadlock, not a slow machine


def query_probe(con: duckdb.DuckDBPyConnection, read_id: str) -> tuple[int, int]:
    """(marker, rows) of the file `con` reads, in two statements: a reader whose connection
    changed file (or closed) between them would show it. `read_id` only makes every read a
    cache miss, so each one reaches the database."""
    del read_id
    marker = con.execute("SELECT value FROM meta WHERE key = 'probe'").fetchall()[0][0]
    rows = con.execute("SELECT count(*) FROM probe").fetchall()[0][0]
    return int(marker), rows


def _read_forever(
    name: str,
    stop: threading.Event,
    report: Callable[..., None],
    published: Callable[[], int] | None = None,
) -> None:
    """Read through the app's read path until `stop`; report every outcome. With
    `published`, each report carries as `floor` the marker published when the read began:
    such a read must return that file or a newer one."""
    from ui import data

    n = 0
    while not stop.is_set():
        n += 1
        floor = None if published is None else published()
        try:
            marker, rows = data.query(query_probe, f"{name}-{n}")
        except Exception as exc:  # every failure a user would see is counted, none is lost
            report(name, error=f"{type(exc).__name__}: {exc}", floor=floor)
        else:
            report(name, marker=marker, rows=rows, floor=floor)


@dataclass
class _Reader:
    last: int = 0  # newest marker seen
    since_publish: int = 0  # reads since the last publish


@dataclass
class Board:
    """What every reader has seen, and what went wrong, under one condition variable."""

    published: int = 0
    readers: dict[str, _Reader] = field(default_factory=dict)
    reads: int = 0
    errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def report(
        self,
        name: str,
        *,
        marker: int | None = None,
        rows: int | None = None,
        error: str | None = None,
        floor: int | None = None,
    ) -> None:
        with self.changed:
            reader = self.readers.setdefault(name, _Reader())
            self.reads += 1
            reader.since_publish += 1
            if error is not None:
                self.errors.append(f"{name} after publish {self.published}: {error}")
            elif rows != marker:
                self.problems.append(f"{name}: torn read, marker {marker} with {rows} rows")
            elif marker < reader.last:
                self.problems.append(f"{name}: read marker {marker} after {reader.last}")
            elif floor is not None and marker < floor:
                self.problems.append(f"{name}: read marker {marker}, begun after {floor}")
            else:
                reader.last = marker
            self.changed.notify_all()

    def fail(self, problem: str) -> None:
        with self.changed:
            self.problems.append(problem)
            self.changed.notify_all()

    def publish(self, marker: int) -> None:
        with self.changed:
            self.published = marker
            for reader in self.readers.values():
                reader.since_publish = 0

    def wait_until_all_see(self, marker: int, names: list[str]) -> None:
        """Until every reader has read `marker` (or something went wrong)."""
        with self.changed:
            while not self.problems:
                readers = [self.readers.get(n, _Reader()) for n in names]
                if all(r.last >= marker for r in readers):
                    return
                for n, r in zip(names, readers, strict=True):
                    if r.since_publish > STALL_READS and r.last < marker:
                        self.problems.append(
                            f"{n}: still reads marker {r.last} {r.since_publish} reads "
                            f"after marker {marker} was published"
                        )
                reads = self.reads
                self.changed.wait(HANG_SECONDS)
                if self.reads == reads:
                    self.problems.append(f"no read for {HANG_SECONDS} s waiting for {marker}")


def _build_probe_files(folder: Path, markers: range) -> dict[int, Path]:
    """One small Målpuls database per marker (the real schema, so the app's check on open
    accepts it), cut from one template: building the template once keeps this quick."""
    folder.mkdir()
    template = folder / "template.duckdb"
    create_database(template).close()
    files = {}
    for marker in markers:
        path = folder / f"probe-{marker}.duckdb"
        shutil.copyfile(template, path)
        with duckdb.connect(str(path)) as con:
            con.execute("INSERT INTO meta VALUES ('probe', ?)", [str(marker)])
            con.execute("CREATE TABLE probe AS SELECT range AS i FROM range(?)", [marker])
        files[marker] = path
    return files


def _publish(built: Path, target: Path) -> None:
    with staged_file(target) as tmp:
        shutil.copyfile(built, tmp)


def _pump(proc: subprocess.Popen[str], board: Board, stop: threading.Event) -> None:
    """Turn the other process's lines (`ok NAME MARKER ROWS`, `error NAME TEXT`) into
    reports, and its end before `stop` into a problem."""
    assert proc.stdout is not None
    for line in proc.stdout:
        kind, name, rest = line.rstrip("\n").split(" ", 2)
        if kind == "ok":
            marker, rows = rest.split()
            board.report(name, marker=int(marker), rows=int(rows))
        else:
            board.report(name, error=rest)
    code = proc.wait()
    if not stop.is_set():
        board.fail(f"the reader process ended (exit code {code}) before the test did")


# Slow by design (30 publishes under readers in two processes, about 10 s): the full suite
# runs it, `make test-fast` does not.
@pytest.mark.slow
def test_readers_never_fail_while_the_etl_publishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    monkeypatch.setenv("MALPULS_DATA_DIR", str(state))
    target = Paths.from_env().db_path
    files = _build_probe_files(tmp_path / "built", range(1, PUBLISHES + 2))
    _publish(files[1], target)

    board = Board()
    stop = threading.Event()
    here = [f"thread-{i}" for i in range(THREADS)]
    there = [f"process-{i}" for i in range(PROCESS_THREADS)]
    threads = [
        threading.Thread(
            target=_read_forever, args=(n, stop, board.report, lambda: board.published)
        )
        for n in here
    ]
    stderr = (tmp_path / "reader-stderr.txt").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.test_reader_publish", *there],
        cwd=PROJECT_ROOT,
        env={**os.environ, "MALPULS_DATA_DIR": str(state)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    pump = threading.Thread(target=_pump, args=(proc, board, stop), daemon=True)
    try:
        pump.start()
        for t in threads:
            t.start()
        board.wait_until_all_see(1, here + there)
        for marker in range(2, PUBLISHES + 2):
            _publish(files[marker], target)
            board.publish(marker)
            board.wait_until_all_see(marker, here + there)
            if board.problems:
                break
    finally:
        stop.set()
        assert proc.stdin is not None
        proc.stdin.close()  # the other process stops reading when its stdin closes
        for t in threads:
            t.join(HANG_SECONDS)
        proc.wait(HANG_SECONDS)
        pump.join(HANG_SECONDS)
        stderr.close()

    assert proc.returncode == 0, (tmp_path / "reader-stderr.txt").read_text()
    assert not board.errors and not board.problems, (
        f"{len(board.errors)} failed reads in {board.reads}, e.g. {board.errors[:3]}; "
        f"{len(board.problems)} wrong reads: {board.problems[:3]}"
    )
    assert board.published == PUBLISHES + 1
    assert all(board.readers[n].last == PUBLISHES + 1 for n in here + there)
    # Every replaced file was closed once its last reader was done: this process holds no
    # file that has been replaced (Linux shows them as "(deleted)" in /proc/self/fd).
    assert _held_replaced_files(state) == []


def _held_replaced_files(folder: Path) -> list[str]:
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        return []
    held = []
    for fd in fds.iterdir():
        try:
            target = str(fd.readlink())
        except OSError:  # closed since the listing
            continue
        if target.startswith(str(folder)) and target.endswith("(deleted)"):
            held.append(target)
    return held


def _main(names: list[str]) -> None:
    """The other process: read in one thread per name until stdin closes, one line per
    read on stdout."""
    lock = threading.Lock()
    stop = threading.Event()

    def report(name: str, **outcome: object) -> None:
        del outcome["floor"]
        if "error" in outcome:
            line = f"error {name} {outcome['error']}".replace("\n", " ")
        else:
            line = f"ok {name} {outcome['marker']} {outcome['rows']}"
        with lock:
            print(line, flush=True)

    threads = [threading.Thread(target=_read_forever, args=(n, stop, report)) for n in names]
    for t in threads:
        t.start()
    sys.stdin.read()
    stop.set()
    for t in threads:
        t.join()


if __name__ == "__main__":
    _main(sys.argv[1:])
