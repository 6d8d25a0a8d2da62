"""Swedish formatting rules, table-driven."""

from __future__ import annotations

import datetime as dt

import pytest

from core.format import format_change, format_date, format_number


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
    assert format_change(3.0, "dagar") == "+3 dagar"
