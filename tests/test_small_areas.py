"""The small_areas stage: Fay–Herriot estimates for Mikkeli's sub-areas next to the survey's direct estimates."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from ath_analysis.analysis import domain_frame, wave_design
from ath_analysis.errors import ConfigError, DataError
from ath_analysis.indicators.definitions import canonical_variables, load_indicators
from ath_analysis.results.small_areas import POPULATION, SMALL_AREA_COLUMNS, select_indicators
from ath_analysis.stages import small_areas
from ath_analysis.survey import estimate_domains

from .configured import area_files, params, write_indicator_tables
from .configured import covariates as build_covariates
from .configured import small_area_table as estimate_small_areas
from .conftest import ROOT

WAVES = ["finsote2018", "ts2022"]
INDICATORS = ["obesity", "daily_smoking"]
COVARIATES = ["aged_65_plus", "low_education", "rural_m5_m7"]


@pytest.fixture(scope="module")
def definitions():
    return load_indicators(ROOT / "config" / "indicators.yaml",
                           variables=canonical_variables(ROOT / "config" / "variables.yaml"))


@pytest.fixture(scope="module")
def inputs(synthetic_dir, areas, variables, harmonization, definitions, tmp_path_factory):
    """Indicator tables of two synthetic waves (as the indicators stage writes them) and their populations."""
    from ath_analysis.config import load_config

    config = load_config(ROOT / "config" / "config.yaml")
    out = tmp_path_factory.mktemp("small_areas")
    tables = write_indicator_tables(config, WAVES, synthetic_dir, out, areas, variables, harmonization, definitions)
    return tables, {wave: synthetic_dir / f"population_{wave}.parquet" for wave in WAVES}


@pytest.fixture
def stage_config(config):
    config["small_areas"]["indicators"] = list(INDICATORS)
    return config


def _run(config, inputs, tmp_path, populations=True, name="small_areas", which="internal"):
    """The stage's internal table (every area's answers) or the one it hands to the publication gate."""
    tables, pops = inputs
    config = {**config, "waves": {w: config["waves"][w] for w in tables}}
    covariates = [str(pops[w]) for w in tables] if config["data"]["synthetic"] else [
        config["small_areas"]["covariate_file"]]
    outputs = {"internal": str(tmp_path / f"{name}.parquet"), "publishable": str(tmp_path / f"{name}_pub.parquet")}
    small_areas.run({"waves": [str(p) for p in tables.values()], "covariates": covariates,
                     "areas": area_files(config), "variables": config["variables"]},
                    outputs, params(config, "small_areas"), logging.getLogger("test"))
    return pd.read_parquet(outputs[which])


def test_areas_below_min_n_are_published_as_synthetic_estimates_of_the_other_areas(stage_config, inputs, tmp_path):
    """The table for publication: areas with 0 < n < min_n get x'β̂ of a fit without their answers, so nothing
    published depends on them; areas with more respondents keep their EBLUP or direct estimate."""
    internal = _run(stage_config, inputs, tmp_path, name="a")
    published = _run(stage_config, inputs, tmp_path, name="b", which="publishable")
    min_n = stage_config["disclosure"]["min_n"]
    small = published["n"].between(1, min_n - 1)
    assert small.sum() > 20
    assert (published.loc[small, "estimate_type"] == "synthetic").all()
    assert published.loc[small, "shrinkage"].isna().all() and (published.loc[small, "shown"] == "model").all()
    assert (internal.loc[small, "estimate_type"] == "eblup").all()  # the internal fit used their answers
    big = published["n"] >= min_n
    assert (published.loc[big, "estimate_type"] == "eblup").all()


def test_a_small_areas_answers_change_nothing_published(stage_config, inputs, tmp_path):
    """Flip the answers of every respondent of one small area: the published table stays the same (the model
    inversion attack has nothing to invert), while the internal table, which uses them, changes."""
    tables, pops = inputs
    min_n = stage_config["disclosure"]["min_n"]
    before = _run(stage_config, inputs, tmp_path, name="before", which="publishable")
    wave, indicator = "ts2022", "daily_smoking"
    rows = before[(before["wave"] == wave) & (before["indicator"] == indicator) & before["n"].between(3, min_n - 1)]
    area = rows["area"].iloc[0]
    frame = pd.read_parquet(tables[wave])
    inside = (frame["subarea"] == area) & frame[indicator].notna()
    frame.loc[inside, indicator] = 1.0 - frame.loc[inside, indicator]
    changed = dict(tables)
    changed[wave] = tmp_path / "flipped.parquet"
    frame.to_parquet(changed[wave], index=False)
    after = _run(stage_config, (changed, pops), tmp_path, name="after", which="publishable")
    internal_before = _run(stage_config, inputs, tmp_path, name="ib")
    internal_after = _run(stage_config, (changed, pops), tmp_path, name="ia")
    mine = (after["wave"] == wave) & (after["indicator"] == indicator)
    shown = ["model", "model_ci_low", "model_ci_high", "shown_estimate", "direct"]
    pd.testing.assert_frame_equal(after.loc[mine, shown].reset_index(drop=True),
                                  before.loc[mine, shown].reset_index(drop=True))
    assert not np.allclose(internal_after.loc[mine, "model"], internal_before.loc[mine, "model"])


@pytest.fixture
def result(stage_config, inputs, tmp_path):
    return _run(stage_config, inputs, tmp_path)


def _direct(inputs, wave, indicator, config):
    frame = pd.read_parquet(inputs[0][wave])
    data = domain_frame(frame, {"subarea": ["subarea"]}, config["geography"]["region_code"])
    est = config["estimate"]
    table = estimate_domains(data, wave_design(data, est["lonely_psu"]), [indicator], {"subarea": ["subarea"]},
                             ci=est["ci_method"], level=est["level"])
    return table.set_index("domain_value")


# ------------------------------------------------------------------------------------------------- the table
def test_one_row_per_indicator_wave_and_area(result, areas):
    assert list(result.columns) == SMALL_AREA_COLUMNS
    subareas = set(areas.mikkeli_subareas["subarea"])
    assert len(result) == len(INDICATORS) * len(WAVES) * len(subareas)
    assert not result.duplicated(["indicator", "wave", "area_set", "area"]).any()
    assert set(result["area"]) == subareas and set(result["area_set"]) == {"subarea"}
    assert list(result["indicator"].unique()) == INDICATORS
    assert result["synthetic"].all() and (result["method"] == "AREML_YL").all()
    assert (result["sigma2_v"] > 0).all()                                 # the adjusted REML is never 0
    assert ((result["model"] >= 0) & (result["model"] <= 1)).all()
    assert ((result["model_ci_low"] <= result["model"]) & (result["model"] <= result["model_ci_high"])).all()
    np.testing.assert_allclose(result["model_rmse"], np.sqrt(result["model_mse"]))
    assert result["year"].isin([2018, 2022]).all()


def test_direct_estimates_are_the_survey_modules(result, inputs, stage_config):
    for wave in WAVES:
        for indicator in INDICATORS:
            rows = result[(result["wave"] == wave) & (result["indicator"] == indicator)].set_index("area")
            survey = _direct(inputs, wave, indicator, stage_config).reindex(rows.index)
            np.testing.assert_array_equal(rows["n"].to_numpy(float), survey["n"].fillna(0).to_numpy(float))
            shown = ~rows["direct_suppressed"]
            assert shown.sum() >= 5
            for ours, theirs in [("direct", "estimate"), ("direct_se", "se"), ("direct_ci_low", "ci_low"),
                                 ("direct_ci_high", "ci_high")]:
                np.testing.assert_allclose(rows.loc[shown, ours], survey.loc[shown, theirs], rtol=1e-12)


def test_small_direct_estimates_are_suppressed(result, stage_config):
    min_n = stage_config["disclosure"]["min_n"]
    small = result["n"] < min_n
    assert small.any() and (~small).any()
    assert (result["direct_suppressed"] == small).all()
    assert result.loc[small, ["direct", "direct_se", "direct_ci_low", "direct_ci_high"]].isna().all().all()
    assert result.loc[~small, "direct"].notna().all()  # (the logit interval of a 0 % estimate is undefined)
    assert result.loc[small, "model"].notna().all()                        # the model estimate is still given


def test_shown_is_the_direct_estimate_only_where_it_is_reliable(result, stage_config):
    min_n = stage_config["disclosure"]["min_n"]
    limit = stage_config["small_areas"]["max_direct_cv"]
    cv = result["direct_se"] / result["direct"]
    reliable = (result["n"] >= min_n) & (cv <= limit)
    assert (result["shown"] == np.where(reliable, "direct", "model")).all()
    assert reliable.any() and (~reliable).any()
    direct = result["shown"] == "direct"
    for shown, column in [("shown_estimate", ""), ("shown_ci_low", "_ci_low"), ("shown_ci_high", "_ci_high")]:
        np.testing.assert_array_equal(result.loc[direct, shown], result.loc[direct, f"direct{column}"])
        np.testing.assert_array_equal(result.loc[~direct, shown], result.loc[~direct, f"model{column}"])


def test_max_direct_cv_moves_rows_to_the_model(stage_config, inputs, tmp_path, result):
    stage_config["small_areas"]["max_direct_cv"] = 0.01
    strict = _run(stage_config, inputs, tmp_path, name="strict")
    assert (strict["shown"] == "model").all() and (result["shown"] == "direct").any()


def test_area_without_respondents_gets_the_synthetic_estimate(stage_config, inputs, tmp_path):
    tables, pops = inputs
    frame = pd.read_parquet(tables["finsote2018"])
    gone = frame[frame["subarea"] == "Otava"]
    assert len(gone) > 20
    dropped = tmp_path / "without_otava.parquet"
    frame.drop(index=gone.index).to_parquet(dropped, index=False)
    table = _run(stage_config, ({"finsote2018": dropped}, {"finsote2018": pops["finsote2018"]}), tmp_path)
    otava = table[table["area"] == "Otava"]
    assert len(otava) == len(INDICATORS)
    assert (otava["n"] == 0).all() and (otava["estimate_type"] == "synthetic").all()
    assert otava["shrinkage"].isna().all() and otava["direct"].isna().all() and (otava["shown"] == "model").all()
    assert otava["model"].between(0, 1).all() and (otava["model_ci_low"] < otava["model_ci_high"]).all()
    others = table[table["area"] != "Otava"]
    assert (others.loc[others["n"] > 0, "estimate_type"] == "eblup").all()


# ------------------------------------------------------------------------------------------------ covariates
def _covariate_file(config, areas, inputs, path, key="subarea"):
    """The synthetic population's covariates for one wave, written as a user would fill the config table."""
    populations = {w: pd.read_parquet(p) for w, p in inputs[1].items()}
    cov = build_covariates(config, areas, populations, ["finsote2018"])[("finsote2018", "subarea")]
    table = cov[[POPULATION, *COVARIATES]].rename_axis("subarea").reset_index()
    if key == "postal_code":
        lookup = areas.mikkeli_subareas.set_index("subarea")["postal_code"]
        table = table.assign(postal_code=table["subarea"].map(lookup)).drop(columns="subarea")
        table = table[["postal_code", POPULATION, *COVARIATES]]
    table.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("key", ["subarea", "postal_code"])
