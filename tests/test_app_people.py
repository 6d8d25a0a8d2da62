"""AppTest: the goal page's assessment form against a real app store (SQLite) beside a copy
of the tiny database, in open mode (no sign-in: everyone is the local administratör).
Drafts are saved, sign-off shows beside the computed status, a conflicting save is refused
with the typed text kept, and a write that fails keeps the form's content."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from config import PROJECT_ROOT, Paths
from core.people import Assessment, AssessmentDraft
from db.app_store import AppStore

APP = str(PROJECT_ROOT / "app.py")
GOAL = "mal-2"


@pytest.fixture
def state(tiny_paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    """A data folder of its own: the tiny database, and an app store nobody else writes."""
    folder = tmp_path / "state"
    folder.mkdir()
    for f in tiny_paths.db_path.parent.iterdir():
        if f.suffix in (".duckdb", ".json"):
            shutil.copy2(f, folder / f.name)
    monkeypatch.setenv("MALPULS_DATA_DIR", str(folder))
    monkeypatch.delenv("MALPULS_ROLES", raising=False)
    return Paths.from_env()


def _goal_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["kommun"] = "1962"
    at.run()
    at.switch_page("app_pages/goal.py").run()
    at.query_params["mal"] = GOAL
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _form_prefix(at: AppTest) -> str:
    (radio,) = [r for r in at.radio if r.label == "Bedömning"]
    return str(radio.key).removesuffix("-status")


def _fill(at: AppTest, status: str, comment: str, actions: str = "") -> str:
    k = _form_prefix(at)
    at.radio(key=f"{k}-status").set_value(status)
    at.text_area(key=f"{k}-comment").input(comment)
    at.text_area(key=f"{k}-actions").input(actions)
    return k


def _click(at: AppTest, label: str) -> None:
    (button,) = [b for b in at.button if b.label == label]
    button.click().run()


def _key(at: AppTest, store: AppStore) -> Assessment:
    """The one assessment the page wrote."""
    (a,) = store.assessments("1962")
    return a


def test_draft_then_sign_off_shows_beside_the_status(state: Paths) -> None:
    at = _goal_page()
    assert any(h.value == "Bedömning" for h in at.header)
    _fill(at, "Osäkert", "Andelen minskar för långsamt.", "Fler familjecentraler.")
    _click(at, "Spara utkast")
    assert not at.exception and not at.error, [e.value for e in at.error]
    store = AppStore(state.app_db_path)
    draft = _key(at, store)
    assert (draft.state, draft.version, draft.updated_by) == ("utkast", 1, "Lokal användare")
    assert (draft.status, draft.comment, draft.actions) == (
        "Osäkert",
        "Andelen minskar för långsamt.",
        "Fler familjecentraler.",
    )
    # A draft is not the leadership's word: nothing beside the status yet.
    assert not any("Ledningens bedömning" in m.value for m in at.markdown)

    _click(at, "Markera klar")
    assert not at.error, [e.value for e in at.error]
    done = _key(at, store)
    assert (done.state, done.version, done.signed_off_by) == ("klar", 2, "Lokal användare")
    lines = [m.value for m in at.markdown if "Ledningens bedömning" in m.value]
    assert lines and "Osäkert" in lines[0] and "klarmarkerad av Lokal användare" in lines[0]
    # The overview says it too, beside the goal's computed status.
    at.switch_page("app_pages/overview.py").run()
    assert any(
        "Ledningens bedömning" in m.value and "klarmarkerad av Lokal användare" in m.value
        for m in at.markdown
    )
    at.switch_page("app_pages/goal.py").run()
    at.query_params["mal"] = GOAL
    at.run()
    # Signed off: no form any more; the administratör may reopen.
    assert not [r for r in at.radio if r.label == "Bedömning"]
    _click(at, "Öppna igen")
    reopened = _key(at, store)
    assert (reopened.state, reopened.version) == ("utkast", 3)
    actions = [c.action for c in store.history("1962", GOAL)]
    assert actions == ["öppnat igen", "klarmarkerat", "sparat utkast"]


def test_a_conflicting_save_is_refused_and_the_typed_text_kept(state: Paths) -> None:
    at = _goal_page()
    k = _fill(at, "På väg", "Min text.")
    _click(at, "Spara utkast")
    store = AppStore(state.app_db_path)
    mine = _key(at, store)
    # Someone else saves on the same version meanwhile.
    store.save_draft(
        mine.key,
        AssessmentDraft("Ej på väg", "Kollegans text."),
        by="kollega@norberg.se",
        expected_version=mine.version,
        now=dt.datetime(2026, 11, 30, 10, 42),
    )
    at.text_area(key=f"{k}-comment").input("Min ändrade text.")
    _click(at, "Spara utkast")
    errors = [e.value for e in at.error]
    assert errors and "ändrats av någon annan" in errors[0] and "kollega@norberg.se" in errors[0]
    assert at.text_area(key=f"{k}-comment").value == "Min ändrade text."
    stored = store.assessment(mine.key)
    assert stored is not None
    assert (stored.comment, stored.updated_by, stored.version) == (
        "Kollegans text.",
        "kollega@norberg.se",
        2,
    )


def test_a_failed_write_shows_a_swedish_error_and_keeps_the_form(state: Paths) -> None:
    at = _goal_page()
    k = _fill(at, "Osäkert", "Text som inte får försvinna.", "Åtgärd.")
    # Another process holds the store's write lock past the store's wait (busy_timeout).
    holder = sqlite3.connect(state.app_db_path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        _click(at, "Spara utkast")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    errors = [e.value for e in at.error]
    assert errors and "Kunde inte spara" in errors[0]
    assert at.text_area(key=f"{k}-comment").value == "Text som inte får försvinna."
    assert at.text_area(key=f"{k}-actions").value == "Åtgärd."
    assert AppStore(state.app_db_path).assessments("1962") == []
    # Once the lock is gone the same form saves.
    _click(at, "Spara utkast")
    assert not at.error
    assert [a.comment for a in AppStore(state.app_db_path).assessments("1962")] == [
        "Text som inte får försvinna."
    ]


def test_sign_off_needs_a_comment(state: Paths) -> None:
    at = _goal_page()
    _fill(at, "På väg", "")
    _click(at, "Markera klar")
    assert any("Skriv en kommentar" in e.value for e in at.error)
    assert AppStore(state.app_db_path).assessments("1962") == []
