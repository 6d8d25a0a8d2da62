"""Colour contrast as WCAG 2.1 measures it (success criteria 1.4.3 and 1.4.11): pure
functions over hex colours. Tests hold the app's palettes to the AA limits below; the
Agenda 2030 page picks black or white text on an SDG colour with `readable_text_colour`."""

from __future__ import annotations

# AA: normal text 4.5:1; large text (18 pt, or 14 pt bold) and the graphics a reader
# needs to understand a chart (lines, bars, symbols) 3:1.
AA_TEXT = 4.5
AA_LARGE = 3.0
AA_GRAPHICS = 3.0

BLACK = "#000000"
WHITE = "#ffffff"


def parse_hex(colour: str) -> tuple[int, int, int]:
    """'#1f4e79' or '#fff' → (31, 78, 121). Raises ValueError for anything else."""
    text = colour.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if len(text) != 6:
        raise ValueError(f"not a hex colour: {colour!r}")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance: 0 for black, 1 for white."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in parse_hex(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05), the lighter over the darker: 1.0 to 21.0."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def blend(colour: str, background: str, alpha: float) -> str:
    """`colour` drawn with opacity `alpha` over `background`, as the eye sees it: what a
    contrast check must measure for a translucent mark or badge background."""
    fg, bg = parse_hex(colour), parse_hex(background)
    mixed = (round(alpha * f + (1 - alpha) * b) for f, b in zip(fg, bg, strict=True))
    return "#" + "".join(f"{c:02x}" for c in mixed)


def readable_text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with `background` (white text on the SDG
    colours 7 and 11, yellow and orange, fails AA; black passes there)."""
    if contrast_ratio(BLACK, background) >= contrast_ratio(WHITE, background):
        return BLACK
    return WHITE
