"""Reading a link's query parameters: pure parsers that turn the text of a shared, old or
hand-edited URL into a value the page can use, or raise UrlParamError with a Swedish
sentence saying what is wrong with it.

Called by ui.components (url_value, adopt_url_param, url_id_list), which shows the
sentence as a short note and lets the page fall back to its default: a bad parameter never
becomes a traceback, and never silently means something else. Nothing here knows about
Streamlit; what counts as a known goal, KPI or report is passed in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import NamedTuple

from core.agenda import SDG_NUMBERS
from core.errors import MalpulsError
from core.format import format_date

MAX_SHOWN = 40  # a pasted paragraph is not repeated back in full
_YEAR = re.compile(r"[0-9]{4}")


class UrlParamError(MalpulsError):
    """A query parameter whose value the page cannot use; `str(err)` says why, naming the
    value as it was given (shortened)."""

    title = "Okänt värde i adressen"

    def __init__(self, key: str, raw: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.raw = raw


def shown(raw: str) -> str:
    """The value as it may be repeated in a message: trimmed, at most MAX_SHOWN
    characters."""
    text = raw.strip()
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def parse_choice(key: str, raw: str, options: Collection[str], noun: str, where: str = "") -> str:
    """One of `options`, as given or differing only in case and surrounding spaces
    (`vy=diagram` means Diagram); otherwise "<noun> <value> finns inte<where>."."""
    if raw in options:
        return raw
    folded = raw.strip().casefold()
    for option in options:
        if option.casefold() == folded:
            return option
    raise UrlParamError(key, raw, f"{noun} {shown(raw)} finns inte{where}.")


def parse_year(key: str, raw: str, noun: str = "Året") -> int:
    """A four-digit year. Whether it lies within the data is the page's call (it clamps
    to the years it has, which forgives an old link)."""
    text = raw.strip()
    if not _YEAR.fullmatch(text):
        raise UrlParamError(key, raw, f"{noun} {shown(raw)} är inget årtal.")
    return int(text)


def parse_sdg(key: str, raw: str) -> int:
    """A global goal's number, 1–17 (`sdg=011` is 11)."""
    text = raw.strip()
    if text.isascii() and text.isdigit() and int(text) in SDG_NUMBERS:
        return int(text)
    raise UrlParamError(
        key,
        raw,
        f"Globalt mål {shown(raw)} finns inte: Agenda 2030 har mål "
        f"{SDG_NUMBERS[0]}–{SDG_NUMBERS[-1]}.",
    )


def parse_report_date(key: str, raw: str, frozen: Collection[dt.date]) -> dt.date:
    """The date of one of the `frozen` reports, written ÅÅÅÅ-MM-DD."""
    try:
        date = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise UrlParamError(
            key, raw, f"Rapporten {shown(raw)} finns inte: en rapport anges med datum (ÅÅÅÅ-MM-DD)."
        ) from None
    if date not in frozen:
        raise UrlParamError(key, raw, f"Det finns ingen fryst rapport per {format_date(date)}.")
    return date


class Nouns(NamedTuple):
    """How a message names the ids of a list: one unknown, several unknown, and the
    counted plural ("Nyckeltalet", "Nyckeltalen", "nyckeltal")."""

    one: str
    many: str
    counted: str


@dataclass(frozen=True)
class IdList:
    """A comma-separated list of ids from a link: the known ones in the given order
    (without repeats, at most the limit), and what was wrong with the rest."""

    ids: tuple[str, ...]
    problems: tuple[UrlParamError, ...]


def parse_id_list(
    key: str,
    raw: str,
    known: Collection[str],
    nouns: Nouns,
    limit: int | None = None,
    where: str = "",
) -> IdList:
    """`kpi=N15428,N00914`: the ids in `known`, in the order given, at most `limit`; the
    unknown ones and any beyond the limit are left out, each kind with one message."""
    given = list(dict.fromkeys(p.strip() for p in raw.split(",") if p.strip()))
    ids = [i for i in given if i in known]
    unknown = [i for i in given if i not in known]
    problems = []
    if len(unknown) == 1:
        problems.append(
            UrlParamError(key, raw, f"{nouns.one} {shown(unknown[0])} finns inte{where}.")
        )
    elif unknown:
        names = ", ".join(shown(u) for u in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        problems.append(UrlParamError(key, raw, f"{nouns.many} {names} finns inte{where}."))
    if limit is not None and len(ids) > limit:
        problems.append(
            UrlParamError(
                key, raw, f"Högst {limit} {nouns.counted} åt gången: de {limit} första visas."
            )
        )
        ids = ids[:limit]
    return IdList(tuple(ids), tuple(problems))
