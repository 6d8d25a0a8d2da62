"""Which assessment shows beside a goal's computed status (core.people), and the one rule
for when it differs (core.status.disagrees)."""

from __future__ import annotations

import datetime as dt

from core.people import Assessment, AssessmentKey, effective_date, shown_assessment
from core.status import disagrees

AUG = dt.date(2026, 8, 31)
DEC = dt.date(2026, 12, 31)


def _app(
    checkpoint: dt.date,
    status: str,
    *,
    state: str = "klar",
    signed: dt.datetime | None = None,
    comment: str = "c",
) -> Assessment:
    signed = signed or dt.datetime.combine(checkpoint, dt.time(9))
    return Assessment(
        key=AssessmentKey("1962", "mal-2", checkpoint),
        status=status,
        comment=comment,
        actions="åtgärd",
        state=state,  # type: ignore[arg-type]
        version=2,
        updated_by="anna@norberg.se",
        updated_at=signed,
        signed_off_by="anna@norberg.se" if state == "klar" else None,
        signed_off_at=signed if state == "klar" else None,
    )


def test_effective_date_is_the_checkpoint_or_the_earlier_sign_off() -> None:
    # Written after the interim report: belongs to that report's view.
    assert effective_date(_app(AUG, "På väg", signed=dt.datetime(2026, 9, 10, 14))) == AUG
    # Written ahead of the annual report: shows from the day it was signed off.
    early = _app(DEC, "Osäkert", signed=dt.datetime(2026, 11, 30, 10))
    assert effective_date(early) == dt.date(2026, 11, 30)


def test_latest_wins_and_the_app_wins_a_tie_with_the_goal_file() -> None:
    goal_file = [(dt.date(2026, 4, 30), "Osäkert", "ur dokumentet"), (AUG, "Ej på väg", None)]
    app = [_app(AUG, "På väg", signed=dt.datetime(2026, 9, 10, 14))]
    shown = shown_assessment(goal_file, app, AUG)
    assert shown is not None
    assert (shown.status, shown.from_app, shown.by, shown.actions) == (
        "På väg",
        True,
        "anna@norberg.se",
        "åtgärd",
    )
    before = shown_assessment(goal_file, app, dt.date(2026, 5, 1))
    assert before is not None
    assert (before.status, before.comment, before.from_app) == ("Osäkert", "ur dokumentet", False)
    assert shown_assessment(goal_file, app, dt.date(2026, 4, 29)) is None


def test_drafts_never_show() -> None:
    draft = _app(AUG, "Uppnått", state="utkast")
    assert shown_assessment([], [draft], DEC) is None
    goal_file = [(dt.date(2026, 4, 30), "Osäkert", None)]
    shown = shown_assessment(goal_file, [draft], DEC)
    assert shown is not None and shown.status == "Osäkert"


def test_disagrees_needs_two_judged_words_of_different_severity() -> None:
    assert disagrees("Ej på väg", "På väg")
    assert not disagrees("På väg", "På väg")
    assert not disagrees("Ej bedömbart", "På väg")
    assert not disagrees("Ej på väg", None)
    assert not disagrees(None, "På väg")
