"""What people write in the app (issue 19): assessments with sign-off, and uploaded values
of local indicators. The types here are shared by the app's store (db.app_store), the
pages, the ETL and the report freezer; the rules are pure (no I/O).

An assessment belongs to one goal at one checkpoint (a report date). A rapportör saves
drafts and marks it klar; an administratör can reopen it. Every change is kept as an
AssessmentChange. Each save names the version it was made on: a save on an older version is
a conflict (two people editing at once), never a silent overwrite.

A local indicator's values arrive as uploaded files. Each upload is a new LocalVersion; the
values count from the day they were uploaded, as a Kolada value counts from the day it was
published (core.judging's vintage rule), so a frozen report keeps what was known then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from core.errors import MalpulsError
from core.vocabulary import Status

# The status words an assessment can use: the target words of core.status.
ASSESSMENT_STATUSES: tuple[str, ...] = (
    Status.MET,
    Status.ON_TRACK,
    Status.UNCERTAIN,
    Status.OFF_TRACK,
    Status.NOT_JUDGEABLE,
)

AssessmentState = Literal["utkast", "klar"]
ChangeAction = Literal["sparat utkast", "klarmarkerat", "öppnat igen"]


class ConflictError(MalpulsError):
    """Someone else changed the assessment since the form was opened."""

    title = "Bedömningen har ändrats av någon annan"


class StoreWriteError(MalpulsError):
    """The app's own database could not be written; what the user typed is kept."""

    title = "Kunde inte spara"


class NotAllowedError(MalpulsError):
    """The signed-in user's role does not allow this."""

    title = "Behörighet saknas"


@dataclass(frozen=True)
class AssessmentKey:
    municipality_id: str
    goal_id: str
    checkpoint: dt.date  # the report date the assessment is for


@dataclass(frozen=True)
class AssessmentDraft:
    """What the form holds: the words a rapportör writes."""

    status: str  # one of ASSESSMENT_STATUSES
    comment: str = ""
    actions: str = ""  # planned åtgärder


@dataclass(frozen=True)
class Assessment:
    """The current state of one assessment."""

    key: AssessmentKey
    status: str
    comment: str
    actions: str
    state: AssessmentState
    version: int  # 1 for the first save; +1 per change
    updated_by: str
    updated_at: dt.datetime
    signed_off_by: str | None = None  # set while state is "klar"
    signed_off_at: dt.datetime | None = None


@dataclass(frozen=True)
class AssessmentChange:
    """One kept change: who, when, what."""

    key: AssessmentKey
    version: int
    action: ChangeAction
    status: str
    comment: str
    actions: str
    by: str
    at: dt.datetime


LOCAL_SOURCE_PREFIX = "Källa: "


def local_source_label(municipality_name: str) -> str:
    """A local indicator's values come from the municipality, never from Kolada."""
    return f"{LOCAL_SOURCE_PREFIX}{municipality_name}"


@dataclass(frozen=True)
class LocalRow:
    year: int
    value: float
    gender: str = "T"  # T, K or M


@dataclass(frozen=True)
class LocalVersion:
    """One upload of a local indicator's values."""

    municipality_id: str
    indicator_id: str  # the indicator's id in the goal file (local: true)
    version: int  # 1, 2, … per (municipality, indicator)
    rows: tuple[LocalRow, ...]
    unit: str | None
    filename: str
    uploaded_by: str
    uploaded_at: dt.datetime


# ------------------------------------------------------------------ which assessment shows


@dataclass(frozen=True)
class ShownAssessment:
    """The assessment shown beside a goal's computed status on a day: from the goal file
    (decided in a document) or signed off in the app."""

    status: str
    date: dt.date  # the day it counts from (see effective_date)
    comment: str | None = None
    actions: str | None = None
    by: str | None = None
    checkpoint: dt.date | None = None  # the report it was written for (app only)
    signed_off_at: dt.datetime | None = None
    from_app: bool = False


def effective_date(a: Assessment) -> dt.date:
    """The day a signed-off assessment counts from: its checkpoint, or the day it was signed
    off if that came first. An assessment for the 31 August report signed off on 10
    September belongs to the 31 August view; one for the annual report signed off in
    November shows from November on."""
    signed = a.signed_off_at.date() if a.signed_off_at else a.key.checkpoint
    return min(a.key.checkpoint, signed)


def shown_assessment(
    goal_file: Iterable[tuple[dt.date, str, str | None]],
    app: Iterable[Assessment],
    as_of: dt.date,
) -> ShownAssessment | None:
    """The latest assessment on or before `as_of`: the goal file's (date, status, comment)
    entries and the app's signed-off ones (drafts never count). On the same day the app's
    wins: it is the newer word."""
    best: tuple[tuple[dt.date, int], ShownAssessment] | None = None
    for d, status, comment in goal_file:
        if d <= as_of and (best is None or (d, 0) >= best[0]):
            best = ((d, 0), ShownAssessment(status, d, comment or None))
    for a in app:
        if a.state != "klar":
            continue
        d = effective_date(a)
        if d <= as_of and (best is None or (d, 1) >= best[0]):
            best = (
                (d, 1),
                ShownAssessment(
                    a.status,
                    d,
                    a.comment or None,
                    a.actions or None,
                    a.signed_off_by,
                    a.key.checkpoint,
                    a.signed_off_at,
                    True,
                ),
            )
    return best[1] if best else None
