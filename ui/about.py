"""The data page: sources, data date, what the database holds, recent ETL runs."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from core.format import SOURCE_COMPUTED, SOURCE_RAW, format_date, format_number
from db import queries
from db.migrations import schema_version
from ui import data

# An ETL run's mode and outcome (etl_run, etl_status.json) in words.
RUN_MODE = {
    "offline": "från medföljande ögonblicksbild",
    "incremental": "ändringar sedan förra körningen",
    "full": "full omladdning",
}
RUN_OUTCOME = {"ok": "lyckades", "failed": "misslyckades"}


def render_about() -> None:
    st.title("Om data")
    meta = data.meta()
    data_date = meta.get("data_date")
    st.markdown(
        f"""
Nyckeltalen kommer från **Kolada**, Rådet för främjande av kommunala analysers öppna
databas. Den medföljande ögonblicksbilden hämtades
{format_date(dt.date.fromisoformat(data_date)) if data_date else "–"}
({meta.get("data_source", "okänd källa")}); nyckeltalskatalogen är från
{format_date(dt.date.fromisoformat(meta["catalog_date"])) if "catalog_date" in meta else "–"}.

- Siffror som visas som de är märks **"{SOURCE_RAW}"**.
- Allt som Målpuls räknar fram (bedömningar, prognoser, rangordningar) märks
  **"{SOURCE_COMPUTED}"** och är inte Koladas uppgifter.
- Målen, ambitionsnivåerna och kopplingarna kommer från kommunernas egna dokument.
  Där dokumentet inte säger något har vi inte hittat på: förslag är märkta som förslag.
"""
    )
    status = data.etl_status()
    if status:
        if status.get("outcome") == "failed":
            st.error(
                "Senaste körningen misslyckades "
                f"({status.get('finished_at', '')[:16].replace('T', ' ')}):\n\n"
                f"{status.get('message', '')}\n\nAppen visar senast fungerande data."
            )
        else:
            st.success(
                f"Data uppdaterad {status.get('finished_at', '')[:16].replace('T', ' ')}"
                f" ({RUN_MODE.get(status.get('mode', ''), status.get('mode', ''))})."
            )
        # Written by etl.pipeline.locked_run: a run in progress (or killed before it could
        # say so), and a run the next one found interrupted.
        running = status.get("running")
        if isinstance(running, dict):
            st.info(
                f"En körning startade {_stamp(running.get('started_at'))} och har inte "
                "rapporterat klart ännu: den pågår, eller avbröts (det ser nästa körning)."
            )
        gone = status.get("interrupted_run")
        if isinstance(gone, dict):
            st.warning(
                f"Körningen som startade {_stamp(gone.get('started_at'))} avbröts innan den "
                "blev klar. Databasen påverkades inte; nästa körning städade efter den."
            )
    st.header("Innehåll i databasen")
    counts = data.query(queries.query_table_counts)
    labels = {
        "kolada_value": "Kolada-värden",
        "kpi": "Nyckeltal i katalogen",
        "municipality": "Kommuner och regioner",
        "municipality_group": "Kommungrupper",
        "goal": "Mål och delstrategier",
        "indicator": "Målindikatorer",
        "sdg_target": "Agenda 2030-delmål",
        "kpi_sdg_map": "Agenda 2030-nyckeltal med kurerat globalt mål",
        "crc_article": "Artiklar i barnkonventionen",
        "value_revision": "Värden ändrade, tillagda eller borttagna av körningar mot Kolada",
    }
    st.table(
        {
            "Innehåll": list(labels.values()),
            "Antal": [format_number(counts.get(t, 0), 0) for t in labels],
        }
    )
    st.caption(
        "Varje ändring av ett värde sparas med körningens tid, så att en rapportpunkt i "
        "efterhand räknas med de värden som var kända då (se Rapporter). "
        f"Databasens schemaversion: {data.query(schema_version) or 'okänd'}."
    )
    st.header("Förändringar i Koladas nyckeltalskatalog")
    flagged = data.query(queries.query_flagged_goal_indicators)
    if flagged.empty:
        st.success("Alla målindikatorers nyckeltal finns i Koladas aktuella katalog.")
    else:
        st.warning(
            f"{len(flagged)} målindikatorer följer nyckeltal som inte längre finns i Koladas "
            "katalog. Deras historik finns kvar; ange en efterföljare i målfilen."
        )
        st.table(
            flagged.assign(
                last_year=flagged["last_year"].map(lambda y: "–" if pd.isna(y) else str(int(y))),
                successor_kpi_id=flagged["successor_kpi_id"].fillna("–"),
            ).rename(
                columns={
                    "municipality": "Kommun",
                    "title": "Indikator",
                    "kpi_id": "Nyckeltal",
                    "successor_kpi_id": "Efterföljare",
                    "last_year": "Senaste år med data",
                }
            )[["Kommun", "Indikator", "Nyckeltal", "Efterföljare", "Senaste år med data"]],
            hide_index=True,
        )
    changes = data.query(queries.query_kpi_changes)
    if changes.empty:
        st.caption(
            "Inga katalogändringar registrerade ännu (de registreras av den nattliga "
            "körningen mot Kolada)."
        )
    else:
        labels = {
            "vanished": "försvunnen",
            "returned": "tillbaka",
            "new": "ny",
            "retitled": "ny titel",
        }
        st.dataframe(
            changes.assign(change=changes["change"].map(labels)).rename(
                columns={
                    "detected_at": "Upptäckt",
                    "change": "Ändring",
                    "kpi_id": "Nyckeltal",
                    "title": "Titel",
                    "goal_indicators": "Målindikatorer",
                }
            ),
            hide_index=True,
            width="stretch",
        )
    st.header("Senaste körningar")
    runs = data.query(queries.query_last_runs)
    if runs.empty:
        st.info("Inga körningar registrerade.")
    else:
        st.dataframe(
            runs.assign(
                mode=runs["mode"].map(lambda m: RUN_MODE.get(m, m)),
                outcome=runs["outcome"].map(lambda o: RUN_OUTCOME.get(o, o)),
            ).rename(
                columns={
                    "started_at": "Start",
                    "finished_at": "Slut",
                    "mode": "Läge",
                    "rows_added": "Nya",
                    "rows_changed": "Ändrade",
                    "rows_deleted": "Borttagna",
                    "requests": "Anrop",
                    "retries": "Omförsök",
                    "outcome": "Utfall",
                    "warnings": "Varningar",
                }
            )[
                [
                    "Start",
                    "Slut",
                    "Läge",
                    "Anrop",
                    "Omförsök",
                    "Nya",
                    "Ändrade",
                    "Borttagna",
                    "Utfall",
                    "Varningar",
                ]
            ],
            hide_index=True,
            width="stretch",
        )
    st.header("För förvaltaren: frysa en rapport")
    st.markdown(
        "En delårsrapport eller årsredovisning fryses en gång per rapportdag, på servern där "
        "Målpuls körs, och visas sedan på sidan Rapporter exakt som den frystes:  \n"
        "`python -m reports freeze --kommun 0665 --date 2026-08-31` (kommunkod och "
        "rapportdag). `python -m reports list` visar de frysta rapporterna."
    )


def _stamp(value: object) -> str:
    """ "2026-11-29 03:00" from an ISO timestamp in the status file."""
    return str(value or "?")[:16].replace("T", " ")
