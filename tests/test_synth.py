"""The synthetic population and waves: real sizes, real codes, THL's design, and the structure we promise.

Etelä-Savo is materialised and sampled by municipality; the rest of Finland is sampled as Terve Suomi 2022 was
(2,000 aged 20–74 and 800 aged 75+ per wellbeing services county) from county profiles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from ath_analysis.errors import ConfigError
from ath_analysis.geography import GeographySettings
from ath_analysis.indicators.definitions import (
    canonical_variables,
    compute_indicators,
    indicator_rules,
    indicators_from_rules,
    load_indicators,
)
from ath_analysis.synth import WAVE_FORMATS, generate_wave, simulate_respondents
from ath_analysis.synth import truth as truth_module
from ath_analysis.synth.country import expected_sex_age, read_counties
from ath_analysis.synth.generate import build_wave_population, frame_municipalities, national_sample_strata
from ath_analysis.synth.parameters import ADULT_SHARE, COUNTIES
from ath_analysis.synth.population import wellbeing_areas
from ath_analysis.synth.sampling import sex_age_cell
from ath_analysis.synth.truth import population_truth

from .conftest import ROOT, SEED

GEO = GeographySettings(region_code="10", reference_date="2025-01-01", membership="reference",
                        urban_rural_source="auto")
ALAND = "91"
HELSINKI, VANTAA_KERAVA, KAINUU, LAPLAND, SOUTH_SAVO = "90", "04", "20", "21", "12"


@pytest.fixture(scope="module")
def populations(synthetic_dir):
    return {w: pd.read_parquet(synthetic_dir / f"population_{w}.parquet") for w in WAVE_FORMATS}


@pytest.fixture(scope="module")
def files(synthetic_dir):
    return {w: pyreadstat.read_sav(str(synthetic_dir / f"{w}.sav"), user_missing=True) for w in WAVE_FORMATS}


@pytest.fixture(scope="module")
def respondents(areas, counties):
    """Each wave's respondents in canonical variables, sampled design columns included (n_h, N_h, stratum)."""
    out = {}
    for wave, fmt in WAVE_FORMATS.items():
        population = build_wave_population(areas, fmt, SEED)
        out[wave] = simulate_respondents(population, areas, fmt, SEED, counties=counties)
    return out


# ------------------------------------------------------------------------------------------ Etelä-Savo's population
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


def test_population_counties_and_frame(populations, areas):
    for wave, pop in populations.items():
        expected = pop["municipality_code"].map(areas.municipalities.set_index("code")["hyvinvointialue"])
        assert (pop["wellbeing_area_code"] == expected).all()
        framed = set(pop.loc[pop["in_frame"], "municipality_code"])
        assert framed == set(frame_municipalities(areas, WAVE_FORMATS[wave]))
    assert set(populations["ath2012"].groupby("wellbeing_area_code")["municipality_code"].unique()["14"]) == {"090"}
    assert len(set(populations["ts2022"].loc[populations["ts2022"]["in_frame"], "municipality_code"])) == 12


# ---------------------------------------------------------------------------------------------------- determinism
def test_generation_is_deterministic(areas):
    fmt = WAVE_FORMATS["ts2022"]
    a = build_wave_population(areas, fmt, SEED)
    b = build_wave_population(areas, fmt, SEED)
    pd.testing.assert_frame_equal(a, b)
    c = build_wave_population(areas, fmt, SEED + 1)
    assert not a["srh"].equals(c["srh"])


def test_same_seed_gives_the_same_bytes(tmp_path, synthetic_dir, areas, variables, counties):
    """A wave made again (another process, another day) is byte-identical: .sav, population and national strata."""
    wave = "finsote2018"
    names = [f"{wave}.sav", f"population_{wave}.parquet", f"national_{wave}.parquet"]
    generate_wave(areas, variables, wave, SEED, *(tmp_path / n for n in names[:2]), counties=counties,
                  national_path=tmp_path / names[2])
    for name in names:
        assert (tmp_path / name).read_bytes() == (synthetic_dir / name).read_bytes(), name
    other = tmp_path / "other"
    generate_wave(areas, variables, wave, SEED + 1, other / names[0], other / names[1], counties=counties)
    assert (other / names[0]).read_bytes() != (synthetic_dir / names[0]).read_bytes()
    assert (synthetic_dir / names[0]).read_bytes()[92:109] == b"01 Oct 1800:00:00"  # the fieldwork date


# ------------------------------------------------------------------------------------------------- the .sav files
def test_ath2012_uses_pre_2013_codes(files):
    data, meta = files["ath2012"]
    codes = set(data["kunta"].dropna().astype(int))
    assert {696, 775, 246, 618} <= codes
    assert meta.variable_value_labels["kunta"][696] == "Ristiina"
    assert meta.file_label.startswith("SYNTEETTINEN")


