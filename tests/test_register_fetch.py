"""`areas fetch`: the parsers of Statistics Finland's and THL's responses, a whole fetch replayed from a recorded
session (tests/data/register/statfi_session.json), and what happens offline."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request

import numpy as np
import pandas as pd
import pytest

from ath_analysis.cli import main
from ath_analysis.register import RegisterError
from ath_analysis.register import http as http_module
from ath_analysis.register.http import HttpClient, NetworkError, NotFound
from ath_analysis.register.normalize import read_dated_mergers
from ath_analysis.register.sotkanet import SotkanetClient, parse_data, parse_indicator, parse_regions
from ath_analysis.register.statfi import (
    CLASSIFICATIONS_URL,
    OFFLINE_HINT,
    abolished_key,
    correspondence_ids,
    fetch_register,
    items_url,
    kunta_years,
    maps_url,
    parse_items,
    parse_json_stat2,
    parse_maps,
)
from tests.register_support import DATA, ROOT, Cassette

SESSION = DATA / "statfi_session.json"
MERGERS = ROOT / "config" / "areas" / "municipal_mergers.csv"


@pytest.fixture
def cassette() -> Cassette:
    return Cassette(SESSION)


# --- parsers -------------------------------------------------------------------------------------------------
def test_classification_items_and_maps(cassette):
    url = items_url("kunta_1_20240101", "sv")
    assert url == (f"{CLASSIFICATIONS_URL}/classifications/kunta_1_20240101/classificationItems?content=data&meta=max"
                   "&lang=sv&format=json")
    names = parse_items(cassette.payload("GET", url), "sv", url)
    assert names == {"090": "Heinävesi", "091": "Helsingfors", "478": "Mariehamn", "491": "S:t Michel",
                     "507": "Mäntyharju", "588": "Pertunmaa"}
    url = maps_url("kunta_1_20250101", "maakunta_1_20250101", "en")
    maps = parse_maps(cassette.payload("GET", url), "en", url)
    assert list(maps.columns) == ["source_code", "source_name", "target_code", "target_name"]
    assert maps.set_index("source_code").loc["090", ["target_code", "target_name"]].tolist() == ["12",
                                                                                                 "North Karelia"]
    assert "588" not in set(maps["source_code"])
    with pytest.raises(RegisterError, match="map 1 lacks sourceItem.code"):
        parse_maps([{"targetItem": {"code": "01"}}], "fi", "x")
    with pytest.raises(RegisterError, match="item 2 has no 'code'"):
        parse_items([{"code": "091"}, {"classificationItemNames": []}], "fi", "x")
    with pytest.raises(RegisterError, match="expected a non-empty list"):
        parse_items({"detail": "Not found."}, "fi", "x")


def test_listings_of_classifications_and_keys(cassette):
    listed = cassette.payload("GET", f"{CLASSIFICATIONS_URL}/classifications?format=json")
    assert kunta_years(listed, "x") == [2023, 2024, 2025]
    tables = correspondence_ids(cassette.payload("GET", f"{CLASSIFICATIONS_URL}/correspondenceTables?format=json"),
                                "x")
    assert "kunta_1_20240101#hyvinvointialue_1_20240101" in tables
    assert abolished_key(tables) == "kunta_2_20240101#kunta_1_20240101"
    # the older listing style: '#' in the URL and a ?format=json tail
    old_style = [f"{CLASSIFICATIONS_URL}/correspondenceTables/kunta_1_20200101#maakunta_1_20200101?format=json",
                 f"{CLASSIFICATIONS_URL}/correspondenceTables/kunta_2_20210101#kunta_1_20210101?format=json"]
    assert correspondence_ids(old_style, "x") == {"kunta_1_20200101#maakunta_1_20200101",
                                                  "kunta_2_20210101#kunta_1_20210101"}
    assert abolished_key({"kunta_1_20200101#maakunta_1_20200101"}) is None
    with pytest.raises(RegisterError, match="lists no municipality classification"):
        kunta_years(["https://x/classifications/maakunta_1_20240101"], "x")


def test_json_stat2_dense_and_sparse():
    dataset = {"version": "2.0", "class": "dataset", "id": ["a", "b"], "size": [2, 3],
               "dimension": {"a": {"category": {"index": {"x": 1, "w": 0}}},
                             "b": {"category": {"index": ["p", "q", "r"]}}},
               "value": [1, 2, 3, 4, None, 6]}
    frame = parse_json_stat2(dataset, "x")
    assert frame[["a", "b"]].values.tolist() == [["w", "p"], ["w", "q"], ["w", "r"], ["x", "p"], ["x", "q"],
                                                 ["x", "r"]]
    np.testing.assert_array_equal(frame["value"].to_numpy(), [1, 2, 3, 4, np.nan, 6])
    sparse = parse_json_stat2({**dataset, "value": {"0": 1, "5": 6}}, "x")
    np.testing.assert_array_equal(sparse["value"].to_numpy(), [1, np.nan, np.nan, np.nan, np.nan, 6])
    with pytest.raises(RegisterError, match="5 values for 6 cells"):
        parse_json_stat2({**dataset, "value": [1, 2, 3, 4, 5]}, "x")
    with pytest.raises(RegisterError, match="dimension b has 3 categories, size says 2"):
        parse_json_stat2({**dataset, "size": [2, 2]}, "x")


def test_sotkanet_parsers():
    regions = parse_regions([{"id": 91, "code": "91", "category": "KUNTA", "title": {"fi": "Helsinki"}},
                             {"id": 658, "code": "0", "category": "MAA", "title": {"fi": "Koko maa"}},
                             {"id": 611, "code": "1", "category": "MAAKUNTA", "title": {"fi": "Uusimaa"}}], "x")
    assert regions["code"].tolist() == ["091", "0", "01"]
    data = parse_data([{"indicator": 5, "region": 91, "year": 2022, "gender": "Total", "value": 1.5},
                       {"indicator": 5, "region": 91, "year": 2023, "gender": "male", "value": None}], "x")
    assert data[["region", "year", "gender", "value"]].values.tolist() == [["91", 2022, "total", 1.5]]
    with pytest.raises(RegisterError, match="unknown gender"):
        parse_data([{"indicator": 5, "region": 91, "year": 2022, "gender": "both", "value": 1}], "x")
    with pytest.raises(RegisterError, match="lack value"):
        parse_data([{"indicator": 5, "region": 91, "year": 2022, "gender": "total"}], "x")
    meta = parse_indicator({"id": 127, "title": {"fi": "Väestö"}, "range": {"start": 2000, "end": 2023}}, "x")
    assert (meta["start"], meta["end"], meta["title_fi"]) == (2000, 2023, "Väestö")
    with pytest.raises(RegisterError, match="is not a pair of years"):
        parse_indicator({"id": 127, "range": {"start": "x", "end": 2023}}, "x")


# --- a whole fetch, replayed -----------------------------------------------------------------------------------
@pytest.fixture
def fetched(tmp_path, cassette):
    http = HttpClient(transport=cassette, timeout=5)
    register = fetch_register(tmp_path / "areas", http=http, first_year=2024,
                              dated_mergers=read_dated_mergers(MERGERS), dated_source=str(MERGERS))
    return register, cassette


def test_fetch_writes_the_register(fetched):
    register, cassette = fetched
    assert register.years == [2024, 2025]
    assert register.municipalities.groupby("year").size().to_dict() == {2024: 6, 2025: 5}
    row = register.municipality_list("2025-06-01").set_index("code").loc["491"]
    assert row[["name_fi", "name_sv", "maakunta_code", "maakunta_name_sv", "hyvinvointialue_code",
                "kuntaryhmitys_name_en"]].tolist() == ["Mikkeli", "S:t Michel", "10", "Södra Savolax", "12",
                                                       "Urban municipalities"]
    # the key of abolished municipalities predates 2025; the dated table names Pertunmaa's successor
    assert register.municipality_at(["588", "696", "085"], "2012-10-01", "2025-01-01").tolist() == ["507", "491",
                                                                                                     "491"]
    successors = register.successors.set_index("old_code")
    assert successors.loc["588", "effective"] == "2025-01-01"
    assert successors.loc["696", "effective"] == "2013-01-01"  # from the dated table, older than the lists
    assert register.maakunta_on(["090"], "2024-06-01").tolist() == ["12"]
    assert register.is_aland(["478", "491"]).tolist() == [True, False]
    # every recorded answer that the fetch needs was used, and nothing else was asked
    assert len(set(cassette.requests)) == len(cassette.requests) == len(cassette.entries)


def test_fetch_boundaries_fall_back_to_the_published_year(fetched):
    register, _ = fetched
    municipalities = register.read_boundaries("municipalities")
    assert register.boundary_file("municipalities").year == 2024  # the 2025 layer answers with an exception
    assert sorted(f["properties"]["code"] for f in municipalities["features"]) == ["090", "091", "478", "491",
                                                                                   "507", "588"]
    assert municipalities["features"][0]["properties"] == {"code": "090", "name_fi": "Heinävesi",
                                                           "name_sv": "Heinävesi"}
    regions = register.read_boundaries("regions", 2024)
    assert sorted(f["properties"]["code"] for f in regions["features"]) == ["01", "10", "12", "21"]
    counties = register.read_boundaries("hyvinvointialueet", 2024)
    assert sorted(f["properties"]["code"] for f in counties["features"]) == ["12", "14", "90", "91"]
    postal = register.read_boundaries("postal_areas", 2024)
    assert {f["properties"]["code"]: f["properties"]["municipality_code"] for f in postal["features"]}["19410"] == \
        "588"


def test_fetch_postal_areas_and_populations(fetched):
    register, _ = fetched
    postal = register.postal_areas.set_index("postal_code")
    assert postal.loc["19410", ["name_fi", "municipality_code", "municipality_name"]].tolist() == [
        "Pertunmaa", "588", "Pertunmaa"]
    assert postal["population"].astype(int).to_dict() == {"00100": 18030, "19410": 602, "22100": 11500,
                                                          "50100": 7781, "79700": 1700}
    assert set(postal["population_year"]) == {2022} and set(postal["year"]) == {2024}
    populations = register.populations
    assert sorted(populations["code"].unique()) == ["090", "091", "478", "491", "507"]  # Sotkanet's 91 → 091
    assert set(populations["division_year"]) == {2025}
    assert int(populations.query("year == 2024 and code == '491'")["population"].iloc[0]) == 52000


def test_fetch_manifest_records_urls_times_and_checksums(fetched):
    register, cassette = fetched
    manifest = register.manifest
    assert manifest["method"] == "fetch" and manifest["coverage"] == {"first_year": 2024, "last_year": 2025}
    sources = [s for record in manifest["files"].values() for s in record["sources"] if "url" in s]
    assert {s["url"] for s in sources} >= {url for _, url in cassette.requests} - {
        f"{CLASSIFICATIONS_URL}/correspondenceTables?format=json"} - {
        url for method, url in cassette.requests if "kunta4500k_2025" in url or "pno_2025" in url}
    for source in sources:
        assert source["licence"] == "CC BY 4.0" and source["retrieved"].endswith("Z")
        assert source["sha256"] == hashlib.sha256(cassette.body(source["method"], source["url"])).hexdigest()
    provenance = register.provenance()
    assert provenance.loc[provenance["file"] == "populations.csv", "source"].str.startswith(
        "https://sotkanet.fi/rest/1.1/").all()


def test_fetch_without_a_dated_table_names_the_unplaced_municipality(tmp_path, cassette):
    with pytest.raises(RegisterError, match=r"588 Pertunmaa \(last listed 2024\) vanish"):
        fetch_register(tmp_path / "areas", http=HttpClient(transport=cassette), first_year=2024)
    assert not (tmp_path / "areas" / "manifest.json").exists()


# --- the network's failures ------------------------------------------------------------------------------------
def test_offline_fetch_is_one_line(tmp_path):
    # a port nothing listens on: a real connection failure, no outside network needed
    http = HttpClient(timeout=2, offline_hint=OFFLINE_HINT)
    with pytest.raises(NetworkError) as error:
        fetch_register(tmp_path / "areas", http=http, classifications_url="http://127.0.0.1:9/api")
    message = str(error.value)
    assert message.startswith("classification service: cannot reach 127.0.0.1:9 (")
    assert "use `ath-analysis areas import DIR`" in message and "\n" not in message
    assert not (tmp_path / "areas").exists()


def test_http_errors_and_non_json_answers():
    def answer(status: int | None, body: bytes = b""):
        def transport(request: urllib.request.Request, timeout: float) -> bytes:
            if status:
                raise urllib.error.HTTPError(request.full_url, status, "Not Found", {}, None)  # type: ignore[arg-type]
            return body
        return transport

    with pytest.raises(NotFound, match=r"layer: https://x/y answered HTTP 404 Not Found"):
        HttpClient(transport=answer(404)).get("https://x/y", what="layer")
    with pytest.raises(NetworkError, match=r"did not return JSON \(it starts '<html>oops'\)"):
        HttpClient(transport=answer(None, b"<html>oops")).get_json("https://x/y", what="table")
    client = HttpClient(transport=answer(None, b'{"a": 1}'))
    assert client.get_json("https://x/y", what="t", payload={"q": 1}) == {"a": 1}
    assert client.log[0].method == "POST" and client.log[0].sha256 == hashlib.sha256(b'{"a": 1}').hexdigest()


def test_cli_fetch_offline(tmp_path, capsys, monkeypatch):
    def offline(request, timeout):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(http_module, "urllib_transport", offline)
    monkeypatch.chdir(ROOT)
    assert main(["areas", "fetch", "--out", str(tmp_path / "areas"), "--pause", "0"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("ath-analysis: error: classification service: cannot reach data.stat.fi (")
    assert not (tmp_path / "areas").exists()


def test_sotkanet_region_ids_must_be_known(cassette):
    class Unknown(Cassette):
        def body(self, method, url):
            if url.endswith("/json?indicator=127&years=2023&years=2024&genders=total"):
                return json.dumps([{"indicator": 127, "region": 12345, "year": 2023, "gender": "total",
                                    "value": 1}]).encode()
            return super().body(method, url)

    client = SotkanetClient(HttpClient(transport=Unknown(SESSION)))
    with pytest.raises(RegisterError, match=r"region id\(s\) 12345 are not in Sotkanet's region list"):
        client.data(127, [2023, 2024])
    assert isinstance(client.regions(), pd.DataFrame)
