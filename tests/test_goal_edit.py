"""etl.goal_edit on copies of the real goal files: what a person wrote survives an edit
(comments, quoting, folded text), an edit that would make the file invalid changes
nothing, and an edited file validates and loads through the ETL's reader."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config import PROJECT_ROOT
from core.errors import GoalFileError
from core.goals import Goal, GoalFile, Indicator, ReferenceData
from etl.goal_edit import (
    _dump,
    _load,
    add_ambitions,
    add_indicator,
    decide_ambition,
    remove_proposals,
)
from etl.goal_files import read_goal_file

NORBERG = "1962-norberg.yaml"
INDICATOR = "n1-behoriga-yrkesprogram"  # Norberg goal 1's first indicator, no ambitions
PROPOSAL = {
    "kind": "periodmål",
    "date": dt.date(2022, 12, 31),
    "value": 81.5,
    "provenance": "förslag",
    "proposal": {
        "method": "liknande kommuners mediantakt",
        "date": dt.date(2026, 11, 29),
        "by": "python -m etl propose",
    },
}


@pytest.fixture
def goal_copy(tmp_path: Path, goals_dir: Path, reference: ReferenceData) -> Path:
    """Copies of the bundled files as the municipalities wrote them: the proposals that
    `python -m etl propose` wrote into them are taken out first."""
    for f in goals_dir.glob("*.yaml"):
        shutil.copy2(f, tmp_path / f.name)
        remove_proposals(tmp_path / f.name, ref=reference)
    return tmp_path / NORBERG


def _comment_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.lstrip().startswith("#")]


@pytest.mark.parametrize("name", ["0665-vaggeryd.yaml", "0685-vetlanda.yaml", NORBERG])
def test_no_op_edit_is_byte_identical(
    tmp_path: Path, goals_dir: Path, reference: ReferenceData, name: str
) -> None:
    """An edit that changes nothing rewrites nothing: the round trip reproduces every
    bundled file byte for byte, with its proposals and without them."""
    path = tmp_path / name
    shutil.copy2(goals_dir / name, path)
    before = path.read_bytes()
    text, data = _load(path)
    assert _dump(data).encode("utf-8") == before == text.encode("utf-8")
    remove_proposals(path, ref=reference)
    without = path.read_bytes()
    remove_proposals(path, ref=reference)  # none left to remove
    assert path.read_bytes() == without


def test_proposal_written_keeps_comments_and_quotes(
    goal_copy: Path, reference: ReferenceData
) -> None:
    before = goal_copy.read_text(encoding="utf-8")
    comments = _comment_lines(before)
    assert comments, "the Norberg file should carry comments for this test to mean anything"
    add_ambitions(goal_copy, INDICATOR, [PROPOSAL], ref=reference)
    after = goal_copy.read_text(encoding="utf-8")
    assert _comment_lines(after) == comments
    assert "  id: '1962'\n" in after  # the quoted municipality id
    assert "                    value: 81.5\n" in after  # plain, not 8.15e+01
    assert "                    date: '2022-12-31'\n" in after
    assert (
        "proposal: {method: liknande kommuners mediantakt, date: '2026-11-29', "
        "by: python -m etl propose}" in after
    )
    # Only lines were added: nothing a person wrote changed.
    assert [ln for ln in before.splitlines() if ln not in after.splitlines()] == []
    ind = _indicator(read_goal_file(goal_copy, reference), INDICATOR)
    (amb,) = ind.ambitions
    assert (amb.provenance, amb.value, amb.date) == ("förslag", 81.5, dt.date(2022, 12, 31))
    assert amb.proposal is not None and amb.proposal.by == "python -m etl propose"
    assert not ind.has_decided_target


def test_sdg_target_quotes_survive(
    tmp_path: Path, goals_dir: Path, reference: ReferenceData
) -> None:
    """Vetlanda links to SDG targets as quoted text ('16.1'; '11.10' must not become 11.1)."""
    path = tmp_path / "0685-vetlanda.yaml"
    shutil.copy2(goals_dir / path.name, path)
    quoted = [ln for ln in path.read_text(encoding="utf-8").splitlines() if "sdg_target" in ln]
    gf = read_goal_file(path, reference)
    _, goal = next(gf.frameworks[0].all_goals())
    indicator = {
        "id": "foreslagen",
        "title": "Föreslaget nyckeltal",
        "kpi": "N15428",
        "direction": "öka",
        "direction_provenance": "förslag",
        "provenance": "förslag",
        "ambitions": [PROPOSAL | {"date": gf.frameworks[0].period.end}],
    }
    add_indicator(path, goal.id, indicator, ref=reference)
    after = path.read_text(encoding="utf-8").splitlines()
    assert [ln for ln in after if "sdg_target" in ln] == quoted


def test_proposals_replace_earlier_proposals_and_keep_decisions(
    goal_copy: Path, reference: ReferenceData
) -> None:
    decided = {
        "kind": "delmål",
        "date": "2021-12-31",
        "value": 80,
        "provenance": "beslut",
        "decision": "KF 2020-06-10 § 45",
    }
    add_ambitions(goal_copy, INDICATOR, [decided, PROPOSAL], ref=reference)
    add_ambitions(goal_copy, INDICATOR, [PROPOSAL | {"value": 82.0}], ref=reference)
    ind = _indicator(read_goal_file(goal_copy, reference), INDICATOR)
    assert [(a.provenance, a.value) for a in ind.ambitions] == [("beslut", 80), ("förslag", 82)]


def test_decide_turns_proposal_into_decision_and_keeps_its_history(
    goal_copy: Path, reference: ReferenceData
) -> None:
    add_ambitions(goal_copy, INDICATOR, [PROPOSAL], ref=reference)
    decide_ambition(goal_copy, INDICATOR, None, "KF 2026-12-14 § 7", ref=reference)
    ind = _indicator(read_goal_file(goal_copy, reference), INDICATOR)
    (amb,) = ind.ambitions
    assert (amb.provenance, amb.decision) == ("beslut", "KF 2026-12-14 § 7")
    assert amb.proposal is not None and amb.proposal.method == "liknande kommuners mediantakt"
    assert ind.has_decided_target


def test_decide_without_a_proposal_names_the_problem(
    goal_copy: Path, reference: ReferenceData
) -> None:
    before = goal_copy.read_bytes()
    with pytest.raises(GoalFileError, match="har inget förslag till målvärde för 2022-12-31"):
        decide_ambition(goal_copy, INDICATOR, dt.date(2022, 12, 31), "KF § 1", ref=reference)
    assert goal_copy.read_bytes() == before


def test_invalid_edit_leaves_file_unchanged(goal_copy: Path, reference: ReferenceData) -> None:
    """A decided value without its decision, and one outside the period: refused with the
    validator's Swedish messages naming the real file, the file byte-identical."""
    before = goal_copy.read_bytes()
    bad = [
        {"kind": "periodmål", "date": "2022-12-31", "value": 90, "provenance": "beslut"},
        PROPOSAL | {"date": dt.date(2031, 12, 31)},
    ]
    with pytest.raises(GoalFileError) as info:
        add_ambitions(goal_copy, INDICATOR, bad, ref=reference)
    text = str(info.value)
    assert "ett beslutat målvärde måste ange beslutet (decision)" in text
    assert "ligger utanför ramverkets period" in text
    assert all(p.file.endswith(NORBERG) for p in info.value.problems)
    assert goal_copy.read_bytes() == before
    assert sorted(p.name for p in goal_copy.parent.iterdir()) == sorted(
        p.name for p in (PROJECT_ROOT / "data" / "goals").glob("*.yaml")
    ), "no temporary file left behind"