def test_ts2022_regional_sample_covers_12_municipalities_stratified_by_age(files):
    data, meta = files["ts2022"]
    codes = set(data["kunta"].dropna().astype(int))
    assert len(codes) == 12 and 90 not in codes and 171 not in codes
    strata = list(meta.variable_value_labels["ositus_ts"].values())
    assert "Mikkeli 75+" in strata and "Mikkeli 20-74" in strata
    assert "Lapin hyvinvointialue 75+" in strata and "Helsingin kaupunki 20-74" in strata
    # 12 municipalities × 2 age bands, 21 counties × 2 age bands; every label names one stratum
    assert len(strata) == len(set(strata)) == 24 + 42
    assert set(data["ositus_ts"]) == set(meta.variable_value_labels["ositus_ts"])


def test_waves_have_own_names_codes_labels_and_user_missing(files):
    ath, fs, ts = (files[w][1] for w in ("ath2012", "finsote2018", "ts2022"))
    assert ath.variable_value_labels["k13"][1] == "Hyvä"
    assert fs.variable_value_labels["q1_terveys"][1] == "Huono"  # reversed scale
    assert ts.variable_value_labels["sukupuoli"] == {1: "Nainen", 2: "Mies"}
    assert ath.missing_ranges["k120"] == [{"lo": 9.0, "hi": 9.0}]
    assert ath.variable_value_labels["k120"][9] == "En osaa sanoa"
    assert ts.missing_ranges["terveys"] == [{"lo": 99.0, "hi": 99.0}]
    assert ts.variable_value_labels["hyvinvointialue"][90] == "Helsingin kaupunki"
    assert ath.variable_value_labels["hva"][12] == "Etelä-Savon hyvinvointialue"
    assert fs.variable_value_labels["hva_nro"]["05"] == "Varsinais-Suomen hyvinvointialue"
    assert ALAND not in fs.variable_value_labels["hva_nro"]
    assert ts.column_names_to_labels["hyvinvointialue"] == "Hyvinvointialue"


@pytest.mark.parametrize(("wave", "county", "municipality"),
                         [("ath2012", "hva", "kunta"), ("finsote2018", "hva_nro", "kunta_nro"),
                          ("ts2022", "hyvinvointialue", "kunta")])
def test_every_wave_covers_the_country(files, counties, areas, wave, county, municipality):
    data, _ = files[wave]
    codes = data[county].astype("string").str.replace(r"\.0$", "", regex=True).str.zfill(2)
    assert set(codes) == set(counties["code"]) - {ALAND}
    muni = data[municipality].replace("", np.nan)
    national = muni.isna().to_numpy()
    # the regional sample's counties are its municipalities' (as they are now); everyone else has no municipality
    regional = muni[~national].astype(float).astype(int).map("{:03d}".format)
    current = regional.replace(dict(zip(areas.mergers["old_code"], areas.mergers["new_code"], strict=True)))
    current = current.replace(dict(zip(areas.mergers["old_code"], areas.mergers["new_code"], strict=True)))
    assert (codes[~national].to_numpy() == wellbeing_areas(current, areas).to_numpy()).all()
    assert national.sum() > 0.8 * len(data)
    postal = data["postinro" if wave == "ath2012" else "posti" if wave == "finsote2018" else "postinumero"]
    assert (postal[national] == "").all()


# ---------------------------------------------------------------------------------------------------- the design
def test_ts2022_samples_22_areas_of_2800(respondents, counties, areas):
    resp = respondents["ts2022"]
    design = resp.drop_duplicates("stratum").set_index("stratum")
    county_of_stratum = resp.drop_duplicates("stratum").set_index("stratum")["wellbeing_area_code"]
    sampled = design["n_h"].groupby(county_of_stratum).sum()
    assert len(sampled) == 22 and ALAND not in sampled.index
    national = sampled.drop(SOUTH_SAVO)
    assert (national == 2800).all()
    old = design.index.str.endswith("75+")
    by_band = design["n_h"].groupby([county_of_stratum, np.where(old, "75+", "20-74")]).sum().unstack()
    assert (by_band.drop(SOUTH_SAVO)["20-74"] == 2000).all() and (by_band.drop(SOUTH_SAVO)["75+"] == 800).all()
    # Etelä-Savo's regional sample (THL's oversample) is larger than the national allocation in both bands
    assert by_band.loc[SOUTH_SAVO, "20-74"] > 2000 and by_band.loc[SOUTH_SAVO, "75+"] > 800
    assert 60_000 < sampled.sum() < 80_000
    # response about 46 % in the national sample, lowest for young men
    is_national = resp["wellbeing_area_code"] != SOUTH_SAVO
    assert 0.44 < is_national.sum() / national.sum() < 0.48