def test_covariates_from_the_config_file_match_the_population(stage_config, inputs, areas, tmp_path, key):
    stage_config["small_areas"]["area_sets"] = ["subarea", "subarea_group"]
    one_wave = ({"finsote2018": inputs[0]["finsote2018"]}, {"finsote2018": inputs[1]["finsote2018"]})
    from_population = _run(stage_config, one_wave, tmp_path, name="population")
    path = _covariate_file(stage_config, areas, inputs, tmp_path / "covariates.csv", key)
    stage_config["data"]["synthetic"] = False
    stage_config["small_areas"]["covariate_file"] = str(path)
    from_file = _run(stage_config, one_wave, tmp_path, populations=False, name="file")
    assert not from_file["synthetic"].any()
    assert set(from_file["area_set"]) == {"subarea", "subarea_group"}
    # sub-area groups: the population-weighted shares of their sub-areas are the groups' own shares
    np.testing.assert_allclose(from_file["model"], from_population["model"], rtol=1e-8)
    np.testing.assert_allclose(from_file["model_mse"], from_population["model_mse"], rtol=1e-6)


def test_covariates_from_the_population(config, areas, inputs):
    populations = {"ts2022": pd.read_parquet(inputs[1]["ts2022"])}
    config["small_areas"]["area_sets"] = ["subarea", "subarea_group"]
    config["small_areas"]["covariates"] = ["aged_65_plus", "men", "lives_alone"]
    cov = build_covariates(config, areas, populations, ["ts2022"])
    subareas = cov[("ts2022", "subarea")]
    groups = cov[("ts2022", "subarea_group")]
    assert set(subareas.index) == set(areas.mikkeli_subareas["subarea"])
    assert set(groups.index) == set(areas.mikkeli_subareas["subarea_group"])
    assert list(subareas.columns) == ["aged_65_plus", "men", "lives_alone", POPULATION]
    assert subareas[["aged_65_plus", "men", "lives_alone"]].apply(lambda c: c.between(0, 1)).all().all()
    assert subareas[POPULATION].sum() == groups[POPULATION].sum() > 30000     # adults of Mikkeli


