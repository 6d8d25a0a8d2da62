"""Charts read Swedish numbers: rendered by vl-convert (the renderer of the Word PNGs, with
the same Vega as the browser) from the specs the builders return, the axis labels and the
tooltips (as the SVG's aria labels) say "1 278" and "67,5", years say "2020"."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
import vl_convert as vlc

from core.reports import ReportAmbition, ReportIndicator
from reports.charts import indicator_chart, indicator_png
from tests.test_reports import _ind
from ui.charts import SHOWN, distribution_chart, history_chart, ranking_chart, series_chart

NBSP = "\u00a0"
# Field names or Vega-Lite defaults a Swedish reader (or screen reader) must not meet.
ENGLISH = r"\b(?:value|year|municipality|kpi|Count of Records|binned)\b"


def _texts(chart: object) -> tuple[list[str], str]:
    """(the SVG's text elements, the marks' aria labels joined) for a chart. A mark's label
    holds its fields as a tooltip does; Vega's own labels of axes and legends ("X-axis
    for a linear scale …") are left out: Vega writes them in English."""
    svg = vlc.vegalite_to_svg(chart.to_json())  # type: ignore[attr-defined]
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    labels = re.findall(r'aria-label="([^"]*)"', svg)
    vega_own = ("X-axis", "Y-axis", "Symbol legend", "Title text")
    return texts, "\n".join(a for a in labels if not a.startswith(vega_own))


def _indicator(**kw: object) -> ReportIndicator:
    """A frozen report's indicator with thousands in its values (test_reports' builder)."""
    base = {
        "title": "Anmälda våldsbrott, antal/100 000 invånare",
        "unit": "antal/100 000 inv",
        "direction": "minska",
        "years": [2019, 2020, 2021],
        "values": [1278.0, 1622.088, 1247.8],
        "latest_value": 1247.8,
    }
    return _ind(**(base | kw))


def test_report_chart_thousands_and_years() -> None:
    texts, aria = _texts(indicator_chart(_indicator(), "Norberg"))
    assert f"1{NBSP}600" in texts  # a value axis tick
    assert not any(re.fullmatch(r"\d,\d{3}", t) for t in texts)  # never "1,600"
    assert {"2019", "2020", "2021"} <= set(texts)  # never "2 019"
    # The tooltips, as tables show numbers: 1622.088 reads "1 622".
    assert f"År: 2020; antal/100 000 inv: 1{NBSP}622,09; Kommun: Norberg; Värde: 1{NBSP}622" in aria


def test_report_chart_of_one_value_has_a_swedish_tick() -> None:
    """One value leaves Vega no tick step: the tick read "67.500000" (and "68")."""
    texts, aria = _texts(
        indicator_chart(_indicator(years=[2022], values=[67.5], unit="%"), "Norberg")
    )
    assert "67,5" in texts
    assert not any("." in t for t in texts if re.search(r"\d", t))
    assert "Värde: 67,5" in aria


def test_report_chart_of_two_years_labels_each_year_once() -> None:
    texts, _ = _texts(indicator_chart(_indicator(years=[2021, 2022], values=[1.0, 2.0]), "N"))
    assert texts.count("2021") == texts.count("2022") == 1


def test_report_chart_forecast_tooltip() -> None:
    ind = _indicator(point=1450.3, lo80=1300.0, hi80=1600.7, horizon_years=2)
    _, aria = _texts(indicator_chart(ind, "Norberg"))
    assert f"Prognos: 1{NBSP}450 (80 %: 1{NBSP}300–1{NBSP}601)" in aria


