"""A local indicator on the goal page (issue 19): the values the municipality uploaded
(its own source, never Kolada), their versions, and for a rapportör the upload: a CSV or
Excel file, every row checked (core.local_values) before anything is saved, each upload
kept as a new version (db.app_store).

The values are judged by the same rules as Kolada's (core.judging) in the nightly run and
in frozen reports; an upload after the last run shows its values here at once and its
status after the next run, as the page says.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core.format import format_date, format_number
from core.judging import local_version_in_force
from core.labels import status_badge
from core.local_values import LocalValuesError, ParsedUpload, parse_upload, template_csv
from core.people import LocalVersion, StoreWriteError, local_source_label
from core.roles import User, can_edit
from ui import data
from ui.assessments import app_store, author, format_time, now
from ui.auth import current_user
from ui.chart_alt import show_chart
from ui.charts import local_values_chart
from ui.components import render_table
from ui.judging_date import JudgingDay, current_day

GENDER_WORD = {"T": "Totalt", "K": "Kvinnor", "M": "Män"}


def values_table(version: LocalVersion) -> pd.DataFrame:
    """The values as people read them: year, gender where the file had more than one,
    value in Swedish format with the unit."""
    genders = {r.gender for r in version.rows}
    unit = f" ({version.unit})" if version.unit else ""
    frame = pd.DataFrame(
        {
            "År": [str(r.year) for r in version.rows],
            "Kön": [GENDER_WORD[r.gender] for r in version.rows],
            f"Värde{unit}": [format_number(r.value) for r in version.rows],
        }
    )
    return frame if genders != {"T"} else frame.drop(columns="Kön")


def render_local_indicator(
    municipality_id: str, municipality_name: str, goal: pd.Series, row: pd.Series
) -> None:
    """The indicator's uploaded values, versions and (for those who may) the upload."""
    store = app_store()
    indicator_id = str(row["indicator_id"])
    versions = store.local_versions(municipality_id, indicator_id)
    latest = versions[-1] if versions else None
    source = local_source_label(municipality_name)
    if latest is None:
        st.caption(
            "Lokal indikator: inga värden uppladdade ännu. Värdena kommer från "
            f"{municipality_name}, inte från Kolada."
        )
    else:
        title = str(row["title"])
        rows = [r for r in latest.rows if r.gender == row["gender"]] or list(latest.rows)
        points = ", ".join(f"{r.year}: {format_number(r.value)}" for r in rows)
        show_chart(
            local_values_chart(
                [r.year for r in rows], [r.value for r in rows], municipality_name, latest.unit
            ),
            description=f"{title}, {municipality_name}, egna värden: {points}.",
            table=values_table(latest),
            table_caption=title,
            caption=f"{source} (lokal indikator, inte Kolada). Version {latest.version}, "
            f"uppladdad av {latest.uploaded_by} {format_time(latest.uploaded_at)} "
            f"({latest.filename}).",
            key=f"lokal-{indicator_id}",
        )
        note = _judging_note(versions, current_day())
        if note:
            st.caption(note)
        elif isinstance(row.get("status"), str):
            st.markdown(f"{status_badge(row['status'])} {row.get('status_reason') or ''}")
    user = current_user()
    area = goal["area_id"] if isinstance(goal["area_id"], str) else None
    if can_edit(user, municipality_id, str(goal["framework_id"]), area):
        _render_upload(municipality_id, indicator_id, str(row["title"]), latest, user)
    if versions:
        with st.expander(f"Versioner ({len(versions)})"):
            render_table(
                pd.DataFrame(
                    {
                        "Version": [str(v.version) for v in reversed(versions)],
                        "Uppladdad": [format_time(v.uploaded_at) for v in reversed(versions)],
                        "Av": [v.uploaded_by for v in reversed(versions)],
                        "Fil": [v.filename for v in reversed(versions)],
                        "Rader": [str(len(v.rows)) for v in reversed(versions)],
                    }
                ),
                caption=f"Varje uppladdning sparas som en ny version. {source}.",
            )


