"""Short Swedish descriptions of the app's charts, for readers who cannot see them (WCAG 2.1
1.1.1): what the chart shows and its main message, computed from the chart's own data.
ui/chart_alt.py shows them beside each chart and puts them in the Vega-Lite spec's
`description` (the chart's aria-label). Pure functions over plain sequences."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.format import format_number

Point = tuple[int, float]


def genitive(name: str) -> str:
    """'Norberg' → 'Norbergs', 'Vetlanda' → 'Vetlandas'; names ending in s, x or z take no
    extra s ('Mönsterås' → 'Mönsterås')."""
    return name if name[-1:].lower() in "sxz" else f"{name}s"


def change_words(first: float, last: float) -> str:
    """How a series moved from its first to its last value, in the words a reader says:
    'steg', 'sjönk' or 'var oförändrat' (equal when they round to the same figure)."""
    if format_number(first) == format_number(last):
        return "var oförändrat"
    return "steg" if last > first else "sjönk"


def series_phrase(label: str, points: Sequence[Point]) -> str:
    """'Norbergs värde 2013–2022 sjönk från 93,6 till 78,3'; one point: 'Norbergs värde
    2022: 85,1'; '' without points. The points need not be sorted."""
    pts = sorted((int(y), float(v)) for y, v in points)
    if not pts:
        return ""
    (y0, v0), (y1, v1) = pts[0], pts[-1]
    if len(pts) == 1:
        return f"{label} {y1}: {format_number(v1)}"
    words = change_words(v0, v1)
    if words == "var oförändrat":
        return f"{label} {y0}–{y1} var oförändrat, {format_number(v1)}"
    return f"{label} {y0}–{y1} {words} från {format_number(v0)} till {format_number(v1)}"


def latest_phrase(label: str, points: Sequence[Point]) -> str:
    """'Riket 2022: 85,1' (the last point), '' without points."""
    if not points:
        return ""
    year, value = max((int(y), float(v)) for y, v in points)
    return f"{label} {year}: {format_number(value)}"


def sentence(kind: str, parts: Sequence[str]) -> str:
    """'Linjediagram: a; b; c.' from the non-empty parts."""
    body = "; ".join(p for p in parts if p)
    return f"{kind}: {body}." if body else f"{kind} utan värden."


def line_description(
    main: tuple[str, Sequence[Point]],
    others: Sequence[tuple[str, Sequence[Point]]] = (),
    extras: Sequence[str] = (),
) -> str:
    """A line chart: the main series' whole course, the others' latest value, then the
    extras (targets, forecast). `main` and `others` are (label, points); the main label is
    used as written ('Norbergs värde')."""
    parts = [series_phrase(main[0], main[1])]
    parts += [latest_phrase(label, pts) for label, pts in others]
    return sentence("Linjediagram", [*parts, *extras])


def ranking_description(
    name: str,
    place: int | None,
    values: Sequence[tuple[str, float]],
    order_words: str,
    year: int | None = None,
) -> str:
    """A bar per municipality in the order of its place. `values` in that order (place 1
    first); `place` the chosen municipality's, None where it has no value."""
    n = len(values)
    when = f" {year}" if year else ""
    parts = [f"{n} kommuners värden{when}, {order_words}"]
    own = dict(values).get(name)
    if place is not None and own is not None:
        parts.append(f"{name}: plats {place} av {n}, {format_number(own)}")
    else:
        parts.append(f"{name} har inget värde")
    if values:
        first, last = values[0], values[-1]
        parts.append(f"plats 1: {first[0]} ({format_number(first[1])})")
        parts.append(f"plats {n}: {last[0]} ({format_number(last[1])})")
    return sentence("Stapeldiagram", parts)


def distribution_description(values: Sequence[float], name: str, own: float | None) -> str:
    """A histogram of all municipalities' values, the chosen one's value as a line."""
    if not values:
        return sentence("Histogram", [])
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    median = ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    parts = [
        f"hur {n} kommuners värden fördelar sig, från {format_number(ordered[0])} till "
        f"{format_number(ordered[-1])}, median {format_number(median)}",
        f"{name}: {format_number(own)} (linjen)" if own is not None else f"{name} saknar värde",
    ]
    return sentence("Histogram", parts)


def gap_description(
    name: str,
    year: int,
    gaps: Sequence[tuple[str, float]],
    peers_median: float | None,
) -> str:
    """A bar per municipality: the gap kvinnor − män in `year`, largest first."""
    if not gaps:
        return sentence("Stapeldiagram", [])
    ordered = sorted(gaps, key=lambda g: g[1], reverse=True)
    parts = [f"skillnaden kvinnor − män {year} för {len(ordered)} kommuner"]
    own = dict(gaps).get(name)
    if own is not None:
        parts.append(f"{name}: {format_number(own)}")
    parts.append(f"störst: {ordered[0][0]} ({format_number(ordered[0][1])})")
    parts.append(f"minst: {ordered[-1][0]} ({format_number(ordered[-1][1])})")
    if peers_median is not None:
        parts.append(f"liknande kommuners median: {format_number(peers_median)}")
    return sentence("Stapeldiagram", parts)


def status_bars_description(
    counts: Mapping[str, Mapping[str, int]], status_words: Mapping[str, str]
) -> str:
    """Stacked bars: per SDG (label → status → number of indicators). `status_words` gives
    each status as shown (icon and word), in the legend's order."""
    if not counts:
        return sentence("Stapeldiagram", [])
    totals = {s: sum(c.get(s, 0) for c in counts.values()) for s in status_words}
    n = sum(totals.values())
    by_status = ", ".join(f"{k} {status_words[s]}" for s, k in totals.items() if k)
    most = max(counts, key=lambda label: sum(counts[label].values()))
    parts = [
        f"antal indikatorer per status för {len(counts)} globala mål, {n} indikatorer",
        f"totalt {by_status}",
        f"flest indikatorer: {most} ({sum(counts[most].values())})",
    ]
    return sentence("Stapeldiagram", parts)


def matrix_description(
    n_rows: int, row_noun: str, links: Mapping[str, int], sdgs: Sequence[int]
) -> str:
    """The goals × SDGs matrix: how many rows, how many links of each kind, and which
    SDGs have any. `links`: kind in words → count."""
    total = sum(links.values())
    kinds = ", ".join(f"{k} {kind.lower()}" for kind, k in links.items() if k)
    parts = [f"{n_rows} {row_noun} × 17 globala mål, {total} kopplingar"]
    if kinds:
        parts.append(kinds)
    parts.append(
        "globala mål med koppling: " + ", ".join(str(s) for s in sorted(set(sdgs)))
        if sdgs
        else "inget globalt mål har koppling"
    )
    return sentence("Matris", parts)
