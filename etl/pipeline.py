"""Build the database: validate goal files, load reference data, the Kolada snapshot and
the goals into a new file, check it, publish it atomically.

Called by etl.__main__ and, for a first live run, by etl.live. Raises MalpulsError
subclasses with a message for people; the caller decides how to show it.

Also the run's bookkeeping both kinds of run share (`locked_run`): the lock, clearing what a
killed run left behind, and the status file the app reads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import duckdb

from config import Paths
from core.errors import DataError, MalpulsError
from db import checks, load
from db.calibration import read_calibration
from db.connection import create_database
from db.snapshot import SNAPSHOT_META
from etl.goal_files import display_name, read_goal_files
from etl.publish import (
    LockedError,
    lock_path,
    read_json,
    remove_leftovers,
    run_lock,
    staged_file,
    write_json_atomic,
)
from etl.reference import read_reference_data, read_sdg_mapping
from etl.results import compute_results

# Tables that must hold rows after a build; an empty one means a broken input.
REQUIRED_TABLES = (
    "municipality",
    "kpi",
    "kolada_value",
    "sdg_goal",
    "sdg_target",
    "crc_article",
    "kpi_sdg_map",
    "framework",
    "area",
    "goal",
    "indicator",
    "sdg_kpi_result",
)


class DatabaseError(DataError):
    """DuckDB (or the file system under it) failed while the database was copied, written
    or checked: a full disk, a damaged file, a schema the code does not expect. Not the
    input's fault, so the CLI gives it its own exit code."""

    title = "Databasfel"


class RunInterrupted(BaseException):
    """The run was told to stop: SIGTERM (`kill`, systemd's stop) or SIGINT (Ctrl-C).
    Raised by `locked_run`'s signal handler in the main thread, so every `finally` on the
    way out runs: the staged copy is removed and the status records the interruption. A
    BaseException, as KeyboardInterrupt is, so that no `except Exception` on the way
    swallows it."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"Körningen avbröts ({signal.Signals(signum).name}) innan den blev klar.")


@dataclass
class BuildResult:
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)


def build_offline(
    paths: Paths, *, now: dt.datetime, progress: Callable[[str], object] = print
) -> BuildResult:
    """Build from the bundled snapshot. The published file changes only if all succeeds."""
    progress("Läser referensdata och målfiler …")
    ref = read_reference_data(paths.reference_dir, paths.kolada_dir)
    goal_files = read_goal_files(paths.goals_dir, ref)
    sources = [
        (display_name(p), gf)
        for p, gf in zip(sorted(paths.goals_dir.glob("*.yaml")), goal_files, strict=True)
    ]
    progress(f"  {len(goal_files)} målfiler giltiga")
    sdg_mapping = read_sdg_mapping(paths.reference_dir, ref)
    calibration = read_calibration(paths.calibration_path)
    with staged_file(paths.db_path) as tmp:
        try:
            con = create_database(tmp)
        except (duckdb.Error, OSError) as exc:
            raise DatabaseError(f"Databasen kunde inte skapas: {exc}") from exc
        try:
            try:
                progress("Laddar referensdata (Agenda 2030, barnkonventionen) …")
                load.load_reference(con, paths.reference_dir)
                load.replace_sdg_mapping(con, sdg_mapping)
                progress("Laddar Kolada-data från den medföljande ögonblicksbilden …")
                load.load_kolada_snapshot(con, paths.kolada_dir)
            except duckdb.Error as exc:
                # DuckDB reads these input files itself: a broken one is bad input.
                raise DataError(f"Databasen kunde inte byggas: {exc}") from exc
            progress("Laddar mål och indikatorer …")
            load.load_goal_files(con, sources)
            load.upsert_meta(con, SNAPSHOT_META)
            progress("Beräknar status och prognoser …")
            compute_results(
                con,
                calibration,
                dt.date.fromisoformat(SNAPSHOT_META["data_date"]),
                progress,
                app_db_path=paths.app_db_path,
            )
            result = check_database(con, values_from="i ögonblicksbilden")
            load.insert_run(
                con,
                started_at=now,
                finished_at=dt.datetime.now(),
                mode="offline",
                rows_added=result.counts["kolada_value"],
                outcome="ok",
                warnings=result.warnings,
            )
            checks.checkpoint(con)
        except duckdb.Error as exc:
            raise DatabaseError(f"Databasen kunde inte byggas: {exc}") from exc
        finally:
            con.close()
    return result


def check_database(
    con: duckdb.DuckDBPyConnection, *, values_from: str, written_kpis: Sequence[str] | None = None
) -> BuildResult:
    """Checks that must pass before a file is published. `values_from` says where the
    values came from, for the warnings ("i ögonblicksbilden", "från Kolada");
    `written_kpis`, where a run wrote values of only some KPIs, limits the duplicate check
    to them (None: the whole table)."""
    counts = checks.query_row_counts(con, REQUIRED_TABLES)
    empty = [t for t, n in counts.items() if n == 0]
    if empty:
        raise DataError(f"Bygget avbröts: tabellerna {', '.join(empty)} är tomma")
    dupes = checks.query_duplicate_values(con, written_kpis)
    if dupes:
        raise DataError(f"Bygget avbröts: {dupes} Kolada-värden förekommer mer än en gång")
    missing = checks.query_unresolved_indicators(con)
    if missing:
        raise DataError(
            "Bygget avbröts: målindikatorer pekar på nyckeltal som saknas i katalogen: "
            + ", ".join(f"{m}/{i} ({k})" for m, i, k in missing)
        )
    warnings = [
        f"Inga värden {values_from} för {k} (kommun {m}, indikator {i})"
        for m, i, k in checks.query_indicators_without_values(con)
    ]
    return BuildResult(counts=counts, warnings=warnings)


def record_status(
    paths: Paths,
    *,
    mode: str,
    started: dt.datetime,
    error: MalpulsError | None,
    result: BuildResult | None,
    warnings: list[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """The last run's outcome, kept beside the database: a failed run never touches the
    database, so this is where the app learns that the last run failed. Write it only
    under the run lock (`locked_run` does), or two runs could overwrite each other's."""
    _write_status(
        paths,
        {
            "mode": mode,
            "started_at": started.isoformat(timespec="seconds"),
            "finished_at": dt.datetime.now().isoformat(timespec="seconds"),
            "outcome": "failed" if error else "ok",
            "error_title": error.title if error else "",
            "message": str(error) if error else "",
            "warnings": result.warnings if result else (warnings or []),
            **(extra or {}),
        },
    )