def _judging_note(versions: list[LocalVersion], day: JudgingDay | None) -> str | None:
    """Why the status beside the values may not be about the newest upload: an upload
    counts from its day (core.judging.local_version_in_force), and is judged in the first
    nightly run after it."""
    latest = versions[-1]
    if day is not None and latest.uploaded_at.date() > day.date:
        in_force = local_version_in_force(versions, day.date)
        used = (
            f"bedömningen per den dagen bygger på version {in_force.version}"
            if in_force
            else "indikatorn bedöms inte per den dagen"
        )
        return (
            f"Version {latest.version} laddades upp efter bedömningsdagen "
            f"{format_date(day.date)}: {used}. Uppladdade värden räknas från "
            "uppladdningsdagen, som Kolada-värden från sin publicering, i bedömningar och "
            "rapporter per den dagen och senare."
        )
    if _after_last_run(latest.uploaded_at):
        return (
            "Uppladdad efter den senaste nattliga körningen: status och prognos för "
            "indikatorn räknas fram med samma regler som för Kolada i nästa körning."
        )
    return None


def _after_last_run(uploaded_at: dt.datetime) -> bool:
    status = data.etl_status()
    finished = (status or {}).get("finished_at")
    try:
        return finished is None or uploaded_at > dt.datetime.fromisoformat(finished)
    except ValueError:
        return True


def _render_upload(
    municipality_id: str,
    indicator_id: str,
    title: str,
    latest: LocalVersion | None,
    user: User,
) -> None:
    counter_key = f"lokal-{indicator_id}-uppladdning"
    n = st.session_state.setdefault(counter_key, 0)
    with st.expander("Ladda upp värden", expanded=latest is None):
        st.markdown(
            "En CSV- eller Excelfil (.xlsx) med kolumnerna **År** och **Värde**, och om du "
            "vill **Kön** (T, K eller M) och **Enhet**. Varje rad kontrolleras innan något "
            "sparas; en ny fil blir en ny version och de gamla finns kvar."
        )
        st.download_button(
            "Ladda ned en mall (CSV)",
            template_csv(),
            file_name=f"mall-{indicator_id}.csv",
            mime="text/csv",
            icon=":material/download:",
            key=f"lokal-{indicator_id}-mall",
        )
        uploaded = st.file_uploader(
            f"Fil med värden för {title}",
            type=["csv", "xlsx"],
            key=f"lokal-{indicator_id}-fil-{n}",
        )
        if uploaded is None:
            return
        try:
            parsed = parse_upload(uploaded.getvalue(), uploaded.name)
        except LocalValuesError as exc:
            st.error(f"**{exc.title}**\n\n" + "\n".join(f"- {p}" for p in exc.problems))
            return
        _render_preview(parsed)
        next_version = (latest.version if latest else 0) + 1
        if st.button(
            f"Spara som version {next_version}",
            type="primary",
            key=f"lokal-{indicator_id}-spara-{n}",
            icon=":material/upload:",
        ):
            try:
                app_store().save_local_version(
                    municipality_id,
                    indicator_id,
                    parsed.rows,
                    unit=parsed.unit,
                    filename=uploaded.name,
                    by=author(user),
                    now=now(),
                )
            except StoreWriteError as exc:
                st.error(f"**{exc.title}**\n\n{exc}")
                return
            st.session_state[counter_key] = n + 1  # a fresh uploader for the next file
            st.toast(f"Version {next_version} är sparad.")
            st.rerun()


def _render_preview(parsed: ParsedUpload) -> None:
    unit = f" ({parsed.unit})" if parsed.unit else ""
    st.success(f"Filen är godkänd: {len(parsed.rows)} värden{unit}. Kontrollera och spara.")
    render_table(
        pd.DataFrame(
            {
                "År": [str(r.year) for r in parsed.rows],
                "Kön": [GENDER_WORD[r.gender] for r in parsed.rows],
                "Värde": [format_number(r.value) for r in parsed.rows],
            }
        ),
        caption="Värden i filen",
    )
