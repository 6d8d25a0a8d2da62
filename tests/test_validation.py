"""Broken goal files: each case is a real file on disk, read through the same reader as
the ETL, and must produce its own plain-Swedish message at the right path. Every problem
in a file is reported at once, and never as a traceback."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from config import PROJECT_ROOT
from core.errors import GoalFileError
from core.goals import ReferenceData
from etl.goal_files import read_goal_file

VALID = """\
format_version: 1
municipality:
  id: '1962'
  name: Norberg
frameworks:
  - id: test-ramverk
    name: Testramverk
    period: {start: '2020-01-01', end: '2022-12-31'}
    definition_status: antagen
    sources:
      - document: Testdokument
    level_names: {area: Område, goal: Mål}
    perspectives:
      - {id: bo, title: Bo}
    checkpoints:
      - {id: delar-april, label: Delårsrapport, kind: delårsrapport, month_day: 04-30}
    challenges:
      - {id: inkludering, title: Inkludering}
    areas:
      - id: omrade-1
        title: Område ett
        kind: strategiskt område
        goals:
          - id: g-1
            number: 1
            title: Mål ett
            kind: mål
            perspective: bo
            type: styrande
            measurability: kvantitativ
            definition_status: antagen
            governing_documents: [ÖP]
            indicators:
              - id: i-1
                title: Behöriga till yrkesprogram
                kpi: N15428
                direction: öka
                direction_provenance: källa
                ambitions:
                  - {kind: periodmål, date: '2022-12-31', value: 90, provenance: beslut,
                     decision: 'KF 2020-06-10 § 45'}
                  - kind: delmål
                    date: '2021-12-31'
                    value: 85
                    provenance: förslag
                    proposal:
                      {method: liknande kommuners mediantakt, date: '2020-05-01', by: etl propose}
            links:
              - {type: sdg, id: 4, provenance: källa}
              - {type: sdg_target, id: '4.1', provenance: förslag}
              - {type: crc, id: 3, provenance: förslag}
              - {type: challenge, id: inkludering, provenance: källa}
              - {type: goal, id: g-2, provenance: förslag}
            assessments:
              - {date: '2021-04-30', status: På väg, comment: Bra}
          - id: g-2
            number: 2
            title: Mål två
            kind: mål
            type: inriktningsmål
            measurability: kvalitativ
            definition_status: antagen