def record_early_failure(
    paths: Paths, *, mode: str, started: dt.datetime, error: MalpulsError
) -> None:
    """The status of a run that failed before it took the lock (its settings could not be
    read), written under the lock like any other; if another run holds it, the status is
    that run's to write."""
    with contextlib.suppress(LockedError), run_lock(lock_path(paths.db_path)):
        record_status(paths, mode=mode, started=started, error=error, result=None)


def _write_status(paths: Paths, data: dict[str, Any]) -> None:
    try:
        write_json_atomic(paths.status_path, data)
    except OSError as exc:
        raise DatabaseError(f"Statusfilen {paths.status_path} kan inte skrivas ({exc})") from exc


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def _stop_signals_raise() -> Iterator[list[int]]:
    """While the block runs, SIGTERM and SIGINT raise RunInterrupted in the main thread
    (SIGTERM would otherwise end Python on the spot, with no `finally`: the staged copy
    would stay behind and the status would still say "running"). Yields the signals
    received: DuckDB checks for signals inside a long query and turns the exception into
    its own ("Query interrupted"), so the list, not the exception, says the run was
    stopped. After the first signal both are ignored, so a second cannot cut the clean-up
    short. The previous handlers come back when the block ends."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received  # handlers can only be set from the main thread
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        for s in STOP_SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        raise RunInterrupted(signum)

    previous = {s: signal.signal(s, handler) for s in STOP_SIGNALS}
    try:
        yield received
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


@dataclass
class RunRecord:
    """What `locked_run` writes to the status file when the run ends; the run fills it in
    as it learns its mode and warnings. `warnings` starts with what the run found left
    over from an interrupted one."""

    mode: str
    warnings: list[str] = field(default_factory=list)
    interrupted_run: dict[str, Any] | None = None


@contextmanager
def locked_run(
    paths: Paths,
    *,
    mode: str,
    started: dt.datetime,
    progress: Callable[[str], object] = print,
    record: bool = True,
) -> Iterator[RunRecord]:
    """Hold the run lock for a whole run and keep the status file true to it.

    Taking the lock comes first: a run that cannot take it (LockedError) writes nothing,
    since the status belongs to the run that holds it. Under the lock, with `record`:
    - whatever a killed run left behind (a staged copy, its WAL) is removed, and the
      status's `running` marker, if still there, shows that the run which wrote it never
      finished: both become a warning and `interrupted_run` in this run's status;
    - the status gets a `running` marker (the last finished run's fields stay, so the
      app keeps showing them);
    - SIGTERM and SIGINT raise RunInterrupted (see `_stop_signals_raise`), whatever
      error the interrupted code made of it;
    - when the block ends the status records its outcome: `ok`; or `failed` with the
      error's title and message, also when the run was interrupted (SIGTERM, Ctrl-C),
      then with `interrupted: true`. The exception is raised on.
    Without `record` (a dry run: nothing to clean up, nothing to record) only the lock is
    taken.
    """
    with run_lock(lock_path(paths.db_path)):
        run = RunRecord(mode=mode)
        if not record:
            yield run
            return
        previous = read_json(paths.status_path) or {}
        marker = previous.get("running")
        if isinstance(marker, dict):
            run.interrupted_run = marker
            run.warnings.append(
                f"Förra körningen (startad {marker.get('started_at', '?')}, läge "
                f"{marker.get('mode', '?')}) avbröts innan den blev klar."
            )
        removed = remove_leftovers(paths.db_path, paths.status_path)
        if removed:
            run.warnings.append(
                "Rester efter en avbruten körning togs bort: " + ", ".join(p.name for p in removed)
            )
        for w in run.warnings:
            progress(f"Varning: {w}")
        previous.pop("running", None)
        _write_status(
            paths,
            {
                **previous,
                "running": {
                    "pid": os.getpid(),
                    "mode": mode,
                    "started_at": started.isoformat(timespec="seconds"),
                },
            },
        )
        with _stop_signals_raise() as stops:
            try:
                yield run
            except BaseException as exc:
                if stops and not isinstance(exc, RunInterrupted):
                    stopped = RunInterrupted(stops[0])
                    _record_failure(paths, run, started, stopped, progress)
                    raise stopped from exc
                _record_failure(paths, run, started, exc, progress)
                raise
        extra = {"interrupted_run": run.interrupted_run} if run.interrupted_run else None
        record_status(
            paths,
            mode=run.mode,
            started=started,
            error=None,
            result=None,
            warnings=run.warnings,
            extra=extra,
        )


def _record_failure(
    paths: Paths,
    run: RunRecord,
    started: dt.datetime,
    exc: BaseException,
    progress: Callable[[str], object],
) -> None:
    """The status of a run that ended with `exc`. A failure to write it is told, never
    raised: the run's own error is the one to show."""
    interrupted = isinstance(exc, RunInterrupted | KeyboardInterrupt)
    if isinstance(exc, MalpulsError):
        error = exc
    elif isinstance(exc, RunInterrupted):
        error = MalpulsError(str(exc), title="Körningen avbröts")
    elif isinstance(exc, KeyboardInterrupt):
        error = MalpulsError(
            "Körningen avbröts (SIGINT) innan den blev klar.", title="Körningen avbröts"
        )
    else:  # a bug: the traceback goes to the log, the status says what it was
        error = MalpulsError(f"{type(exc).__name__}: {exc}", title="Oväntat fel")
    extra: dict[str, Any] = {"interrupted": interrupted}
    if run.interrupted_run:
        extra["interrupted_run"] = run.interrupted_run
    try:
        record_status(
            paths,
            mode=run.mode,
            started=started,
            error=error,
            result=None,
            warnings=run.warnings,
            extra=extra,
        )
    except DatabaseError as write_error:
        progress(str(write_error))
