"""What Målpuls says about its own accessibility (issue 18): the statement's facts and the
known gaps, held once so the Tillgänglighet page, docs/accessibility.md and the axe tests
(tests/test_accessibility.py) cannot drift apart.

A gap that Streamlit causes and Målpuls cannot fix carries the upstream issue and, when the
automated axe run finds it, the exact rule and CSS selector the test excludes, so the test
excludes precisely that and nothing our own content could trigger.

Pure data and small pure functions: no streamlit, no files, no clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

# Set by hand when the statement is reviewed: the date the automated and manual checks
# listed on the page were last run (DIGG asks for the assessment date and the update date).
ASSESSED_ON = dt.date(2026, 11, 29)
UPDATED_ON = dt.date(2026, 11, 29)

# DIGG's wording: "helt förenlig", "delvis förenlig" or "inte förenlig".
COMPLIANCE: Literal["helt förenlig", "delvis förenlig", "inte förenlig"] = "delvis förenlig"

DIGG_REPORT_URL = "https://www.digg.se/tdosanmalan"
STREAMLIT_LANG_ISSUE = "https://github.com/streamlit/streamlit/issues/15726"
STREAMLIT_I18N_ISSUE = "https://github.com/streamlit/streamlit/issues/1353"

# Accessible names Streamlit gives its own controls in English (no i18n upstream, see
# STREAMLIT_I18N_ISSUE): the heading anchors, the skip link, a selectbox's "Open" toggle,
# a widget's help icon, a multiselect's chips, a number input's steppers, the dataframe
# toolbar and a range slider's thumbs. Regular expressions over the whole name; the
# browser test allows an English name only if one of these matches it.
STREAMLIT_ENGLISH_NAMES: tuple[str, ...] = (
    r"Link to heading",
    r"Skip to main content",
    r"Open",
    r"Close",
    r"Help for .+",
    r"Clear all",
    r"Remove .+",
    r"Increment",
    r"Decrement",
    r"Show/hide columns",
    r"Search",
    r"Fullscreen",
    r"Download as CSV",
    r"Show data",
    r"Download as PNG",
    r"Copy Vega-Lite spec",
    r"Copied!",
    r"Collapse sidebar",
    r"Expand sidebar",
    r".+ — (start|end) .+",
    # The file picker of a local indicator's upload (issue 19): its drop zone and button.
    r"file upload",
    r"Upload",
)


@dataclass(frozen=True)
class KnownGap:
    """One thing in Målpuls that does not (fully) meet WCAG 2.1 AA, in the statement's words.

    `cause` is "Streamlit" when the gap sits in the framework's own markup and Målpuls can
    only work around it, "Målpuls" when the fix is ours and still to do. `axe_rule` and
    `axe_selector` are set only when the automated test sees the gap and must skip exactly
    that node."""

    title: str
    description: str
    criteria: tuple[str, ...]
    cause: Literal["Streamlit", "Målpuls"]
    upstream: str | None = None
    axe_rule: str | None = None
    axe_selector: str | None = None


KNOWN_GAPS: tuple[KnownGap, ...] = (
    KnownGap(
        title="Sidans språk anges först efter att sidan laddats",
        description=(
            'Streamlit skickar sidan med språket engelska (lang="en"). Målpuls sätter '
            'svenska (lang="sv") direkt när sidan har laddats, men ett hjälpmedel som '
            "läser sidan innan dess, eller en webbläsare utan JavaScript, får engelska."
        ),
        criteria=("3.1.1",),
        cause="Streamlit",
        upstream=STREAMLIT_LANG_ISSUE,
    ),
    KnownGap(
        title="Engelska texter i Streamlits egna kontroller",
        description=(
            "Några kontroller som Streamlit ritar har engelska namn för skärmläsare: "
            'länken vid varje rubrik ("Link to heading"), länken som hoppar till '
            'innehållet, knappen som öppnar en rullista ("Open"), hjälpikonerna '
            '("Help for …"), knapparna i tabellernas verktygsrad (sök, ladda ner, '
            "helskärm, visa kolumner), diagrammens verktygsrad (visa data, ladda ner som "
            "bild), stegknapparna i sifferfält, reglagen för ett "
            'årsintervall ("start", "end") och filväljaren för lokala värden ("Upload"). '
            "Fältens egna namn är svenska."
        ),
        criteria=("3.1.2", "2.5.3"),
        cause="Streamlit",
        upstream=STREAMLIT_I18N_ISSUE,
    ),
    KnownGap(
        title="Tabellernas skärmläsarversion visar råa decimaltal",
        description=(
            "Tabellerna i Utforska och på andra sidor visar svenska tal (78,3), men den "
            "dolda versionen som Streamlit skapar för skärmläsare innehåller Koladas råa "
            "värden med punkt och många decimaler (78.26086957). Samma värden finns "
            'avrundade under "Visa som tabell" vid varje diagram och i Excel-exporten.'
        ),
        criteria=("1.3.1",),
        cause="Streamlit",
    ),
    KnownGap(
        title="Agenda 2030-matrisen är svårläst på mobil",
        description=(
            "På en smal skärm blir matrisen mål × globala mål mycket smal. Samma "
            'kopplingar finns under "Visa som tabell" vid matrisen, i listan "Från mål '
            'till Agenda 2030" och på varje måls sida.'
        ),
        criteria=("1.4.10",),
        cause="Målpuls",
    ),
    KnownGap(
        title="Färg skiljer förslagsalternativen åt i dokumentets diagram",
        description=(
            'I Word-dokumentet "Nulägesbild och förslag till delmål" skiljs alternativen '
            "(hålla nivån, liknande kommuners median, bästa fjärdedelen) i diagrammen åt "
            "med färg. Tabellen bredvid varje diagram och diagrammets alternativtext ger "
            "samma värden i ord."
        ),
        criteria=("1.4.1",),
        cause="Målpuls",
    ),
)


def axe_exclusions(gaps: tuple[KnownGap, ...] = KNOWN_GAPS) -> set[tuple[str, str]]:
    """The (axe rule, CSS selector) pairs the browser test may skip: only the Streamlit
    gaps that name both, never a whole rule."""
    return {
        (g.axe_rule, g.axe_selector)
        for g in gaps
        if g.cause == "Streamlit" and g.axe_rule and g.axe_selector
    }
