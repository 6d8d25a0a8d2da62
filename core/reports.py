"""Frozen interim reports (delårsrapport 30 april, 31 augusti, årsredovisning): the model
of what is stored, and "Vad har ändrats" between two reports.

Pure. A report holds every status and forecast as of its date together with the inputs
that produced them (the series as known then, the ambitions, the assessments), so it can be
reopened exactly as frozen and compared with another without the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from core.format import SOURCE_RAW, format_date, format_number, numbered_label
from core.status import AGAINST_PROPOSAL

FORMAT_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReportAmbition(_Model):
    date: dt.date
    value: float
    kind: str
    # beslut | förslag; reports frozen before issue 16 knew only decided targets.
    provenance: str = "beslut"


class ReportIndicator(_Model):
    indicator_id: str
    goal_id: str
    title: str
    kpi_id: str | None
    judged_kpi_id: str | None
    gender: str
    unit: str | None
    direction: str
    ambitions: list[ReportAmbition]
    years: list[int]  # the judged series as known on the report date
    values: list[float]
    status: str
    basis: str
    reason: str
    latest_year: int | None
    latest_value: float | None
    data_age_years: int | None
    next_publication: dt.date | None
    change_per_year: float | None
    target_value: float | None
    target_date: dt.date | None
    horizon_years: int | None
    method: str | None
    point: float | None
    lo80: float | None
    hi80: float | None
    p_met: float | None
    # The target's provenance when judged against one (beslut | förslag), so a frozen
    # report says when a status rests on a proposal; None: no target (or frozen before).
    target_provenance: str | None = None
    # Where the values come from: "Källa: Kolada", or for a local indicator "Källa:
    # <kommunen>" (core.people.local_source_label) and the upload judged (None without
    # one). Reports frozen before issue 19 have neither: see values_source.
    source: str | None = None
    local_version: int | None = None


class ReportGoal(_Model):
    goal_id: str
    framework_id: str
    area_id: str | None
    number: int | None
    title: str
    type: str
    measurability: str
    ambition_text: str | None
    status: str
    reason: str
    counts: dict[str, int]
    weakest_indicator: str | None
    forecast_allowed: bool
    assessment: str | None  # leadership's latest assessment on or before the date
    assessment_comment: str | None
    disagrees: bool
    # A signed-off assessment from the app (issue 19): its planned åtgärder, who signed it
    # off and when, and the report it was written for. None in reports frozen before, and
    # for an assessment from the goal file.
    assessment_actions: str | None = None
    assessment_by: str | None = None
    assessment_signed_off_at: dt.datetime | None = None
    assessment_checkpoint: dt.date | None = None


class ReportArea(_Model):
    area_id: str
    framework_id: str
    number: int | None
    title: str


class ReportFramework(_Model):
    framework_id: str
    name: str
    period_start: dt.date
    period_end: dt.date
    area_level_name: str
    goal_level_name: str


class Report(_Model):
    format_version: int = FORMAT_VERSION
    municipality_id: str
    municipality_name: str
    date: dt.date
    label: str
    frozen_at: dt.datetime
    data_date: dt.date | None  # the database's data date when frozen
    vintage_note: str  # which values counted: how "published by the date" was decided
    source: str
    frameworks: list[ReportFramework]
    areas: list[ReportArea]
    goals: list[ReportGoal]
    indicators: list[ReportIndicator]

    def indicators_of(self, goal_id: str) -> list[ReportIndicator]:
        return [i for i in self.indicators if i.goal_id == goal_id]

    def area_title(self, area_id: str | None) -> str:
        for a in self.areas:
            if a.area_id == area_id:
                return numbered_label(a.number, a.title)
        return "Utan område"


@dataclass(frozen=True)
class GoalChange:
    """One goal between two reports: its statuses and every reason its inputs differ."""

    goal_id: str
    title: str
    old_status: str | None  # None: the goal is new
    new_status: str | None  # None: the goal is gone
    reasons: list[str] = field(default_factory=list)

    @property
    def status_changed(self) -> bool:
        return self.old_status != self.new_status


def _num(v: float) -> str:
    return format_number(v)


def values_source(ind: ReportIndicator) -> str:
    """The source of an indicator's values as every export words it: "Källa: Kolada", or
    "Källa: <kommunen>" for a local indicator. A report frozen before local values were
    judged has no source: its indicators with values were all Kolada's."""
    return ind.source or SOURCE_RAW


