"""Swedish formatting of numbers, dates and domain words for the UI. Pure functions."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence

MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)

DIRECTION_LABEL = {"öka": "Öka ↑", "minska": "Minska ↓", "bevaka": "Bevaka (ingen riktning)"}

SOURCE_RAW = "Källa: Kolada"
SOURCE_COMPUTED = "Egen bearbetning av data från Kolada"

# Swedish number formatting inside charts (decimal comma, space as thousands separator), as
# a d3-format locale: the app's Altair charts and the report's PNG charts use the same.
CHART_LOCALE = {
    "decimal": ",",
    "thousands": "\u00a0",
    "grouping": [3],
    "currency": ["", "\u00a0kr"],
}
# Every chart's Vega-Lite config, in the browser and in the Word PNGs (vl-convert): Vega
# formats numbers with the spec's `config.locale`. The locale travels in the spec because
# Streamlit keeps only theme, renderer and padding of a spec's `usermeta.embedOptions` (a
# `formatLocale` there is dropped, and 1278 reads "1,278"). `numberFormat` is the format of
# every number without its own: "67,5", "1 278", "975 000" (six significant digits at most,
# trailing zeros trimmed, never exponent notation). The precision is explicit because an
# axis fills in a missing one from its tick step, and a one-point series has none: it
# printed "67.500000" (and "68" for 67,5 with ",~r").
CHART_CONFIG = {"locale": {"number": CHART_LOCALE}, "numberFormat": ",.6~r"}
# Years need their own format on axes and in tooltips: "2020", never "2 020".
YEAR_FORMAT = "d"


def year_ticks(years: list[int]) -> list[int] | None:
    """The ticks of a year axis spanning under three years: every year. On such a span Vega
    puts ticks half a year apart even with tickMinStep=1, and "d" prints 2021.5 as "2022",
    so one year would be labelled twice. None for a longer span: Vega's own ticks (with
    tickMinStep=1) are whole years there."""
    if not years:
        return None
    first, last = min(years), max(years)
    return list(range(first, last + 1)) if last - first < 3 else None


def format_number(value: float | None, decimals: int | None = None) -> str:
    """12345.678 → '12 345,7'; None/NaN → '–'. A non-breaking space groups thousands,
    as Swedish typography wants, and keeps the number on one line."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    strip = decimals is None
    if decimals is None:
        mag = abs(value)
        decimals = 0 if mag >= 1000 or float(value).is_integer() else 1 if mag >= 10 else 2
    text = f"{value:,.{decimals}f}"
    if strip and "." in text:
        # 2.70 reads as 2,7: trailing zeros suggest a precision the figure does not have.
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\u00a0").replace(".", ",").replace("-", "−")


def format_date(value: dt.date | None) -> str:
    """2026-04-30 → '30 april 2026'."""
    if value is None:
        return "–"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_change(delta: float | None, unit: str | None) -> str:
    """A change in a share is in 'procentenheter', never 'p.p.' or '%'."""
    if delta is None:
        return "–"
    # A missing unit read from a dataframe arrives as NaN, not None.
    unit = unit if isinstance(unit, str) else None
    sign = "+" if delta > 0 else ""
    if unit and unit.strip() == "%":
        return f"{sign}{format_number(delta, 1)} procentenheter"
    return f"{sign}{format_number(delta)}{(' ' + unit) if unit else ''}"


def forecast_text(
    point: float | None,
    lo: float | None,
    hi: float | None,
    latest_year: float | None,
    horizon: float | None,
) -> str:
    """'24,9 år 2022 (80 %: 21,8–28,7)': a point forecast for the period's last year with
    its 80 % interval; '–' where there is none (NaN counts as none)."""

    def missing(v: float | None) -> bool:
        return v is None or (isinstance(v, float) and math.isnan(v))

    if missing(point) or missing(latest_year) or missing(horizon):
        return "–"
    text = f"{format_number(point)} år {int(latest_year) + int(horizon)}"
    if not missing(lo) and not missing(hi):
        text += f" (80 %: {format_number(lo)}–{format_number(hi)})"
    return text


def numbered_label(number: object, title: str, level: str | None = None) -> str:
    """The one way a numbered goal or area is named: "3. Title", or with its level
    "Mål 3. Title"; a missing number (None, NaN, pandas NA) gives the title alone. A
    placeholder whose title is only its own label ("Mål 6" for goal 6: the document has
    not worded it yet) reads "Mål 6 – ej formulerat ännu", never "Mål 6. Mål 6"."""
    try:
        n = int(number)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return title
    placeholder = re.fullmatch(rf"([^\W\d_]+(?: [^\W\d_]+)?) {n}\.?", title.strip())
    if placeholder:
        return f"{placeholder.group(1)} {n} – ej formulerat ännu"
    return f"{level} {n}. {title}" if level else f"{n}. {title}"


