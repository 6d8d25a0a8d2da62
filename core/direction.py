"""The desired direction a KPI's own title implies, for indicators we propose (issue 16).

Kolada's catalogue does not say whether more is better. For a proposed indicator the
direction is our reading and is written with `direction_provenance: förslag`; this module
reads it from words whose meaning is not in doubt ("arbetslösa", "utsläpp" → minska;
"behöriga", "nöjda", "förnybar" → öka) and returns None when the title says nothing about
what is better (costs, counts of inhabitants, "antal"): such a KPI is better left out than
given a guessed direction. Negations are read first: "ej behöriga" is a minska.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Word stems matched at a word's start, on the lower-cased title. Order matters: the
# first list that matches decides, and the negated/"bad" forms come before the good ones.
_NEGATED = (
    r"ej ",
    r"inte ",
    r"saknar",
    r"otrygg",
    r"varken ",
    r"avstår",
    r"ofrivillig",
    r"obehörig",
    r"avsaknad",
    r"deltid",
)
_LESS_IS_BETTER = (
    # Kolada's "Personalkontinuitet" counts the staff a hemtjänst user meets: fewer is
    # better, and its "minst 2 besök dagligen" must not read as "besök" (more is better).
    r"personalkontinuitet",
    r"arbetslös",
    r"ohälsotal",
    r"sjukfrånvaro",
    r"sjukskriv",
    r"sjukpenning",
    r"ekonomiskt bistånd",
    r"biståndsmottagare",
    r"låg inkomst",
    r"ekonomiskt utsatt",
    r"utsläpp",
    r"brott",
    r"våld",
    r"skador",
    r"fallskador",
    r"trångbodd",
    r"hushållsavfall",
    r"väntetid",
    r"dödlighet",
    r"övervikt",
    r"fetma",
    r"rök",
    r"långtidsarbetslös",
    r"utanförskap",
    r"anmälda",
    r"vräkning",
    r"hemlös",
    r"långtidssjukskriv",
    r"utflyttning",
    r"energianvändning",
    r"slutanvändning av energi",
)
_MORE_IS_BETTER = (
    r"behörig",
    r"examen",
    r"nöjd",
    r"positiva svar",
    r"trygg",
    r"förtroende",
    r"valdeltagande",
    r"förvärvsarbetande",
    r"sysselsatt",
    r"förnybar",
    r"ekologisk",
    r"skyddad natur",
    r"medellivslängd",
    r"godkänd",
    r"klarat",
    r"meritvärde",
    r"bredband",
    r"materialåtervinn",
    r"återvinn",
    r"nystartade",
    r"företagsklimat",
    r"heltid",
    r"deltagartillfällen",
    r"aktivitetstillfällen",
    r"besök",
    r"tillgänglig",
    r"självförsörjning",
    r"invånare som tränar",
    r"fysiskt aktiva",
    r"inflyttning",
    r"eftergymnasial utbildning",
    r"nyregistrerade företag",
    r"miljöbil",
    r"resor med kollektivtrafik",
    r"vattenskyddsområde",
    r"kulturskola",
)


@dataclass(frozen=True)
class DirectionReading:
    direction: str  # "öka" | "minska"
    word: str  # the word in the title it was read from

    @property
    def reason(self) -> str:
        better = "lägre" if self.direction == "minska" else "högre"
        return (
            f"riktningen ({self.direction}) är vår läsning av ordet ”{self.word}” i "
            f"titeln: {better} är bättre"
        )


def _first(patterns: tuple[str, ...], text: str) -> str | None:
    for p in patterns:
        m = re.search(r"(?<![\wåäö])" + p, text)
        if m:
            return m.group(0).strip()
    return None


def direction_from_title(title: str) -> DirectionReading | None:
    """The desired direction the title's words imply, or None when they do not say."""
    text = " ".join(title.lower().split())
    neg = _first(_NEGATED, text)
    if neg is not None:
        return DirectionReading("minska", neg)
    less = _first(_LESS_IS_BETTER, text)
    if less is not None:
        return DirectionReading("minska", less)
    more = _first(_MORE_IS_BETTER, text)
    if more is not None:
        return DirectionReading("öka", more)
    return None