def local_sources(report: Report) -> list[str]:
    """The sources of the report's local indicators with values ("Källa: <kommunen>")."""
    return sorted(
        {
            values_source(i)
            for i in report.indicators
            if i.kpi_id is None and i.years and values_source(i) != SOURCE_RAW
        }
    )


def values_sources_text(report: Report) -> str:
    """One line for the sources of all values in a report: Kolada's, and the municipality's
    own for its local indicators (named only when the report holds any)."""
    local = local_sources(report)
    return f"{SOURCE_RAW}; lokala indikatorer: {', '.join(local)}" if local else SOURCE_RAW


def _value_reasons(old: ReportIndicator, new: ReportIndicator) -> list[str]:
    out = []
    if new.kpi_id is None and (new.local_version or old.local_version):
        return _local_value_reasons(old, new)
    if old.judged_kpi_id != new.judged_kpi_id:
        out.append(
            f"{new.title}: bedöms nu på {new.judged_kpi_id or 'inget nyckeltal'} "
            f"(tidigare {old.judged_kpi_id or 'inget'})."
        )
        return out
    a = dict(zip(old.years, old.values, strict=True))
    b = dict(zip(new.years, new.values, strict=True))
    for year in sorted(set(b) - set(a)):
        out.append(f"{new.title}: nytt värde i Kolada för {year}: {_num(b[year])}.")
    for year in sorted(set(a) & set(b)):
        if a[year] != b[year]:
            out.append(
                f"{new.title}: Kolada har reviderat värdet för {year} från {_num(a[year])} "
                f"till {_num(b[year])}."
            )
    for year in sorted(set(a) - set(b)):
        out.append(f"{new.title}: värdet för {year} ({_num(a[year])}) finns inte längre i Kolada.")
    return out


def _local_value_reasons(old: ReportIndicator, new: ReportIndicator) -> list[str]:
    """A local indicator's values between two reports: a new upload, and what it changed."""
    if old.local_version == new.local_version:
        return []
    a = dict(zip(old.years, old.values, strict=True))
    b = dict(zip(new.years, new.values, strict=True))
    changed = [y for y in sorted(set(a) | set(b)) if a.get(y) != b.get(y)]
    what = "ändrade år: " + ", ".join(str(y) for y in changed) if changed else "samma värden"
    if new.local_version is None:
        return [
            f"{new.title}: inga uppladdade värden längre (tidigare version {old.local_version})."
        ]
    was = f"version {old.local_version}" if old.local_version else "inga värden"
    return [
        f"{new.title}: nya uppladdade värden (version {new.local_version}, tidigare {was}; {what})."
    ]


def _ambition_text(ambitions: list[ReportAmbition]) -> str:
    if not ambitions:
        return "ingen"
    return ", ".join(
        f"{a.kind} {_num(a.value)} till {a.date.isoformat()}"
        + (" (förslag)" if a.provenance == "förslag" else "")
        for a in ambitions
    )


def _assessment_reasons(before: ReportGoal, g: ReportGoal) -> list[str]:
    """What changed in the goal's assessment: its status, its comment, its åtgärder, or a
    new sign-off of the same words."""
    if before.assessment != g.assessment:
        line = (
            f"Ledningens bedömning ändrad: {before.assessment or 'ingen'} → "
            f"{g.assessment or 'ingen'}"
        )
        return [line + (f" (klarmarkerad av {g.assessment_by})." if g.assessment_by else ".")]
    out = []
    if (before.assessment_comment or "") != (g.assessment_comment or ""):
        out.append(f"Bedömningens kommentar ändrad ({g.assessment or 'ingen'}).")
    if (before.assessment_actions or "") != (g.assessment_actions or ""):
        out.append("Bedömningens planerade åtgärder ändrade.")
    if not out and before.assessment_signed_off_at != g.assessment_signed_off_at and g.assessment:
        out.append(f"Bedömningen klarmarkerad på nytt av {g.assessment_by or 'okänd'}.")
    return out


