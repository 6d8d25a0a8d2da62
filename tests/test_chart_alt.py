"""Issue 18 item 3: charts people can read without seeing them.

Pure tests for the chart descriptions (core/chart_text.py) and the contrast rule
(core/contrast.py) over every palette the app draws with; table builders of ui/chart_alt.py;
AppTests that every chart on a page comes with its description and a "Visa som tabell"
expander, and that no status is shown by colour alone."""

from __future__ import annotations

import csv
import itertools
import json
import re
import tomllib
from collections.abc import Iterator

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from config import PROJECT_ROOT, Paths
from core import chart_text
from core.contrast import (
    AA_GRAPHICS,
    AA_TEXT,
    BLACK,
    WHITE,
    blend,
    contrast_ratio,
    readable_text_colour,
    relative_luminance,
)
from core.labels import STATUS_CHART_HEX, STATUS_STYLE, status_badge, status_text
from core.vocabulary import Status
from ui import chart_alt, charts

APP = str(PROJECT_ROOT / "app.py")
PAGE_BACKGROUND = "#ffffff"  # Streamlit's light theme; the app sets no other background

# ----------------------------------------------------------------------- descriptions


def test_the_issue_example_sentence() -> None:
    text = chart_text.line_description(
        ("Norbergs värde", [(2013, 93.6), (2018, 88.0), (2022, 78.3)]),
        [("Riket", [(2021, 84.0), (2022, 85.1)])],
    )
    assert (
        text
        == "Linjediagram: Norbergs värde 2013–2022 sjönk från 93,6 till 78,3; Riket 2022: 85,1."
    )


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([(2013, 93.6), (2022, 78.3)], "Norberg 2013–2022 sjönk från 93,6 till 78,3"),
        ([(2022, 78.3), (2013, 70)], "Norberg 2013–2022 steg från 70 till 78,3"),  # unsorted
        ([(2015, 12.04), (2020, 12.03)], "Norberg 2015–2020 var oförändrat, 12"),  # same shown
        ([(2022, 1278)], "Norberg 2022: 1\u00a0278"),
        ([], ""),
    ],
)
def test_series_phrase(points: list, expected: str) -> None:
    assert chart_text.series_phrase("Norberg", points) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Norberg", "Norbergs"), ("Vetlanda", "Vetlandas"), ("Mönsterås", "Mönsterås")],
)
def test_genitive(name: str, expected: str) -> None:
    assert chart_text.genitive(name) == expected


def test_ranking_and_distribution_and_gap_sentences() -> None:
    values = [("Ale", 1.0), ("Norberg", 2.5), ("Borås", 3.0)]
    assert chart_text.ranking_description("Norberg", 2, values, "plats 1 = bäst", 2023) == (
        "Stapeldiagram: 3 kommuners värden 2023, plats 1 = bäst; Norberg: plats 2 av 3, 2,5; "
        "plats 1: Ale (1); plats 3: Borås (3)."
    )
    assert "Norberg har inget värde" in chart_text.ranking_description("Norberg", None, [], "x")
    assert chart_text.distribution_description([4, 1, 3, 2], "Norberg", 2.5) == (
        "Histogram: hur 4 kommuners värden fördelar sig, från 1 till 4, median 2,5; "
        "Norberg: 2,5 (linjen)."
    )
    gap = chart_text.gap_description("Norberg", 2022, [("Ale", -1.5), ("Norberg", 2.0)], 0.25)
    assert gap == (
        "Stapeldiagram: skillnaden kvinnor − män 2022 för 2 kommuner; Norberg: 2; "
        "störst: Norberg (2); minst: Ale (−1,5); liknande kommuners median: 0,25."
    )


def test_status_and_matrix_sentences_name_statuses_in_words() -> None:
    words = {s: status_text(s) for s in (Status.MET, Status.OFF_TRACK)}
    text = chart_text.status_bars_description(
        {"3 Hälsa": {Status.MET: 2, Status.OFF_TRACK: 1}, "5 Jämställdhet": {Status.MET: 1}},
        words,
    )
    assert text == (
        "Stapeldiagram: antal indikatorer per status för 2 globala mål, 4 indikatorer; "
        "totalt 3 ✔ Uppnått, 1 ✖ Ej på väg; flest indikatorer: 3 Hälsa (3)."
    )
    matrix = chart_text.matrix_description(
        4, "mål", {"Från dokumentet": 2, "Förslag": 0, "Via nyckeltal": 1}, [11, 3, 11]
    )
    assert matrix == (
        "Matris: 4 mål × 17 globala mål, 3 kopplingar; 2 från dokumentet, 1 via nyckeltal; "
        "globala mål med koppling: 3, 11."
    )


