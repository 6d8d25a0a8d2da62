"""`python -m etl propose`: proposed målvärden and indicators written into a goal file as
proposals, through the real CLI in a subprocess, on the tiny real database."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import PROJECT_ROOT, Paths
from core.goals import ReferenceData
from core.targets import OPTION_KINDS
from etl.goal_edit import remove_proposals
from etl.goal_files import read_goal_file
from tests.conftest import goal_file_without_proposals


def _propose(paths: Paths, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MALPULS_DATA_DIR": str(paths.db_path.parent)}
    return subprocess.run(
        [sys.executable, "-m", "etl", "propose", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        check=False,
    )


def test_targets_are_written_as_proposals_and_keep_the_file(
    tiny_paths: Paths, tmp_path: Path, reference: ReferenceData
) -> None:
    path = goal_file_without_proposals("1962-norberg.yaml", tmp_path / "1962-norberg.yaml")
    before = path.read_text(encoding="utf-8")
    comments = [ln for ln in before.splitlines() if ln.lstrip().startswith("#")]

    dry = _propose(tiny_paths, str(path), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "periodmål" in dry.stdout and "skulle skrivas" in dry.stdout
    assert path.read_text(encoding="utf-8") == before  # a dry run writes nothing

    run = _propose(tiny_paths, str(path), "--by", "Testaren")
    assert run.returncode == 0, run.stderr
    after = path.read_text(encoding="utf-8")
    assert [ln for ln in after.splitlines() if ln.lstrip().startswith("#")] == comments

    gf = read_goal_file(path, reference)  # still valid
    written = [
        (g, i)
        for fw in gf.frameworks
        for _, g in fw.all_goals()
        for i in g.indicators
        if i.ambitions
    ]
    assert written, run.stdout
    period_end = gf.frameworks[0].period.end
    for goal, ind in written:
        assert goal.type == "styrande"  # only goals that get a forecast
        kinds = [a.kind for a in ind.ambitions]
        assert kinds[-1] == "accepterad gräns" and "periodmål" in kinds
        for a in ind.ambitions:
            assert a.provenance == "förslag" and a.decision is None
            assert a.proposal is not None and a.proposal.by == "Testaren"
            assert a.proposal.method.startswith(OPTION_KINDS)
            assert a.proposal.method.endswith("beräknat per 2020-01-01")
            assert a.date <= period_end
    # Running again replaces the proposals instead of piling them up.
    again = _propose(tiny_paths, str(path), "--by", "Testaren")
    assert again.returncode == 0, again.stderr
    assert path.read_text(encoding="utf-8") == after


def test_a_decided_target_is_never_touched(
    tiny_paths: Paths, tmp_path: Path, reference: ReferenceData
) -> None:
    from etl.goal_edit import add_ambitions

    path = goal_file_without_proposals("1962-norberg.yaml", tmp_path / "1962-norberg.yaml")
    run = _propose(tiny_paths, str(path), "--dry-run")
    first = next(
        ln.split(":")[0].strip()
        for ln in run.stdout.splitlines()
        if "periodmål" in ln and ln.startswith("  ")
    )
    decided = {
        "kind": "periodmål",
        "date": dt.date(2022, 12, 31),
        "value": 50.0,
        "provenance": "beslut",
        "decision": "KF 2020-06-15 § 40",
    }
    add_ambitions(path, first, [decided], ref=reference)
    run = _propose(tiny_paths, str(path), "--indicator", first)
    assert run.returncode == 0, run.stderr
    assert "har ett beslutat målvärde, orörd" in run.stdout
    ind = next(
        i
        for fw in read_goal_file(path, reference).frameworks
        for _, g in fw.all_goals()
        for i in g.indicators
        if i.id == first
    )
    assert [(a.provenance, a.value) for a in ind.ambitions] == [("beslut", 50.0)]


def test_indicators_are_proposed_for_goals_without_any(
    tiny_paths: Paths, tmp_path: Path, reference: ReferenceData
) -> None:
    path = tmp_path / "0685-vetlanda.yaml"
    path.write_bytes((PROJECT_ROOT / "data/goals/0685-vetlanda.yaml").read_bytes())
    removed = remove_proposals(path, indicators=True, ref=reference)
    gf = read_goal_file(path, reference)
    assert removed > 0 and not any(g.indicators for fw in gf.frameworks for _, g in fw.all_goals())

    run = _propose(tiny_paths, str(path), "--indicators")
    assert run.returncode == 0, run.stderr
    gf = read_goal_file(path, reference)
    goals = [g for fw in gf.frameworks for _, g in fw.all_goals()]
    proposed = [i for g in goals for i in g.indicators]
    assert proposed, run.stdout
    for g in goals:
        assert len(g.indicators) <= 3
    for ind in proposed:
        assert ind.provenance == "förslag" and ind.direction_provenance == "förslag"
        assert ind.direction in ("öka", "minska") and ind.kpi
        assert ind.reason and "nyckeltalssökning" in ind.reason and "riktningen" in ind.reason
        assert (
            ind.proposal is not None and ind.proposal.method == "nyckeltalssökning på målets text"
        )
    # No KPI is proposed for more than two goals of the file.
    kpis = [i.kpi for i in proposed]
    assert max(kpis.count(k) for k in kpis) <= 2


def test_a_broken_goal_file_is_named_and_left_as_it_was(tiny_paths: Paths, tmp_path: Path) -> None:
    path = tmp_path / "trasig.yaml"
    path.write_text("format_version: 1\nmunicipality: {id: '1962'\n", encoding="utf-8")
    before = path.read_bytes()
    run = _propose(tiny_paths, str(path))
    assert run.returncode == 1
    assert "trasig.yaml" in run.stderr and "Traceback" not in run.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize("option", ["halla", "kvartil"])
def test_the_option_asked_for_is_written(
    tiny_paths: Paths, tmp_path: Path, reference: ReferenceData, option: str
) -> None:
    path = goal_file_without_proposals("1962-norberg.yaml", tmp_path / "1962-norberg.yaml")
    run = _propose(tiny_paths, str(path), "--option", option)
    assert run.returncode == 0, run.stderr
    methods = {
        a.proposal.method.split(",")[0]
        for fw in read_goal_file(path, reference).frameworks
        for _, g in fw.all_goals()
        for i in g.indicators
        for a in i.ambitions
        if a.proposal is not None
    }
    asked = {"halla": OPTION_KINDS[0], "kvartil": OPTION_KINDS[2]}[option]
    # Where the asked option would allow a decline, holding today's level stands in.
    assert asked in methods and methods <= {asked, OPTION_KINDS[0]}
