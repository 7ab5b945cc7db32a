"""The synthetic population and waves: real sizes, real codes, THL's design, and the structure we promise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from ath_analysis.synth import WAVE_FORMATS, simulate_respondents
from ath_analysis.synth.generate import build_wave_population
from ath_analysis.synth.parameters import ADULT_SHARE

from .conftest import SEED


@pytest.fixture(scope="module")
def populations(synthetic_dir):
    return {w: pd.read_parquet(synthetic_dir / f"population_{w}.parquet") for w in WAVE_FORMATS}


def test_population_has_real_municipal_sizes(populations, areas):
    pop = populations["finsote2018"]
    munis = areas.municipalities.set_index("code")
    expected = (munis["pop_2018"] * munis["kuntaryhmitys_2015"].map(ADULT_SHARE)).round().astype(int)
    observed = pop["municipality_code"].value_counts()
    assert len(observed) == 14
    pd.testing.assert_series_equal(observed.sort_index(), expected.sort_index(), check_names=False)
    assert pop["age"].min() == 20


def test_mikkeli_postal_areas_and_former_municipalities(populations, areas):
    pop = populations["ath2012"]
    mikkeli = pop[pop["municipality_code"] == "491"]
    assert set(mikkeli["postal_code"]) <= set(areas.mikkeli_subareas["postal_code"])
    assert {"014", "085", "696", "775", "491"} == set(mikkeli["former_code"])
    assert pop.loc[pop["municipality_code"] != "491", "postal_code"].isna().all()


def test_urban_rural_mix_is_plausible(populations):
    pop = populations["ts2022"]
    classes = pop.groupby("municipality_code")["urban_rural_code"].agg(lambda s: set(s))
    assert {"K1", "K2", "K3"} <= classes["491"] and {"K1", "K2", "K3"} <= classes["740"]
    small = classes.drop(["491", "740", "593"])
    assert all(c <= {"M4", "M5", "M6", "M7"} for c in small)


def test_structure_rural_obesity_and_old_lonely(populations):
    pop = populations["finsote2018"]
    bmi = pop["weight_kg"] / (pop["height_cm"] / 100) ** 2
    obese = (bmi >= 30).groupby(pop["urban_rural_code"]).mean()
    assert obese["M7"] > obese["K1"] + 0.08
    poor_health = (pop["srh"] >= 3).groupby(pop["urban_rural_code"]).mean()
    assert poor_health["M7"] > poor_health["K1"] + 0.1
    lonely = pop["loneliness"] >= 4
    old_alone = (pop["age"] >= 75) & (pop["lives_alone"] == 1)
    assert lonely[old_alone].mean() > 2 * lonely[~old_alone].mean()
    smoke = (pop["smoking"] == 1).groupby(pop["education"]).mean()
    assert smoke[1] > 2 * smoke[3]


def test_realistic_prevalences(populations):
    pop = populations["finsote2018"]
    mhi = 4 * ((pop[["mhi1", "mhi2", "mhi4"]] - 1).sum(axis=1) + (6 - pop[["mhi3", "mhi5"]]).sum(axis=1))
    assert 0.09 < (mhi <= 52).mean() < 0.18
    assert 0.35 < (pop["srh"] >= 3).mean() < 0.5
    bmi = pop["weight_kg"] / (pop["height_cm"] / 100) ** 2
    assert 0.2 < (bmi >= 30).mean() < 0.3
    assert 0.1 < (pop["smoking"] == 1).mean() < 0.16


def test_generation_is_deterministic(areas):
    fmt = WAVE_FORMATS["ts2022"]
    a = build_wave_population(areas, fmt, SEED)
    b = build_wave_population(areas, fmt, SEED)
    pd.testing.assert_frame_equal(a, b)
    c = build_wave_population(areas, fmt, SEED + 1)
    assert not a["srh"].equals(c["srh"])


def test_ath2012_uses_pre_2013_codes(synthetic_dir):
    data, meta = pyreadstat.read_sav(str(synthetic_dir / "ath2012.sav"))
    codes = set(data["kunta"].astype(int))
    assert {696, 775, 246, 618} <= codes
    assert meta.variable_value_labels["kunta"][696] == "Ristiina"
    assert meta.file_label.startswith("SYNTEETTINEN")


def test_ts2022_covers_12_municipalities_stratified_by_age(synthetic_dir):
    data, meta = pyreadstat.read_sav(str(synthetic_dir / "ts2022.sav"))
    codes = set(data["kunta"].astype(int))
    assert len(codes) == 12 and 90 not in codes and 171 not in codes
    strata = set(meta.variable_value_labels["ositus_ts"].values())
    assert "Mikkeli 75+" in strata and "Mikkeli 20-74" in strata and len(strata) == 24


def test_waves_have_own_names_codes_labels_and_user_missing(synthetic_dir):
    _, ath = pyreadstat.read_sav(str(synthetic_dir / "ath2012.sav"), metadataonly=True, user_missing=True)
    _, fs = pyreadstat.read_sav(str(synthetic_dir / "finsote2018.sav"), metadataonly=True, user_missing=True)
    _, ts = pyreadstat.read_sav(str(synthetic_dir / "ts2022.sav"), metadataonly=True, user_missing=True)
    assert ath.variable_value_labels["k13"][1] == "Hyvä"
    assert fs.variable_value_labels["q1_terveys"][1] == "Huono"  # reversed scale
    assert ts.variable_value_labels["sukupuoli"] == {1: "Nainen", 2: "Mies"}
    assert ath.missing_ranges["k120"] == [{"lo": 9.0, "hi": 9.0}]
    assert ath.variable_value_labels["k120"][9] == "En osaa sanoa"
    assert ts.missing_ranges["terveys"] == [{"lo": 99.0, "hi": 99.0}]


def test_design_weights_calibrated_and_young_men_respond_least(areas):
    fmt = WAVE_FORMATS["finsote2018"]
    pop = build_wave_population(areas, fmt, SEED)
    resp = simulate_respondents(pop, areas, fmt, SEED)
    population_per_stratum = pop["municipality_code_at_survey"].value_counts()
    weighted = resp.groupby("stratum")["weight"].sum()
    np.testing.assert_allclose(weighted.sort_index(), population_per_stratum[weighted.index].sort_index(), rtol=1e-6)
    rate = (resp["N_h"] / resp["n_h"]).groupby([resp["sex"], resp["age"] < 30]).size()
    share_resp = rate / rate.sum()
    pop_share = pop.groupby([pop["sex"], pop["age"] < 30]).size() / len(pop)
    representation = share_resp / pop_share
    assert representation.idxmin() == (1, True)
    # small municipalities are oversampled: their weights are smaller
    mean_weight = resp.groupby("municipality_code")["weight"].mean()
    assert mean_weight["046"] < mean_weight["491"] / 2
