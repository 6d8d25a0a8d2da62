"""Swedish formatting of numbers, dates and domain words for the UI. Pure functions."""

from __future__ import annotations

import argparse
import datetime as dt
import math

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
    "Mål 3. Title"; a missing number (None, NaN, pandas NA) gives the title alone."""
    try:
        n = int(number)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return title
    return f"{level} {n}. {title}" if level else f"{n}. {title}"


def parse_cli_date(text: str) -> dt.date:
    """An ISO date given on a command line (`type=` for argparse in both CLIs), with a
    Swedish message for anything else."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} är inget datum (ÅÅÅÅ-MM-DD)") from None
