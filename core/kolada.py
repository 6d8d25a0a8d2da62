"""Pure functions that shape Kolada v3 answers and plan requests. No I/O: the HTTP client
(etl.kolada_client) hands raw JSON pages in, these return typed records or raise
KoladaFormatError naming the URL and what was wrong."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from core.errors import MalpulsError

MAX_IDS_PER_LIST = 25  # Kolada answers an error for more values in one list
GENDERS = frozenset({"T", "K", "M"})


class KoladaFormatError(MalpulsError):
    title = "Oväntat svar från Kolada"


class ValueRecord(NamedTuple):
    """One fetched value. A NamedTuple rather than a frozen dataclass, as immutable but
    made in half the time: all of Kolada is 9.5 M of them."""

    kpi: str
    municipality_id: str
    year: int
    gender: str
    value: float | None
    is_deleted: bool


def chunks(ids: Sequence[str], size: int = MAX_IDS_PER_LIST) -> list[list[str]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def plan_value_batches(
    kpis: Iterable[str], municipalities: Iterable[str], size: int = MAX_IDS_PER_LIST
) -> list[tuple[list[str], list[str]]]:
    """Every (KPI batch, municipality batch) pair: ceil(K/25) × ceil(M/25) requests, the
    fewest that cover the scope with all years (the year list is left out)."""
    k = sorted(set(kpis))
    m = sorted(set(municipalities))
    return [(kb, mb) for kb in chunks(k, size) for mb in chunks(m, size)]


def plan_year_batches(
    kpis: Iterable[str], years: Iterable[int], size: int = MAX_IDS_PER_LIST
) -> list[tuple[list[str], list[str]]]:
    """(KPI batch, year batch) pairs for questions about every municipality at once: an
    incremental run over all 312 geographies asks ceil(K/25) × ceil(Y/25) questions
    instead of ceil(K/25) × 13, since its answers are small."""
    k = sorted(set(kpis))
    y = [str(v) for v in sorted(set(years))]
    return [(kb, yb) for kb in chunks(k, size) for yb in chunks(y, size)]


def plan_municipality_year_batches(
    municipalities: Iterable[str], years: Iterable[int], size: int = MAX_IDS_PER_LIST
) -> list[tuple[list[str], list[str]]]:
    """(municipality batch, year batch) pairs for questions about every KPI at once: all
    of Kolada (~6,100 KPIs × 312 geographies) in ceil(312/25) × ceil(Y/25) questions
    instead of ceil(6,100/25) × ceil(Y/25)."""
    m = sorted(set(municipalities))
    y = [str(v) for v in sorted(set(years))]
    return [(mb, yb) for mb in chunks(m, size) for yb in chunks(y, size)]


def minimum_requests(n_kpis: int, n_municipalities: int) -> int:
    return math.ceil(n_kpis / MAX_IDS_PER_LIST) * math.ceil(n_municipalities / MAX_IDS_PER_LIST)


def parse_envelope(payload: Any, url: str) -> tuple[list[Any], str | None]:
    """(items, next_url) from one page; `count` is per page, so it is not trusted for totals."""
    if not isinstance(payload, dict):
        raise KoladaFormatError(f"{url}: svaret är inte ett JSON-objekt")
    values = payload.get("values")
    if not isinstance(values, list):
        raise KoladaFormatError(f"{url}: fältet 'values' saknas eller är inte en lista")
    next_url = payload.get("next_url")
    if next_url is not None and not isinstance(next_url, str):
        raise KoladaFormatError(f"{url}: 'next_url' är inte text")
    return values, (next_url or None)


def _text_id(value: Any, field: str, url: str, index: int) -> str:
    if isinstance(value, bool) or value is None:
        raise KoladaFormatError(f"{url}: rad {index}: fältet '{field}' saknas eller är fel")
    if isinstance(value, int):
        # An id that arrived as a number lost its leading zeros: '0665' must stay text.
        return f"{value:04d}"
    return str(value)


def parse_value_rows(items: Iterable[Any], url: str) -> Iterator[ValueRecord]:
    """Flatten v3 data rows into one record per (kpi, municipality, year, gender).
    `period` is cast defensively (some answers carry it as text); a null value is kept as
    None; `isdeleted` marks a withdrawn value."""
    for i, row in enumerate(items):
        if not isinstance(row, dict):
            raise KoladaFormatError(f"{url}: rad {i} är inte ett objekt")
        missing = [f for f in ("kpi", "municipality", "period", "values") if f not in row]
        if missing:
            raise KoladaFormatError(f"{url}: rad {i}: fältet '{missing[0]}' saknas")
        kpi = _text_id(row["kpi"], "kpi", url, i)
        muni = _text_id(row["municipality"], "municipality", url, i)
        try:
            year = int(str(row["period"]).strip())
        except ValueError:
            raise KoladaFormatError(
                f"{url}: rad {i}: perioden {row['period']!r} är inget år"
            ) from None
        if not isinstance(row["values"], list):
            raise KoladaFormatError(f"{url}: rad {i}: 'values' är inte en lista")
        for v in row["values"]:
            if not isinstance(v, dict) or v.get("gender") not in GENDERS:
                raise KoladaFormatError(f"{url}: rad {i}: värde utan giltigt kön ({v!r})")
            raw = v.get("value")
            if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int | float)):
                try:
                    raw = float(str(raw).replace(",", "."))
                except ValueError:
                    raise KoladaFormatError(
                        f"{url}: rad {i}: värdet {raw!r} är inget tal"
                    ) from None
            yield ValueRecord(
                kpi=kpi,
                municipality_id=muni,
                year=year,
                gender=v["gender"],
                value=None if raw is None else float(raw),
                is_deleted=bool(v.get("isdeleted", False)),
            )


KPI_FIELDS = (
    "id",
    "title",
    "description",
    "is_divided_by_gender",
    "municipality_type",
    "auspice",
    "operating_area",
    "perspective",
    "prel_publication_date",
    "publication_date",
    "publ_period",
    "has_ou_data",
)


def parse_kpis(items: Iterable[Any], url: str) -> list[dict[str, Any]]:
    """KPI catalogue rows with v3 field names; id and title are required, the rest optional."""
    out = []
    for i, row in enumerate(items):
        if not isinstance(row, dict) or not row.get("id") or row.get("title") is None:
            raise KoladaFormatError(f"{url}: nyckeltal {i} saknar id eller titel")
        out.append({f: row.get(f) for f in KPI_FIELDS})
    return out


def parse_municipalities(items: Iterable[Any], url: str) -> list[dict[str, str]]:
    out = []
    for i, row in enumerate(items):
        if not isinstance(row, dict) or not all(row.get(f) for f in ("id", "title", "type")):
            raise KoladaFormatError(f"{url}: kommun {i} saknar id, titel eller typ")
        out.append(
            {"id": _text_id(row["id"], "id", url, i), "title": row["title"], "type": row["type"]}
        )
    return out


def parse_groups(items: Iterable[Any], url: str) -> list[tuple[str, str, list[str]]]:
    """(id, title, member ids) for municipality groups and KPI groups alike."""
    out = []
    for i, row in enumerate(items):
        if not isinstance(row, dict) or not row.get("id") or "title" not in row:
            raise KoladaFormatError(f"{url}: grupp {i} saknar id eller titel")
        members = row.get("members") or []
        if not isinstance(members, list):
            raise KoladaFormatError(f"{url}: grupp {row['id']}: 'members' är inte en lista")
        ids = [str(m["member_id"]) for m in members if isinstance(m, dict) and "member_id" in m]
        out.append((str(row["id"]), str(row["title"]), ids))
    return out