def test_strata_fpc_and_weights_match_the_populations(respondents, populations, areas, counties):
    for wave, resp in respondents.items():
        fmt = WAVE_FORMATS[wave]
        strata = national_sample_strata(areas, fmt, counties).set_index("stratum")
        national = resp["stratum"].isin(strata.index)
        # national strata: FPC = the stratum's adults, from population 2022 × the county's adult share
        fpc = resp.loc[national].groupby("stratum")["N_h"].first()
        pd.testing.assert_series_equal(fpc.sort_index(), strata["population"].sort_index(), check_names=False,
                                       check_dtype=False)
        adults = strata.groupby("code")["population"].sum()
        residents = counties.set_index("code")["population_2022"]
        framed = areas.municipalities[areas.municipalities["code"].isin(frame_municipalities(areas, fmt))]
        residents = residents.sub(framed.groupby("hyvinvointialue")["pop_2022"].sum(), fill_value=0)
        share = pd.Series({c: COUNTIES[c].adult_share for c in adults.index})
        np.testing.assert_allclose(adults, (residents[adults.index] * share).round(), atol=1)
        # weights sum to each national county's adults and to each regional stratum's population
        weights = resp.loc[national].groupby("wellbeing_area_code")["weight"].sum()
        np.testing.assert_allclose(weights[adults.index], adults, rtol=1e-8)
        pop = populations[wave]
        pop = pop[pop["in_frame"]]
        key = pop["municipality_code_at_survey"] + np.where(pop["age"] >= 75, "_75+", "_20-74") \
            if fmt.design.age75_split else pop["municipality_code_at_survey"]
        regional = resp.loc[~national].groupby("stratum")["weight"].sum()
        np.testing.assert_allclose(regional.sort_index(), key.value_counts().sort_index(), rtol=1e-8)
        # every stratum has a label of its own, and the national ones are not Etelä-Savo's
        assert (resp.groupby("stratum_label")["stratum"].nunique() == 1).all()
        assert not set(resp.loc[national, "stratum_label"]) & set(resp.loc[~national, "stratum_label"])


def test_national_weights_are_raked_to_county_sex_and_age(respondents, areas, counties):
    resp = respondents["finsote2018"]
    national = resp[resp["stratum"].str.startswith("HVA")]
    cells = national["wellbeing_area_code"] + "_" + pd.Series(sex_age_cell(national), index=national.index).astype(str)
    totals = national["weight"].groupby(cells).sum()
    expected = expected_sex_age(national_sample_strata(areas, WAVE_FORMATS["finsote2018"], counties))
    assert len(totals) == 21 * 8
    np.testing.assert_allclose(totals.sort_index(), expected[totals.index].sort_index(), rtol=1e-6)
    # women outnumber men among the oldest, as in the population
    old = national["age"] >= 75
    women = national[old & (national["sex"] == 2)].groupby("wellbeing_area_code")["weight"].sum()
    assert (women / national[old].groupby("wellbeing_area_code")["weight"].sum()).between(0.55, 0.64).all()


def test_young_men_respond_least_nationally(respondents):
    resp = respondents["ts2022"]
    national = resp[resp["stratum"].str.startswith("HVA") & (resp["age"] <= 74)]
    design_weight = national["N_h"] / national["n_h"]
    cell = [national["sex"], national["age"] < 30]
    # respondents' share (by design weight) against their share of the population (calibrated weights)
    represented = (design_weight.groupby(cell).sum() / design_weight.sum()) / (
        national["weight"].groupby(cell).sum() / national["weight"].sum())
    assert represented.idxmin() == (1, True) and represented.min() < 0.6


def test_design_weights_calibrated_and_young_men_respond_least(areas, counties):
    fmt = WAVE_FORMATS["finsote2018"]
    pop = build_wave_population(areas, fmt, SEED)
    resp = simulate_respondents(pop, areas, fmt, SEED, counties=counties)
    resp = resp[resp["municipality_code"].notna()]  # Etelä-Savo's regional sample
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


def test_older_waves_respond_more(respondents):
    rates = {w: (r["stratum"].str.startswith("HVA")).sum() / 58_800 for w, r in respondents.items()}
    assert rates["ath2012"] > rates["finsote2018"] > rates["ts2022"] > 0.44