def test_history_text_table_in_swedish() -> None:
    history = pd.DataFrame(
        {
            "series": ["kommun", "kommun", "riket", "liknande"],
            "year": [2021, 2022, 2022, 2022],
            "value": [1278.0, 1301.0, 80.4, float("nan")],
        }
    )
    ambitions = pd.DataFrame(
        {
            "kind": ["delmål", "periodmål"],
            "date": ["2024-12-31", "2024-12-31"],
            "value": [1310.0, 1400.0],
            "provenance": ["förslag", "förslag"],
        }
    )
    forecast = {"År": 2024, "point": 1350.0, "lo80": 1320.0, "hi80": 1380.0}
    text = chart_alt.history_text(history, "Norberg", ambitions, forecast)
    assert text.description == (
        "Linjediagram: Norbergs värde 2021–2022 steg från 1\u00a0278 till 1\u00a0301; "
        "Riket 2022: 80,4; förslag till målvärde 2024: 1\u00a0400; "
        "prognos 2024: 1\u00a0350 (80 %: 1\u00a0320–1\u00a0380)."
    )
    table = text.table
    assert list(table.columns) == [
        "År",
        "Norberg",
        "Riket",
        "Förslag till målvärde",
        "Prognos",
    ]
    assert table["År"].tolist() == ["2021", "2022", "2024"]
    assert table["Norberg"].tolist() == ["1\u00a0278", "1\u00a0301", "–"]
    # Two targets in one year are both shown, never one silently dropped.
    assert table["Förslag till målvärde"].tolist() == ["–", "–", "1\u00a0310 / 1\u00a0400"]


# ---------------------------------------------------------------------------- contrast


def test_contrast_ratio_known_values() -> None:
    assert contrast_ratio(BLACK, WHITE) == pytest.approx(21.0)
    assert contrast_ratio(WHITE, WHITE) == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#fff") == pytest.approx(4.54, abs=0.01)  # AA's grey
    assert contrast_ratio("#777777", "#ffffff") < AA_TEXT  # one step lighter fails
    assert relative_luminance("#ff0000") == pytest.approx(0.2126)
    assert blend("#000000", "#ffffff", 0.5) == "#808080"
    with pytest.raises(ValueError):
        contrast_ratio("red", WHITE)


def _sdg_colours() -> dict[int, str]:
    with (PROJECT_ROOT / "data" / "reference" / "sdg_goals.csv").open(encoding="utf-8") as f:
        return {int(r["goal"]): r["color_hex"] for r in csv.DictReader(f)}


def test_sdg_heading_text_passes_aa_on_every_sdg_colour() -> None:
    colours = _sdg_colours()
    assert len(colours) == 17
    for sdg, colour in colours.items():
        ink = readable_text_colour(colour)
        assert contrast_ratio(ink, colour) >= AA_TEXT, (sdg, colour, ink)
    # The old white text failed on the yellow of goal 7: the rule matters.
    assert contrast_ratio(WHITE, colours[7]) < AA_TEXT


def _graphics_palette() -> Iterator[tuple[str, str]]:
    """(name, colour as seen on the page) of every line, bar and mark colour a reader
    needs to tell apart (WCAG 1.4.11: 3:1 against the page)."""
    for k, c in charts.SERIES_COLOURS.items():
        yield f"SERIES_COLOURS[{k}]", c
    for i, c in enumerate(charts.MUTED_COLOURS):
        # Drawn translucent: what counts is the colour the eye sees on the page.
        yield f"MUTED_COLOURS[{i}]", blend(c, PAGE_BACKGROUND, charts.OTHER_LINE["opacity"])
    yield "OWN_LINE", charts.OWN_LINE["colour"]
    yield "OWN_COLOUR", charts.OWN_COLOUR
    yield "OTHERS_COLOUR", charts.OTHERS_COLOUR
    yield "TARGET_COLOUR", charts.TARGET_COLOUR
    yield "LINK_CELL", charts.LINK_CELL
    for k, c in charts.GENDER_COLOURS.items():
        yield f"GENDER_COLOURS[{k}]", c
    for s, c in STATUS_CHART_HEX.items():
        yield f"STATUS_CHART_HEX[{s}]", c


