"""core.direction: the desired direction read from a KPI title, for proposed indicators."""

from __future__ import annotations

import pytest
import yaml

from config import PROJECT_ROOT
from core.direction import direction_from_title


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Elever i åk 9 som är behöriga till yrkesprogram, hemkommun, andel (%)", "öka"),
        ("Elever i åk 9 som ej är behöriga till yrkesprogram, andel (%)", "minska"),
        ("Arbetslösa 18-24 år, andel (%) av befolkningen", "minska"),
        ("Utsläpp till luft av växthusgaser totalt, ton CO2-ekv/inv", "minska"),
        ("Invånare 16-84 år som känner sig otrygga ute, andel (%)", "minska"),
        ("Förnybara bränslen i kommunorganisationens fordon, andel (%)", "öka"),
        ("Nöjd Medborgar-Index - Kultur", "öka"),
    ],
)
def test_titles_that_say_what_is_better(title: str, expected: str) -> None:
    reading = direction_from_title(title)
    assert reading is not None and reading.direction == expected
    assert reading.word in title.lower()
    assert expected in reading.reason


@pytest.mark.parametrize(
    "title",
    ["Nettokostnad grundskola, kr/elev", "Invånare totalt, antal", "Personalkostnader, kr/inv"],
)
def test_titles_that_do_not_say_get_no_direction(title: str) -> None:
    assert direction_from_title(title) is None


def test_reading_agrees_with_the_directions_norberg_set_by_hand() -> None:
    """Norberg's goal file sets directions by hand (källa or our reading); the word rules
    must not contradict them except on the two composite titles that name both halves
    ("Heltider/deltider (heltider)", "in och utflyttningar (inflyttningar)")."""
    raw = yaml.safe_load((PROJECT_ROOT / "data/goals/1962-norberg.yaml").read_text("utf-8"))
    agree, contradict = 0, []
    for fw in raw["frameworks"]:
        for area in fw.get("areas", []):
            for goal in area.get("goals", []):
                for ind in goal.get("indicators", []):
                    if ind["direction"] == "bevaka":
                        continue
                    reading = direction_from_title(ind["title"])
                    if reading is None:
                        continue
                    if reading.direction == ind["direction"]:
                        agree += 1
                    else:
                        contradict.append(ind["title"])
    assert agree >= 45
    assert all("/" in t or " och " in t for t in contradict), contradict
    assert len(contradict) <= 2


def test_staff_continuity_is_less_is_better_despite_its_visits() -> None:
    """U21401 counts the staff a hemtjänst user "med minst 2 besök dagligen" meets: the
    word "besök" (more is better elsewhere) must not decide it."""
    title = (
        "Personalkontinuitet, antal personal som en hemtjänsttagare med minst 2 besök "
        "dagligen möter under 14 dagar, medelvärde (- 2024)"
    )
    reading = direction_from_title(title)
    assert reading is not None and reading.direction == "minska"