def _real_data_config(config, path, covariates=COVARIATES):
    config["data"]["synthetic"] = False
    config["small_areas"]["covariate_file"] = str(path)
    config["small_areas"]["covariates"] = list(covariates)
    return config


def test_missing_covariate_file_names_the_file(config, areas, tmp_path):
    path = tmp_path / "nowhere.csv"
    with pytest.raises(ConfigError, match=r"nowhere\.csv: small-area covariate file not found.*README"):
        build_covariates(_real_data_config(config, path), areas, None, WAVES)


def test_missing_covariate_column_names_the_file_and_column(config, areas, inputs, tmp_path):
    path = _covariate_file(config, areas, inputs, tmp_path / "cov.csv")
    pd.read_csv(path).drop(columns="low_education").to_csv(path, index=False)
    with pytest.raises(ConfigError, match=r"cov\.csv: missing column\(s\) low_education"):
        build_covariates(_real_data_config(config, path), areas, None, WAVES)
    with pytest.raises(ConfigError, match=r"cov\.csv: missing column\(s\) share_of_cats"):
        build_covariates(_real_data_config(config, path, ["aged_65_plus", "share_of_cats"]), areas, None, WAVES)


def test_covariate_file_problems_name_the_file_and_area(config, areas, inputs, tmp_path):
    path = _covariate_file(config, areas, inputs, tmp_path / "cov.csv")
    good = pd.read_csv(path)
    good[good["subarea"] != "Otava"].to_csv(path, index=False)
    with pytest.raises(ConfigError, match=r"cov\.csv: no row for subarea\(s\) Otava"):
        build_covariates(_real_data_config(config, path), areas, None, WAVES)
    good.assign(subarea=good["subarea"].replace("Otava", "Otva")).to_csv(path, index=False)
    with pytest.raises(ConfigError, match=r"cov\.csv: unknown subarea\(s\) Otva \(did you mean: Otava"):
        build_covariates(_real_data_config(config, path), areas, None, WAVES)
    good.assign(rural_m5_m7=good["rural_m5_m7"].astype(object).where(good["subarea"] != "Otava", "n/a")).to_csv(
        path, index=False)
    with pytest.raises(ConfigError, match=r"cov\.csv: column rural_m5_m7 is missing or not a number for subarea "
                                          r"Otava"):
        build_covariates(_real_data_config(config, path), areas, None, WAVES)
    header_only = tmp_path / "empty.csv"
    header_only.write_text((ROOT / "config" / "areas" / "mikkeli_subarea_covariates.csv").read_text())
    with pytest.raises(ConfigError, match=r"empty\.csv: the file has no rows"):
        build_covariates(_real_data_config(config, header_only), areas, None, WAVES)