@pytest.mark.parametrize(("name", "colour"), list(_graphics_palette()))
def test_chart_colours_reach_3_to_1_on_the_page(name: str, colour: str) -> None:
    assert contrast_ratio(colour, PAGE_BACKGROUND) >= AA_GRAPHICS, (name, colour)


def test_chart_text_colours_reach_4_5_to_1() -> None:
    # The ranking names the chosen kommun above its bar, the histogram at its line.
    assert contrast_ratio(charts.OWN_COLOUR, PAGE_BACKGROUND) >= AA_TEXT


def test_explorer_own_row_reads_at_4_5_to_1() -> None:
    """The explorer's own row: a tint and bold text (not colour alone), AA contrast."""
    from ui.explorer_table import OWN_ROW_STYLE

    style = dict(part.split(":", 1) for part in OWN_ROW_STYLE.replace(" ", "").split(";"))
    assert style["font-weight"] == "bold"
    assert contrast_ratio(style["color"], style["background-color"]) >= AA_TEXT


def test_theme_colours_in_config_toml() -> None:
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    theme = config.get("theme", {})
    background = theme.get("backgroundColor", PAGE_BACKGROUND)
    if "textColor" in theme:
        assert contrast_ratio(theme["textColor"], background) >= AA_TEXT
    if "primaryColor" in theme:
        # Focus rings, selected controls: graphics (and white text on it in buttons).
        assert contrast_ratio(theme["primaryColor"], background) >= AA_GRAPHICS
        assert contrast_ratio(WHITE, theme["primaryColor"]) >= AA_TEXT


def test_status_colours_of_one_family_stay_apart() -> None:
    """In a stacked bar, neighbours of one family (three greens) must differ by more than
    hue; the white line between parts separates them, and the legend names them."""
    greens = [STATUS_CHART_HEX[s] for s in (Status.MET, Status.ON_TRACK, Status.IMPROVING)]
    for a, b in itertools.pairwise(greens):
        assert contrast_ratio(a, b) > 1.1, (a, b)
    spec = charts.sdg_status_bars(
        pd.DataFrame(
            {"sdg_label": ["3 Hälsa"], "sdg": [3], "status": ["x"], "n": [1], "order": [0]}
        ),
        {"x": "#000000"},
    ).to_dict()
    assert spec["mark"]["stroke"] == "#ffffff"


# ------------------------------------------------------------ colour never the only carrier


def test_every_status_has_icon_and_word() -> None:
    icons = [icon for icon, _ in STATUS_STYLE.values()]
    assert len(set(icons)) == len(icons), "each status its own icon"
    for status in Status:
        icon, colour = STATUS_STYLE[status]
        assert status_text(status) == f"{icon} {status}"
        assert status_badge(status) == f":{colour}-badge[{icon} {status}]"
        assert status in STATUS_CHART_HEX


def test_matrix_colours_are_no_status_colours() -> None:
    """The matrix's colour means 'linked', beside bars where colour means a status."""
    status_colours = set(STATUS_CHART_HEX.values())
    assert charts.LINK_CELL not in status_colours
    assert charts.EMPTY_CELL not in status_colours


# --------------------------------------------------------------------------- AppTests


def _walk(node: object) -> Iterator[object]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _charts_and_alternatives(at: AppTest) -> tuple[list[dict], list[str], int]:
    """The page's chart specs, its captions and its "Visa som tabell" expanders."""
    assert not at.exception, [e.value for e in at.exception]
    specs = [
        json.loads(n.proto.spec)
        for n in _walk(at._tree)
        if getattr(n, "type", None) == "vega_lite_chart"
    ]
    captions = [c.value for c in at.caption]
    tables = sum(1 for e in at.expander if e.label == chart_alt.TABLE_LABEL)
    return specs, captions, tables


def _assert_every_chart_has_its_alternatives(at: AppTest, at_least: int = 1) -> list[dict]:
    specs, captions, tables = _charts_and_alternatives(at)
    assert len(specs) >= at_least
    assert tables == len(specs), "one 'Visa som tabell' per chart"
    for spec in specs:
        description = spec.get("description", "")
        # A sentence of what the chart shows, and the same sentence on the page.
        assert re.match(r"^(Linjediagram|Stapeldiagram|Histogram|Matris): \S", description)
        assert description in captions, description
    return specs