def test_report_chart_names_a_proposed_target_in_its_legend() -> None:
    """A PNG has no tooltips: the legend under the chart tells a decided target value
    (filled diamond) from a proposal (hollow, dashed), and the tooltips name each."""
    ambitions = [
        ReportAmbition(date=dt.date(2022, 12, 31), value=1200.0, kind="delmål"),
        ReportAmbition(
            date=dt.date(2023, 12, 31), value=1100.0, kind="periodmål", provenance="förslag"
        ),
    ]
    texts, aria = _texts(indicator_chart(_indicator(ambitions=ambitions), "Norberg"))
    assert {"Målvärde", "Förslag till målvärde"} <= set(texts)
    assert f"Typ: delmål; Målvärde: 1{NBSP}200" in aria
    assert f"Typ: periodmål; Förslag till målvärde: 1{NBSP}100" in aria
    texts, _ = _texts(indicator_chart(_indicator(ambitions=ambitions[:1]), "Norberg"))
    assert "Målvärde" in texts and "Förslag till målvärde" not in texts


def test_report_png_is_rendered() -> None:
    png = indicator_png(_indicator(), "Norberg")
    assert png.startswith(b"\x89PNG")


@pytest.fixture
def history() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2019, 2020, 2021, 2019, 2020, 2021],
            "series": ["kommun"] * 3 + ["riket"] * 3,
            "value": [1278.0, 1300.5, 1250.25, 1100.0, 1120.0, 1130.0],
            "source": "kolada",
        }
    )


def test_history_chart(history: pd.DataFrame) -> None:
    ambitions = pd.DataFrame({"date": ["2024-12-31"], "kind": ["periodmål"], "value": [1500.0]})
    forecast = {"År": 2023, "point": 1450.3, "lo80": 1300.0, "hi80": 1600.7}
    chart = history_chart(history, "Norberg", ambitions, forecast)
    texts, aria = _texts(chart)
    assert f"1{NBSP}300" in texts and "2020" in texts
    assert f"År: 2024; Värde: 1{NBSP}500; Typ: periodmål; Målvärde: 1{NBSP}500" in aria
    assert f"Prognos: 1{NBSP}450 (80 %: 1{NBSP}300–1{NBSP}601)" in aria
    assert not re.search(ENGLISH, aria)
    # The line's tooltip shows the text column, as tables show numbers.
    shown = {
        row["Värde"]: row[SHOWN]
        for rows in chart.to_dict()["datasets"].values()
        for row in rows
        if "Värde" in row
    }
    assert shown[1278.0] == f"1{NBSP}278" and shown[1250.25] == f"1{NBSP}250"


def test_explorer_charts() -> None:
    values = pd.DataFrame(
        {
            "kpi": ["N01951"] * 2,
            "municipality_id": ["0685", "0685"],
            "municipality": ["Vetlanda", "Vetlanda"],
            "year": [2021, 2022],
            "value": [27123.0, 27250.5],
        }
    )
    texts, aria = _texts(series_chart(values))
    assert f"27{NBSP}140" in texts
    assert texts.count("2021") == texts.count("2022") == 1  # no tick at 2021.5 ("2022")
    assert "Kommun/region: Vetlanda; Nyckeltal: N01951" in aria
    _, aria = _texts(ranking_chart(values.assign(Plats=[1, 2]), "0685"))
    assert f"Kommun: Vetlanda; Värde: 27{NBSP}123; Plats: 1" in aria
    _, aria = _texts(distribution_chart(values["value"], "Vetlanda", 27123.0))
    assert f"Värde: 27{NBSP}120 – 27{NBSP}125; Antal kommuner: 1" in aria
    for chart in (series_chart(values), ranking_chart(values.assign(Plats=[1, 2]), "0685")):
        assert not re.search(ENGLISH, _texts(chart)[1])


def test_report_chart_keeps_its_data_under_another_data_transformer() -> None:
    """Altair's data transformer is global; while a Streamlit script run converts a chart
    (in another thread) Streamlit's is active and keeps DataFrames out of the spec. The
    Word export runs then too: its charts must carry their data regardless."""
    import altair as alt

    alt.data_transformers.register("elsewhere", lambda data, **_kw: {"name": "elsewhere"})
    with alt.data_transformers.enable("elsewhere"):
        spec = indicator_chart(_indicator(years=[2022], values=[67.5]), "Norberg").to_dict()
    rows = [row for rows in spec["datasets"].values() for row in rows]
    assert {"År": 2022, "Värde": 67.5, "Kommun": "Norberg", SHOWN: "67,5"} in rows