def diff_reports(old: Report, new: Report) -> list[GoalChange]:
    """Every goal whose status or inputs differ between two reports, in the new report's
    order (goals only in the old one last). A status change with no changed input is
    explained by the later date (a delmål passed, a shorter forecast horizon)."""
    old_goals = {g.goal_id: g for g in old.goals}
    changes: list[GoalChange] = []
    for g in new.goals:
        before = old_goals.get(g.goal_id)
        if before is None:
            changes.append(GoalChange(g.goal_id, g.title, None, g.status, ["Nytt mål i målfilen."]))
            continue
        reasons: list[str] = []
        if before.ambition_text != g.ambition_text:
            reasons.append("Målets ambitionsnivå (text) är ändrad i målfilen.")
        reasons.extend(_assessment_reasons(before, g))
        old_ind = {i.indicator_id: i for i in old.indicators_of(g.goal_id)}
        new_ind = {i.indicator_id: i for i in new.indicators_of(g.goal_id)}
        for iid, ind in new_ind.items():
            prev = old_ind.get(iid)
            if prev is None:
                reasons.append(f"Ny indikator: {ind.title}.")
                continue
            if prev.ambitions != ind.ambitions:
                reasons.append(
                    f"{ind.title}: ändrad ambition ({_ambition_text(prev.ambitions)} → "
                    f"{_ambition_text(ind.ambitions)})."
                )
            reasons.extend(_value_reasons(prev, ind))
        for iid in old_ind.keys() - new_ind.keys():
            reasons.append(f"Indikatorn {old_ind[iid].title} finns inte längre i målfilen.")
        if before.status != g.status and not reasons:
            reasons.append(
                f"Samma värden och ambitioner; bedömningsdagen är {new.date.isoformat()} i "
                f"stället för {old.date.isoformat()} (ett delmål kan ha passerats eller "
                "prognoshorisonten blivit kortare)."
            )
        if reasons or before.status != g.status:
            changes.append(GoalChange(g.goal_id, g.title, before.status, g.status, reasons))
    new_ids = {g.goal_id for g in new.goals}
    for g in old.goals:
        if g.goal_id not in new_ids:
            changes.append(
                GoalChange(g.goal_id, g.title, g.status, None, ["Målet finns inte längre."])
            )
    return changes


# ------------------------------------------------------------------ assessments


def sign_off_text(g: ReportGoal) -> str | None:
    """Who signed the goal's assessment off in the app, and when: "Klarmarkerad av X 10
    september 2026 (för rapporten per 31 augusti 2026)." None for a goal file's."""
    if not g.assessment or not g.assessment_by or g.assessment_signed_off_at is None:
        return None
    text = f"Klarmarkerad av {g.assessment_by} {format_date(g.assessment_signed_off_at.date())}"
    if g.assessment_checkpoint is not None:
        text += f" (för rapporten per {format_date(g.assessment_checkpoint)})"
    return text + "."


# ------------------------------------------------------------------ proposals


def on_proposal(ind: ReportIndicator) -> bool:
    """The indicator's target is a proposal (förslag), not a decision: every export says so."""
    return ind.target_provenance == "förslag"


@dataclass(frozen=True)
class ProposalCounts:
    """How many statuses of a report rest on proposed target values: the indicators judged
    against a proposal, those judged against any target, and the goals whose summary says
    so (core.status writes AGAINST_PROPOSAL into it). The Word export and the published
    site word it for their readers; the counting is this one."""

    proposed: int
    judged: int
    goals: int


def proposal_counts(report: Report) -> ProposalCounts:
    judged = [i for i in report.indicators if i.target_value is not None]
    return ProposalCounts(
        proposed=sum(1 for i in judged if on_proposal(i)),
        judged=len(judged),
        goals=sum(1 for g in report.goals if AGAINST_PROPOSAL in g.reason),
    )
