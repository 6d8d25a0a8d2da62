"""Words with a fixed meaning across Målpuls, as enums: one definition each, used by core,
the database rows, the UI and the exports. Imports nothing, so any module may use it."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """The one status vocabulary, best first. Values are the Swedish words users see and the
    database stores; a member compares equal to its word."""

    MET = "Uppnått"
    ON_TRACK = "På väg"
    IMPROVING = "Förbättras"
    UNCERTAIN = "Osäkert"
    UNCHANGED = "Oförändrat"
    OFF_TRACK = "Ej på väg"
    WORSENING = "Försämras"
    WATCHED = "Bevakas"
    NOT_JUDGEABLE = "Ej bedömbart"
