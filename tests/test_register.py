"""The national register imported from `$ATH_SHARED/reference/finland` (default `<repo>/../shared`): facts of the
Finnish municipal division it must reproduce, its loader, and bad input."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess

import pandas as pd
import pytest

from ath_analysis.cli import main
from ath_analysis.errors import AthError
from ath_analysis.register import NationalRegister, RegisterError, import_register, load_national_register
from tests.register_support import ROOT, shared_finland, tiny_layout

MERGERS = ROOT / "config" / "areas" / "municipal_mergers.csv"


@pytest.fixture(scope="module")
def register(tmp_path_factory) -> NationalRegister:
    """The whole country imported once, with the network switched off (the import must not need it)."""
    out = tmp_path_factory.mktemp("areas")
    with pytest.MonkeyPatch.context() as patch:
        def no_network(*args, **kwargs):
            raise AssertionError("the import opened a network connection")

        patch.setattr(socket, "socket", no_network)
        patch.setattr(socket, "create_connection", no_network)
        return import_register(shared_finland(), out, dated_mergers=MERGERS)


def test_whole_country_municipality_counts_per_year(register):
    counts = register.municipalities.groupby("year").size().to_dict()
    assert counts == {2013: 320, 2014: 320, 2015: 317, 2016: 313, 2017: 311, 2018: 311, 2019: 311, 2020: 310,
                      2021: 309, 2022: 309, 2023: 309, 2024: 309, 2025: 308, 2026: 308}
    assert register.years == list(range(2013, 2027))
    assert not register.municipalities.duplicated(["year", "code"]).any()
    assert register.municipalities["code"].str.fullmatch(r"\d{3}").all()


def test_mergers_resolve_to_the_municipality_in_force(register):
    old = ["180", "014", "492", "184", "594", "937", "085", "640", "741", "696", "775", "246", "618", "588", "491"]
    new = ["179", "491", "491", "593", "593", "593", "491", "593", "740", "491", "491", "740", "740", "507", "491"]
    assert register.municipality_at(pd.Series(old), "2010-10-01", "2025-01-01").tolist() == new


def test_merger_dates_are_respected(register):
    at = register.municipality_at
    assert at(["696", "775", "246", "618"], "2012-10-01", "2012-12-31").tolist() == ["696", "775", "246", "618"]
    assert at(["696", "775", "246", "618"], "2012-10-01", "2013-01-01").tolist() == ["491", "491", "740", "740"]
    assert at(["588"], "2024-10-01", "2024-12-31").tolist() == ["588"]
    assert at(["588"], "2024-10-01", "2025-01-01").tolist() == ["507"]
    row = register.successors.set_index("old_code").loc["588"]
    assert (row["new_code"], row["effective"], row["split"]) == ("507", "2025-01-01", False)
    assert "agrees with the yearly lists" in row["source"]
    # a 2015 merger dated by the yearly lists alone: 413 Lavia joined 609 Pori
    row = register.successors.set_index("old_code").loc["413"]
    assert (row["new_code"], row["effective"]) == ("609", "2015-01-01")


def test_chains_splits_and_undated_mergers(register):
    # 789 Sääminki went to 618 Punkaharju and 740 Savonlinna; 618 later joined 740: one municipality in the end
    assert register.municipality_at(["789"], "2010-01-01", "2025-01-01").tolist() == ["740"]
    with pytest.raises(RegisterError, match=r"994 .*split between 536 Nokia, 604 Pirkkala.*choose its successor"):
        register.municipality_at(["994", "491"], "2010-01-01", "2025-01-01")
    assert register.municipality_at(["994"], "2010-01-01", "2025-01-01", splits={"994": "604"}).tolist() == ["604"]
    with pytest.raises(RegisterError, match="999 is not a successor of municipality 994"):
        register.municipality_at(["994"], "2010-01-01", "2025-01-01", splits={"994": "999"})
    # 180 Jyväskylän mlk joined Jyväskylä before the first yearly list; the lists cannot date it
    with pytest.raises(RegisterError, match=r"180 \(.*\) was abolished is not known \(before 2013-01-01\)"):
        register.municipality_at(["180"], "2008-10-01", "2012-06-01")


def test_missing_codes_stay_missing_and_index_is_kept(register):
    codes = pd.Series(["588", None, "491"], index=[10, 11, 12], dtype="string")
    result = register.municipality_at(codes, "2024-10-01", "2025-01-01")
    assert result.index.tolist() == [10, 11, 12]
    assert result.iloc[0] == "507" and pd.isna(result.iloc[1]) and result.iloc[2] == "491"


def test_unknown_codes_and_codes_not_yet_in_force_are_errors(register):
    with pytest.raises(RegisterError, match=r"unknown municipality code\(s\) 998, 999"):
        register.municipality_at(["491", "999", "998"], "2020-01-01", "2025-01-01")
    with pytest.raises(RegisterError, match="survey date"):
        register.municipality_at(["491"], "not a date", "2025-01-01")


def test_maakunta_and_hyvinvointialue_by_date(register):
    assert register.maakunta_on(["090", "171", "491"], "2018-06-01").tolist() == ["10", "10", "10"]
    assert register.maakunta_on(["090", "171"], "2022-06-01").tolist() == ["12", "11"]
    assert register.maakunta_on(["171"], "2020-12-31").tolist() == ["10"]
    assert register.maakunta_on(["171"], "2021-01-01").tolist() == ["11"]
    assert register.hyvinvointialue_on(["491", "090", "091"], "2023-06-01").tolist() == ["12", "14", "90"]
    assert register.kuntaryhmitys_on(["491"], "2023-06-01").tolist() == ["1"]
    # a code not in force on the date has no maakunta
    assert register.maakunta_on(["696"], "2015-01-01").isna().all()
    etela_savo_2026 = register.municipality_list("2026-01-01").query("maakunta_code == '10'")["code"]
    assert sorted(etela_savo_2026) == ["046", "097", "178", "213", "491", "507", "593", "623", "681", "740", "768"]
    with pytest.raises(RegisterError, match="start on 2013-01-01"):
        register.maakunta_on(["491"], "2010-10-01")
    # a 2010 survey's codes, mapped to the first list, with that list's maakunta (Suomenniemi's 09 is lost)
    first = register.municipality_at(["775", "090"], "2010-10-01", "2013-01-01")
    assert register.maakunta_on(first, "2010-10-01", nearest=True).tolist() == ["10", "10"]
    with pytest.raises(RegisterError, match="end with 2026"):
        register.maakunta_on(["491"], "2027-01-01")


def test_aland_codes_are_recognisable(register):
    aland = register.aland_codes()
    assert len(aland) == 16
    assert register.is_aland(["478", "035", "491", "091"]).tolist() == [True, True, False, False]
    listed = set(register.municipality_list("2026-01-01").query("maakunta_code == '21'")["code"])
    assert listed == aland


def test_populations_and_their_division(register):
    populations = register.populations
    assert populations["year"].min() == 2000 and populations["year"].max() == 2022
    assert int(populations.loc[populations["year"] == 2022, "population"].sum()) == 5_563_970
    # Sotkanet recomputes old years in the current division: 2013's figures use the 2021 list's 309 codes
    assert set(populations.loc[populations["year"] == 2013, "division_year"]) == {2021}
    assert set(populations.loc[populations["year"] == 2022, "division_year"]) == {2022}


def test_postal_areas_match_the_project_mikkeli_table(register):
    postal = register.postal_areas.set_index("postal_code")
    assert len(postal) == 3026 and postal.index.is_unique
    mikkeli = pd.read_csv(ROOT / "config" / "areas" / "mikkeli_subareas.csv", dtype=str)
    placed = postal.loc[mikkeli["postal_code"], "municipality_code"]
    # Paavo places each postal area in one municipality: 52510 Hietanen, in the project's Mikkeli table, is
    # assigned to 097 Hirvensalmi (the area crosses the border); all others are Mikkeli's
    assert placed[placed != "491"].to_dict() == {"52510": "097"}
    assert (postal.loc[mikkeli["postal_code"], "population"].astype(int).to_numpy()
            == mikkeli["population_2022"].astype(int).to_numpy()).all()
    assert postal.loc["19410", "municipality_code"] == "588"
    assert register.municipality_at(postal.loc[["19410"], "municipality_code"], "2022-01-01",
                                     "2025-01-01").tolist() == ["507"]
    assert set(postal["population_year"]) == {2022}


def test_boundaries_have_a_code_per_municipality_and_region(register):
    for year in (2013, 2023):
        codes = {f["properties"]["code"] for f in register.read_boundaries("municipalities", year)["features"]}
        assert codes == set(register.municipality_list(f"{year}-01-01")["code"])
    regions = register.read_boundaries("regions", 2023)
    assert {f["properties"]["code"] for f in regions["features"]} == set(
        register.municipality_list("2023-06-01")["maakunta_code"])
    assert register.boundary_file("municipalities").year == 2023
    postal = register.read_boundaries("postal_areas")
    first = postal["features"][0]["properties"]
    assert set(first) == {"code", "municipality_code"} and len(postal["features"]) == 3026
    with pytest.raises(RegisterError, match="no regions boundaries for 2013"):
        register.boundary_file("regions", 2013)


def test_manifest_records_sources_licence_and_checksums(register):
    manifest = register.manifest
    assert manifest["method"] == "import" and manifest["licence"] == "CC BY 4.0"
    assert manifest["origin"] == str(shared_finland().resolve())
    assert manifest["coverage"] == {"first_year": 2013, "last_year": 2026}
    for name, record in manifest["files"].items():
        assert hashlib.sha256((register.directory / name).read_bytes()).hexdigest() == record["sha256"]
        for source in record["sources"]:
            if source.get("licence"):
                assert source["licence"] == "CC BY 4.0"
            assert hashlib.sha256(open(source["path"], "rb").read()).hexdigest() == source["sha256"]
    provenance = register.provenance()
    assert set(provenance["file"]) == set(manifest["files"])
    assert provenance["source"].str.len().gt(0).all()


def test_loader_refuses_edited_files(register, tmp_path):
    copy = tmp_path / "areas"
    subprocess.run(["cp", "-r", str(register.directory), str(copy)], check=True)
    assert load_national_register(copy).years == register.years
    table = copy / "successors.csv"
    table.write_text(table.read_text().replace("588,Pertunmaa,507", "588,Pertunmaa,491"))
    with pytest.raises(RegisterError, match=r"successors.csv: changed since it was written"):
        load_national_register(copy)
    with pytest.raises(RegisterError, match="no national register here"):
        load_national_register(tmp_path / "nowhere")


def test_import_without_a_dated_table_cannot_place_pertunmaa(tmp_path):
    with pytest.raises(RegisterError) as error:
        import_register(shared_finland(), tmp_path / "areas")
    message = str(error.value)
    assert "588 Pertunmaa (last listed 2024)" in message and "\n" not in message
    assert not (tmp_path / "areas" / "manifest.json").exists()


def test_tracked_files_hold_nothing_from_shared():
    """No file of ../shared/reference/finland (nor data/external) may be in git."""
    shared = {hashlib.sha256(p.read_bytes()).hexdigest(): p.name
              for p in shared_finland().rglob("*") if p.is_file()}
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    tracked = [ROOT / name for name in listed.decode().split("\0") if name]
    assert len(tracked) > 50
    copies = [str(p.relative_to(ROOT)) for p in tracked
              if p.is_file() and hashlib.sha256(p.read_bytes()).hexdigest() in shared]
    assert copies == []
    assert not [p for p in tracked if "data/external" in str(p.relative_to(ROOT))]
    ignored = subprocess.run(["git", "check-ignore", "-q", "data/external/areas/manifest.json"], cwd=ROOT)
    assert ignored.returncode == 0


# --- bad input (a tiny made-up directory in the same layout) ------------------------------------------------
def test_tiny_layout_imports(tmp_path):
    register = import_register(tiny_layout(tmp_path / "src"), tmp_path / "areas")
    assert register.municipality_at(["588", "696"], "2024-01-01", "2025-01-01").tolist() == ["507", "491"]
    assert register.boundary_file("municipalities").year == 2025
    assert len(register.populations) == 0 and len(register.postal_areas) == 0


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: _rewrite(d / "finland_municipalities_2024_2025.csv", "maakunta_code", "region"),
         r"finland_municipalities_2024_2025.csv: missing column\(s\) maakunta_code"),
        (lambda d: _rewrite(d / "finland_municipalities_2024_2025.csv", '"507","Mäntyharju"', '"5O7","Mäntyharju"'),
         r"row \d, column code: '5O7' is not a municipality code"),
        (lambda d: _rewrite(d / "finland_municipalities_2024_2025.csv", "\n2025,", "\n2026,", count=-1),
         r"consecutive years; missing 2025"),
        (lambda d: _rewrite(d / "abolished_municipalities.csv", '"696"', '"69x"'),
         r"abolished_municipalities.csv: row 1: .* is not a pair of municipality codes"),
        (lambda d: _rewrite(d / "abolished_municipalities.csv", '"588","507"', '"491","507"'),
         r"491 \(Mikkeli\) is listed as abolished but is in force in the 2025 list"),
        (lambda d: _rewrite(d / "municipality_boundaries_2025.geojson", '"coordinates"', '"coords"'),
         r"municipality_boundaries_2025.geojson: feature 1 \(code 491\): broken Polygon coordinates"),
        (lambda d: _rewrite(d / "municipality_boundaries_2025.geojson", '"features"', '"feature"'),
         r"municipality_boundaries_2025.geojson: the FeatureCollection has no features"),
        (lambda d: (d / "municipality_boundaries_2025.geojson").write_text('{"type": "FeatureCollection", '),
         r"municipality_boundaries_2025.geojson: not valid GeoJSON"),
        (lambda d: _rewrite(d / "municipality_boundaries_2025.geojson", '"code": "507"', '"kunta": "507"'),
         r"feature 2: property 'code' is missing \(properties: kunta, name_fi, name_sv\)"),
        (lambda d: _rewrite(d / "municipality_boundaries_2025.geojson", '"code": "507"', '"code": "491"'),
         r"feature 2: code 491 appears twice \(also feature 1\)"),
        (lambda d: _rewrite(d / "municipality_boundaries_2025.geojson", '"code": "507"', '"code": "588"'),
         r"no feature for 1 code\(s\) of the 2025 municipality list: 507; 1 code\(s\) not in .*: 588"),
        (lambda d: _rewrite(d / "municipality_boundaries_2025.geojson", "61.5", "6850000.0"),
         r"outside Finland in WGS 84; the map looks projected"),
    ],
)
def test_bad_input_is_a_one_line_error(tmp_path, edit, message):
    source = tiny_layout(tmp_path / "src")
    edit(source)
    with pytest.raises(AthError, match=message) as error:
        import_register(source, tmp_path / "areas")
    assert "\n" not in str(error.value)
    assert not (tmp_path / "areas" / "manifest.json").exists()


def _rewrite(path, old, new, count=1):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, count))


def test_dated_table_contradicting_the_lists_is_an_error(tmp_path):
    source = tiny_layout(tmp_path / "src")
    table = tmp_path / "mergers.csv"
    table.write_text("old_code,old_name,new_code,new_name,effective\n588,Pertunmaa,507,Mäntyharju,2024-01-01\n")
    with pytest.raises(RegisterError, match=r"588 \(Pertunmaa\) merged on 2024-01-01, but the yearly lists show "
                                            r"it ending on 2025-01-01"):
        import_register(source, tmp_path / "areas", dated_mergers=table)
    table.write_text("old_code,old_name,new_code,new_name,effective\n588,Pertunmaa,507,Mäntyharju,1.1.2025\n")
    with pytest.raises(RegisterError, match=r"mergers.csv: row 1, column effective: '1.1.2025' is not a date"):
        import_register(source, tmp_path / "areas", dated_mergers=table)
    table.write_text("old_code,old_name,new_code,new_name,effective\n588,Pertunmaa,491,Mikkeli,2025-01-01\n")
    with pytest.raises(RegisterError, match=r"588 \(Pertunmaa\) joined 491, but .* says it joined 507"):
        import_register(source, tmp_path / "areas", dated_mergers=table)


def test_cli_import_and_its_errors(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "areas"
    assert main(["areas", "import", str(tiny_layout(tmp_path / "src")), "--out", str(out), "--mergers", ""]) == 0
    printed = capsys.readouterr().out
    assert "5 municipality-years 2024–2025 (3 → 2 municipalities)" in printed
    assert json.loads((out / "manifest.json").read_text())["method"] == "import"
    assert main(["areas", "import", str(tmp_path / "missing"), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing: not a directory" in err
