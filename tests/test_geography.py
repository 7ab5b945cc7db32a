"""Geography: mergers, region membership by date, maakunta and hyvinvointialue, the whole country, Åland,
urban–rural class, sub-areas and age groups — with the shipped tables and with the national register."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from ath_analysis.errors import DataError
from ath_analysis.geography import GeographySettings, attach_geography
from ath_analysis.municipalities import RegisterMunicipalities, ShippedMunicipalities
from ath_analysis.register import import_register
from ath_analysis.subareas import read_subarea_table, register_subareas

from .conftest import ROOT
from .register_support import shared_finland

GEO = GeographySettings(region_code="10", reference_date="2025-01-01", membership="reference",
                        urban_rural_source="auto")
KESKI_SUOMI = dataclasses.replace(GEO, region_code="13")


def _frame(codes, ages=None, postal=None, county=None):
    n = len(codes)
    frame = pd.DataFrame({
        "municipality_code": pd.Series(codes, dtype="string"),
        "postal_code": pd.Series(postal or [pd.NA] * n, dtype="string"),
        "urban_rural_code": pd.Series(["M7"] * n, dtype="string"),
        "age": ages or [40.0] * n,
    })
    if county is not None:
        frame["wellbeing_area_code"] = pd.Series(county, dtype="string")
    return frame


@pytest.fixture(scope="module")
def mikkeli_subareas():
    return read_subarea_table(ROOT / "config" / "areas" / "mikkeli_subareas.csv", "491")


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    """The national register imported from ../shared/reference/finland (read in place, written to a tmp dir)."""
    return import_register(shared_finland(), tmp_path_factory.mktemp("register"),
                           dated_mergers=ROOT / "config" / "areas" / "municipal_mergers.csv")


# ------------------------------------------------------------------------------------------- shipped tables
def test_mergers_follow_dates_and_chains(areas):
    shipped = ShippedMunicipalities(areas)
    codes = pd.Series(["696", "775", "246", "618", "640", "588", "491"])
    assert list(shipped.current(codes, "2012-01-01", "2025-01-01")) == ["491", "491", "740", "740", "593", "507",
                                                                         "491"]
    assert list(shipped.current(codes, "2012-01-01", "2012-06-01")) == ["696", "775", "246", "618", "593", "588",
                                                                         "491"]
    assert shipped.current(pd.Series(["588"]), "2024-01-01", "2024-12-31").iloc[0] == "588"


def test_ristiina_counts_in_mikkeli(areas):
    frame, audit = attach_geography(_frame(["696"]), areas, GEO, "ath2012", "2012-10-15")
    assert frame.loc[0, "municipality"] == "491" and frame.loc[0, "municipality_name"] == "Mikkeli"
    assert bool(frame.loc[0, "in_region"]) and frame.loc[0, "hyvinvointialue"] == "12"
    assert audit["recoded_municipalities"] == {"696 → 491": 1}


@pytest.mark.parametrize(("membership", "fieldwork", "inside"), [
    ("survey_time", "2012-10-15", False),  # Suomenniemi was in Etelä-Karjala until its merger
    ("survey_time", "2013-01-01", True),
    ("reference", "2012-10-15", True),
])
def test_suomenniemi_joins_etela_savo_only_after_the_merger(areas, membership, fieldwork, inside):
    code = "775" if fieldwork < "2013-01-01" else "491"
    frame, _ = attach_geography(_frame([code]), areas, dataclasses.replace(GEO, membership=membership), "w", fieldwork)
    assert bool(frame.loc[0, "in_region"]) is inside
    assert frame.loc[0, "maakunta"] == ("10" if inside else "09")


def test_heinavesi_and_joroinen_belong_to_etela_savo_in_2018_not_in_2022_at_survey_time(areas):
    survey_time = dataclasses.replace(GEO, membership="survey_time")
    in_2018, audit = attach_geography(_frame(["090", "171", "046"]), areas, survey_time, "finsote2018", "2018-10-01")
    in_2022, _ = attach_geography(_frame(["090", "171", "046"]), areas, survey_time, "ts2022", "2022-10-01")
    assert list(in_2018["in_region"]) == [True, True, True] and list(in_2022["in_region"]) == [False, False, True]
    assert list(in_2022["maakunta"]) == ["12", "11", "10"]
    assert list(in_2022["hyvinvointialue"]) == ["14", "13", "12"]
    reference, _ = attach_geography(_frame(["090", "171", "046"]), areas, GEO, "finsote2018", "2018-10-01")
    assert list(reference["in_region"]) == [False, False, True]
    assert audit["rows_in"] == audit["rows_out"] == 3  # kept, only flagged


def test_region_on_dates(areas):
    shipped = ShippedMunicipalities(areas)
    codes = pd.Series(["090", "171", "588", "775"])
    in_2020 = shipped.maakunta(codes, "2020-12-31")
    assert in_2020.iloc[:3].tolist() == ["10", "10", "10"] and pd.isna(in_2020.iloc[3])  # 775 no longer exists
    assert shipped.maakunta(codes, "2021-01-01").iloc[:2].tolist() == ["12", "11"]
    assert shipped.maakunta(codes, "2012-01-01").iloc[3] == "09"


def test_unknown_municipality_code_fails_naming_it_and_the_import(areas):
    with pytest.raises(DataError, match=r"wave 'ts2022'.*unknown municipality code.*'999' \(2 respondents\).*"
                                        r"ath-analysis areas import"):
        attach_geography(_frame(["999", "999", "491"]), areas, GEO, "ts2022", "2022-10-01")


def test_the_whole_country_from_counties_when_municipalities_are_not_given(areas):
    """A national wave without municipality codes outside the region: placed by hyvinvointialue alone."""
    frame, audit = attach_geography(_frame(["491", None, None], county=["12", "15", "90"]), areas, GEO, "ts2022",
                                    "2022-10-01")
    assert list(frame["country"]) == ["FI", "FI", "FI"]
    assert list(frame["hyvinvointialue"]) == ["12", "15", "90"]
    assert list(frame["maakunta"]) == ["10", "13", "01"] and list(frame["in_region"]) == [True, False, False]
    assert frame["municipality"].isna().tolist() == [False, True, True] and audit["without_municipality"] == 2


def test_aland_is_excluded_with_a_reason(areas):
    frame, audit = attach_geography(_frame(["491", None], county=["12", "91"]), areas, GEO, "ts2022", "2022-10-01")
    assert len(frame) == 1 and audit["rows_in"] == 2 and audit["rows_out"] == 1
    assert audit["excluded"] == {"Åland (not in THL's adult surveys)": 1}


def test_an_unknown_county_or_no_place_at_all_is_an_error(areas):
    with pytest.raises(DataError, match=r"wave 'w': unknown wellbeing_area_code\(s\) \['44'\]"):
        attach_geography(_frame([None], county=["44"]), areas, GEO, "w", "2022-10-01")
    with pytest.raises(DataError, match="missing for 1 respondent"):
        attach_geography(_frame([None]), areas, GEO, "w", "2022-10-01")


def test_mikkeli_subareas_from_postal_codes(areas, mikkeli_subareas):
    frame, audit = attach_geography(
        _frame(["491", "491", "491", "491", "740"], postal=["52300", "50100", "51600", None, None]),
        areas, GEO, "ts2022", "2022-10-01", subareas=mikkeli_subareas)
    assert list(frame["subarea_group"].iloc[:3]) == ["Ristiina", "Mikkelin kaupunkialue", "Haukivuori"]
    assert frame.loc[3, "subarea"] == "tuntematon" and audit["without_subarea"] == 1
    assert pd.isna(frame.loc[4, "subarea"])
    none, _ = attach_geography(_frame(["491"], postal=["52300"]), areas, GEO, "ts2022", "2022-10-01")
    assert pd.isna(none.loc[0, "subarea"])  # no sub-areas configured


def test_age_groups_at_their_boundaries(areas):
    ages = [20.0, 54.0, 55.0, 64.0, 65.0, 74.0, 75.0, 99.0]
    frame, _ = attach_geography(_frame(["046"] * 8, ages=ages), areas, GEO, "w", "2018-10-01")
    assert list(frame["age_group"]) == ["20–54", "20–54", "55–74", "55–74", "55–74", "55–74", "75+", "75+"]
    assert list(frame["age_group2"]) == ["20–64", "20–64", "20–64", "20–64", "65+", "65+", "65+", "65+"]
    assert list(frame["age_esp"]) == ["20-24", "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "95+"]


def test_urban_rural_falls_back_to_municipality_grouping(areas):
    frame = _frame(["491", "593", "046"])
    frame["urban_rural_code"] = pd.Series([pd.NA] * 3, dtype="string")
    result, audit = attach_geography(frame, areas, GEO, "w", "2018-10-01")
    assert list(result["urban_rural"]) == ["KR1", "KR2", "KR3"]
    assert list(result["urban_rural_group"]) == ["urban", "rural", "rural"]
    assert audit["urban_rural_source"] == "municipality"
    with pytest.raises(DataError, match="urban_rural_code"):
        attach_geography(frame, areas, dataclasses.replace(GEO, urban_rural_source="respondent"), "w", "2018-10-01")


# ------------------------------------------------------------------------------------------- the register
def test_pre_2013_codes_of_etela_savo_and_keski_suomi_map_with_the_register(areas, register):
    catalogue = RegisterMunicipalities(register)
    codes = ["696", "775", "246", "618", "640", "180", "179"]  # Ristiina, Suomenniemi, Kerimäki, …, Jyväskylän mlk
    frame, audit = attach_geography(_frame(codes), areas, KESKI_SUOMI, "ath2012", "2012-10-15", catalogue)
    assert list(frame["municipality"]) == ["491", "491", "740", "740", "593", "179", "179"]
    assert list(frame["maakunta"]) == ["10", "10", "10", "10", "10", "13", "13"]
    assert list(frame["in_region"]) == [False] * 5 + [True, True]
    assert frame.loc[5, "municipality_name"] == "Jyväskylä" and audit["recoded_municipalities"]["180 → 179"] == 1
    assert list(frame["hyvinvointialue"]) == ["12", "12", "12", "12", "12", "15", "15"]


def test_a_split_municipality_needs_a_choice_and_then_maps(areas, register):
    split = register.successors[register.successors["split"].astype(str).str.lower() == "true"]
    old = str(split["old_code"].iloc[0])
    successors = sorted(split.loc[split["old_code"] == old, "new_code"].astype(str))
    first_year = int(register.municipalities["year"].min())
    fieldwork = f"{first_year}-06-01"
    with pytest.raises(DataError, match=rf"municipality {old} .*was split"):
        attach_geography(_frame([old]), areas, GEO, "w", fieldwork, RegisterMunicipalities(register))
    chosen = RegisterMunicipalities(register, {old: successors[-1]})
    frame, _ = attach_geography(_frame([old]), areas, GEO, "w", fieldwork, chosen)
    assert frame.loc[0, "municipality"] in set(register.municipality_list("2025-01-01")["code"])


def test_heinavesi_and_joroinen_with_the_register(areas, register):
    survey_time = dataclasses.replace(GEO, membership="survey_time")
    catalogue = RegisterMunicipalities(register)
    in_2018, _ = attach_geography(_frame(["090", "171"]), areas, survey_time, "finsote2018", "2018-10-01", catalogue)
    in_2022, _ = attach_geography(_frame(["090", "171"]), areas, survey_time, "ts2022", "2022-10-01", catalogue)
    assert in_2018["in_region"].all() and not in_2022["in_region"].any()
    assert list(in_2022["hyvinvointialue"]) == ["14", "13"]


def test_aland_codes_are_excluded_with_the_register(areas, register):
    aland = sorted(register.aland_codes())[0]
    frame, audit = attach_geography(_frame(["491", aland]), areas, GEO, "ts2022", "2022-10-01",
                                    RegisterMunicipalities(register))
    assert list(frame["municipality"]) == ["491"] and audit["excluded"] == {"Åland (not in THL's adult surveys)": 1}


def test_any_municipality_gets_its_postal_areas_as_subareas(register):
    jyvaskyla = register_subareas(register, "179", "2025-01-01")
    assert len(jyvaskyla.table) > 10 and jyvaskyla.table["postal_code"].str.startswith("40").any()
    assert jyvaskyla.table["subarea"].iloc[0].startswith("Jyväskylä 4")
    assert set(jyvaskyla.groups) == {"Jyväskylä"}
