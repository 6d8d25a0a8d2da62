"""Assessments in the app (issue 19): the goal page's "Bedömning" section, where a rapportör
writes the bedömning, a comment and planned åtgärder for a report, saves drafts and marks
it klar, and an administratör can reopen it; and the overlay that puts signed-off
assessments beside the computed status wherever a goal's status is shown.

What people write lives in the app's own store (db.app_store), not in the nightly
database: it is read here on every run (a small SQLite read), so a sign-off shows at once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from core.format import format_date
from core.labels import status_badge, status_text
from core.people import (
    ASSESSMENT_STATUSES,
    Assessment,
    AssessmentDraft,
    AssessmentKey,
    ConflictError,
    NotAllowedError,
    StoreWriteError,
    shown_assessment,
)
from core.roles import User, can_edit, can_reopen
from core.status import disagrees
from db import queries
from db.app_store import AppStore
from ui import data
from ui.auth import current_user
from ui.components import render_table
from ui.judging_date import JudgingDay

DISAGREES = " ⚠ Skiljer sig från den beräknade statusen."


@st.cache_resource
def _store(path: str) -> AppStore:
    return AppStore(Path(path))


def app_store() -> AppStore:
    """The app's own store (one per file; its connections are per call, see db.app_store)."""
    return _store(str(data.paths().app_db_path))


def now() -> dt.datetime:
    """The machine's local time, as the ETL and the report freezer take it (a server in
    Sweden runs on Swedish time): an upload's day is compared with a report's day."""
    return dt.datetime.now().replace(microsecond=0)


def author(user: User) -> str:
    return user.email or user.name


def format_time(value: dt.datetime) -> str:
    return f"{format_date(value.date())} kl. {value:%H:%M}"


# ------------------------------------------------------------------ the overlay


def with_assessments(goals: pd.DataFrame, municipality_id: str, as_of: dt.date) -> pd.DataFrame:
    """The goals with the assessment shown on `as_of`: the goal file's or one signed off in
    the app, whichever is latest (core.people.shown_assessment), and whether it differs from
    the computed status (core.status.disagrees, the rule the ETL uses)."""
    if goals.empty:
        return goals
    from_file = data.query(queries.query_assessment_comments, municipality_id)
    in_app = app_store().assessments(municipality_id)
    out = goals.copy()
    shown = [
        shown_assessment(
            [(d, s, c) for g, d, s, c in from_file if g == goal_id],
            [a for a in in_app if a.key.goal_id == goal_id],
            as_of,
        )
        for goal_id in out["goal_id"]
    ]
    out["assessment"] = [a.status if a else None for a in shown]
    out["assessment_comment"] = [a.comment if a else None for a in shown]
    out["assessment_actions"] = [a.actions if a else None for a in shown]
    out["assessment_by"] = [a.by if a else None for a in shown]
    out["assessment_signed_off_at"] = [a.signed_off_at if a else None for a in shown]
    out["disagrees"] = [
        disagrees(s if isinstance(s, str) else None, a.status if a else None)
        for s, a in zip(out["status"], shown, strict=True)
    ]
    return out


def assessment_line(goal: pd.Series) -> str | None:
    """ "Bedömning: [På väg] (klarmarkerad av X 30 november 2026) ⚠ …" for a status line."""
    status = goal.get("assessment")
    if not isinstance(status, str) or not status:
        return None
    line = f"Ledningens bedömning: {status_badge(status)}"
    by = goal.get("assessment_by")
    signed = goal.get("assessment_signed_off_at")
    if isinstance(by, str) and by and isinstance(signed, dt.datetime):
        line += f" (klarmarkerad av {by} {format_date(signed.date())})"
    return line + (DISAGREES if bool(goal.get("disagrees")) else "")


# ------------------------------------------------------------------ the goal page's section


def report_checkpoint(day: JudgingDay) -> tuple[dt.date, str]:
    """The report an assessment written on this day is for: the chosen day when it is a
    checkpoint, else the next checkpoint after it (the report being prepared), else the
    latest one."""
    if day.label:
        return day.date, day.label
    named = [(d, label) for d, label in day.dates if label]
    upcoming = [(d, label) for d, label in named if d > day.date]
    if upcoming:
        return upcoming[0]
    if named:
        return named[-1]
    return day.date, "Avstämning"


def render_assessment_section(
    municipality_id: str, goal: pd.Series, day: JudgingDay | None
) -> None:
    if day is None:
        return
    user = current_user()
    checkpoint, label = report_checkpoint(day)
    key = AssessmentKey(municipality_id, str(goal["goal_id"]), checkpoint)
    st.header("Bedömning")
    st.caption(f"För {label} per {format_date(checkpoint)}.")
    store = app_store()
    current = store.assessment(key)
    editor = can_edit(
        user,
        municipality_id,
        str(goal["framework_id"]),
        goal["area_id"] if isinstance(goal["area_id"], str) else None,
    )
    computed = goal["status"] if isinstance(goal["status"], str) else None
    if current is not None and (current.state == "klar" or editor):
        _render_current(current, computed)
    elif current is None or current.state != "klar":
        st.caption("Ingen klarmarkerad bedömning för rapporten ännu.")
    if current is not None and current.state == "klar":
        if can_reopen(user):
            _render_reopen(store, key, current, user)
        elif editor:
            st.caption("Bedömningen är klarmarkerad. En administratör kan öppna den igen.")
    elif editor:
        _render_form(store, key, current, computed, user)
    _render_history(store, municipality_id, key)


