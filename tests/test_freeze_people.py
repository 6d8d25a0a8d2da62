"""A frozen report holds the assessments signed off in the app (never drafts), read from
the app's own store beside the database, and a later freeze's "Vad har ändrats" lists the
changed assessments. Real tiny database, real SQLite store."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from config import Paths
from core.people import AssessmentDraft, AssessmentKey
from core.reports import diff_reports, sign_off_text
from db.app_store import AppStore
from reports.excel import to_workbook
from reports.freeze import build_report
from reports.word import to_docx
from tests.test_reports import _PNG

AUG = dt.date(2026, 8, 31)
SIGNED = dt.datetime(2026, 9, 10, 14, 5)


@pytest.fixture
def state(tiny_paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    folder = tmp_path / "state"
    folder.mkdir()
    shutil.copy2(tiny_paths.db_path, folder / tiny_paths.db_path.name)
    monkeypatch.setenv("MALPULS_DATA_DIR", str(folder))
    return Paths.from_env()


def test_frozen_report_has_signed_off_assessments_only(state: Paths) -> None:
    store = AppStore(state.app_db_path)
    signed = AssessmentKey("1962", "mal-2", AUG)
    store.mark_done(
        signed,
        AssessmentDraft("Osäkert", "Andelen minskar långsamt.", "Fler familjecentraler."),
        by="anna@norberg.se",
        expected_version=0,
        now=SIGNED,
    )
    store.save_draft(
        AssessmentKey("1962", "mal-3", AUG),
        AssessmentDraft("Uppnått", "Bara ett utkast."),
        by="anna@norberg.se",
        expected_version=0,
        now=SIGNED,
    )
    report, _ = build_report(state, "1962", AUG, dt.datetime(2026, 9, 15, 9))
    goals = {g.goal_id: g for g in report.goals}
    g2 = goals["mal-2"]
    assert (g2.assessment, g2.assessment_comment, g2.assessment_actions) == (
        "Osäkert",
        "Andelen minskar långsamt.",
        "Fler familjecentraler.",
    )
    assert (g2.assessment_by, g2.assessment_signed_off_at, g2.assessment_checkpoint) == (
        "anna@norberg.se",
        SIGNED,
        AUG,
    )
    assert g2.disagrees == (g2.status not in ("Osäkert", "Ej bedömbart"))
    assert sign_off_text(g2) == (
        "Klarmarkerad av anna@norberg.se 10 september 2026 (för rapporten per 31 augusti 2026)."
    )
    assert goals["mal-3"].assessment is None  # a draft never reaches a report

    # Reopened, changed and signed off again: the next freeze's diff names it.
    store.reopen(signed, by="admin@norberg.se", expected_version=1, now=SIGNED)
    store.mark_done(
        signed,
        AssessmentDraft("Ej på väg", "Andelen ökar igen."),
        by="bo@norberg.se",
        expected_version=2,
        now=SIGNED.replace(day=12),
    )
    again, _ = build_report(state, "1962", AUG, dt.datetime(2026, 9, 15, 9))
    changes = {c.goal_id: c for c in diff_reports(report, again)}
    assert changes["mal-2"].reasons[0] == (
        "Ledningens bedömning ändrad: Osäkert → Ej på väg (klarmarkerad av bo@norberg.se)."
    )
    assert set(changes) == {"mal-2"}


def test_an_assessment_signed_off_for_a_later_report_is_not_in_an_earlier_one(
    state: Paths,
) -> None:
    store = AppStore(state.app_db_path)
    store.mark_done(
        AssessmentKey("1962", "mal-2", dt.date(2026, 12, 31)),
        AssessmentDraft("På väg", "Inför årsredovisningen."),
        by="anna@norberg.se",
        expected_version=0,
        now=SIGNED,
    )
    report, _ = build_report(state, "1962", AUG, dt.datetime(2026, 9, 15, 9))
    assert next(g for g in report.goals if g.goal_id == "mal-2").assessment is None


def test_exports_carry_the_sign_off_and_the_actions(state: Paths) -> None:
    AppStore(state.app_db_path).mark_done(
        AssessmentKey("1962", "mal-2", AUG),
        AssessmentDraft("Osäkert", "Andelen minskar långsamt.", "Fler familjecentraler."),
        by="anna@norberg.se",
        expected_version=0,
        now=SIGNED,
    )
    report, _ = build_report(state, "1962", AUG, dt.datetime(2026, 9, 15, 9))
    doc = Document(io.BytesIO(to_docx(report, chart=lambda _i, _n: _PNG)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Ledningens bedömning: ◐ Osäkert. Andelen minskar långsamt." in text
    assert "Planerade åtgärder: Fler familjecentraler." in text
    assert "Klarmarkerad av anna@norberg.se 10 september 2026" in text
    sheet = openpyxl.load_workbook(io.BytesIO(to_workbook(report)))["Sammanfattning"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = next(r for r in rows if r[0] == "Område")
    goal = next(r for r in rows if r[1] and "Vi har en god folkhälsa" in str(r[1]))
    by_column = dict(zip(header, goal, strict=True))
    assert by_column["Planerade åtgärder"] == "Fler familjecentraler."
    assert by_column["Klarmarkerad"].startswith("Klarmarkerad av anna@norberg.se")
