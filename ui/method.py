"""The method page: how statuses and forecasts are made, and the back-test figures."""

from __future__ import annotations

import re

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
    "shrunk_trend": "blandad trend (mest gemensam, lite egen; prövad, används inte)",
}


def render_method(municipality_id: str | None = None) -> None:
    st.title("Metod: status och prognos")
    st.markdown(
        f"""
Målpuls räknar fram status och prognoser ur Koladas data. Allt på den här sidan och alla
statusar i appen är **{SOURCE_COMPUTED}**.

## Nyckeltal med målvärde
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
testades bakåt, **för varje antal år framåt (1–8) och för varje slags serie** (korta, med
luckor, nästan konstanta, övriga), mätt i seriens normala variation mellan två år. Även en
serie som inte rört sig får ett intervall: ingen prognos är säker. Andelar hålls inom
0–100 % och antal över noll, i intervallet och i sannolikheten.

**Vad en prognos inte kan:** den ser inte vändpunkter (en lågkonjunktur, en ny lag, ett
stängt boende) och inte att Kolada definierat om ett nyckeltal. 80 % intervall betyder att
utfallet i bakåttestet hamnade innanför ungefär fyra gånger av fem; var femte gång hamnade
det utanför.

## Nyckeltal utan målvärde (riktning)
Där dokumentet inte anger något målvärde bedöms bara riktningen: den robusta trenden de
senaste sex åren (medianen av lutningarna mellan alla par av år) jämförs med seriens normala
variation mellan två år. En förändring som inte är större än den normala variationen är
{status_badge("Oförändrat")}; annars {status_badge("Förbättras")} eller
{status_badge("Försämras")} beroende på önskad riktning. Nyckeltal utan önskad riktning
{status_badge("Bevakas")}.

## Mål
Ett måls status är **dess svagaste nyckeltals status**: ett medelvärde skulle dölja dåliga
nyheter. {status_badge("Uppnått")} gäller bara när alla nyckeltal är uppnådda. Inriktningsmål,
stödjande och kvalitativa mål får ingen prognos. Har ledningen gjort en egen bedömning
visas den bredvid, med en markering där den skiljer sig från den beräknade.

## Dataårgång och placering
Varje bedömning visar vilket år den vilar på och när nästa värde väntas (Koladas
publiceringsdatum). Bara värden som redan var publicerade på bedömningsdagen räknas: ett
års värde räknas från den dag på året Kolada brukar publicera nyckeltalet (enligt Koladas
katalog; saknas uppgiften, från 31 december året efter), aldrig före årsskiftet.
**Placeringen** bland alla
kommuner och bland "Liknande kommuner" visas separat och påverkar aldrig statusen: att ligga
högt i jämförelsen säger inget om huruvida kommunens eget mål nås.

## Serier som bytts ut
När Kolada ersatt en serie med en ny bedöms den nya serien för sig, så snart den har värden.
De två sätts aldrig ihop.

## Nivåskiften (seriebrott)
Ibland ändrar Kolada hur ett nyckeltal räknas, och hela serien hoppar samma år i nästan alla
kommuner och i riket. Målpuls känner igen ett sådant nivåskifte (ett hopp som är mycket
större än nyckeltalets vanliga årsförändringar, minst 10 %, åt samma håll i minst 80 % av
kommunerna och i riket) och bedömer då trend, status och prognos **bara från brottsåret**;
skälet säger det ("Serien bryts 2019 …"). Ett hopp räknas som brott först när två år efter
det är kända, så att en tillfällig chock (som pandemin) inte tas för en ny definition.
"""
    )
    st.header("Bakåttest på alla kommuner")
    try:
        text = BACKTEST_DOC.read_text(encoding="utf-8")
    except OSError:
        st.warning("Bakåttestets resultat saknas (docs/backtest.md).")
        return
    methods, brier, classes = backtest_tables(text)
    reliability, gap = reliability_table(text)
    if methods.empty or brier.empty:
        st.warning("Bakåttestets tabeller saknas i docs/backtest.md.")
        return
    st.markdown(
        "Metoderna testades på alla kommuners, regioners och rikets verkliga värden "
        "1994–2022: prognoser 1–8 år framåt. Metod och konstanter valdes på hälften av "
        "nyckeltalen och startår till och med 2013; siffrorna nedan gäller **den andra "
        "hälften av nyckeltalen**, startår 2014–2019, som valet aldrig såg. **Kvot av "
        "skalade medelfel** under 1 betyder träffsäkrare än att bara anta att senaste värdet "
        "står sig; **täckning** är hur ofta utfallet hamnade inom 80 %-intervallet (ska vara "
        "nära 80 %); **Brier** mäter sannolikheterna (lägre är bättre)."
    )
    st.table(methods[methods["Metod"].str.endswith("(vald)")], hide_index=True, border="horizontal")
    with st.expander("Alla metoder som prövades"):
        st.table(methods, hide_index=True, border="horizontal")
    st.markdown(
        "**Sannolikheterna jämförda med enklare prognoser** (Brier, lägre är bättre). Målet "
        "i testet är att nå minst rikets värde från startåret. Den rättvisa jämförelsen är "
        "sannolikheten kring senaste värdet (samma osäkerhet, ingen trend); Destatis regel "
        "och regeln att senaste värdet står sig säger bara ja eller nej."
    )
    st.table(brier, hide_index=True, border="horizontal")
    if not classes.empty:
        st.markdown(
            "**Täckning per slags serie**, vald metod (målet är 77–83 % överallt; där det "
            "inte nås är intervallen för smala eller för breda för just den sortens serie)."
        )
        st.table(classes, hide_index=True, border="horizontal")
    if not reliability.empty:
        st.markdown(
            "**Stämmer sannolikheterna?** Prognoserna grupperade efter sin sannolikhet, "
            "och hur ofta det sedan inträffade. Sannolikheterna justeras (kalibreras) efter "
            "hur det gick i testets första hälft; målet är högst 5 procentenheter fel i "
            f"varje grupp. Efter justeringen är det största felet {format_number(gap, 1)} "
            "procentenheter" + (": målet nås." if gap <= 5 else ": målet nås inte ännu.")
        )
        st.table(reliability, hide_index=True, border="horizontal")
    st.caption(f"Siffrorna ändras bara när bakåttestet körs om. {SOURCE_COMPUTED}.")
    if municipality_id:
        from ui.whatif import render_whatif

        render_whatif(municipality_id)