def _render_current(a: Assessment, computed: str | None) -> None:
    if a.state == "klar":
        head = (
            f"{status_badge(a.status)} **Klarmarkerad** av {a.signed_off_by} "
            f"{format_time(a.signed_off_at)}"
            if a.signed_off_at
            else f"{status_badge(a.status)} **Klarmarkerad**"
        )
    else:
        head = (
            f":gray-badge[Utkast] {status_badge(a.status)} sparat av {a.updated_by} "
            f"{format_time(a.updated_at)} (syns inte för läsare och ingår inte i rapporter)"
        )
    if disagrees(computed, a.status):
        head += f"{DISAGREES} Beräknad status: {status_text(computed)}."
    lines = [head]
    if a.comment:
        lines.append(f"**Kommentar:** {a.comment}")
    if a.actions:
        lines.append(f"**Planerade åtgärder:** {a.actions}")
    st.markdown("  \n".join(lines))


def _form_key(key: AssessmentKey) -> str:
    return f"bedomning-{key.goal_id}-{key.checkpoint.isoformat()}"


def _render_form(
    store: AppStore,
    key: AssessmentKey,
    current: Assessment | None,
    computed: str | None,
    user: User,
) -> None:
    k = _form_key(key)
    version_key = f"{k}-version"
    # The version the form was opened on: a save on an older one is a conflict.
    if version_key not in st.session_state:
        st.session_state[version_key] = current.version if current else 0
        st.session_state[f"{k}-status"] = (
            current.status
            if current
            else (computed if computed in ASSESSMENT_STATUSES else ASSESSMENT_STATUSES[2])
        )
        st.session_state[f"{k}-comment"] = current.comment if current else ""
        st.session_state[f"{k}-actions"] = current.actions if current else ""
    with st.form(k, border=True):
        st.radio(
            "Bedömning",
            ASSESSMENT_STATUSES,
            format_func=status_text,
            horizontal=True,
            key=f"{k}-status",
            help="Prognos för måloppfyllelse: kommer målet att nås?",
        )
        st.text_area(
            "Kommentar (prognos för måloppfyllelse)",
            key=f"{k}-comment",
            height=110,
            placeholder="Varför bedömningen: vad talar för och emot att målet nås.",
        )
        st.text_area(
            "Planerade åtgärder",
            key=f"{k}-actions",
            height=90,
            placeholder="Vad görs för att nå målet, av vem och när.",
        )
        left, right = st.columns(2)
        save = left.form_submit_button("Spara utkast", icon=":material/save:")
        done = right.form_submit_button("Markera klar", type="primary", icon=":material/task_alt:")
    if not (save or done):
        return
    draft = AssessmentDraft(
        status=st.session_state[f"{k}-status"],
        comment=st.session_state[f"{k}-comment"].strip(),
        actions=st.session_state[f"{k}-actions"].strip(),
    )
    if done and not draft.comment:
        st.error("Skriv en kommentar innan du markerar klar: den är prognosen i rapporten.")
        return
    expected = st.session_state[version_key]
    try:
        write = store.mark_done if done else store.save_draft
        saved = write(key, draft, by=author(user), expected_version=expected, now=now())
    except ConflictError as exc:
        st.error(f"**{exc.title}**\n\n{exc}")
        if st.button("Visa den nya versionen (dina ändringar ovan försvinner)", key=f"{k}-reload"):
            _forget_form(k)
            st.rerun()
        return
    except (StoreWriteError, NotAllowedError) as exc:
        # The form keeps what was typed: nothing is cleared on a failed write.
        st.error(f"**{exc.title}**\n\n{exc}")
        return
    st.session_state[version_key] = saved.version
    st.toast("Bedömningen är klarmarkerad." if done else "Utkastet är sparat.")
    if done:
        _forget_form(k)
    st.rerun()


def _forget_form(k: str) -> None:
    for suffix in ("version", "status", "comment", "actions"):
        st.session_state.pop(f"{k}-{suffix}", None)


def _render_reopen(store: AppStore, key: AssessmentKey, current: Assessment, user: User) -> None:
    if not st.button("Öppna igen", key=f"{_form_key(key)}-reopen", icon=":material/lock_open:"):
        return
    try:
        store.reopen(key, by=author(user), expected_version=current.version, now=now())
    except (ConflictError, StoreWriteError) as exc:
        st.error(f"**{exc.title}**\n\n{exc}")
        return
    _forget_form(_form_key(key))
    st.rerun()


def _render_history(store: AppStore, municipality_id: str, key: AssessmentKey) -> None:
    changes = store.history(municipality_id, key.goal_id)
    if not changes:
        return
    with st.expander(f"Ändringshistorik ({len(changes)})"):
        render_table(
            pd.DataFrame(
                {
                    "När": [format_time(c.at) for c in changes],
                    "Vem": [c.by for c in changes],
                    "Vad": [c.action for c in changes],
                    "Rapport": [format_date(c.key.checkpoint) for c in changes],
                    "Bedömning": [status_text(c.status) for c in changes],
                    "Kommentar": [c.comment for c in changes],
                    "Planerade åtgärder": [c.actions for c in changes],
                }
            ),
            caption="Varje ändring sparas: vem, när och vad.",
        )
