"""Frozen reports on disk: one JSON file per municipality and date in the state folder's
reports/ (beside the database, never touched by an ETL run). A file is written once,
atomically, and never replaced."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from pydantic import ValidationError

from core.errors import DataError, MalpulsError
from core.reports import Report


class ReportExistsError(MalpulsError):
    title = "Rapporten är redan fryst"


def report_path(folder: Path, municipality_id: str, date: dt.date) -> Path:
    return folder / f"{municipality_id}-{date.isoformat()}.json"


def save_report(folder: Path, report: Report) -> Path:
    """Write a new frozen report. An existing one is never overwritten: a frozen report is
    what was signed."""
    folder.mkdir(parents=True, exist_ok=True)
    path = report_path(folder, report.municipality_id, report.date)
    text = report.model_dump_json(indent=1)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            # link() fails if the target exists: no window in which a second freeze of the
            # same report could replace the first.
            os.link(tmp, path)
        except FileExistsError:
            raise ReportExistsError(
                f"Det finns redan en fryst rapport för {report.municipality_id} per "
                f"{report.date.isoformat()} ({path}). En fryst rapport ändras aldrig; ta bort "
                "filen först om den verkligen ska frysas om."
            ) from None
    finally:
        Path(tmp).unlink()
    return path


def load_report(path: Path) -> Report:
    try:
        return Report.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"Rapporten {path} kan inte läsas ({exc})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DataError(
            f"Rapportfilen {path.name} är skadad: {where}: {first['msg']} ({exc.error_count()} fel)"
        ) from exc


def list_reports(folder: Path, municipality_id: str | None) -> list[tuple[dt.date, Path]]:
    """(date, file) of the municipality's frozen reports (every municipality's when None),
    newest first."""
    out = []
    for p in folder.glob(f"{municipality_id or '*'}-*.json"):
        try:
            out.append((dt.date.fromisoformat(p.stem.split("-", 1)[1]), p))
        except (IndexError, ValueError):
            continue
    return sorted(out, key=lambda dp: (dp[1].name.split("-", 1)[0], dp[0]), reverse=True)