def backtest_tables(text: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The tables of docs/backtest.md (written by bench/backtest.py, in English) as Swedish
    tables of text: per method and horizon, per horizon, and coverage per series class.
    Empty frames where the document has no such table."""
    rows = _markdown_tables(text)
    per_method = next((t for t in rows if t and t[0][0] == "method"), [])
    per_horizon = next((t for t in rows if t and t[0][0] == "horizon"), [])
    per_class = next((t for t in rows if t and t[0][0].startswith("series class")), [])
    # The bench marks its choice once ("pooled_growth **(selected)**"); here every row of
    # the chosen method says so.
    selected = {r[0].split()[0] for r in per_method[1:] if "selected" in r[0]}
    methods = pd.DataFrame(
        [
            {
                "Metod": METHOD_LABEL.get(name, name) + (" (vald)" if name in selected else ""),
                "År framåt": h,
                "Kvot av skalade medelfel (mot senaste värdet)": format_number(float(mase), 3),
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
                "Bedömda prognoser": _count(n),
                "Vald metod": format_number(float(chosen), 4),
                "Destatis regel": format_number(float(destatis), 4),
                "Regeln senaste värdet": format_number(float(naive), 4),
                "Sannolikhet kring senaste värdet": (
                    format_number(float(r[5]), 4) if len(r) > 5 else "–"
                ),
            }
            for h, n, chosen, destatis, naive, r in ((*r[:5], r) for r in per_horizon[1:])
        ]
    )
    classes = pd.DataFrame(
        [
            {"Serier": CLASS_LABEL.get(r[0], r[0]), "Prognoser (1 år)": _count(r[1])}
            | {f"{h} år": f"{format_number(_percent(c), 1)} %" for h, c in enumerate(r[2:], 1)}
            for r in per_class[1:]
        ]
    )
    return methods, horizons, classes


def reliability_table(text: str) -> tuple[pd.DataFrame, float]:
    """The reliability table of docs/backtest.md in Swedish (predicted probability group,
    how many, predicted and observed, after and before the recalibration), and the largest
    gap between predicted and observed after it, in percentage points."""
    rows = next((t for t in _markdown_tables(text) if t and t[0][0] == "predicted probability"), [])

    def pct(cell: str) -> str:
        return f"{format_number(_percent(cell), 1)} %"

    body = [r for r in rows[1:] if len(r) >= 6]
    # The back-test's own figure (unrounded values); the table's rounded cells can be 0.1 off.
    stated = re.search(r"largest gap (\d+(?:\.\d+)?) points", text)
    gap = (
        float(stated.group(1))
        if stated
        else max((abs(_percent(r[4]) - _percent(r[5])) for r in body), default=0.0)
    )
    return pd.DataFrame(
        [
            {
                "Sannolikhet": r[0],
                "Prognoser": _count(r[1].split("/")[-1].strip()),
                "Förutsagt (justerad)": pct(r[4]),
                "Inträffade (justerad)": pct(r[5]),
                "Förutsagt (ojusterad)": pct(r[2]),
                "Inträffade (ojusterad)": pct(r[3]),
            }
            for r in body
        ]
    ), gap


# The back-test's series classes (core.forecast.series_class and groups) in words.
CLASS_LABEL = {
    "all series": "alla serier",
    "class regular": "regelbundna",
    "class short": "korta (högst 4 värden)",
    "class gappy": "med luckor",
    "class flat": "nästan konstanta",
    "3 points": "3 värden",
    "4 points": "4 värden",
    "5 points": "5 värden",
    "6+ points": "6 värden eller fler",
    "Riket": "riket",
    "regions": "regioner",
    "municipalities": "kommuner",
    "shares near a bound": "andelar nära 0 eller 100 %",
}


def _count(text: str) -> str:
    return format_number(float(text.replace(",", "")))


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