def _open(page: str, kommun: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["kommun"] = kommun
    at.run()
    at.switch_page(page).run()
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    return at


def test_goal_page_charts_have_text_and_table(tiny_env: Paths) -> None:
    at = _open("app_pages/goal.py", "1962", mal="mal-2", indikator="alla")
    specs = _assert_every_chart_has_its_alternatives(at, at_least=2)
    assert all(s["description"].startswith("Linjediagram: Norbergs värde ") for s in specs)
    # The tables hold the chart's data with Swedish headings and decimal commas.
    tables = [m.value for m in at.markdown if f'<div class="{chart_alt.TABLE_CLASS}">' in m.value]
    assert len(tables) >= len(specs)
    assert all('<th scope="col">År</th>' in t and "Norberg</th>" in t for t in tables[:2])


@pytest.mark.parametrize("kommun", ["0685", "1962"])
def test_agenda_charts_have_text_and_table(tiny_env: Paths, kommun: str) -> None:
    at = _open("app_pages/agenda.py", kommun, sdg="11")
    specs = _assert_every_chart_has_its_alternatives(at, at_least=2)
    kinds = [s["description"].split(":")[0] for s in specs]
    assert kinds.count("Stapeldiagram") == 1 and "Matris" in kinds
    bars = next(s for s in specs if s["description"].startswith("Stapeldiagram"))
    # The status bars' legend names each colour with icon and word.
    domain = bars["encoding"]["color"]["scale"]["domain"]
    assert domain and all(d in {status_text(s) for s in Status} for d in domain)
    matrices = [
        n
        for n in _walk(at._tree)
        if getattr(n, "type", None) == "vega_lite_chart"
        and json.loads(n.proto.spec)["description"].startswith("Matris")
    ]
    for node in matrices:
        # Streamlit sends a chart's data beside the spec, as Arrow.
        (dataset,) = node.proto.datasets
        cells = pa.ipc.open_stream(dataset.data.data).read_pandas()
        assert set(cells["colour"]) <= {charts.LINK_CELL, charts.EMPTY_CELL}
        assert (cells["colour"] == charts.LINK_CELL).any()
        # Each cell's accessible name says the kind of link in words.
        assert cells["description"].str.match(r"^Globalt mål \d+ och .+: \w").all()


@pytest.mark.parametrize("view", ["Diagram", "Rangordning", "Fördelning", "Kön"])
def test_explorer_charts_have_text_and_table(tiny_env: Paths, view: str) -> None:
    at = _open("app_pages/explorer.py", "1962", kpi="N00957", vy=view)
    _assert_every_chart_has_its_alternatives(at, at_least=1)


def test_targets_chart_has_text_and_table(tiny_env: Paths) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["kommun"] = "1962"
    at.query_params["per"] = "2021-12-31"
    at.run()
    at.switch_page("app_pages/targets.py").run()
    specs = _assert_every_chart_has_its_alternatives(at, at_least=1)
    assert specs[0]["description"].startswith("Linjediagram: Norbergs värde")


_BADGE = re.compile(r":(\w+)-badge\[([^\]]*)\]")


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("app_pages/overview.py", {}),
        ("app_pages/goal.py", {"mal": "mal-2"}),
        ("app_pages/agenda.py", {"sdg": "3"}),
    ],
)
def test_status_colours_come_with_icon_and_word(
    tiny_env: Paths, page: str, params: dict[str, str]
) -> None:
    """Wherever a status colour is shown (a badge), its icon and its word are there as
    text; and every status in a table is written with its icon."""
    at = _open(page, "1962", **params)
    texts = [m.value for m in (*at.markdown, *at.caption)] + [
        n.proto.label for n in _walk(at._tree) if getattr(n, "type", None) == "page_link"
    ]
    badges = [b for t in texts for b in _BADGE.findall(t)]
    words = {str(s): STATUS_STYLE[s][0] for s in Status}
    status_badges = [(c, inner) for c, inner in badges if any(w in inner for w in words)]
    if page != "app_pages/agenda.py":
        assert status_badges, "the page shows statuses"
    for colour, inner in badges:
        assert re.search(r"[A-Za-zÅÄÖåäö]{3}", inner), f"a {colour} badge without a word"
    for _colour, inner in status_badges:
        word = next(w for w in words if w in inner)
        assert inner.startswith(words[word]), f"{inner!r} lacks the icon {words[word]}"
    for frame in (d.value for d in at.dataframe):
        for column in ("Status", "Målstatus"):
            if column in frame.columns:
                for value in frame[column]:
                    assert value == "–" or value[0] in {i for i, _ in STATUS_STYLE.values()}
