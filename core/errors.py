"""Exceptions whose message is meant for a person.

Every error the app or the ETL shows to a user derives from MalpulsError. Deep code
raises them with a plain-language message (Swedish, since the users are Swedish
municipal staff); exactly one edge per program (the ETL's CLI, the app's error
display) turns them into output and an exit code.
"""

from __future__ import annotations

from dataclasses import dataclass


class MalpulsError(Exception):
    """Base class: `str(err)` is a complete message a person can act on."""

    title = "Fel"

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        if title is not None:
            self.title = title


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one input file: `file: path.to.field: what is wrong`."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}: {where}{self.message}"


def field_path(loc: tuple[int | str, ...]) -> str:
    """Where in a file a problem is, as its reader writes it: ("user", 2, "role") →
    "user[2].role" (a pydantic error's `loc`)."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f"{'.' if out else ''}{part}"
    return out


class ProblemsError(MalpulsError):
    """An input file (or several) is invalid; carries every problem found, one per line of
    the message, headed "N fel i <where>:" when there is more than one. Subclasses name the
    kind of file in `title` and `where`."""

    where = "filen"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = [str(p) for p in self.problems]
        head = f"{len(lines)} fel i {self.where}:\n" if len(lines) != 1 else ""
        super().__init__(head + "\n".join(lines))


class GoalFileError(ProblemsError):
    """A goal-definition file (or several) is invalid; carries every problem found."""

    title = "Fel i målfil"
    where = "målfilerna"


class ReferenceFileError(ProblemsError):
    """A curated reference file (e.g. the KPI → SDG mapping) is invalid; every problem is
    listed as `file: rad N.field: what is wrong`."""

    title = "Fel i referensfil"
    where = "referensfilen"


class DataError(MalpulsError):
    """Input data (the bundled snapshot, reference files, the database) is unusable."""

    title = "Datafel"
