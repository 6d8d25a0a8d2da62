"""The method page: how statuses and forecasts are made, and the back-test figures."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from config import PROJECT_ROOT
from core.format import SOURCE_COMPUTED, format_number
from core.labels import status_badge
from core.status import MAX_DATA_AGE_YEARS, MIN_POINTS, P_OFF_TRACK, P_ON_TRACK

BACKTEST_DOC = PROJECT_ROOT / "docs" / "backtest.md"

# The back-test's methods (core.forecast.METHODS) as a reader knows them.
METHOD_LABEL = {
    "naive": "senaste värdet (inget förändras)",
    "destatis": "femårstrend (Destatis)",
    "theil_sen": "egen robust trend (Theil–Sen)",
    "damped": "egen robust trend, dämpad",
    "pooled_growth": "gemensam trend",
}


def render_method(municipality_id: str | None = None) -> None:
    st.title("Metod: status och prognos")
    st.markdown(
        f"""
Målpuls räknar fram status och prognoser ur Koladas data. Allt på den här sidan och alla
statusar i appen är **{SOURCE_COMPUTED}**.

### Nyckeltal med målvärde
När ett mål har ett målvärde med datum gör Målpuls en prognos för målåret och räknar ut
**sannolikheten att målvärdet nås**:

- {status_badge("Uppnått")} senaste värdet når redan målvärdet;
- {status_badge("På väg")} sannolikheten är minst {P_ON_TRACK:.0%};
- {status_badge("Osäkert")} sannolikheten ligger mellan {P_OFF_TRACK:.0%} och {P_ON_TRACK:.0%};
- {status_badge("Ej på väg")} sannolikheten är högst {P_OFF_TRACK:.0%}, eller målåret har
  passerat utan att målet nåddes;
- {status_badge("Ej bedömbart")} färre än {MIN_POINTS} värden, eller senaste värdet är mer
  än {MAX_DATA_AGE_YEARS} år gammalt.

Prognosen utgår från senaste värdet och nyckeltalets **gemensamma trend i alla kommuner**
(medianen av den relativa förändringen), som dämpas år för år. En enskild kommuns egen trend
är till största delen slumpvariation; den gemensamma trenden är det inte. Osäkerheten (80 %
intervall och sannolikheten) kommer från hur stora felen faktiskt blev när samma metod
testades bakåt på alla kommuner, mätt i varje series normala variation mellan två år.
Andelar hålls inom 0–100 %.

### Nyckeltal utan målvärde (riktning)
Där dokumentet inte anger något målvärde bedöms bara riktningen: den robusta trenden de
senaste sex åren (medianen av lutningarna mellan alla par av år) jämförs med seriens normala
variation mellan två år. En förändring som inte är större än den normala variationen är
{status_badge("Oförändrat")}; annars {status_badge("Förbättras")} eller
{status_badge("Försämras")} beroende på önskad riktning. Nyckeltal utan önskad riktning
{status_badge("Bevakas")}.

### Mål
Ett måls status är **dess svagaste nyckeltals status**: ett medelvärde skulle dölja dåliga
nyheter. {status_badge("Uppnått")} gäller bara när alla nyckeltal är uppnådda. Inriktningsmål,
stödjande och kvalitativa mål får ingen prognos. Har ledningen gjort en egen bedömning
visas den bredvid, med en markering där den skiljer sig från den beräknade.

### Dataårgång och placering
Varje bedömning visar vilket år den vilar på och när nästa värde väntas (Koladas
publiceringsdatum). Bara år före bedömningsdagens år räknas. **Placeringen** bland alla
kommuner och bland "Liknande kommuner" visas separat och påverkar aldrig statusen: att ligga
högt i jämförelsen säger inget om huruvida kommunens eget mål nås.

### Serier som bytts ut
När Kolada ersatt en serie med en ny bedöms den nya serien för sig, så snart den har värden.
De två sätts aldrig ihop.
"""
    )
    st.subheader("Bakåttest på alla kommuner")
    try:
        text = BACKTEST_DOC.read_text(encoding="utf-8")
    except OSError:
        st.warning("Bakåttestets resultat saknas (docs/backtest.md).")
        return
    methods, brier = backtest_tables(text)
    if methods.empty or brier.empty:
        st.warning("Bakåttestets tabeller saknas i docs/backtest.md.")
        return
    st.markdown(
        "Metoderna testades på alla kommuners, regioners och rikets verkliga värden "
        "1994–2022: prognoser 1–3 år framåt från varje startår, utvärderade på startår som "
        "kalibreringen aldrig sett. **MASE** under 1 betyder träffsäkrare än att bara anta "
        "att senaste värdet står sig; **täckning** är hur ofta utfallet hamnade inom 80 %-"
        "intervallet (ska vara nära 80 %); **Brier** mäter sannolikheterna (lägre är bättre) "
        "och jämförs med Destatis regel och regeln att senaste värdet står sig."
    )
    st.table(methods, hide_index=True, border="horizontal")
    st.markdown(
        "**Sannolikheterna jämförda med enkla regler** (Brier, lägre är bättre). Målet i "
        "testet är att nå minst rikets värde från startåret."
    )
    st.table(brier, hide_index=True, border="horizontal")
    st.caption(f"Siffrorna ändras bara när bakåttestet körs om. {SOURCE_COMPUTED}.")
    if municipality_id:
        from ui.whatif import render_whatif

        render_whatif(municipality_id)


def backtest_tables(text: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two tables of docs/backtest.md (written by bench/backtest.py, in English) as
    Swedish tables of text: per method and horizon, then per horizon. Empty frames where
    the document has no such table."""
    rows = _markdown_tables(text)
    per_method = next((t for t in rows if t and t[0][0] == "method"), [])
    per_horizon = next((t for t in rows if t and t[0][0] == "horizon"), [])
    # The bench marks its choice once ("pooled_growth **(selected)**"); here every row of
    # the chosen method says so.
    selected = {r[0].split()[0] for r in per_method[1:] if "selected" in r[0]}
    methods = pd.DataFrame(
        [
            {
                "Metod": METHOD_LABEL.get(name, name) + (" (vald)" if name in selected else ""),
                "År framåt": h,
                "MASE (mot senaste värdet)": format_number(float(mase), 3),
                "Täckning, 80 %-intervall": f"{format_number(_percent(cover), 1)} %",
                "Brier, P(≥ riket)": format_number(float(brier), 4),
            }
            for name, h, mase, cover, brier in ((r[0].split()[0], *r[1:5]) for r in per_method[1:])
        ]
    )
    horizons = pd.DataFrame(
        [
            {
                "År framåt": h,
                "Bedömda prognoser": format_number(float(n.replace(",", ""))),
                "Vald metod": format_number(float(chosen), 4),
                "Destatis regel": format_number(float(destatis), 4),
                "Regeln senaste värdet": format_number(float(naive), 4),
            }
            for h, n, chosen, destatis, naive in (r[:5] for r in per_horizon[1:])
        ]
    )
    return methods, horizons


def _markdown_tables(text: str) -> list[list[list[str]]]:
    """Every pipe table in `text` as rows of cells (header first, the --- row left out)."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def _percent(text: str) -> float:
    """'78.7%' → 78.7."""
    return float(text.rstrip("%"))
