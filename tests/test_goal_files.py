"""The three real goal files load, and hold what their documents say (counts from the
documents in ../shared/seeds)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from core.goals import GoalFile, ReferenceData
from etl.goal_files import read_goal_file, read_goal_files


def _load(goals_dir: Path, reference: ReferenceData, name: str) -> GoalFile:
    return read_goal_file(goals_dir / name, reference)


def test_every_goal_file_loads(goals_dir: Path, reference: ReferenceData) -> None:
    files = read_goal_files(goals_dir, reference)
    assert sorted(f.municipality.id for f in files) == ["0665", "0685", "1962"]


def test_norberg_six_areas_ten_goals_main_text_numbering(
    goals_dir: Path, reference: ReferenceData
) -> None:
    gf = _load(goals_dir, reference, "1962-norberg.yaml")
    (fw,) = gf.frameworks
    assert fw.vision and fw.vision.startswith("den växande kommunen")
    assert [d.ref for d in fw.decisions] == ["KF 2019-12-09 § 270", "KS 2019-11-25 § 298"]
    assert len(fw.areas) == 6
    by_area = {a.title: [g.number for g in a.goals] for a in fw.areas}
    assert sorted(n for ns in by_area.values() for n in ns) == list(range(1, 11))
    # Where the appendix header disagrees, the main text rules: 6-7 in "Arbete och
    # föreningsliv", 8 in "Miljö och klimat ...".
    arbete = next(ns for t, ns in by_area.items() if t.startswith("Arbete och föreningsliv"))
    miljo = next(ns for t, ns in by_area.items() if t.startswith("Miljö och klimat"))
    assert arbete == [6, 7]
    assert miljo == [8]


def test_norberg_all_appendix_indicators(goals_dir: Path, reference: ReferenceData) -> None:
    """Every bullet of the appendix is an indicator (some bullets name two series)."""
    gf = _load(goals_dir, reference, "1962-norberg.yaml")
    per_goal = {g.number: len(g.indicators) for _, g in gf.frameworks[0].all_goals()}
    # Bullets per goal in the appendix: 5, 7, 3, 2, 9, 9, 5, 14, 5, 8 (67 in all).
    bullets = {1: 5, 2: 7, 3: 3, 4: 2, 5: 9, 6: 9, 7: 5, 8: 14, 9: 5, 10: 8}
    for number, n in bullets.items():
        assert per_goal[number] >= n, f"mål {number}: {per_goal[number]} < {n} nyckeltal"
    titles = {i.title for _, g in gf.frameworks[0].all_goals() for i in g.indicators}
    assert any("Ohälsotal" in t for t in titles)
    assert any("Anmälda arbetsskador" in t for t in titles)


def test_norberg_kolada_ids_and_successors(goals_dir: Path, reference: ReferenceData) -> None:
    gf = _load(goals_dir, reference, "1962-norberg.yaml")
    inds = {i.kpi: i for _, g in gf.frameworks[0].all_goals() for i in g.indicators if i.kpi}
    assert "N15428" in inds  # behöriga till yrkesprogram
    # Retired series carry their successor and are never silently swapped.
    assert inds["N15533"].successor is not None
    assert inds["N15533"].successor.kpi == "N15643"
    assert inds["U07451"].successor is not None
    assert inds["U07451"].successor.kpi == "U07453"
    locals_ = [i for _, g in gf.frameworks[0].all_goals() for i in g.indicators if i.local]
    assert locals_, "indicators with no Kolada id are kept as local indicators"
    assert all(i.kpi is None for i in locals_)
    # No decided target values: the document sets none. Every target in the file is a
    # proposal (python -m etl propose), saying how it was made.
    ambitions = [
        a for _, g in gf.frameworks[0].all_goals() for i in g.indicators for a in i.ambitions
    ]
    assert ambitions, "the bundled file carries proposed target values"
    assert all(a.provenance == "förslag" and a.proposal is not None for a in ambitions)
    assert not any(a.decision for a in ambitions)


def test_vetlanda_fifteen_delstrategier_in_3x3_grid(
    goals_dir: Path, reference: ReferenceData
) -> None:
    gf = _load(goals_dir, reference, "0685-vetlanda.yaml")
    (fw,) = gf.frameworks
    assert [p.title for p in fw.perspectives] == ["Bo", "Leva", "Verka"]
    assert [a.title for a in fw.areas] == [
        "Den attraktiva kommunen",
        "Den hållbara kommunen",
        "Den nytänkande kommunen",
    ]
    cells = Counter((a.id, g.perspective) for a, g in fw.all_goals())
    assert sum(cells.values()) == 15
    assert len({a for a, _ in cells}) == 3 and len({p for _, p in cells}) == 3
    assert all(g.kind == "delstrategi" and g.description for _, g in fw.all_goals())
    assert len(fw.rus_areas) == 6
    # Every delstrategi has its challenges from Bilaga 3 (sourced) and SDG links that are
    # proposals (Bilaga 3's icons were lost).
    for _, g in fw.all_goals():
        kinds = {(link.type, link.provenance) for link in g.links}
        assert ("challenge", "källa") in kinds, g.id
        assert ("sdg", "förslag") in kinds, g.id
        assert ("sdg", "källa") not in kinds, g.id


def test_vaggeryd_goals_and_program(goals_dir: Path, reference: ReferenceData) -> None:
    gf = _load(goals_dir, reference, "0665-vaggeryd.yaml")
    ks, program = gf.frameworks
    goals = {g.number: g for _, g in ks.all_goals()}
    assert sorted(goals) == list(range(1, 9))
    assert all(
        goals[n].type == "styrande" and goals[n].measurability == "kvantitativ" for n in (1, 2, 3)
    )
    assert all(
        goals[n].type == "stödjande" and goals[n].measurability == "kvalitativ" for n in (4, 5)
    )
    assert all(goals[n].definition_status == "ej definierat" for n in (6, 7, 8))
    assert all(goals[n].ambition and goals[n].ambition.status == "preliminär" for n in range(1, 6))
    assert [a.title for a in ks.areas] == [
        "Tillväxt, hållbarhet och fysisk planering",
        "Arbete och fritid",
        "Kunskap och hälsa",
    ]
    # Interim reports: 30 April (the document's "31 april" does not exist) and 31 August.
    days = [c.month_day for c in ks.checkpoints]
    assert "04-30" in days and "08-31" in days
    assert "31 april" in (ks.checkpoints[days.index("04-30")].note or "")
    # The programme's four goals: goal 3's SDG links sourced, the others proposals.
    kf = {g.number: g for _, g in program.all_goals()}
    assert sorted(kf) == [1, 2, 3, 4]
    sdg = {
        n: {(str(link.id), link.provenance) for link in g.links if link.type == "sdg"}
        for n, g in kf.items()
    }
    assert sdg[3] == {("3", "källa"), ("2", "källa"), ("5", "källa"), ("10", "källa")}
    for n in (1, 2, 4):
        assert sdg[n] and all(p == "förslag" for _, p in sdg[n])
    crc = {str(link.id) for g in kf.values() for link in g.links if link.type == "crc"}
    assert crc == {"2", "3", "6", "12"}  # Barnkonventionen's guiding principles
    assert any("jordbruksmark" in c.title for c in program.conflicts)
