"""Geography: mergers, region membership by date, urban–rural class, Mikkeli sub-areas and age groups."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from ath_analysis.errors import DataError
from ath_analysis.geography import GeographySettings, attach_geography, current_code, region_on

GEO = GeographySettings(region_code="10", reference_date="2025-01-01", membership="reference",
                        urban_rural_source="auto")


def _frame(codes, ages=None, postal=None):
    n = len(codes)
    return pd.DataFrame({
        "municipality_code": pd.Series(codes, dtype="string"),
        "postal_code": pd.Series(postal or [pd.NA] * n, dtype="string"),
        "urban_rural_code": pd.Series(["M7"] * n, dtype="string"),
        "age": ages or [40.0] * n,
    })


def test_mergers_follow_dates_and_chains(areas):
    codes = pd.Series(["696", "775", "246", "618", "640", "588", "491"])
    assert list(current_code(codes, areas, "2025-01-01")) == ["491", "491", "740", "740", "593", "507", "491"]
    assert list(current_code(codes, areas, "2012-06-01")) == ["696", "775", "246", "618", "593", "588", "491"]
    assert current_code(pd.Series(["588"]), areas, "2024-12-31").iloc[0] == "588"


def test_ristiina_counts_in_mikkeli(areas):
    frame, audit = attach_geography(_frame(["696"]), areas, GEO, "ath2012", "2012-10-15")
    assert frame.loc[0, "municipality"] == "491" and frame.loc[0, "municipality_name"] == "Mikkeli"
    assert bool(frame.loc[0, "in_region"])
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


def test_heinavesi_and_joroinen_are_out_of_the_default_region(areas):
    frame, audit = attach_geography(_frame(["090", "171", "046"]), areas, GEO, "finsote2018", "2018-10-01")
    assert list(frame["in_region"]) == [False, False, True]
    assert audit["rows_in"] == audit["rows_out"] == 3  # kept, only flagged
    survey_time, _ = attach_geography(_frame(["090", "171"]), areas, dataclasses.replace(GEO, membership="survey_time"),
                                      "finsote2018", "2018-10-01")
    assert survey_time["in_region"].all()


def test_region_on_dates(areas):
    codes = pd.Series(["090", "171", "588", "775"])
    in_2020 = region_on(codes, areas, "2020-12-31")
    assert in_2020.iloc[:3].tolist() == ["10", "10", "10"] and pd.isna(in_2020.iloc[3])  # 775 no longer exists
    assert region_on(codes, areas, "2021-01-01").iloc[:2].tolist() == ["12", "11"]
    assert region_on(codes, areas, "2012-01-01").iloc[3] == "09"


def test_unknown_municipality_code_fails_naming_it(areas):
    with pytest.raises(DataError, match=r"wave 'ts2022'.*unknown municipality code.*'999' \(2 respondents\)"):
        attach_geography(_frame(["999", "999", "491"]), areas, GEO, "ts2022", "2022-10-01")


def test_mikkeli_subareas_from_postal_codes(areas):
    frame, audit = attach_geography(
        _frame(["491", "491", "491", "491", "740"], postal=["52300", "50100", "51600", None, None]),
        areas, GEO, "ts2022", "2022-10-01")
    assert list(frame["subarea_group"].iloc[:3]) == ["Ristiina", "Mikkelin kaupunkialue", "Haukivuori"]
    assert frame.loc[3, "subarea"] == "tuntematon" and audit["mikkeli_without_subarea"] == 1
    assert pd.isna(frame.loc[4, "subarea"])


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
