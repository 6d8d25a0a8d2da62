"""Publish a finished database file atomically, and keep runs from stepping on each other.

The new file is built next to the published one (same folder, so same file system) and
moved into place with os.replace, which is atomic on POSIX: a reader sees either the old
complete file or the new complete file, never a half-built one. If anything fails before
the replace, the temporary file is removed and the published file is untouched.

A run that is killed outright (SIGKILL, power loss) runs no `finally`, so its staged copy
stays behind; `remove_leftovers` clears it on the next run, under `run_lock`, so the copy
of a run still in progress is never taken for a leftover.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.errors import MalpulsError

BUILDING_SUFFIX = ".building"


class LockedError(MalpulsError):
    title = "En annan körning pågår"


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Exclusive, non-blocking: a second run fails at once instead of queueing behind a
    slow one. The OS drops the lock if the process dies, so a crash never wedges cron."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(
                f"En annan ETL-körning håller låset {path}. Försök igen när den är klar."
            ) from None
        yield
    finally:
        os.close(fd)


@contextmanager
def staged_file(target: Path) -> Iterator[Path]:
    """Yield a fresh temporary path beside `target`; publish it over `target` when the
    block ends normally, delete it when the block raises."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=BUILDING_SUFFIX, dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # DuckDB wants to create the file itself
    try:
        yield tmp
        tmp.replace(target)
        _fsync_dir(target.parent)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)


def find_leftovers(target: Path, status_path: Path | None = None) -> list[Path]:
    """What killed runs left beside `target`: staged copies (`.<name>.<random>.building`),
    their DuckDB write-ahead logs and spill folders, and half-written status files. Only
    call this under `run_lock`: a running run's staged copy looks the same."""
    found = set(target.parent.glob(f".{target.name}.*{BUILDING_SUFFIX}*"))
    if status_path is not None:
        found |= set(status_path.parent.glob(f".{status_path.name}.*.tmp"))
    return sorted(found)


def remove_leftovers(target: Path, status_path: Path | None = None) -> list[Path]:
    """Remove `find_leftovers` and return what was removed. Only under `run_lock`."""
    removed = find_leftovers(target, status_path)
    for path in removed:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return removed


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write `data` as JSON to `path` by rename, so a reader never sees half a file. The
    file is created 0644 less the umask, like any file the process writes: the dashboard
    may run as another user (systemd `User=`) and must be able to read it. (mkstemp would
    make it 0600.)"""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=2, default=str)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object written by `write_json_atomic`, or None if there is none (or it is not
    an object: a file a person broke by hand is no reason to stop a run)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
