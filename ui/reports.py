"""The reports page: frozen interim reports exactly as frozen, what changed between two,
their Excel and Word exports, and the computed status at each report checkpoint.

URL: /rapporter?kommun=0665[&rapport=2026-08-31][&jamfor=2026-04-30][&avstamning=…].
Reports are frozen with `python -m reports freeze` (the page only reads them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from core.errors import DataError
from core.format import SOURCE_COMPUTED, SOURCE_RAW, forecast_text, format_number, numbered_label
from core.labels import status_text
from core.params import parse_choice, parse_report_date
from core.reports import GoalChange, Report, ReportIndicator, diff_reports, sign_off_text
from db import queries
from reports.charts import indicator_chart
from reports.excel import to_workbook
from reports.store import list_reports, load_report
from reports.word import to_docx
from ui import data
from ui.chart_alt import ChartText, report_indicator_text, show_chart
from ui.components import adopt_url_param, set_url_param, url_value

REPORT_PARAM = "rapport"
COMPARE_PARAM = "jamfor"
CHECKPOINT_PARAM = "avstamning"


@st.cache_data(show_spinner=False, max_entries=32)
def _load(path: str, mtime_ns: int) -> Report:
    del mtime_ns  # part of the cache key: a replaced file is read again
    return load_report(Path(path))


def _report(path: Path) -> Report:
    return _load(str(path), path.stat().st_mtime_ns)


@st.cache_data(show_spinner=False, max_entries=8)
def _excel(path: str, mtime_ns: int) -> bytes:
    return to_workbook(_load(path, mtime_ns))


@st.cache_data(show_spinner=False, max_entries=8)
def _word(path: str, mtime_ns: int) -> bytes:
    return to_docx(_load(path, mtime_ns))


def render_reports(municipality_id: str, name: str) -> None:
    st.title(f"Rapporter – {name}")
    st.caption(
        "Prognos för måloppfyllelse per delårsrapport och årsredovisning: frysta rapporter "
        "öppnas exakt som de frystes, även när Kolada har reviderat data efteråt."
    )
    frozen, broken = [], []
    for date, path in list_reports(data.paths().reports_dir, municipality_id):
        try:
            _report(path)
            frozen.append((date, path))
        except DataError as exc:
            # One damaged file must not hide the others: name it and go on.
            broken.append(str(exc))
    st.header("Frysta rapporter")
    if broken:
        st.warning("Rapportfiler som inte kan läsas:  \n" + "  \n".join(broken))
    dates = [d for d, _ in frozen]
    if not frozen:
        _drop_url_param(REPORT_PARAM, _report_parser(REPORT_PARAM, dates))
        _drop_url_param(COMPARE_PARAM, _report_parser(COMPARE_PARAM, dates))
        st.info(
            f"Inga rapporter är frysta för {name} ännu. Den som sammanställer "
            "delårsrapporten eller årsredovisningen ber Målpuls förvaltare att frysa "
            "rapporten per rapportdagen; den visas sedan här, exakt som den frystes."
        )
    else:
        by_date = {d.isoformat(): p for d, p in frozen}
        adopt_url_param(REPORT_PARAM, _report_parser(REPORT_PARAM, dates))
        chosen = st.selectbox(
            "Rapport",
            list(by_date),
            format_func=lambda d: (
                f"{_report(by_date[d]).label} (fryst "
                f"{_report(by_date[d]).frozen_at:%Y-%m-%d %H:%M})"
            ),
            key=REPORT_PARAM,
        )
        set_url_param(REPORT_PARAM, chosen)
        path = by_date[chosen]
        report = _report(path)
        _render_frozen(report, path)
        others = [d for d in by_date if d != chosen]
        st.header("Vad har ändrats")
        if not others:
            _drop_url_param(COMPARE_PARAM, _report_parser(COMPARE_PARAM, dates))
            st.caption("Frys en rapport till för att jämföra.")
        else:
            # The report itself is no comparison: it is dropped below, without a note.
            adopt_url_param(COMPARE_PARAM, _report_parser(COMPARE_PARAM, dates))
            older = [d for d in others if d < chosen]
            if (
                COMPARE_PARAM not in st.session_state
                or st.session_state[COMPARE_PARAM] not in others
            ):
                st.session_state[COMPARE_PARAM] = older[0] if older else others[0]
            base = st.selectbox(
                "Jämför med",
                others,
                format_func=lambda d: _report(by_date[d]).label,
                key=COMPARE_PARAM,
            )
            set_url_param(COMPARE_PARAM, base)
            old, new = sorted([_report(by_date[base]), report], key=lambda r: r.date)
            _render_changes(old, new, diff_reports(old, new))
    st.header("Beräknat per rapportpunkt")
    _render_checkpoints(municipality_id)


def _drop_url_param(key: str, parse: Callable[[str], str]) -> None:
    """A parameter for a choice the page does not offer now (no report frozen, none to
    compare with, no checkpoint): a note if it names something that does not exist, and
    out of the URL."""
    url_value(key, parse, None)
    set_url_param(key, None)


def _report_parser(key: str, dates: list[dt.date]) -> Callable[[str], str]:
    return lambda raw: parse_report_date(key, raw, dates).isoformat()


def _checkpoint_parser(labels: list[str]) -> Callable[[str], str]:
    return lambda raw: parse_choice(CHECKPOINT_PARAM, raw, labels, "Rapportpunkten")


def _render_frozen(report: Report, path: Path) -> None:
    st.markdown(
        f"**{report.label}**, fryst {report.frozen_at:%Y-%m-%d %H:%M}. Data från Kolada per "
        f"{report.data_date.isoformat() if report.data_date else '–'}."
    )
    st.caption(report.vintage_note)
    mtime = path.stat().st_mtime_ns
    stem = f"prognos-{report.municipality_id}-{report.date.isoformat()}"
    c1, c2 = st.columns(2)
    c1.download_button(
        "Ladda ner Excel",
        lambda: _excel(str(path), mtime),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="rapport_xlsx",
        on_click="ignore",  # a download needs no rerun of the page
    )
    c2.download_button(
        "Ladda ner Word",
        lambda: _word(str(path), mtime),
        file_name=f"{stem}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="rapport_docx",
        on_click="ignore",  # a download needs no rerun of the page
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Område": [report.area_title(g.area_id) for g in report.goals],
                "Mål": [numbered_label(g.number, g.title) for g in report.goals],
                "Status": [status_text(g.status) for g in report.goals],
                "Motivering": [g.reason for g in report.goals],
                "Ledningens bedömning": [status_text(g.assessment) for g in report.goals],
                "Kommentar": [g.assessment_comment or "" for g in report.goals],
                "Planerade åtgärder": [g.assessment_actions or "" for g in report.goals],
                "Klarmarkerad": [sign_off_text(g) or "" for g in report.goals],
            }
        ),
        hide_index=True,
    )
    goals_with_data = [g for g in report.goals if report.indicators_of(g.goal_id)]
    if not goals_with_data:
        st.caption("Inga mål i rapporten har indikatorer.")
        return
    labels = {g.goal_id: numbered_label(g.number, g.title) for g in goals_with_data}
    goal_id = st.selectbox(
        "Indikatorer för mål", list(labels), format_func=labels.get, key="rapport_mal"
    )
    inds = report.indicators_of(goal_id)
    st.dataframe(
        pd.DataFrame(
            {
                "Indikator": [i.title for i in inds],
                "Status": [status_text(i.status) for i in inds],
                "Senaste värde": [
                    f"{format_number(i.latest_value)} ({i.latest_year})"
                    if i.latest_value is not None
                    else "–"
                    for i in inds
                ],
                "Prognos (80 %)": [_forecast(i) for i in inds],
                "Motivering": [i.reason for i in inds],
            }
        ),
        hide_index=True,
    )
    for i in inds:
        if i.years:
            text = _indicator_text(i, report.municipality_name)
            show_chart(
                indicator_chart(i, report.municipality_name),
                description=text.description,
                table=text.table,
                table_caption=i.title,
            )
    st.caption(f"Status och prognoser: {SOURCE_COMPUTED}. Värden: {SOURCE_RAW}.")


def _indicator_text(i: ReportIndicator, name: str) -> ChartText:
    """The text alternative of reports.charts.indicator_chart, from the frozen values."""
    forecast = (
        (i.latest_year + i.horizon_years, i.point)
        if i.point is not None and i.latest_year is not None and i.horizon_years is not None
        else None
    )
    return report_indicator_text(
        i.years,
        i.values,
        name,
        [
            (
                "förslag till målvärde" if a.provenance == "förslag" else "målvärde",
                a.date.year,
                a.value,
            )
            for a in i.ambitions
        ],
        forecast,
    )


def _forecast(i: ReportIndicator) -> str:
    return forecast_text(i.point, i.lo80, i.hi80, i.latest_year, i.horizon_years)


def _render_changes(old: Report, new: Report, changes: list[GoalChange]) -> None:
    st.markdown(f"Från **{old.label}** till **{new.label}**.")
    moved = [c for c in changes if c.status_changed]
    same = [c for c in changes if not c.status_changed]
    if not changes:
        st.success("Inget har ändrats: samma status och samma underlag för alla mål.")
        return
    if moved:
        st.markdown(f"**{len(moved)} mål har ändrad status**")
        for c in moved:
            st.markdown(
                f"- **{c.title}**: {status_text(c.old_status)} → {status_text(c.new_status)}"
                + "".join(f"\n    - {r}" for r in c.reasons)
            )
    else:
        st.markdown("**Inget mål har ändrad status.**")
    if same:
        st.markdown(f"**{len(same)} mål har ändrat underlag men samma status**")
        for c in same:
            st.markdown(
                f"- **{c.title}** ({status_text(c.new_status)})"
                + "".join(f"\n    - {r}" for r in c.reasons)
            )


def _render_checkpoints(municipality_id: str) -> None:
    goals = data.query(queries.query_checkpoint_goals, municipality_id)
    if goals.empty:
        _drop_url_param(CHECKPOINT_PARAM, _checkpoint_parser([]))
        st.caption(
            "Kommunens mål har inga rapportpunkter (delårsrapport, årsredovisning) före dagen "
            "för senaste Kolada-data."
        )
        return
    labels = list(dict.fromkeys(goals["checkpoint_label"]))
    adopt_url_param(CHECKPOINT_PARAM, _checkpoint_parser(labels))
    label = st.selectbox("Rapportpunkt", labels, key=CHECKPOINT_PARAM)
    set_url_param(CHECKPOINT_PARAM, label)
    part = goals[goals["checkpoint_label"] == label]
    as_of: dt.date = pd.Timestamp(part["as_of"].iloc[0]).date()
    st.dataframe(
        pd.DataFrame(
            {
                "Område": [
                    numbered_label(n, t) if isinstance(t, str) else "Utan område"
                    for n, t in zip(part["area_number"], part["area_title"], strict=True)
                ],
                "Mål": [
                    numbered_label(n, t) for n, t in zip(part["number"], part["title"], strict=True)
                ],
                "Status": [status_text(s) for s in part["status"]],
                "Motivering": part["reason"],
            }
        ),
        hide_index=True,
    )
    inds = data.query(queries.query_checkpoint_indicators, municipality_id, label)
    if not inds.empty:
        st.dataframe(
            pd.DataFrame(
                {
                    "Mål": [
                        numbered_label(n, t)
                        for n, t in zip(inds["number"], inds["goal_title"], strict=True)
                    ],
                    "Indikator": inds["title"],
                    "Status": [status_text(s) for s in inds["status"]],
                    "Senaste värde": [
                        f"{format_number(v)} ({int(y)})" if pd.notna(v) else "–"
                        for v, y in zip(inds["latest_value"], inds["latest_year"], strict=True)
                    ],
                    "Prognos (80 %)": [
                        forecast_text(r.point, r.lo80, r.hi80, r.latest_year, r.horizon_years)
                        for r in inds.itertuples()
                    ],
                }
            ),
            hide_index=True,
        )
    st.caption(
        f"Beräknat per {as_of.isoformat()} med de värden som var kända då (värden som hämtats "
        "senare räknas inte). Beräkningen görs om när nya Kolada-data hämtas; en frusen "
        f"rapport ändras aldrig. {SOURCE_COMPUTED}."
    )
