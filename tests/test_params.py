"""core.params: what a shared, old or hand-edited link's query parameters turn into, and
the Swedish sentence for each one that cannot be used (table-driven)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.params import (
    MAX_SHOWN,
    Nouns,
    UrlParamError,
    parse_choice,
    parse_id_list,
    parse_report_date,
    parse_sdg,
    parse_year,
    shown,
)

VIEWS = ["Tabell", "Diagram", "Rangordning"]
KPI = Nouns("Nyckeltalet", "Nyckeltalen", "nyckeltal")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Diagram", "Diagram"), ("diagram", "Diagram"), (" RANGORDNING ", "Rangordning")],
)
def test_choice_forgives_case_and_spaces(raw: str, expected: str) -> None:
    assert parse_choice("vy", raw, VIEWS, "Visningen") == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("bogus", "Visningen bogus finns inte."),
        ("", "Visningen  finns inte."),
        ("Tabel", "Visningen Tabel finns inte."),
    ],
)
def test_choice_names_the_unknown_value(raw: str, message: str) -> None:
    with pytest.raises(UrlParamError) as info:
        parse_choice("vy", raw, VIEWS, "Visningen")
    assert str(info.value) == message
    assert (info.value.key, info.value.raw) == ("vy", raw)


def test_choice_message_says_where() -> None:
    with pytest.raises(UrlParamError, match=r"^Målet doesnotexist finns inte för Norberg\.$"):
        parse_choice("mal", "doesnotexist", ["mal-1", "mal-2"], "Målet", " för Norberg")


@pytest.mark.parametrize(("raw", "year"), [("2015", 2015), (" 2022 ", 2022), ("1899", 1899)])
def test_year(raw: str, year: int) -> None:
    assert parse_year("fran", raw) == year


@pytest.mark.parametrize("raw", ["abc", "20", "2015.0", "-2015", "20155", "٢٠١٥", "2015,2016"])
def test_year_rejects(raw: str) -> None:
    with pytest.raises(UrlParamError) as info:
        parse_year("fran", raw, "Startåret")
    assert str(info.value) == f"Startåret {raw} är inget årtal."


@pytest.mark.parametrize(("raw", "sdg"), [("1", 1), ("11", 11), ("011", 11), ("17", 17)])
def test_sdg(raw: str, sdg: int) -> None:
    assert parse_sdg("sdg", raw) == sdg


@pytest.mark.parametrize("raw", ["0", "18", "99", "abc", "-1", "1.5", "²", ""])
def test_sdg_rejects(raw: str) -> None:
    with pytest.raises(UrlParamError) as info:
        parse_sdg("sdg", raw)
    assert str(info.value) == f"Globalt mål {raw} finns inte: Agenda 2030 har mål 1–17."


FROZEN = [dt.date(2026, 4, 30), dt.date(2026, 8, 31)]


def test_report_date() -> None:
    assert parse_report_date("rapport", "2026-08-31", FROZEN) == dt.date(2026, 8, 31)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "notadate",
            "Rapporten notadate finns inte: en rapport anges med datum (ÅÅÅÅ-MM-DD).",
        ),
        (
            "2026-02-30",
            "Rapporten 2026-02-30 finns inte: en rapport anges med datum (ÅÅÅÅ-MM-DD).",
        ),
        ("2026-12-31", "Det finns ingen fryst rapport per 31 december 2026."),
    ],
)
def test_report_date_rejects(raw: str, message: str) -> None:
    with pytest.raises(UrlParamError) as info:
        parse_report_date("rapport", raw, FROZEN)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("raw", "ids", "messages"),
    [
        ("N1,N2", ("N1", "N2"), []),
        (" N2 , N1,,N2 ", ("N2", "N1"), []),  # spaces, empty parts and repeats forgiven
        ("N1,NOPE", ("N1",), ["Nyckeltalet NOPE finns inte i Kolada."]),
        ("X,N1,Y", ("N1",), ["Nyckeltalen X, Y finns inte i Kolada."]),
        ("", (), []),
        (
            "N1,N2,N3,N4",
            ("N1", "N2", "N3"),
            ["Högst 3 nyckeltal åt gången: de 3 första visas."],
        ),
        (
            "A,B,C,D,E,F,N1",
            ("N1",),
            ["Nyckeltalen A, B, C, D, E … finns inte i Kolada."],
        ),
    ],
)
def test_id_list(raw: str, ids: tuple[str, ...], messages: list[str]) -> None:
    parsed = parse_id_list("kpi", raw, {"N1", "N2", "N3", "N4"}, KPI, 3, " i Kolada")
    assert parsed.ids == ids
    assert [str(p) for p in parsed.problems] == messages


def test_long_values_are_shortened_in_messages() -> None:
    raw = "x" * 500
    assert len(shown(raw)) == MAX_SHOWN and shown(raw).endswith("…")
    with pytest.raises(UrlParamError) as info:
        parse_choice("vy", raw, VIEWS, "Visningen")
    assert len(str(info.value)) < MAX_SHOWN + 30
    assert info.value.raw == raw  # the exception keeps the whole value