def test_urban_rural_mix_per_county(respondents):
    resp = respondents["ts2022"]
    share = pd.crosstab(resp["wellbeing_area_code"], resp["urban_rural_code"], normalize="index")
    urban = share[["K1", "K2"]].sum(axis=1)
    sparse = share[["M6", "M7"]].sum(axis=1)
    assert urban[HELSINKI] > 0.97 and urban[VANTAA_KERAVA] > 0.9
    assert sparse[KAINUU] > 0.3 and sparse[LAPLAND] > 0.28 and sparse[HELSINKI] == 0
    assert (share.gt(0).sum(axis=1).drop([HELSINKI, VANTAA_KERAVA]) >= 6).all()


# --------------------------------------------------------------------------------------------------------- truth
def _indicators(ids, ages=None):
    variables = canonical_variables(ROOT / "config" / "variables.yaml")
    chosen = [i for i in load_indicators(ROOT / "config" / "indicators.yaml", variables=variables) if i.id in ids]
    rules = indicator_rules(chosen)
    if ages:
        low, high = ages
        rules = [{**r, "denominator": f"({r['denominator']}) and {low} <= age <= {high}" if r["denominator"]
                  else f"{low} <= age <= {high}"} for r in rules]
    return indicators_from_rules(rules, variables)


@pytest.fixture(scope="module")
def truth(synthetic_dir, populations, areas):
    """Every wave's truth at ages 20–64 (as THL publishes the regional comparisons)."""
    indicators = _indicators(["alcohol_overuse", "psychological_distress", "obesity", "daily_smoking"], (20, 64))
    parts = []
    for wave, fmt in WAVE_FORMATS.items():
        national = pd.read_parquet(synthetic_dir / f"national_{wave}.parquet")
        parts.append(population_truth(populations[wave], areas, GEO, fmt.fieldwork_date, indicators, wave, national))
    return pd.concat(parts, ignore_index=True).set_index(["wave", "indicator", "domain", "domain_value"])


def test_truth_covers_country_maakunnat_and_counties(truth, counties):
    cells = truth.xs(("ts2022", "obesity"), level=("wave", "indicator"))
    assert set(cells.loc["hyvinvointialue"].index) == set(counties["code"]) - {ALAND}
    assert set(cells.loc["maakunta"].index) == set(counties["maakunta"]) - {"21"}
    assert list(cells.loc["country"].index) == ["FI"]
    # the country is its counties together, and so are the maakunnat (Uusimaa = four counties and Helsinki)
    counties_sum = cells.loc["hyvinvointialue"]
    country = cells.loc[("country", "FI")]
    assert counties_sum["population"].sum() == pytest.approx(country["population"], abs=25)
    assert np.average(counties_sum["value"], weights=counties_sum["population"]) == pytest.approx(country["value"],
                                                                                                   rel=1e-4)
    uusimaa = counties_sum.loc[list(counties.loc[counties["maakunta"] == "01", "code"])]
    assert np.average(uusimaa["value"], weights=uusimaa["population"]) == pytest.approx(
        cells.loc[("maakunta", "01"), "value"], rel=1e-4)
    # adults aged 20–64 in Finland, about 2.9 million (truth rows count those in the denominator)
    assert 2.7e6 < country["population"] < 3.1e6
    assert cells.loc[("hyvinvointialue", SOUTH_SAVO), "value"] == pytest.approx(cells.loc[("region", "all"), "value"])


def test_a_county_partly_in_the_regional_frame_combines_both(truth, populations, areas, synthetic_dir):
    """Before 2021 Heinävesi's adults are Etelä-Savo's (materialised) and the rest of county 14 is simulated."""
    wave = "finsote2018"
    indicators = _indicators(["obesity"], (20, 64))
    pop = populations[wave]
    heinavesi = pop["municipality_code"] == "090"
    rest = population_truth(pop.assign(in_frame=pop["in_frame"] & ~heinavesi), areas, GEO, "2018-10-01", indicators,
                            wave, pd.read_parquet(synthetic_dir / f"national_{wave}.parquet"))
    rest = rest.set_index(["domain", "domain_value"]).loc[("hyvinvointialue", "14")]
    own = compute_indicators(pop[heinavesi], indicators)["obesity"].dropna()
    combined = (own.sum() + rest["value"] * rest["population"]) / (len(own) + rest["population"])
    cell = truth.loc[(wave, "obesity", "hyvinvointialue", "14")]
    assert cell["population"] == len(own) + rest["population"] and len(own) > 1000
    assert cell["value"] == pytest.approx(combined, rel=1e-4)  # the rest's value is rounded by its population
    # in 2022 the whole county is simulated, Heinävesi's adults among them: about as many adults
    assert truth.loc[("ts2022", "obesity", "hyvinvointialue", "14"), "population"] == pytest.approx(
        cell["population"], rel=0.01)


