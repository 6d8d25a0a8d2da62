"""Accessibility in the app (issue 18): the document language fix every page gets from
app.py, and the Tillgänglighet page (a tillgänglighetsredogörelse after DIGG's template)."""

from __future__ import annotations

import streamlit as st

from core.accessibility import (
    ASSESSED_ON,
    COMPLIANCE,
    DIGG_REPORT_URL,
    KNOWN_GAPS,
    UPDATED_ON,
    KnownGap,
)
from core.format import format_date

# Streamlit 1.67 serves one index.html with <html lang="en"> for every page and has no
# setting for it (streamlit/streamlit#15726). The script sets "sv" in the page itself; the
# observer puts it back should anything reset it, and the flag keeps one observer however
# often the script reruns. Navigation between pages is client-side, so the document (and
# its lang) survives it; a full load runs the script again.
_LANG_SCRIPT = """<script>
(() => {
  const root = window.document.documentElement;
  const keep = () => { if (root.lang !== "sv") root.lang = "sv"; };
  keep();
  if (!window.__malpulsLang) {
    window.__malpulsLang = new MutationObserver(keep);
    window.__malpulsLang.observe(root, { attributes: true, attributeFilter: ["lang"] });
  }
})();
</script>"""


# Streamlit fades a caption with `opacity: 0.6` on its container, so everything inside one
# fades with it: a link in a caption fell to 2.96:1 (axe, Agenda 2030). A solid grey for
# the caption text keeps the look, and links and coloured text inside keep their own
# contrast (WCAG 1.4.3). #666 is 5.7:1 on white and above 4.5:1 on the sidebar's grey.
_CAPTION_CSS = """<style>
[data-testid="stCaptionContainer"] { opacity: 1; color: #666666; }
</style>"""


def render_accessibility_fixes() -> None:
    """What every page needs before its content, called first in app.py.

    The page is marked Swedish (WCAG 3.1.1) so screen readers read it with a Swedish voice;
    the script goes in the sidebar, where its zero-height element adds no gap to the
    content. A style-only st.html goes to Streamlit's event container and takes no space."""
    st.sidebar.html(_LANG_SCRIPT, unsafe_allow_javascript=True)
    st.html(_CAPTION_CSS)


# Placeholders the municipality that runs Målpuls replaces before publishing (DIGG's
# template marks mandatory information with {…}).
ORGANISATION_PLACEHOLDER = "{kommunens namn}"
CONTACT_PLACEHOLDER = "{e-postadress eller kontaktformulär för kommunens tillgänglighetsärenden}"


# A reading width for running text: the wide layout would give lines of 180 characters on a
# laptop. Streamlit caps a fixed width at the screen's, so a phone is unchanged.
_TEXT_WIDTH = 820


def render_accessibility_statement() -> None:
    """The tillgänglighetsredogörelse, with DIGG's headings in DIGG's order."""
    with st.container(width=_TEXT_WIDTH):
        _render_statement()