def test_configuration_errors(config, areas, definitions, inputs):
    populations = {"ts2022": pd.read_parquet(inputs[1]["ts2022"])}
    config["small_areas"]["covariates"] = ["aged_65_plus", "low_educaton"]
    with pytest.raises(ConfigError, match="low_educaton.*did you mean: low_education.*available"):
        build_covariates(config, areas, populations, ["ts2022"])
    with pytest.raises(ConfigError, match="'bmi_mean' is a mean"):
        select_indicators(definitions, ["obesity", "bmi_mean"])
    with pytest.raises(ConfigError, match="unknown indicator 'obesty'.*obesity"):
        select_indicators(definitions, ["obesty"])
    ids = select_indicators(definitions, [])
    assert "obesity" in ids and "bmi_mean" not in ids and "mhi5_mean" not in ids


def test_unplaced_respondents_and_too_few_areas(stage_config, inputs, areas):
    frame = pd.read_parquet(inputs[0]["ts2022"])
    populations = {"ts2022": pd.read_parquet(inputs[1]["ts2022"])}
    cov = build_covariates(stage_config, areas, populations, ["ts2022"])
    mikkeli = frame.index[frame["subarea"].notna()]
    frame.loc[mikkeli[:40], ["subarea", "subarea_group"]] = "tuntematon"
    labels = {"subarea": {}}
    table, warnings = estimate_small_areas({"ts2022": frame}, {"ts2022": 2022}, INDICATORS, cov, stage_config,
                                           labels)
    assert len(table) == len(INDICATORS) * len(cov[("ts2022", "subarea")])
    assert any("tuntematon (no covariates) are left out" in w for w in warnings)
    # an indicator answered in too few sub-areas: the error says which indicator, wave and area set
    few = frame.copy()
    keep = few["subarea"].isin(["Mikkeli 50100", "Mikkeli 50600"])
    few.loc[~keep, "obesity"] = np.nan
    with pytest.raises(DataError, match="indicator 'obesity', wave 'ts2022', area set 'subarea'"):
        estimate_small_areas({"ts2022": few}, {"ts2022": 2022}, ["obesity"], cov, stage_config, labels)
    # no area with covariates (a sub-area municipality outside the synthetic population, as Jyväskylä in the
    # Keski-Suomi test): no rows and one warning per wave, not an internal error
    empty = {key: table.iloc[0:0] for key, table in cov.items()}
    table, warnings = estimate_small_areas({"ts2022": frame}, {"ts2022": 2022}, INDICATORS, empty, stage_config,
                                           labels)
    assert table.empty and warnings == ["wave 'ts2022', subarea: no area of municipality 491 has covariates; no "
                                        "small-area rows"]
