"""Freeze a report: judge a municipality's goals as of a report date with the values known
then, and store the result with its inputs (`python -m reports freeze`). The judging is
core.judging's, on the same inputs as the ETL's (db.judging)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from config import Paths
from core.errors import DataError
from core.format import SOURCE_COMPUTED, SOURCE_RAW
from core.judging import (
    STANDARD_CHECKPOINTS,
    JudgedIndicator,
    group_local_versions,
    judge_all,
)
from core.people import local_source_label, shown_assessment
from core.reports import (
    Report,
    ReportAmbition,
    ReportArea,
    ReportFramework,
    ReportGoal,
    ReportIndicator,
)
from core.status import disagrees
from db import queries
from db.app_store import read_local_versions, read_signed_off
from db.calibration import read_calibration
from db.connection import connect_read_only
from db.judging import IndicatorFacts, ValuesAsOf, query_indicator_facts, query_judging_inputs
from db.snapshot import SNAPSHOT_META
from reports.store import save_report

VINTAGE_NOTE = (
    "Ett värde för ett år räknas från den dag Kolada publicerar nyckeltalet för året "
    "(enligt nyckeltalets publiceringsmönster i Kolada, dock tidigast året efter; utan "
    "mönster från 31 december året efter). Värden som en körning mot Kolada har lagt "
    "till eller ändrat efter rapportdagen räknas inte: rapporten använder dem som de var "
    "kända på rapportdagen. Värdena i den medföljande ögonblicksbilden (hämtad {snapshot}) "
    "saknar hämtningsdag per värde och räknas som kända från sin publiceringsdag. "
    "Lokala indikatorers värden är kommunens egna: de räknas från den dag de laddades upp i "
    "Målpuls, och en senare uppladdning räknas inte."
)


def report_label(checkpoints: list[tuple[str, str]], date: dt.date) -> tuple[str, bool]:
    """The report's name, and whether the date is one of the goal files' checkpoints."""
    md = date.strftime("%m-%d")
    named = [label for label, month_day in checkpoints if month_day == md]
    if named:
        return f"{named[0]} {date.year}", True
    standard = {month_day: label for label, month_day in STANDARD_CHECKPOINTS}
    if md in standard:
        return f"{standard[md]} {date.year}", False
    return f"Avstämning per {date.isoformat()}", False


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _f(v: Any) -> float | None:
    return None if _missing(v) else float(v)


def _i(v: Any) -> int | None:
    return None if _missing(v) else int(v)


def _d(v: Any) -> dt.date | None:
    if _missing(v) or (not isinstance(v, dt.date) and pd.isna(v)):
        return None
    return pd.Timestamp(v).date()


def _s(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def _indicator(
    j: JudgedIndicator,
    facts: dict[tuple[str, str, str | None], IndicatorFacts],
    municipality_name: str,
) -> ReportIndicator:
    r, inp = j.result, j.inp
    fact = facts.get((inp.municipality_id, inp.indicator_id, j.kpi))
    own = facts[(inp.municipality_id, inp.indicator_id, inp.kpi_id)]
    # j.series holds only the values known on the report date (core.judging.judge_all).
    known = list(zip(*j.series, strict=True))
    return ReportIndicator(
        indicator_id=inp.indicator_id,
        goal_id=inp.goal_id,
        title=own.title,
        kpi_id=inp.kpi_id,
        judged_kpi_id=j.kpi,
        gender=inp.gender,
        unit=own.unit,
        direction=inp.direction,
        ambitions=[
            ReportAmbition(date=x.date, value=x.value, kind=x.kind, provenance=x.provenance)
            for x in sorted(inp.ambitions, key=lambda x: x.date)
        ],
        years=[int(y) for y, _ in known],
        values=[float(v) for _, v in known],
        status=str(r.status),
        basis=r.basis,
        reason=r.reason,
        latest_year=r.latest_year,
        latest_value=_f(r.latest_value),
        data_age_years=r.data_age_years,
        next_publication=fact.publication_date if fact else None,
        change_per_year=_f(r.change_per_year),
        target_value=_f(r.target_value),
        target_date=r.target_date,
        horizon_years=r.horizon_years,
        method=r.method,
        point=_f(r.point),
        lo80=_f(r.lo80),
        hi80=_f(r.hi80),
        p_met=_f(r.p_met),
        target_provenance=r.target_provenance,
        # A local indicator's values are the municipality's own, never Kolada's.
        source=SOURCE_RAW if inp.kpi_id else local_source_label(municipality_name),
        local_version=j.local.version if j.local else None,
    )


def build_report(
    paths: Paths, municipality_id: str, date: dt.date, now: dt.datetime
) -> tuple[Report, bool]:
    """The report as of `date` from the published database, and whether the date is one
    of the goal files' checkpoints."""
    con = connect_read_only(paths.db_path)
    try:
        names = dict(queries.query_framework_municipalities(con))
        if municipality_id not in names:
            raise DataError(
                f"Kommunen {municipality_id} har ingen målfil i databasen. Kommuner med mål: "
                + ", ".join(f"{k} ({v})" for k, v in sorted(names.items()))
            )
        label, is_checkpoint = report_label(queries.query_checkpoints(con, municipality_id), date)
        meta = queries.query_meta(con)
        calibration = read_calibration(paths.calibration_path)
        # Local indicators' uploads from the app's store (read only): the one in force on
        # the report date is judged (core.judging.local_version_in_force).
        uploads = group_local_versions(read_local_versions(paths.app_db_path, municipality_id))
        judged, judged_goals = judge_all(
            replace(query_judging_inputs(con).only(municipality_id), local=uploads),
            ValuesAsOf(con),
            calibration,
            date,
            dates=[(date, label)],
        )
        facts = query_indicator_facts(con)
        goals = queries.query_goals(con, municipality_id)
        areas = queries.query_areas(con, municipality_id)
        frameworks = queries.query_frameworks(con, municipality_id)
        comments = queries.query_assessment_comments(con, municipality_id)
    finally:
        con.close()

    summary = {g.goal.goal_id: g.result for g in judged_goals}
    # Assessments signed off in the app (read only: the app owns the store), beside the
    # goal file's; drafts never reach a report.
    signed_off = read_signed_off(paths.app_db_path, municipality_id)
    report_goals = []
    for g in goals.itertuples():
        s = summary[g.goal_id]
        shown = shown_assessment(
            [(d, st, c) for gid, d, st, c in comments if gid == g.goal_id],
            [a for a in signed_off if a.key.goal_id == g.goal_id],
            date,
        )
        report_goals.append(
            ReportGoal(
                goal_id=g.goal_id,
                framework_id=g.framework_id,
                area_id=_s(g.area_id),
                number=_i(g.number),
                title=g.title,
                type=g.type,
                measurability=g.measurability,
                ambition_text=_s(g.ambition_text),
                status=str(s.status),
                reason=s.reason,
                counts=dict(s.counts),
                weakest_indicator=s.weakest,
                forecast_allowed=s.forecast_allowed,
                assessment=shown.status if shown else None,
                assessment_comment=shown.comment if shown else None,
                disagrees=disagrees(str(s.status), shown.status if shown else None),
                assessment_actions=shown.actions if shown else None,
                assessment_by=shown.by if shown else None,
                assessment_signed_off_at=shown.signed_off_at if shown else None,
                assessment_checkpoint=shown.checkpoint if shown else None,
            )
        )
    report = Report(
        municipality_id=municipality_id,
        municipality_name=names[municipality_id],
        date=date,
        label=label,
        frozen_at=now.replace(microsecond=0),
        data_date=_d(meta.get("data_date")),
        vintage_note=VINTAGE_NOTE.format(snapshot=SNAPSHOT_META["data_date"]),
        source=SOURCE_COMPUTED,
        frameworks=[
            ReportFramework(
                framework_id=f.framework_id,
                name=f.name,
                period_start=_d(f.period_start),
                period_end=_d(f.period_end),
                area_level_name=f.area_level_name,
                goal_level_name=f.goal_level_name,
            )
            for f in frameworks.itertuples()
        ],
        areas=[
            ReportArea(
                area_id=a.area_id, framework_id=a.framework_id, number=_i(a.number), title=a.title
            )
            for a in areas.itertuples()
        ],
        goals=report_goals,
        indicators=[_indicator(j, facts, names[municipality_id]) for j in judged],
    )
    return report, is_checkpoint


def freeze(
    paths: Paths,
    municipality_id: str,
    date: dt.date,
    *,
    now: dt.datetime,
    progress: Callable[[str], object] = print,
) -> Path:
    if date > now.date():
        raise DataError(
            f"Rapporten per {date.isoformat()} kan inte frysas före rapportdagen "
            f"(i dag är det {now.date().isoformat()})."
        )
    report, is_checkpoint = build_report(paths, municipality_id, date, now)
    if not is_checkpoint:
        progress(
            f"Obs: {date.isoformat()} är ingen rapportpunkt i målfilen; rapporten heter "
            f'"{report.label}".'
        )
    path = save_report(paths.reports_dir, report)
    counts: dict[str, int] = {}
    for g in report.goals:
        counts[g.status] = counts.get(g.status, 0) + 1
    progress(
        f"Fryst: {report.label}, {report.municipality_name}: {len(report.goals)} mål "
        f"({', '.join(f'{n} {s}' for s, n in sorted(counts.items()))}), "
        f"{len(report.indicators)} indikatorer → {path}"
    )
    return path
