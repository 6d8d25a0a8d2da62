"""Swedish formatting rules, table-driven."""

from __future__ import annotations

import datetime as dt

import pytest

from core.format import format_change, format_date, format_number, numbered_label, year_ticks


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (78.26, None, "78,3"),
        (3.14159, None, "3,14"),
        (12345.678, None, "12\u00a0346"),
        (-2.5, 1, "−2,5"),
        (0.0, None, "0"),
        (2.7, None, "2,7"),
        (22.0, None, "22"),
        (1020.0, None, "1\u00a0020"),
        (None, None, "–"),
        (float("nan"), None, "–"),
    ],
)
def test_format_number(value: float | None, decimals: int | None, expected: str) -> None:
    assert format_number(value, decimals) == expected


def test_format_dates() -> None:
    assert format_date(dt.date(2026, 4, 30)) == "30 april 2026"
    assert format_date(None) == "–"


def test_change_in_share_is_procentenheter() -> None:
    assert format_change(2.0, "%") == "+2,0 procentenheter"
    assert format_change(-1.5, "%") == "−1,5 procentenheter"
    # A missing unit from a dataframe is NaN: no unit, no crash.
    assert format_change(2.0, float("nan")) == "+2"
    assert format_change(3.0, "dagar") == "+3 dagar"


@pytest.mark.parametrize(
    ("number", "title", "level", "expected"),
    [
        (3, "Vi har en god folkhälsa.", "Mål", "Mål 3. Vi har en god folkhälsa."),
        (3, "Vi har en god folkhälsa.", None, "3. Vi har en god folkhälsa."),
        (None, "Mål utan nummer", "Mål", "Mål utan nummer"),
        (float("nan"), "Mål utan nummer", None, "Mål utan nummer"),
        # A placeholder: the title is only its own label (Vaggeryd's goals 6-8).
        (6, "Mål 6", "Mål", "Mål 6 – ej formulerat ännu"),
        (6, "Mål 6", None, "Mål 6 – ej formulerat ännu"),
        (6, "Mål 6.", "Mål", "Mål 6 – ej formulerat ännu"),
        (1, "Delstrategi 1", "Delstrategi", "Delstrategi 1 – ej formulerat ännu"),
        # Another goal's label, or a number inside a real title, is a title.
        (6, "Mål 7", "Mål", "Mål 6. Mål 7"),
        (2, "Agenda 2030 i hela kommunen", "Mål", "Mål 2. Agenda 2030 i hela kommunen"),
    ],
)
def test_numbered_label(number: object, title: str, level: str | None, expected: str) -> None:
    assert numbered_label(number, title, level) == expected


def test_year_ticks_only_on_short_spans() -> None:
    assert year_ticks([2022]) == [2022]
    assert year_ticks([2022, 2021]) == [2021, 2022]
    assert year_ticks([2020, 2022]) == [2020, 2021, 2022]
    assert year_ticks([2019, 2022]) is None  # Vega's own ticks are whole years here
    assert year_ticks([]) is None