"""

PATH_I1 = "frameworks[0].areas[0].goals[0].indicators[0]"
PATH_G1 = "frameworks[0].areas[0].goals[0]"

# (case id, old text, new text, expected path, expected words in the message)
CASES = [
    (
        "unknown-top-key",
        "format_version: 1\n",
        "format_version: 1\nframeworkz: []\n",
        "frameworkz",
        "okänt fält",
    ),
    ("unknown-nested-key", "direction: öka", "dirction: öka", f"{PATH_I1}.dirction", "okänt fält"),
    (
        "missing-required",
        "            title: Mål ett\n",
        "",
        f"{PATH_G1}.title",
        "obligatoriskt fält saknas",
    ),
    (
        "municipality-id-unquoted",
        "id: '1962'",
        "id: 1962",
        "municipality.id",
        "ska vara text, inte 1962 (sätt citattecken",
    ),
    (
        "impossible-date",
        "start: '2020-01-01'",
        "start: '2019-04-31'",
        "frameworks[0].period.start",
        "datumet 2019-04-31 finns inte",
    ),
    (
        "impossible-checkpoint",
        "month_day: 04-30",
        "month_day: 04-31",
        "frameworks[0].checkpoints[0].month_day",
        "datumet '04-31' (MM-DD) finns inte",
    ),
    (
        "duplicate-goal-id",
        "id: g-2\n",
        "id: g-1\n",
        "frameworks[0].areas[0].goals[1].id",
        "id 'g-1' används redan",
    ),
    (
        "link-unknown-goal",
        "{type: goal, id: g-2,",
        "{type: goal, id: g-9,",
        f"{PATH_G1}.links[4].id",
        "målet 'g-9' finns inte i filen",
    ),
    (
        "sdg-out-of-range",
        "{type: sdg, id: 4,",
        "{type: sdg, id: 18,",
        f"{PATH_G1}.links[0].id",
        "det finns inget globalt mål 18",
    ),
    (
        "sdg-target-unknown",
        "id: '4.1'",
        "id: '4.99'",
        f"{PATH_G1}.links[1].id",
        "det finns inget Agenda 2030-delmål '4.99'",
    ),
    (
        "sdg-target-as-float",
        "id: '4.1'",
        "id: 4.10",
        f"{PATH_G1}.links[1].id",
        "tolkas som ett decimaltal",
    ),
    (
        "crc-article-unknown",
        "{type: crc, id: 3,",
        "{type: crc, id: 55,",
        f"{PATH_G1}.links[2].id",
        "barnkonventionen har ingen artikel 55",
    ),
    (
        "challenge-unknown",
        "{type: challenge, id: inkludering,",
        "{type: challenge, id: folkhalsa,",
        f"{PATH_G1}.links[3].id",
        "utmaningen 'folkhalsa' finns inte",
    ),
    (
        "kpi-unknown",
        "kpi: N15428",
        "kpi: N99999",
        f"{PATH_I1}.kpi",
        "nyckeltalet 'N99999' finns inte i Koladas katalog",
    ),
    (
        "successor-unknown",
        "direction: öka\n",
        "direction: öka\n                successor: {kpi: N99998}\n",
        f"{PATH_I1}.successor.kpi",
        "efterföljaren 'N99998' finns inte",
    ),
    (
        "enum-wrong",
        "direction: öka",
        "direction: upp",
        f"{PATH_I1}.direction",
        "'upp' är inte tillåtet; tillåtna värden: 'öka', 'minska' eller",
    ),
    (
        "local-with-kpi",
        "kpi: N15428",
        "kpi: N15428\n                local: true",
        f"{PATH_I1}.kpi",
        "en lokal indikator (local: true) ska inte ha något Kolada-id",
    ),
    (
        "no-kpi-not-local",
        "                kpi: N15428\n",
        "",
        f"{PATH_I1}.kpi",
        "Kolada-id saknas; ange kpi eller markera",
    ),
    (
        "assessment-off-checkpoint",
        "date: '2021-04-30', status",
        "date: '2021-05-15', status",
        f"{PATH_G1}.assessments[0].date",
        "2021-05-15 är ingen rapportpunkt",
    ),
    (
        "perspective-unknown",
        "perspective: bo",
        "perspective: leva",
        f"{PATH_G1}.perspective",
        "perspektivet 'leva' finns inte",
    ),
    (
        "period-reversed",
        "end: '2022-12-31'",
        "end: '2019-12-31'",
        "frameworks[0].period.end",
        "perioden slutar (2019-12-31) före den börjar",
    ),
    (
        "ambition-outside-period",
        "date: '2022-12-31', value",
        "date: '2030-12-31', value",
        f"{PATH_I1}.ambitions[0].date",
        "ligger utanför ramverkets period",
    ),
    (
        "ambition-without-provenance",
        " value: 90, provenance: beslut,",
        " value: 90,",
        f"{PATH_I1}.ambitions[0].provenance",
        "obligatoriskt fält saknas",
    ),
    (
        "decided-ambition-without-decision",
        "\n                     decision: 'KF 2020-06-10 § 45'}",
        "}",
        f"{PATH_I1}.ambitions[0].decision",
        "ett beslutat målvärde måste ange beslutet (decision), t.ex. 'KF 2024-06-10 § 45'",
    ),
    (
        "proposed-ambition-without-proposal",
        "                    proposal:\n                      {method: liknande",
        "                    note:\n                      {method: liknande",
        f"{PATH_I1}.ambitions[1].proposal",
        "ett förslag till målvärde måste ange hur det togs fram",
    ),
    (
        "proposed-ambition-with-decision",
        "                    provenance: förslag\n",
        "                    provenance: förslag\n                    decision: KF § 1\n",
        f"{PATH_I1}.ambitions[1].decision",
        "ett förslag har inget beslut",
    ),
    (
        "ambition-provenance-wrong",
        "provenance: beslut,",
        "provenance: källa,",
        f"{PATH_I1}.ambitions[0].provenance",
        "'källa' är inte tillåtet; tillåtna värden: 'förslag' eller 'beslut'",
    ),
    (
        "proposal-without-by",
        ", by: etl propose}",
        "}",
        f"{PATH_I1}.ambitions[1].proposal.by",
        "obligatoriskt fält saknas",
    ),
    (
        "list-expected",
        "governing_documents: [ÖP]",
        "governing_documents: ÖP",
        f"{PATH_G1}.governing_documents",
        "ska vara en lista",
    ),
    (
        "municipality-not-in-kolada",
        "id: '1962'",
        "id: '9998'",
        "municipality.id",
        "kommunen '9998' finns inte i Koladas kommunlista",
    ),
    (
        "bad-id-form",
        "id: omrade-1",
        "id: Område 1",
        "frameworks[0].areas[0].id",
        "har fel form; id skrivs med små bokstäver",
    ),
    (
        "duplicate-yaml-key",
        "            number: 1\n",
        "            number: 1\n            number: 3\n",
        "number",
        "fältet står två gånger i samma avsnitt (rad",
    ),
    (
        "yaml-syntax",
        "name: Testramverk",
        "name: [Testramverk",
        "",
        "filen är inte giltig YAML (rad",
    ),
]


def _write(tmp_path: Path, text: str, name: str = "kommun.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_base_file_is_valid(tmp_path: Path, reference: ReferenceData) -> None:
    gf = read_goal_file(_write(tmp_path, VALID), reference)
    ind = gf.frameworks[0].areas[0].goals[0].indicators[0]
    assert ind.kpi == "N15428"
    decided, proposed = ind.ambitions
    assert (decided.provenance, decided.decision) == ("beslut", "KF 2020-06-10 § 45")
    assert proposed.provenance == "förslag" and proposed.proposal is not None
    assert proposed.proposal.method == "liknande kommuners mediantakt"
    assert ind.has_decided_target


def test_proposed_indicator_records_how_it_was_found(
    tmp_path: Path, reference: ReferenceData
) -> None:
    text = VALID.replace(
        "                direction_provenance: källa\n",
        "                direction_provenance: källa\n"
        "                provenance: förslag\n"
        "                reason: Nämns i ambitionstexten.\n"
        "                proposal: {method: nyckeltalssökning, date: '2026-11-01',"
        " by: kpi-search}\n",
        1,
    )
    goal = read_goal_file(_write(tmp_path, text), reference).frameworks[0].areas[0].goals[0]
    proposal = goal.indicators[0].proposal
    assert proposal is not None and proposal.by == "kpi-search"


def test_cases_are_distinct() -> None:
    assert len(CASES) >= 15
    assert len({c[0] for c in CASES}) == len(CASES)
    assert len({(c[1], c[2]) for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("case", "old", "new", "path", "words"), CASES, ids=[c[0] for c in CASES])
def test_broken_file_message(
    tmp_path: Path, reference: ReferenceData, case: str, old: str, new: str, path: str, words: str
) -> None:
    assert old in VALID, f"case {case} does not apply to the base file"
    file = _write(tmp_path, VALID.replace(old, new, 1), f"{case}.yaml")
    with pytest.raises(GoalFileError) as info:
        read_goal_file(file, reference)
    lines = [str(p) for p in info.value.problems]
    prefix = f"{file}: {path}: " if path else f"{file}: "
    matching = [ln for ln in lines if ln.startswith(prefix) and words in ln]
    assert matching, f"expected '{prefix}…{words}…' in:\n" + "\n".join(lines)


def test_successor_that_vanished_from_the_catalogue_is_accepted(
    tmp_path: Path, reference: ReferenceData
) -> None:
    """A successor must be current when the file is written (a retired one is a mistake
    in the file), but one that vanished from Kolada since must not stop the nightly run
    (issue 14): the live run lists it in `vanished_kpis` and warns instead."""
    file = _write(
        tmp_path,
        VALID.replace(
            "direction: öka\n", "direction: öka\n                successor: {kpi: N99998}\n", 1
        ),
    )
    retired = replace(reference, retired_kpis=reference.retired_kpis | {"N99998"})
    with pytest.raises(GoalFileError, match="efterföljaren 'N99998' finns inte i Koladas aktuella"):
        read_goal_file(file, retired)
    gf = read_goal_file(file, replace(retired, vanished_kpis=frozenset({"N99998"})))
    successor = gf.frameworks[0].areas[0].goals[0].indicators[0].successor
    assert successor is not None and successor.kpi == "N99998"


def test_empty_file(tmp_path: Path, reference: ReferenceData) -> None:
    file = _write(tmp_path, "# bara en kommentar\n")
    with pytest.raises(GoalFileError, match="filen är tom"):
        read_goal_file(file, reference)


def test_all_problems_reported_at_once(tmp_path: Path, reference: ReferenceData) -> None:
    text = (
        VALID.replace("direction: öka", "direction: upp")
        .replace("kpi: N15428", "kpi: N99999")
        .replace("start: '2020-01-01'", "start: '2020-02-30'")
        .replace("{type: sdg, id: 4,", "{type: sdg, id: 0,")
    )
    with pytest.raises(GoalFileError) as info:
        read_goal_file(_write(tmp_path, text), reference)
    paths = {p.path for p in info.value.problems}
    assert {
        f"{PATH_I1}.direction",
        f"{PATH_I1}.kpi",
        "frameworks[0].period.start",
        f"{PATH_G1}.links[0].id",
    } <= paths


def test_cli_validate_prints_message_not_traceback(tmp_path: Path) -> None:
    file = _write(tmp_path, VALID.replace("start: '2020-01-01'", "start: '2019-04-31'"))
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "validate", str(file)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "frameworks[0].period.start: datumet 2019-04-31 finns inte" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
