"""The goal model: what a municipality decided, as read from its goal-definition file.

The format is documented field by field in `data/goals/README.md`; keep the two in step.
`parse_goal_file` is the only way in: it takes the already-parsed YAML mapping (the ETL's
reader does the file I/O) plus the reference data that links may point at, and either
returns a `GoalFile` or raises `GoalFileError` listing *every* problem at once, each as
`file: path.to.field: what is wrong` in plain Swedish.

Structural checks (unknown keys, wrong types, impossible dates) come from pydantic; the
checks pydantic cannot express (unique ids, links to goals/SDGs/KPIs that exist,
assessments on real checkpoint dates) are run on the raw mapping as well, so a file with
both kinds of fault reports both kinds in one go.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from core.errors import GoalFileError, Problem
from core.vocabulary import Status

FORMAT_VERSION = 1

# Words of the domain stay Swedish in the file: they are what the documents say.
DefinitionStatus = Literal["preliminär", "antagen", "ej definierat"]
GoalType = Literal["styrande", "inriktningsmål", "stödjande", "ej fastställt"]
Measurability = Literal["kvantitativ", "kvalitativ", "ej angiven"]
Direction = Literal["öka", "minska", "bevaka"]
Provenance = Literal["källa", "förslag"]
# A target value is either a proposal (ours, or a tool's, until someone decides it) or
# decided by the municipality; the app never shows the one as the other.
TargetProvenance = Literal["förslag", "beslut"]
Gender = Literal["T", "K", "M"]
AmbitionKind = Literal["delmål", "accepterad gräns", "periodmål"]
# Leadership's assessment uses the target words (core.status.Status), not the direction ones.
AssessmentStatus = Literal[
    Status.MET, Status.ON_TRACK, Status.UNCERTAIN, Status.OFF_TRACK, Status.NOT_JUDGEABLE
]
CheckpointKind = Literal["delårsrapport", "halvårsbokslut", "årsredovisning"]
LinkType = Literal["sdg", "sdg_target", "crc", "challenge", "rus", "goal"]
Confidence = Literal["hög", "medel", "låg"]

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
KOMMUN_RE = re.compile(r"^\d{4}$")
MONTH_DAY_RE = re.compile(r"^(\d{2})-(\d{2})$")

Id = Annotated[str, StringConstraints(pattern=ID_RE.pattern)]


class _Model(BaseModel):
    # extra="forbid": a misspelt key must be an error, never silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Municipality(_Model):
    id: str = Field(pattern=KOMMUN_RE.pattern)
    name: str


class Period(_Model):
    start: dt.date
    end: dt.date


class Decision(_Model):
    ref: str
    body: str
    date: dt.date | None = None
    paragraph: str | None = None
    subject: str | None = None


class Source(_Model):
    document: str
    seed: str | None = None
    url: str | None = None
    note: str | None = None


class LevelNames(_Model):
    area: str
    goal: str


class Perspective(_Model):
    id: Id
    title: str


class Checkpoint(_Model):
    """A report date that recurs every year of the period (30 April, 31 August, ...)."""

    id: Id
    label: str
    kind: CheckpointKind
    month_day: str = Field(pattern=MONTH_DAY_RE.pattern)
    note: str | None = None

    def on(self, year: int) -> dt.date:
        month, day = (int(p) for p in self.month_day.split("-"))
        return dt.date(year, month, day)


class Challenge(_Model):
    id: Id
    title: str
    note: str | None = None


class RusArea(_Model):
    id: Id
    number: int
    title: str


class Link(_Model):
    type: LinkType
    # Text for SDG targets ("11.10" must not become the float 11.1), numbers for goals/articles.
    id: str | int
    provenance: Provenance
    reason: str | None = None


class Baseline(_Model):
    year: int
    value: float
    note: str | None = None


class ProposalRecord(_Model):
    """How a proposal was made: by which method, on which date, by whom or what (a person,
    or a tool such as `python -m etl propose`)."""

    method: str
    date: dt.date
    by: str


class AmbitionEntry(_Model):
    kind: AmbitionKind
    date: dt.date
    value: float
    # Required: a target value whose standing is unstated would be read as decided.
    provenance: TargetProvenance
    decision: str | None = None  # required for beslut (checked in _check_ambition)
    proposal: ProposalRecord | None = None  # required for förslag
    note: str | None = None


class Successor(_Model):
    kpi: str
    note: str | None = None


class KpiMapping(_Model):
    confidence: Confidence
    note: str | None = None


class Indicator(_Model):
    id: Id
    title: str
    kpi: str | None = None
    local: bool = False
    direction: Direction
    direction_provenance: Provenance
    gender: Gender = "T"
    unit: str | None = None
    baseline: Baseline | None = None
    ambitions: tuple[AmbitionEntry, ...] = ()
    successor: Successor | None = None
    kpi_mapping: KpiMapping | None = None
    # källa: the document names this indicator; förslag: our proposal (e.g. read from the
    # ambition text), shown as such until the municipality confirms it.
    provenance: Provenance = "källa"
    reason: str | None = None
    # How a proposed indicator was found (e.g. by the KPI search), when a tool proposed it.
    proposal: ProposalRecord | None = None
    note: str | None = None

    @property
    def has_target(self) -> bool:
        return bool(self.ambitions)

    @property
    def has_decided_target(self) -> bool:
        return any(a.provenance == "beslut" for a in self.ambitions)


class AmbitionLevel(_Model):
    """The ambition level (ambitionsnivå) as text, with how settled it is."""

    text: str
    status: DefinitionStatus


class Assessment(_Model):
    date: dt.date
    status: AssessmentStatus
    comment: str | None = None
    by: str | None = None


class Goal(_Model):
    id: Id
    number: int | None = None
    title: str
    kind: Literal["mål", "delstrategi", "övergripande mål"]
    perspective: str | None = None
    type: GoalType
    measurability: Measurability
    definition_status: DefinitionStatus
    description: str | None = None
    ambition: AmbitionLevel | None = None
    responsible: str | None = None
    governing_documents: tuple[str, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    links: tuple[Link, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    notes: tuple[str, ...] = ()


class Area(_Model):
    id: Id
    number: int | None = None
    title: str
    kind: Literal["strategiskt område", "målområde", "riktning"]
    description: str | None = None
    goals: tuple[Goal, ...] = ()


class Conflict(_Model):
    id: Id
    title: str
    description: str
    goals: tuple[str, ...] = ()
    provenance: Provenance
    goals_provenance: Provenance | None = None


class Framework(_Model):
    id: Id
    name: str
    motto: str | None = None
    vision: str | None = None
    period: Period
    definition_status: DefinitionStatus
    decisions: tuple[Decision, ...] = ()
    sources: tuple[Source, ...] = Field(min_length=1)
    level_names: LevelNames
    perspectives: tuple[Perspective, ...] = ()
    checkpoints: tuple[Checkpoint, ...] = ()
    challenges: tuple[Challenge, ...] = ()
    rus_areas: tuple[RusArea, ...] = ()
    areas: tuple[Area, ...] = ()
    # Goals the document names but has not placed in an area (e.g. Vaggeryd's goals 6-8).
    goals: tuple[Goal, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    notes: tuple[str, ...] = ()

    def all_goals(self) -> Iterator[tuple[Area | None, Goal]]:
        for area in self.areas:
            for goal in area.goals:
                yield area, goal
        for goal in self.goals:
            yield None, goal


class GoalFile(_Model):
    format_version: Literal[1]
    municipality: Municipality
    frameworks: tuple[Framework, ...] = Field(min_length=1)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReferenceData:
    """What links in a goal file may point at; built by the ETL from data/reference and
    the KPI catalogue. `kpis` holds current ids, `retired_kpis` ids only in older catalogues.
    `vanished_kpis` (a live run's): ids that were current when the database or the bundled
    snapshot was made and are missing from Kolada's catalogue today. A successor must be
    current (naming a retired series as the successor is a mistake in the file), unless it
    vanished since: the file was right when written, so the run keeps going and warns."""

    sdg_goals: frozenset[int]
    sdg_targets: frozenset[str]
    crc_articles: frozenset[int]
    kpis: frozenset[str]
    retired_kpis: frozenset[str] = field(default_factory=frozenset)
    municipalities: frozenset[str] = field(default_factory=frozenset)
    vanished_kpis: frozenset[str] = field(default_factory=frozenset)


# ---------------------------------------------------------------------------- messages

_TYPE_WORDS = {
    "string_type": "ska vara text",
    "int_type": "ska vara ett heltal",
    "int_parsing": "ska vara ett heltal",
    "int_from_float": "ska vara ett heltal",
    "float_type": "ska vara ett tal",
    "float_parsing": "ska vara ett tal",
    "bool_type": "ska vara true eller false",
    "bool_parsing": "ska vara true eller false",
    "list_type": "ska vara en lista",
    "tuple_type": "ska vara en lista",
    "dict_type": "ska vara en uppsättning fält (nyckel: värde)",
    "model_type": "ska vara en uppsättning fält (nyckel: värde)",
    "model_attributes_type": "ska vara en uppsättning fält (nyckel: värde)",
}


def _fmt_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("str", "int", "function-after[", "literal"):  # union branch names
            continue
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(err: dict[str, Any]) -> str:
    kind = err["type"]
    value = err.get("input")
    shown = repr(value) if not isinstance(value, dict | list) else ""
    if kind == "extra_forbidden":
        return "okänt fält (stavfel? se data/goals/README.md för tillåtna fält)"
    if kind == "missing":
        return "obligatoriskt fält saknas"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return f"datumet {value} finns inte"
        return f"{shown} är inte ett datum; skriv ÅÅÅÅ-MM-DD"
    if kind == "literal_error":
        expected = str(err.get("ctx", {}).get("expected", "")).replace(" or ", " eller ")
        return f"{shown} är inte tillåtet; tillåtna värden: {expected}"
    if kind == "string_pattern_mismatch":
        return f"{shown} har fel form"
    if kind == "too_short":
        return "får inte vara tom"
    if kind in _TYPE_WORDS:
        hint = ""
        if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
            hint = " (sätt citattecken runt värdet, t.ex. '0665')"
        return f"{_TYPE_WORDS[kind]}, inte {shown or type(value).__name__}{hint}"
    return err.get("msg", "ogiltigt värde")


def _pattern_hint(path: str) -> str:
    leaf = path.rsplit(".", 1)[-1]
    if leaf == "id" and path.startswith("municipality"):
        return "; ett kommun-id är fyra siffror inom citattecken, t.ex. '0665'"
    if leaf in ("id", "goals") or leaf.startswith("id"):
        return "; id skrivs med små bokstäver a-z, siffror och bindestreck"
    if leaf == "month_day":
        return "; skriv MM-DD, t.ex. 04-30"
    return ""


def _structural_problems(file: str, raw: Any) -> list[Problem]:
    try:
        GoalFile.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            path = _fmt_path(err["loc"])
            msg = _message(err)
            if err["type"] == "string_pattern_mismatch":
                msg += _pattern_hint(path)
            problems.append(Problem(file, path, msg))
        return _dedupe(problems)
    return []


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


# ------------------------------------------------------------------ reference checks


def _items(node: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    """The mapping items of a list under `key`, skipping what is not a mapping: the
    structural check already reports those, this walk only needs to survive them."""
    if not isinstance(node, dict):
        return []
    value = node.get(key)
    if not isinstance(value, list):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]


def _valid_month_day(text: Any) -> tuple[int, int] | None:
    if not isinstance(text, str):
        return None
    m = MONTH_DAY_RE.match(text)
    if not m:
        return None
    month, day = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2001, month)[1]:
        return None
    return month, day


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _reference_problems(file: str, raw: Any, ref: ReferenceData) -> list[Problem]:
    problems: list[Problem] = []

    def add(path: str, message: str) -> None:
        problems.append(Problem(file, path, message))

    if not isinstance(raw, dict):
        return problems

    muni = raw.get("municipality")
    if (
        isinstance(muni, dict)
        and isinstance(muni.get("id"), str)
        and ref.municipalities
        and KOMMUN_RE.match(muni["id"])
        and muni["id"] not in ref.municipalities
    ):
        add("municipality.id", f"kommunen {muni['id']!r} finns inte i Koladas kommunlista")

    # Ids must be unique across the whole file: goals link to each other across frameworks.
    seen_ids: dict[tuple[str, str], str] = {}

    def unique(kind: str, value: Any, path: str) -> None:
        if not isinstance(value, str):
            return
        key = (kind, value)
        if key in seen_ids:
            add(path, f"id {value!r} används redan ({seen_ids[key]})")
        else:
            seen_ids[key] = path

    goal_ids: set[str] = set()
    goal_paths: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for fi, fw in _items(raw, "frameworks"):
        fpath = f"frameworks[{fi}]"
        unique("framework", fw.get("id"), f"{fpath}.id")
        for ai, area in _items(fw, "areas"):
            apath = f"{fpath}.areas[{ai}]"
            unique("area", area.get("id"), f"{apath}.id")
            for gi, goal in _items(area, "goals"):
                goal_paths.append((f"{apath}.goals[{gi}]", goal, fw))
        for gi, goal in _items(fw, "goals"):
            goal_paths.append((f"{fpath}.goals[{gi}]", goal, fw))
    for gpath, goal, _fw in goal_paths:
        unique("goal", goal.get("id"), f"{gpath}.id")
        if isinstance(goal.get("id"), str):
            goal_ids.add(goal["id"])

    for fi, fw in _items(raw, "frameworks"):
        fpath = f"frameworks[{fi}]"
        period = fw.get("period") if isinstance(fw.get("period"), dict) else {}
        start, end = _as_date(period.get("start")), _as_date(period.get("end"))
        if start and end and end < start:
            add(f"{fpath}.period.end", f"perioden slutar ({end}) före den börjar ({start})")

        perspectives = set()
        for pi, p in _items(fw, "perspectives"):
            unique(f"perspective:{fi}", p.get("id"), f"{fpath}.perspectives[{pi}].id")
            perspectives.add(p.get("id"))
        challenges = set()
        for ci, c in _items(fw, "challenges"):
            unique(f"challenge:{fi}", c.get("id"), f"{fpath}.challenges[{ci}].id")
            challenges.add(c.get("id"))
        rus = set()
        for ri, r in _items(fw, "rus_areas"):
            unique(f"rus:{fi}", r.get("id"), f"{fpath}.rus_areas[{ri}].id")
            rus.add(r.get("id"))
        checkpoint_days: set[tuple[int, int]] = set()
        for ci, cp in _items(fw, "checkpoints"):
            cpath = f"{fpath}.checkpoints[{ci}]"
            unique(f"checkpoint:{fi}", cp.get("id"), f"{cpath}.id")
            md = cp.get("month_day")
            parsed = _valid_month_day(md)
            if isinstance(md, str) and MONTH_DAY_RE.match(md) and parsed is None:
                add(f"{cpath}.month_day", f"datumet {md!r} (MM-DD) finns inte")
            if parsed:
                checkpoint_days.add(parsed)
        for ki, conflict in _items(fw, "conflicts"):
            unique(f"conflict:{fi}", conflict.get("id"), f"{fpath}.conflicts[{ki}].id")
            goals = conflict.get("goals")
            if isinstance(goals, list):
                for j, gid in enumerate(goals):
                    if isinstance(gid, str) and gid not in goal_ids:
                        add(
                            f"{fpath}.conflicts[{ki}].goals[{j}]",
                            f"målet {gid!r} finns inte i filen",
                        )

        fw_goals = [(p, g) for p, g, f in goal_paths if f is fw]
        for gpath, goal in fw_goals:
            persp = goal.get("perspective")
            if isinstance(persp, str) and persp not in perspectives:
                known = (
                    ", ".join(sorted(str(p) for p in perspectives))
                    or "inga perspektiv är definierade"
                )
                add(f"{gpath}.perspective", f"perspektivet {persp!r} finns inte ({known})")
            _check_links(goal, gpath, goal_ids, challenges, rus, ref, add)
            for ii, ind in _items(goal, "indicators"):
                ipath = f"{gpath}.indicators[{ii}]"
                unique("indicator", ind.get("id"), f"{ipath}.id")
                _check_indicator(ind, ipath, ref, add)
                for ai, amb in _items(ind, "ambitions"):
                    _check_ambition(amb, f"{ipath}.ambitions[{ai}]", add)
                    d = _as_date(amb.get("date"))
                    if d and start and end and not (start <= d <= end):
                        add(
                            f"{ipath}.ambitions[{ai}].date",
                            f"{d} ligger utanför ramverkets period {start}–{end}",
                        )
            assessed: set[dt.date] = set()
            for si, assess in _items(goal, "assessments"):
                d = _as_date(assess.get("date"))
                if d in assessed:
                    add(f"{gpath}.assessments[{si}].date", f"målet har redan en bedömning för {d}")
                if d:
                    assessed.add(d)
                if d and checkpoint_days and (d.month, d.day) not in checkpoint_days:
                    add(
                        f"{gpath}.assessments[{si}].date",
                        f"{d} är ingen rapportpunkt i ramverket (se checkpoints)",
                    )
                elif d and not checkpoint_days:
                    add(
                        f"{gpath}.assessments[{si}].date",
                        "ramverket har inga rapportpunkter (checkpoints)",
                    )
    return problems


def _check_ambition(amb: dict[str, Any], apath: str, add: Callable[[str, str], None]) -> None:
    """A decided target names its decision; a proposal says how it was made and has no
    decision (so `decision` alone tells a reader which kind a target is). A decided target
    may keep the `proposal` it was adopted from, as history."""
    prov = amb.get("provenance")
    if prov == "beslut" and not amb.get("decision"):
        add(
            f"{apath}.decision",
            "ett beslutat målvärde måste ange beslutet (decision), t.ex. 'KF 2024-06-10 § 45'",
        )
    if prov == "förslag":
        if amb.get("proposal") is None:
            add(
                f"{apath}.proposal",
                "ett förslag till målvärde måste ange hur det togs fram "
                "(proposal: {method, date, by})",
            )
        if amb.get("decision"):
            add(
                f"{apath}.decision",
                "ett förslag har inget beslut; ändra provenance till beslut om målvärdet "
                "är beslutat",
            )


def _check_links(
    goal: dict[str, Any],
    gpath: str,
    goal_ids: set[str],
    challenges: set[Any],
    rus: set[Any],
    ref: ReferenceData,
    add: Callable[[str, str], None],
) -> None:
    for li, link in _items(goal, "links"):
        lpath = f"{gpath}.links[{li}].id"
        kind, target = link.get("type"), link.get("id")
        if isinstance(target, float):
            add(
                lpath,
                f"{target!r} tolkas som ett decimaltal; "
                "skriv delmålet inom citattecken, t.ex. '11.10'",
            )
            continue
        if kind == "sdg":
            num = _as_int(target)
            if num not in ref.sdg_goals:
                add(lpath, f"det finns inget globalt mål {target!r} (1–17)")
        elif kind == "sdg_target":
            if str(target) not in ref.sdg_targets:
                add(lpath, f"det finns inget Agenda 2030-delmål {target!r}")
        elif kind == "crc":
            num = _as_int(target)
            if num not in ref.crc_articles:
                add(lpath, f"barnkonventionen har ingen artikel {target!r} (1–54)")
        elif kind == "challenge":
            if target not in challenges:
                add(lpath, f"utmaningen {target!r} finns inte i ramverkets challenges")
        elif kind == "rus":
            if target not in rus:
                add(lpath, f"RUS-området {target!r} finns inte i ramverkets rus_areas")
        elif kind == "goal":
            if target not in goal_ids:
                add(lpath, f"målet {target!r} finns inte i filen")
            elif target == goal.get("id"):
                add(lpath, "ett mål kan inte länka till sig självt")


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _check_indicator(
    ind: dict[str, Any], ipath: str, ref: ReferenceData, add: Callable[[str, str], None]
) -> None:
    kpi, local = ind.get("kpi"), ind.get("local", False)
    if local is True and kpi is not None:
        add(f"{ipath}.kpi", "en lokal indikator (local: true) ska inte ha något Kolada-id")
    if local is not True and kpi is None and "kpi" not in ind:
        add(f"{ipath}.kpi", "Kolada-id saknas; ange kpi eller markera indikatorn som local: true")
    if isinstance(kpi, str) and kpi not in ref.kpis and kpi not in ref.retired_kpis:
        add(f"{ipath}.kpi", f"nyckeltalet {kpi!r} finns inte i Koladas katalog")
    succ = ind.get("successor")
    if isinstance(succ, dict):
        skpi = succ.get("kpi")
        if isinstance(skpi, str):
            if skpi not in ref.kpis and skpi not in ref.vanished_kpis:
                add(
                    f"{ipath}.successor.kpi",
                    f"efterföljaren {skpi!r} finns inte i Koladas aktuella katalog",
                )
            if skpi == kpi:
                add(f"{ipath}.successor.kpi", "efterföljaren är samma nyckeltal som serien själv")
    baseline = ind.get("baseline")
    year = baseline.get("year") if isinstance(baseline, dict) else None
    if isinstance(year, int) and not 1990 <= year <= 2100:
        add(f"{ipath}.baseline.year", f"året {baseline['year']} är orimligt")


def parse_goal_file(file: str, raw: Any, ref: ReferenceData) -> GoalFile:
    """Validate a parsed goal file and return the model; raise GoalFileError with every
    problem found (structural and reference problems together)."""
    problems = _structural_problems(file, raw) + _reference_problems(file, raw, ref)
    if problems:
        raise GoalFileError(problems)
    return GoalFile.model_validate(raw)


def check_goal_files(files: list[GoalFile]) -> list[Problem]:
    """Cross-file rules: one file per municipality; framework ids unique across files
    (they identify a framework in the database and in URLs)."""
    problems = []
    munis: set[str] = set()
    frameworks: dict[str, str] = {}
    for f in files:
        if f.municipality.id in munis:
            problems.append(
                Problem("data/goals", "", f"kommunen {f.municipality.id} har fler än en målfil")
            )
        munis.add(f.municipality.id)
        for fw in f.frameworks:
            if fw.id in frameworks:
                problems.append(
                    Problem(
                        "data/goals",
                        "",
                        f"ramverks-id {fw.id!r} används i både kommun {frameworks[fw.id]} "
                        f"och {f.municipality.id}",
                    )
                )
            frameworks[fw.id] = f.municipality.id
    return problems
