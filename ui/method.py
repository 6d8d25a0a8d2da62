"""The method page: how statuses and forecasts are made, and the back-test figures."""

from __future__ import annotations

import streamlit as st

from config import PROJECT_ROOT
from core.format import SOURCE_COMPUTED
from core.labels import status_badge
from core.status import MAX_DATA_AGE_YEARS, MIN_POINTS, P_OFF_TRACK, P_ON_TRACK

BACKTEST_DOC = PROJECT_ROOT / "docs" / "backtest.md"


def render_method(municipality_id: str | None = None) -> None:
    st.title("Metod: status och prognos")
    st.markdown(
        f"""
Målpuls räknar fram status och prognoser ur Koladas data. Allt på den här sidan och alla
statusar i appen är **{SOURCE_COMPUTED}**.

### Nyckeltal med målvärde
När målfilen anger ett målvärde med datum gör Målpuls en prognos för målåret och räknar ut
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
stödjande och kvalitativa mål får ingen prognos. Finns ledningens egen bedömning i målfilen
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
    tables = text[text.index("| method") :] if "| method" in text else ""
    st.markdown(
        "Metoderna testades på alla kommuners, regioners och rikets verkliga värden "
        "1994–2022: prognoser 1–3 år framåt från varje startår, utvärderade på startår som "
        "kalibreringen aldrig sett. **MASE** under 1 betyder träffsäkrare än att bara anta "
        "att senaste värdet står sig; **täckning** är hur ofta utfallet hamnade inom 80 %-"
        "intervallet (ska vara nära 80 %); **Brier** mäter sannolikheterna (lägre är bättre) "
        "och jämförs med Destatis regel och en naiv regel."
    )
    st.markdown(tables)
    st.caption(f"Kör om: `python -m bench.backtest`. {SOURCE_COMPUTED}.")
    if municipality_id:
        from ui.whatif import render_whatif

        render_whatif(municipality_id)
