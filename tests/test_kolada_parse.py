"""core.kolada: shaping raw v3 answers and planning batches, table-driven."""

from __future__ import annotations

import pytest

from core.kolada import (
    KoladaFormatError,
    ValueRecord,
    minimum_requests,
    parse_envelope,
    parse_groups,
    parse_value_rows,
    plan_value_batches,
)

URL = "http://127.0.0.1/v3/data/kpi/N1/municipality/1962"


def test_rows_flatten_per_gender_with_text_ids_and_string_period() -> None:
    items = [
        {
            "kpi": "N15428",
            "municipality": "1962",
            "period": "2022",
            "values": [
                {"gender": "T", "value": 78.26, "status": "", "count": 1, "isdeleted": False},
                {"gender": "K", "value": None, "status": "", "count": 0},
                {"gender": "M", "value": 76.5, "isdeleted": True},
            ],
        },
    ]
    assert list(parse_value_rows(items, URL)) == [
        ValueRecord("N15428", "1962", 2022, "T", 78.26, False),
        ValueRecord("N15428", "1962", 2022, "K", None, False),
        ValueRecord("N15428", "1962", 2022, "M", 76.5, True),
    ]


def test_numeric_municipality_id_keeps_leading_zeros() -> None:
    items = [
        {"kpi": "N1", "municipality": 665, "period": 2020, "values": [{"gender": "T", "value": 1}]}
    ]
    assert next(parse_value_rows(items, URL)).municipality_id == "0665"


@pytest.mark.parametrize(
    ("items", "words"),
    [
        ([{"municipality": "1962", "period": 2022, "values": []}], "fältet 'kpi' saknas"),
        (
            [{"kpi": "N1", "municipality": "1962", "period": "tjugo", "values": []}],
            "perioden 'tjugo' är inget år",
        ),
        (
            [
                {
                    "kpi": "N1",
                    "municipality": "1962",
                    "period": 2022,
                    "values": [{"gender": "X", "value": 1}],
                }
            ],
            "värde utan giltigt kön",
        ),
        (
            [
                {
                    "kpi": "N1",
                    "municipality": "1962",
                    "period": 2022,
                    "values": [{"gender": "T", "value": "abc"}],
                }
            ],
            "värdet 'abc' är inget tal",
        ),
        (["not a row"], "rad 0 är inte ett objekt"),
    ],
)
def test_bad_rows_name_the_url(items: list, words: str) -> None:
    with pytest.raises(KoladaFormatError) as info:
        list(parse_value_rows(items, URL))
    assert URL in str(info.value) and words in str(info.value)


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ([], "inte ett JSON-objekt"),
        ({"count": 1}, "'values' saknas"),
        ({"values": [], "next_url": 5}, "'next_url' är inte text"),
    ],
)
def test_bad_envelopes(payload: object, words: str) -> None:
    with pytest.raises(KoladaFormatError, match=words):
        parse_envelope(payload, URL)


def test_envelope_empty_next_url_means_last_page() -> None:
    assert parse_envelope({"values": [1], "next_url": ""}, URL) == ([1], None)


@pytest.mark.parametrize(
    ("k", "m", "expected"), [(1, 1, 1), (25, 25, 1), (26, 25, 2), (68, 312, 39), (0, 10, 0)]
)
def test_minimum_requests(k: int, m: int, expected: int) -> None:
    assert minimum_requests(k, m) == expected
    batches = plan_value_batches([f"N{i}" for i in range(k)], [f"{i:04d}" for i in range(m)])
    assert len(batches) == expected
    assert all(len(kb) <= 25 and len(mb) <= 25 for kb, mb in batches)
    assert sum(len(kb) * len(mb) for kb, mb in batches) == k * m


def test_groups_parse_members() -> None:
    groups = parse_groups(
        [
            {
                "id": "G1",
                "title": "Liknande",
                "members": [{"member_id": "0665", "member_title": "V"}],
            }
        ],
        URL,
    )
    assert groups == [("G1", "Liknande", ["0665"])]
