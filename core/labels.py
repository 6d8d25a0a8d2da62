"""How each status is shown: an icon and a colour beside the word, so colour is never
the only carrier of meaning (colour-blind readers get the icon and the word)."""

from __future__ import annotations

from core.vocabulary import Status

# status → (icon, Streamlit colour name)
STATUS_STYLE: dict[Status, tuple[str, str]] = {
    Status.MET: ("✔", "green"),
    Status.ON_TRACK: ("●", "green"),
    Status.IMPROVING: ("▲", "green"),
    Status.UNCERTAIN: ("◐", "orange"),
    Status.UNCHANGED: ("▬", "orange"),
    Status.OFF_TRACK: ("✖", "red"),
    Status.WORSENING: ("▼", "red"),
    Status.NOT_JUDGEABLE: ("?", "gray"),
    Status.WATCHED: ("◌", "blue"),
}

# Chart colours per status: the badge colour families, in shades so the three greens
# (and the oranges, the reds) stay apart in a stacked bar; each at least 3:1 against the
# white page (WCAG 2.1 1.4.11), and the chart's legend names each with icon and word.
STATUS_CHART_HEX: dict[Status, str] = {
    Status.MET: "#1b5e20",
    Status.ON_TRACK: "#388e3c",
    Status.IMPROVING: "#5c9e31",
    Status.UNCERTAIN: "#d35400",
    Status.UNCHANGED: "#a67c00",
    Status.OFF_TRACK: "#b71c1c",
    Status.WORSENING: "#d9534f",
    Status.WATCHED: "#1f77b4",
    Status.NOT_JUDGEABLE: "#767676",
}


def status_text(status: str | None) -> str:
    """'▲ Förbättras' for tables and plain text."""
    if not status:
        return "–"
    icon, _ = STATUS_STYLE.get(status, ("", "gray"))
    return f"{icon} {status}".strip()


def status_badge(status: str | None) -> str:
    """A Streamlit markdown badge: ':green-badge[▲ Förbättras]'."""
    if not status:
        return ""
    _, colour = STATUS_STYLE.get(status, ("", "gray"))
    return f":{colour}-badge[{status_text(status)}]"
