"""The Kolada v3 stand-in (tests/standin) behaves as /work/shared/kolada/API.md describes, over
real HTTP: paging envelope, list limits, errors, data rows, from_date with revisions and
deletions, removed KPIs and every injected fault."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin

import pytest
import requests

from config import PROJECT_ROOT
from tests.standin import KoladaStandIn
from tests.standin.server import KPI_FIELDS

DATA = PROJECT_ROOT / "data" / "kolada"
ROW = "/data/kpi/N15428/municipality/1962/year/2022"
TIMEOUT = 10


@pytest.fixture(scope="module")
def api() -> Iterator[KoladaStandIn]:
    """One read-only stand-in for the module; faults, latency and log are reset per test."""
    with KoladaStandIn(DATA) as server:
        yield server


@pytest.fixture(autouse=True)
def _reset(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "api" in request.fixturenames:
        server: KoladaStandIn = request.getfixturevalue("api")
        server.clear_faults()
        server.set_latency(0)
        server.clear_log()
        assert server.errors == []


@pytest.fixture
def fresh() -> Iterator[KoladaStandIn]:
    """A stand-in of its own, for tests that change data."""
    with KoladaStandIn(DATA) as server:
        yield server


def get(server: KoladaStandIn, path: str, **kwargs: object) -> requests.Response:
    return requests.get(server.base_url + path, timeout=TIMEOUT, **kwargs)  # type: ignore[arg-type]


def genders(row: dict) -> dict[str, dict]:
    return {v["gender"]: v for v in row["values"]}


# ---------------------------------------------------------------------- catalogue and paging


def test_catalogue_is_two_pages_with_absolute_next_url(api: KoladaStandIn) -> None:
    first = get(api, "/kpi").json()
    assert first["count"] == 5000 == len(first["values"])
    assert first["previous_url"] is None
    assert first["next_url"].startswith(api.base_url + "/kpi?")
    assert "page=2" in first["next_url"]
    assert list(first["values"][0]) == list(KPI_FIELDS)

    second = requests.get(first["next_url"], timeout=TIMEOUT).json()
    assert second["count"] == 1099 == len(second["values"])
    assert second["next_url"] is None
    assert second["previous_url"].startswith("http://")
    ids = [k["id"] for k in first["values"] + second["values"]]
    assert len(set(ids)) == 6099
    assert ids == sorted(ids)


def test_catalogue_ids_title_filter_and_unknown_parameters(api: KoladaStandIn) -> None:
    body = get(api, "/kpi/N15428,N00003").json()
    assert sorted(k["id"] for k in body["values"]) == ["N00003", "N15428"]
    assert isinstance(body["values"][0]["is_divided_by_gender"], bool)

    hits = get(api, "/kpi", params={"title": "PERSONALKOSTNADER"}).json()["values"]
    assert hits
    assert all("personalkostnader" in k["title"].lower() for k in hits)

    assert get(api, "/kpi/N15428", params={"no_such_filter": "x"}).json()["count"] == 1


def test_per_page_paging_and_clamp(api: KoladaStandIn) -> None:
    url: str | None = api.base_url + "/data/kpi/N15428/municipality/1962?per_page=7"
    rows = []
    while url:
        body = requests.get(url, timeout=TIMEOUT).json()
        assert body["count"] == len(body["values"]) <= 7
        rows += body["values"]
        url = body["next_url"]
    whole = get(api, "/data/kpi/N15428/municipality/1962").json()["values"]
    assert rows == whole
    assert len(whole) > 7

    assert get(api, "/kpi", params={"per_page": 100000}).json()["count"] == 5000
    assert get(api, "/kpi", params={"page": 9}).json() == {
        "count": 0,
        "values": [],
        "next_url": None,
        "previous_url": api.base_url + "/kpi?page=8",
    }


# ------------------------------------------------------------------------------ errors


def test_more_than_25_values_is_400(api: KoladaStandIn) -> None:
    kpis = ",".join(f"N{i:05d}" for i in range(26))
    years = ",".join(str(y) for y in range(1990, 2016))
    for path in (
        f"/data/kpi/{kpis}/year/2022",
        f"/data/kpi/N15428/year/{years}",
        f"/data/municipality/{','.join(['1962'] * 26)}/year/2022",
        f"/kpi/{kpis}",
    ):
        r = get(api, path)
        assert r.status_code == 400, path
        assert "error" in r.json()
    assert get(api, f"/data/kpi/{','.join(kpis.split(',')[:25])}/year/2022").status_code == 200


def test_unknown_ids_give_empty_list(api: KoladaStandIn) -> None:
    for path in ("/kpi/NOPE1", "/municipality/9999", "/data/kpi/NOPE1/year/2022", "/kpi_groups/X"):
        r = get(api, path)
        assert r.status_code == 200
        assert r.json() == {"count": 0, "values": [], "next_url": None, "previous_url": None}


def test_fewer_than_two_dimensions_is_400_and_unknown_route_404(api: KoladaStandIn) -> None:
    for path in ("/data/kpi/N15428", "/data/municipality/1962", "/data/year/2022", "/data"):
        r = get(api, path)
        assert r.status_code == 400, path
        assert isinstance(r.json()["error"], str)
    for path in ("/nothing", "/kpi/N15428/extra", "/data/year/2022/kpi/N15428"):
        assert get(api, path).status_code == 404, path
    assert requests.get(api.base_url[:-3] + "/v2/kpi", timeout=TIMEOUT).status_code == 410


# ----------------------------------------------------------------------------- data rows


def test_data_row_shape_for_norberg(api: KoladaStandIn) -> None:
    r = get(api, ROW)
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["count"] == 1
    row = body["values"][0]
    assert (row["kpi"], row["municipality"], row["period"]) == ("N15428", "1962", 2022)
    assert [v["gender"] for v in row["values"]] == ["T", "K", "M"]
    for v in row["values"]:
        assert v["status"] == "" and v["count"] == 1 and v["isdeleted"] is False
    assert round(genders(row)["T"]["value"], 2) == 78.26

    series = get(api, "/data/kpi/N15428/municipality/1962").json()["values"]
    assert [x["period"] for x in series] == sorted(x["period"] for x in series)
    by_year = get(api, "/data/kpi/N15428/year/2022").json()["values"]
    assert row in by_year
    assert [x["municipality"] for x in by_year] == sorted(x["municipality"] for x in by_year)
    assert "0665" in {x["municipality"] for x in by_year}
    assert row in get(api, "/data/municipality/1962/year/2022").json()["values"]


def test_municipalities_and_groups(api: KoladaStandIn) -> None:
    munis = get(api, "/municipality").json()
    assert munis["count"] == 312
    assert {"id": "0000", "title": "Riket", "type": "L"} in munis["values"]
    assert get(api, "/municipality/0665").json()["values"] == [
        {"id": "0665", "title": "Vaggeryd", "type": "K"}
    ]
    group = get(api, "/municipality_groups/G37477").json()["values"][0]
    assert group["title"].startswith("Liknande kommuner, övergripande, Norberg")
    assert len(group["members"]) == 7
    assert set(group["members"][0]) == {"member_id", "member_title"}
    assert get(api, "/municipality_groups").json()["count"] == 3630

    agenda = get(api, "/kpi_groups/G2KPI130255").json()["values"][0]
    assert agenda["title"] == "Agenda 2030 - Kommun"
    assert all(isinstance(m["member_title"], str) for m in agenda["members"])

    # A group id in the municipality position: mean of the members, count = members.
    mean = get(api, "/data/kpi/N15428/municipality/G37477/year/2022").json()["values"][0]
    member_ids = ",".join(m["member_id"] for m in group["members"])
    rows = get(api, f"/data/kpi/N15428/municipality/{member_ids}/year/2022").json()["values"]
    totals = [genders(x)["T"]["value"] for x in rows]
    assert genders(mean)["T"]["count"] == len(totals)
    assert genders(mean)["T"]["value"] == pytest.approx(sum(totals) / len(totals))


# ------------------------------------------------------------------------ mutations


def test_from_date_with_revision_and_deletion(fresh: KoladaStandIn) -> None:
    fresh.revise("N15428", "1962", 2022, "T", 80.5, on=dt.date(2026, 3, 1))
    assert fresh.delete("N15428", "1962", 2022, "K", on=dt.date(2026, 3, 2)) is True
    fresh.revise("N15428", "1962", 2023, "T", 81.0, on=dt.date(2026, 3, 3))

    plain = get(fresh, ROW).json()["values"][0]
    assert [v["gender"] for v in plain["values"]] == ["T", "M"]
    assert genders(plain)["T"]["value"] == 80.5

    since = get(fresh, ROW + "?from_date=2026-03-01").json()["values"][0]
    assert [v["gender"] for v in since["values"]] == ["T", "K"]
    assert genders(since)["K"]["isdeleted"] is True
    assert genders(since)["K"]["value"] is None
    assert genders(since)["T"] == {
        "gender": "T",
        "value": 80.5,
        "status": "",
        "count": 1,
        "isdeleted": False,
    }

    changes = get(fresh, "/data/kpi/N15428/municipality/1962?from_date=2026-03-02").json()
    assert [(x["period"], [v["gender"] for v in x["values"]]) for x in changes["values"]] == [
        (2022, ["K"]),
        (2023, ["T"]),
    ]
    assert get(fresh, ROW + "?from_date=2026-03-04").json()["count"] == 0
    everything = get(fresh, ROW + "?from_date=2024-08-30").json()["values"][0]
    assert [v["gender"] for v in everything["values"]] == ["T", "K", "M"]
    later = get(fresh, ROW + "?from_date=2024-08-31").json()["values"][0]
    assert later["values"] == since["values"]


def test_remove_kpi(fresh: KoladaStandIn) -> None:
    groups = get(fresh, "/kpi_groups").json()["values"]
    holder = next(g for g in groups if any(m["member_id"] == "N15428" for m in g["members"]))

    assert fresh.remove_kpi("N15428") is True
    assert get(fresh, "/kpi/N15428").json()["count"] == 0
    assert get(fresh, "/kpi?page=2").json()["count"] == 1098
    assert get(fresh, ROW).json()["count"] == 0
    assert get(fresh, ROW + "?from_date=2000-01-01").json()["count"] == 0
    after = get(fresh, f"/kpi_groups/{holder['id']}").json()["values"][0]
    assert len(after["members"]) == len(holder["members"]) - 1
    assert "N15428" not in {m["member_id"] for m in after["members"]}


# ------------------------------------------------------------------------------ faults


def test_fault_429_honours_times_and_path(api: KoladaStandIn) -> None:
    api.add_fault("429", path_contains="municipality/1962", retry_after=3)
    assert get(api, "/kpi/N15428").status_code == 200  # path does not match
    r = get(api, ROW)
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "3"
    assert r.json() == {"error": "Too Many Requests"}
    assert get(api, ROW).status_code == 200  # times=1 used up

    api.add_fault("429")
    assert get(api, "/kpi/N15428").headers["Retry-After"] == "1"


@pytest.mark.parametrize("kind", ["500", "503"])
def test_fault_server_errors_forever(api: KoladaStandIn, kind: str) -> None:
    fault = api.add_fault(kind, times=-1)
    for _ in range(3):
        r = get(api, ROW)
        assert r.status_code == int(kind)
        assert "error" in r.json()
    assert fault.times == -1
    api.clear_faults()
    assert get(api, ROW).status_code == 200


def test_fault_slow(api: KoladaStandIn) -> None:
    api.add_fault("slow", delay=0.5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(api.base_url + ROW, timeout=0.1)
    api.add_fault("slow", delay=0.3)
    start = time.monotonic()
    assert get(api, ROW).json()["count"] == 1
    assert time.monotonic() - start >= 0.3


def test_fault_drop(api: KoladaStandIn) -> None:
    api.add_fault("drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        get(api, ROW)
    assert get(api, ROW).status_code == 200


def test_fault_malformed_and_truncated(api: KoladaStandIn) -> None:
    api.add_fault("malformed")
    r = get(api, ROW)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.text == "this is not json"
    with pytest.raises(requests.exceptions.JSONDecodeError):
        r.json()

    whole = get(api, ROW).content
    api.add_fault("truncated")
    r = get(api, ROW)
    assert r.status_code == 200
    assert r.content == whole[: len(whole) // 2]
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)

    api.add_fault("truncated", full_length=True)  # connection cut mid-body
    with pytest.raises(
        (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)
    ):
        get(api, ROW)


def test_fault_next_url_loop_and_relative_next(api: KoladaStandIn) -> None:
    api.add_fault("next_url_loop")
    url = api.base_url + ROW + "?per_page=10"
    body = requests.get(url, timeout=TIMEOUT).json()
    assert body["next_url"] == url
    assert body["count"] == 1

    api.add_fault("relative_next")
    body = get(api, "/kpi").json()
    assert body["next_url"].startswith("/v3/kpi?")
    assert body["next_url"].endswith("page=2")
    second = requests.get(urljoin(api.base_url, body["next_url"]), timeout=TIMEOUT).json()
    assert second["count"] == 1099


def test_unknown_fault_kind_is_rejected(api: KoladaStandIn) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        api.add_fault("teapot")


# ------------------------------------------------------------------- log, latency, threads


def test_request_log_counter_and_latency(api: KoladaStandIn) -> None:
    api.clear_log()
    api.set_latency(0.05)
    start = time.monotonic()
    get(api, ROW + "?from_date=2020-01-01")
    get(api, "/kpi/N15428")
    assert time.monotonic() - start >= 0.1
    assert api.request_log == [f"/v3{ROW}?from_date=2020-01-01", "/v3/kpi/N15428"]
    assert api.request_count == 2
    api.clear_log()
    assert (api.request_log, api.request_count) == ([], 0)


def test_concurrent_requests(api: KoladaStandIn) -> None:
    # Every request waits until all eight are in flight: only a server that answers them
    # at the same time can reply 200 to all (a serial one breaks the gate: 503).
    paths = [f"/data/kpi/N15428/municipality/1962/year/{y}" for y in range(2015, 2023)]
    api.gate(len(paths), timeout=5.0)
    try:
        with ThreadPoolExecutor(len(paths)) as pool:
            responses = list(pool.map(lambda p: get(api, p), paths))
    finally:
        api.gate(None)
    assert [r.status_code for r in responses] == [200] * len(paths)
    bodies = [r.json() for r in responses]
    assert [b["values"][0]["period"] for b in bodies] == list(range(2015, 2023))


def test_stop_closes_the_server() -> None:
    server = KoladaStandIn(DATA).start()
    url = server.base_url + ROW
    session = requests.Session()  # keeps its connection open: stop() must close it
    assert session.get(url, timeout=TIMEOUT).status_code == 200
    server.stop()
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(url, timeout=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=1)
    server.close()