def test_regional_differences_hold_in_the_truth(truth):
    def value(wave, indicator, domain, cell):
        return truth.loc[(wave, indicator, domain, cell), "value"]

    # alcohol overuse at 20–64: Etelä-Savo about 34 %, the whole country about 30 % (THL, Terve Suomi)
    south_savo, finland = value("ts2022", "alcohol_overuse", "region", "all"), value("ts2022", "alcohol_overuse",
                                                                                       "country", "FI")
    assert 0.33 < south_savo < 0.37 and 0.28 < finland < 0.32 and south_savo - finland > 0.03
    # psychological distress at 20–64: about 13 % in 2018 and 19–20 % in 2022 nationally
    assert 0.12 < value("finsote2018", "psychological_distress", "country", "FI") < 0.14
    assert 0.185 < value("ts2022", "psychological_distress", "country", "FI") < 0.21
    # daily smoking about 14 % and obesity about 21 % nationally in 2018
    assert 0.13 < value("finsote2018", "daily_smoking", "country", "FI") < 0.155
    assert 0.19 < value("finsote2018", "obesity", "country", "FI") < 0.23
    # more obesity in the rural counties than in the capital region
    obesity = truth.xs(("ts2022", "obesity", "hyvinvointialue"), level=("wave", "indicator", "domain"))["value"]
    assert min(obesity[KAINUU], obesity[LAPLAND]) > max(obesity[HELSINKI], obesity[VANTAA_KERAVA]) + 0.05



def test_the_county_sums_are_a_pandas_groupby_of_each_countys_adults_to_the_last_bit(synthetic_dir):
    """`_county_sums` sums a county's weighted values with `np.add.reduceat` instead of a frame and a groupby per
    county (`_sums`, as the truth did before); the totals, and so the truth table's bytes, are the same."""
    indicators = _indicators(["alcohol_overuse", "obesity", "daily_smoking", "psychological_distress"], (20, 64))
    national = pd.read_parquet(synthetic_dir / "national_ts2022.parquet")
    national = national[national["code"].isin(["05", "14", "16"])]
    sums = truth_module._county_sums(national, indicators, 3000)
    expected = []
    for _, strata in national.groupby("code", sort=True):
        adults, weight = truth_module._county_adults(strata.reset_index(drop=True), 3000)
        keys = pd.DataFrame({"county": str(strata["code"].iloc[0]), "maakunta": str(strata["maakunta"].iloc[0])},
                            index=adults.index)
        expected.append(truth_module._sums(compute_indicators(adults, indicators), weight, keys))
    reference = pd.concat(expected)
    assert list(sums.index) == list(reference.index) and list(sums.index.get_level_values("county")) == ["05", "14",
                                                                                                         "16"]
    assert list(sums.columns) == list(reference.columns)
    assert np.array_equal(sums.to_numpy(), reference.to_numpy())  # exactly, not approximately
    assert (sums.filter(like="d:").to_numpy() > 0).all()


# ------------------------------------------------------------------------------------------------------ bad input
def test_county_table_problems_are_one_line_errors(tmp_path, areas):
    good = (ROOT / "config" / "areas" / "hyvinvointialueet.csv").read_text(encoding="utf-8")
    path = tmp_path / "hyvinvointialueet.csv"
    with pytest.raises(ConfigError, match=r"hyvinvointialueet.csv: reference table not found"):
        read_counties(path)
    path.write_text(good.replace("population_2022", "asukkaat"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"hyvinvointialueet.csv: missing column\(s\) population_2022"):
        read_counties(path)
    path.write_text(good.replace("98972", "lots"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"row 1, column population_2022: 'lots' is not a population"):
        read_counties(path)
    path.write_text(good.replace("\n02,", "\n01,", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"county code\(s\) 01 listed twice"):
        read_counties(path)


def test_municipalities_without_their_county_are_one_line_errors(areas):
    from dataclasses import replace

    without = replace(areas, municipalities=areas.municipalities.drop(columns="hyvinvointialue"))
    with pytest.raises(ConfigError, match=r"municipalities.csv: missing column hyvinvointialue"):
        build_wave_population(without, WAVE_FORMATS["ts2022"], SEED)
    blank = areas.municipalities.copy()
    blank.loc[blank["code"] == "097", "hyvinvointialue"] = np.nan
    with pytest.raises(ConfigError, match=r"municipalities.csv: no hyvinvointialue for municipality 097"):
        build_wave_population(replace(areas, municipalities=blank), WAVE_FORMATS["ts2022"], SEED)
