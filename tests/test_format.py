"""Swedish formatting rules, table-driven."""

from __future__ import annotations

import datetime as dt

import pytest

from core.format import (
    ascii_slug,
    export_filename,
    format_change,
    format_date,
    format_number,
    kpi_decimals,
    kpi_unit,
    numbered_label,
    year_ticks,
)


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


@pytest.mark.parametrize(
    ("title", "values", "expected"),
    [
        # Shares: one decimal, whatever Kolada sent (74.28571429).
        ("Elever i åk 9 som är behöriga till yrkesprogram, hemkommun, andel (%)", [74.2857], 1),
        ("Invånare med eftergymnasial utbildning, andel (%) (-2023)", [41.0], 1),
        ("Brukarbedömning hemtjänst, svarsfrekvens (%)", [0.5], 1),
        ("Befolkningsförändring senaste året, procent", [-1.234], 1),
        # Money and plain counts: whole units.
        ("Kostnad för grundskola åk 1-9, kr/inv", [12345.67], 0),
        ("Nettokostnad äldreomsorg, kr/inv 80+", [3.5], 0),
        ("Kommunens skulder, tkr", [12.3], 0),
        ("Invånare totalt, antal", [5765.0], 0),
        ("Antal svarande, antal svar", [17.5], 0),
        # Anything else: the magnitude of the typical value.
        ("Ohälsotal, dagar", [31.62, 30.1, 29.7], 1),
        ("Anmälda våldsbrott, antal/1000 inv", [3.456, 2.1, 4.8], 2),
        ("Nöjd Medborgar-Index, index", [55.3], 1),
        ("Genomsnittligt meritvärde, genomsnitt", [222.4], 1),
        ("Kostnad per brukare, antal/inv", [1234.5, 2000.25, 999.0], 0),
        ("Medelålder, år", [43.0, 44.0], 0),  # all whole numbers: nothing to show
        ("Utan komma i titeln", [], 1),  # nothing known: format_number's middle rule
        ("Något, antal/1000 inv", [float("nan"), 0.42], 2),  # NaN is no value
    ],
)
def test_kpi_decimals(title: str, values: list[float], expected: int) -> None:
    assert kpi_decimals(title, values) == expected


def test_kpi_unit_is_the_titles_tail() -> None:
    assert kpi_unit("Elever, hemkommun, andel (%) (-2024)") == "andel (%)"
    assert kpi_unit("Inget komma") == ""


@pytest.mark.parametrize(
    ("kpis", "name", "expected"),
    [
        (["N15428"], "Norberg", "malpuls-N15428-norberg-2026-11-29.xlsx"),
        (
            ["N15428", "N00957"],
            "Upplands Väsby",
            "malpuls-N15428-N00957-upplands-vasby-2026-11-29.xlsx",
        ),
        (["N1", "N2", "N3"], "Åre", "malpuls-N1-m-fl-are-2026-11-29.xlsx"),
        (["U00402"], "Malmö stad", "malpuls-U00402-malmo-stad-2026-11-29.xlsx"),
    ],
)
def test_export_filename(kpis: list[str], name: str, expected: str) -> None:
    assert export_filename(kpis, name, dt.date(2026, 11, 29), "xlsx") == expected
    assert export_filename(kpis, name, dt.date(2026, 11, 29), "csv").isascii()


def test_ascii_slug() -> None:
    assert ascii_slug("Öckerö") == "ockero"
    assert ascii_slug("Upplands-Bro / Håbo") == "upplands-bro-habo"
