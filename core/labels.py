"""How each status is shown: an icon and a colour beside the word, so colour is never
the only carrier of meaning (colour-blind readers get the icon and the word)."""

from __future__ import annotations

# status → (icon, Streamlit colour name)
STATUS_STYLE: dict[str, tuple[str, str]] = {
    "Uppnått": ("✔", "green"),
    "På väg": ("●", "green"),
    "Förbättras": ("▲", "green"),
    "Osäkert": ("◐", "orange"),
    "Oförändrat": ("▬", "orange"),
    "Ej på väg": ("✖", "red"),
    "Försämras": ("▼", "red"),
    "Ej bedömbart": ("?", "gray"),
    "Bevakas": ("◌", "blue"),
}

# Chart colours per status: the badge colour families, in shades so the three greens
# (and the oranges, the reds) stay apart in a stacked bar.
STATUS_CHART_HEX: dict[str, str] = {
    "Uppnått": "#1b5e20",
    "På väg": "#388e3c",
    "Förbättras": "#81c784",
    "Osäkert": "#ef6c00",
    "Oförändrat": "#ffb74d",
    "Ej på väg": "#b71c1c",
    "Försämras": "#e57373",
    "Bevakas": "#1f77b4",
    "Ej bedömbart": "#bdbdbd",
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