def test_unknown_indicator(goal_copy: Path, reference: ReferenceData) -> None:
    with pytest.raises(GoalFileError, match="indikatorn 'finns-inte' finns inte i filen"):
        add_ambitions(goal_copy, "finns-inte", [PROPOSAL], ref=reference)


def test_add_proposed_indicator(goal_copy: Path, reference: ReferenceData) -> None:
    gf = read_goal_file(goal_copy, reference)
    goal = next(g for _, g in gf.frameworks[0].all_goals() if g.indicators)
    add_indicator(
        goal_copy,
        goal.id,
        {
            "id": "ny-foreslagen",
            "title": "Föreslaget nyckeltal",
            "kpi": "N15428",
            "direction": "öka",
            "direction_provenance": "förslag",
            "provenance": "förslag",
            "reason": "Nyckeltalssökningen fann det i ambitionstexten.",
            "proposal": {"method": "nyckeltalssökning", "date": "2026-11-29", "by": "kpi-search"},
            "ambitions": [PROPOSAL],
        },
        ref=reference,
    )
    edited = read_goal_file(goal_copy, reference)
    new = _indicator(edited, "ny-foreslagen")
    assert new.provenance == "förslag" and new.proposal is not None
    assert new.ambitions[0].provenance == "förslag"
    assert len(_goal(edited, goal.id).indicators) == len(goal.indicators) + 1