def _render_statement() -> None:
    st.title("Tillgänglighet för Målpuls")
    st.markdown(
        f"{ORGANISATION_PLACEHOLDER} står bakom Målpuls, en tjänst för uppföljning av "
        "kommunens mål med data från Kolada. Här beskriver vi hur Målpuls uppfyller lagen "
        "om tillgänglighet till digital offentlig service, vilka kända brister som finns "
        "och hur du kan rapportera problem till oss, så att vi kan åtgärda dem."
    )

    st.header("Hur tillgänglig är tjänsten?")
    st.markdown(
        "Vi vill att så många som möjligt ska kunna använda Målpuls: uppfatta, hantera och "
        "förstå innehållet oavsett funktionsnedsättning och hjälpmedel. Målet är att följa "
        "EN 301 549, som motsvarar WCAG 2.1 nivå AA. Vi vet att delar av tjänsten inte är "
        "helt tillgängliga; bristerna står nedan under *Innehåll som inte är tillgängligt*."
    )

    st.header("Vad kan du göra om du inte kan använda delar av tjänsten?")
    st.markdown(
        "Alla värden i Målpuls kommer från Kolada och finns också som tabell på sidan "
        "Utforska och i Excel-exporten på sidan Rapporter. Om du behöver innehåll i ett "
        f"annat format kan du kontakta oss: {CONTACT_PLACEHOLDER}."
    )

    st.header("Rapportera brister i tjänstens tillgänglighet")
    st.markdown(
        "Vi strävar hela tiden efter att förbättra tillgängligheten. Om du upptäcker problem "
        "som inte beskrivs på den här sidan, eller om du anser att vi inte uppfyller lagens "
        f"krav, meddela oss: {CONTACT_PLACEHOLDER}. Berätta gärna vilken sida det gäller "
        "och vilket hjälpmedel du använder."
    )

    st.header("Tillsyn")
    st.markdown(
        "Myndigheten för digital förvaltning (Digg) har ansvaret för tillsyn över lagen om "
        "tillgänglighet till digital offentlig service. Om du inte är nöjd med hur vi "
        "hanterar dina synpunkter kan du "
        f"[anmäla bristande tillgänglighet till Digg]({DIGG_REPORT_URL})."
    )

    st.header("Teknisk information om tjänstens tillgänglighet")
    st.markdown(
        f"Målpuls är **{COMPLIANCE}** med lagen om tillgänglighet till digital offentlig "
        "service, på grund av de brister som beskrivs nedan."
    )

    st.subheader("Innehåll som inte är tillgängligt")
    st.markdown("#### Bristande förenlighet med lagkraven")
    st.markdown(_gap_list(KNOWN_GAPS))
    st.markdown("#### Oskäligt betungande anpassning")
    st.markdown("Vi åberopar inte undantaget för oskäligt betungande anpassning.")
    st.markdown("#### Innehåll som inte omfattas av lagkraven")
    st.markdown(
        "Vi känner inte till något innehåll i Målpuls som inte omfattas av lagkraven. "
        "Länkarna till Kolada leder till en annan aktörs webbplats, med en egen "
        "tillgänglighetsredogörelse."
    )

    st.header("Hur vi testat tjänsten")
    st.markdown(
        "Vi har gjort en självskattning (intern testning) av Målpuls:\n\n"
        "- **Automatiska tester** med axe-core i webbläsaren Chromium, på varje sida för "
        "tre kommuner och i lägena ett mål öppet, ett globalt mål öppet och Utforska med "
        "diagram. Testet underkänner allvarliga och kritiska fel som vårt eget innehåll "
        "orsakar. Testerna körs med resten av Målpuls testsvit.\n"
        "- **Manuella kontroller**: rubrikordning, att sidan anges som svensk även efter byte "
        "av sida, att formulärfälten har svenska namn och den här sidan i telefonbredd "
        "(390 bildpunkter).\n\n"
        "Vi har ännu inte granskat hela tjänsten med enbart tangentbord, med skärmläsare "
        "eller med 200 procents förstoring, och de nedladdade rapporterna (Word och Excel) "
        "har bara kontrollerats automatiskt. Brister vi hittar där läggs till på den här "
        "sidan.\n\n"
        f"Senaste bedömningen gjordes den {format_date(ASSESSED_ON)}. "
        f"Redogörelsen uppdaterades senast den {format_date(UPDATED_ON)}."
    )


def _gap_list(gaps: tuple[KnownGap, ...]) -> str:
    """The gaps as a Markdown list: what, why, which WCAG criteria, and whose to fix."""
    lines = []
    for gap in gaps:
        criteria = ", ".join(gap.criteria)
        whose = (
            "Felet finns i ramverket Streamlit och rättas där"
            if gap.cause == "Streamlit"
            else "Vi arbetar med att åtgärda det"
        )
        upstream = f" ([ärende hos Streamlit]({gap.upstream}))" if gap.upstream else ""
        lines.append(f"- **{gap.title}.** {gap.description} (WCAG {criteria}.) {whose}{upstream}.")
    return "\n".join(lines)