def parse_cli_date(text: str) -> dt.date:
    """An ISO date given on a command line (`type=` for argparse in both CLIs), with a
    Swedish message for anything else."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} är inget datum (ÅÅÅÅ-MM-DD)") from None


def data_line(fetched: dt.date | None, latest_year: int | None) -> str:
    """The one line that says how fresh the data is, the same on every page:
    "Kolada-data hämtad 30 augusti 2024 · senaste år 2022"."""
    parts = [f"Kolada-data hämtad {format_date(fetched)}" if fetched else "Kolada-data"]
    if latest_year is not None:
        parts.append(f"senaste år {latest_year}")
    return " · ".join(parts)


def sparkline(values: list[float]) -> str:
    """A series as a line of block characters (▁▂▃▄▅▆▇█), for a trend at a glance in text;
    the shape only, so it is always shown beside the numbers, never instead of them."""
    blocks = "▁▂▃▄▅▆▇█"
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if hi == lo:
        return blocks[3] * len(values)
    return "".join(blocks[round((v - lo) / (hi - lo) * (len(blocks) - 1))] for v in values)


# ------------------------------------------------------------------ precision and exports

# Kolada titles end in their unit after the last comma ("…, andel (%)", "…, kr/inv",
# "…, antal"), sometimes followed by the last year of a discontinued series ("(-2023)").
_RETIRED_SUFFIX = re.compile(r"\s*\(-\d{4}\)\s*$")
# Wider than core.judging.is_bounded_share on purpose: that one asks whether a forecast
# must stay within 0–100, and so leaves out "procent" (which can go below zero); here the
# only question is how many decimals a per-cent figure reads well with.
_SHARE_UNIT = re.compile(r"%|\bandel\b|\bprocent\b")
_MONEY_UNIT = re.compile(r"^(?:t?kr|kronor)\b")
_COUNT_UNIT = re.compile(r"^antal(?: svar)?$")


def kpi_unit(title: str) -> str:
    """The unit a Kolada title ends in, lower case: "Elever …, andel (%)" → "andel (%)";
    "" for a title without a comma."""
    if "," not in title:
        return ""
    return _RETIRED_SUFFIX.sub("", title.rsplit(",", 1)[1]).strip().lower()


def kpi_decimals(title: str, values: Iterable[float]) -> int:
    """How many decimals a KPI's values are shown and exported with.

    Kolada's catalogue says nothing about precision, and its values come with up to eight
    decimals (74.28571429): printing those claims a precision no survey or register has. So
    the precision follows what the KPI measures, read from the unit its title ends in:
    kronor ("kr/inv", "tkr") and plain counts ("antal") in whole units; shares and per cent
    with one decimal, as Kolada's own tables show them. Anything else (an index, an average,
    a rate per 1 000 inhabitants) follows format_number's magnitude rule applied to the
    KPI's typical (median) value, so one KPI has one precision across municipalities and
    years; a KPI whose values are all whole numbers gets none.
    """
    unit = kpi_unit(title)
    if _MONEY_UNIT.search(unit) or _COUNT_UNIT.match(unit):
        return 0
    if _SHARE_UNIT.search(unit):
        return 1
    known = sorted(abs(float(v)) for v in values if v is not None and not math.isnan(v))
    if not known or all(float(v).is_integer() for v in known):
        return 0 if known else 1
    typical = known[len(known) // 2]
    return 0 if typical >= 1000 else 1 if typical >= 10 else 2


def ascii_slug(text: str) -> str:
    """'Upplands Väsby' → 'upplands-vasby': a name that survives any file system, e-mail
    attachment or URL (å, ä, ö lose their marks; anything else becomes a hyphen)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def export_filename(kpis: Sequence[str], municipality: str, day: dt.date, extension: str) -> str:
    """'malpuls-N15428-norberg-2026-11-29.xlsx': what, for whom and when, so downloads of
    several extracts do not overwrite each other. Two KPIs are both named; more are named
    by the first ("N15428-m-fl", "med flera"), since a file name has no room for five."""
    ids = "-".join(kpis) if len(kpis) <= 2 else f"{kpis[0]}-m-fl"
    parts = ["malpuls", re.sub(r"[^A-Za-z0-9-]+", "-", ids), ascii_slug(municipality)]
    return f"{'-'.join(p for p in parts if p)}-{day.isoformat()}.{extension}"