def test_remove_proposals_drops_the_key(goal_copy: Path, reference: ReferenceData) -> None:
    before = goal_copy.read_bytes()
    add_ambitions(goal_copy, INDICATOR, [PROPOSAL], ref=reference)
    assert remove_proposals(goal_copy, INDICATOR, ref=reference) == 1
    assert goal_copy.read_bytes() == before


def test_cli_adopt(goal_copy: Path, reference: ReferenceData) -> None:
    add_ambitions(goal_copy, INDICATOR, [PROPOSAL], ref=reference)

    def adopt(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "etl", "adopt", str(goal_copy), *args],
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            check=False,
        )

    wrong = adopt("--indicator", INDICATOR, "--beslut", "KF § 1", "--date", "2030-12-31")
    assert wrong.returncode == 1 and "har inget förslag till målvärde" in wrong.stderr
    done = adopt("--indicator", INDICATOR, "--beslut", "KF 2026-12-14 § 7")
    assert done.returncode == 0, done.stderr
    ind = _indicator(read_goal_file(goal_copy, reference), INDICATOR)
    assert [(a.provenance, a.decision) for a in ind.ambitions] == [("beslut", "KF 2026-12-14 § 7")]
    assert adopt("--remove-proposals").returncode == 0


def _goal(gf: GoalFile, goal_id: str) -> Goal:
    return next(g for fw in gf.frameworks for _, g in fw.all_goals() if g.id == goal_id)


def _indicator(gf: GoalFile, indicator_id: str) -> Indicator:
    return next(
        i
        for fw in gf.frameworks
        for _, g in fw.all_goals()
        for i in g.indicators
        if i.id == indicator_id
    )


def test_removing_tool_proposals_keeps_indicators_proposed_by_hand(
    tmp_path: Path, goals_dir: Path, reference: ReferenceData
) -> None:
    """`--remove-proposals --with-indicators` takes out what `python -m etl propose` wrote
    (target values, indicators with a `proposal` record) and nothing a person wrote:
    Vaggeryd's three indicators proposed by hand (a reason, no record) stay."""
    path = tmp_path / "0665-vaggeryd.yaml"
    shutil.copy2(goals_dir / path.name, path)
    before = read_goal_file(path, reference)
    by_tool = [
        i
        for fw in before.frameworks
        for _, g in fw.all_goals()
        for i in g.indicators
        if i.provenance == "förslag" and i.proposal is not None
    ]
    assert by_tool, "the bundled file carries indicators proposed by the tool"
    assert remove_proposals(path, indicators=True, ref=reference) > len(by_tool)
    after = read_goal_file(path, reference)
    left = [i for fw in after.frameworks for _, g in fw.all_goals() for i in g.indicators]
    assert not any(i.proposal is not None for i in left)
    assert not any(a.provenance == "förslag" for i in left for a in i.ambitions)
    by_hand = [i for i in left if i.provenance == "förslag"]
    assert len(by_hand) == 3 and all(i.reason for i in by_hand)
