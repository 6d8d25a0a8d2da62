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
