"""With the whole-country tables (a national register imported from $ATH_SHARED/reference/finland), the national
respondents get real municipality codes: of their county, in force at fieldwork, proportional to population."""

from __future__ import annotations

import pandas as pd
import pyreadstat
import pytest

from ath_analysis.register import import_register
from ath_analysis.synth import WAVE_FORMATS, generate_wave, simulate_respondents
from ath_analysis.synth.generate import build_wave_population, frame_municipalities

from .conftest import ROOT, SEED
from .register_support import shared_finland

# what the register adds to a national respondent: the municipality, and a postal area of it
# (synth.country.draw_postal_codes)
MUNICIPALITY_COLUMNS = ["municipality_code", "former_code", "municipality_code_at_survey", "postal_code"]
HELSINKI, ESPOO, WEST_UUSIMAA = "091", "049", "03"


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    return import_register(shared_finland(), tmp_path_factory.mktemp("areas"),
                           dated_mergers=ROOT / "config" / "areas" / "municipal_mergers.csv")


@pytest.mark.parametrize("wave", ["ath2012", "ts2022"])
def test_national_respondents_get_municipalities_of_their_county(register, areas, counties, wave):
    fmt = WAVE_FORMATS[wave]
    population = build_wave_population(areas, fmt, SEED)
    placed = simulate_respondents(population, areas, fmt, SEED, counties=counties, register=register)
    unplaced = simulate_respondents(population, areas, fmt, SEED, counties=counties)
    # the same people and weights: only the national respondents' municipalities are new
    pd.testing.assert_frame_equal(placed.drop(columns=MUNICIPALITY_COLUMNS),
                                  unplaced.drop(columns=MUNICIPALITY_COLUMNS))
    national = unplaced["municipality_code"].isna()
    regional = ~national
    pd.testing.assert_frame_equal(placed.loc[regional, MUNICIPALITY_COLUMNS], unplaced.loc[regional,
                                                                                          MUNICIPALITY_COLUMNS])
    codes = placed.loc[national, "municipality_code_at_survey"]
    assert codes.notna().all()
    latest = f"{register.years[-1]}-01-01"
    now = register.municipality_at(codes, fmt.fieldwork_date, latest)
    county = register.hyvinvointialue_on(now, latest)
    assert (county.to_numpy() == placed.loc[national, "wellbeing_area_code"].to_numpy()).all()
    assert not register.is_aland(codes).any()
    assert not codes.isin(frame_municipalities(areas, fmt)).any()
    listed = set(register.municipality_list(fmt.fieldwork_date, nearest=True)["code"])
    # in force at fieldwork: the 2022 list; for 2012 the first list (2013), the register dating no national merger
    # of 1 January 2013 (Etelä-Savo's, which it dates, are the regional sample's)
    assert set(codes) <= listed
    if wave == "ts2022":
        assert {"090", "171"} <= set(codes)  # Heinävesi and Joroinen are sampled with their new counties
    else:
        assert not {"090", "171"} & set(codes)  # then in Etelä-Savo's regional sample
    # proportional to population: Helsinki's county is Helsinki; Espoo is about 63 % of West Uusimaa
    assert set(codes[placed.loc[national, "wellbeing_area_code"] == "90"]) == {HELSINKI}
    west = codes[placed.loc[national, "wellbeing_area_code"] == WEST_UUSIMAA]
    assert 0.55 < (west == ESPOO).mean() < 0.72


def test_the_file_names_the_national_municipalities(tmp_path, register, areas, variables, counties):
    generate_wave(areas, variables, "ts2022", SEED, tmp_path / "ts2022.sav", tmp_path / "population.parquet",
                  counties=counties, register=register)
    data, meta = pyreadstat.read_sav(str(tmp_path / "ts2022.sav"))
    assert data["kunta"].notna().all()
    assert meta.variable_value_labels["kunta"][91] == "Helsinki"
    assert len(set(data["kunta"])) > 250
