"""The compare stage: the tidy models table, its agreement with the model API, and recorded (not raised) failures.

The waves are small hand-made indicator tables (the columns the indicators stage writes), so every awkward
case — a level without respondents, a perfectly predicting level, a small group — is there on purpose.
"""

from __future__ import annotations

import copy
import logging

import numpy as np
import pandas as pd
import pytest

from ath_analysis.config import load_config
from ath_analysis.errors import DataError
from ath_analysis.indicators.definitions import canonical_variables, load_indicators
from ath_analysis.models import fit, glm
from ath_analysis.results.comparisons import MODEL_COLUMNS, pooled_frame
from ath_analysis.stages import compare as compare_stage
from ath_analysis.survey import Design
from ath_analysis.survey.design import resolve_design

from .configured import area_files, params, run
from .configured import comparisons as build_models
from .conftest import ROOT

INDICATORS = ["obesity", "daily_smoking", "bmi_mean"]
KEYS = ["indicator", "wave", "comparison", "adjustment", "level"]
MUNICIPALITIES = {"491": ("Mikkeli", ["K1", "K2", "M5", "M7"]), "740": ("Savonlinna", ["K1", "M4", "M6"]),
                  "097": ("Hirvensalmi", ["M6", "M7"]), "178": ("Juva", ["M4", "M7"])}
SUBAREAS = ["Mikkelin kaupunkialue", "Ristiina", "Anttola"]


def _wave(wave: str, year: int, seed: int, n: int = 1500) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    municipality = rng.choice(list(MUNICIPALITIES), n, p=[0.45, 0.3, 0.12, 0.13])
    urban_rural = np.array([rng.choice(MUNICIPALITIES[m][1]) for m in municipality], dtype=object)
    in_region = rng.random(n) < 0.93
    stratum = np.array([f"{m}-{k}" for m, k in zip(municipality, rng.integers(0, 2, n), strict=True)])
    counts = pd.Series(stratum).value_counts()
    age_group = rng.choice(["20–54", "55–74", "75+"], n, p=[0.45, 0.35, 0.2])
    sex = rng.integers(1, 3, n).astype(float)
    education = rng.choice([1.0, 2.0, 3.0, np.nan], n, p=[0.3, 0.4, 0.27, 0.03])
    rural = pd.Series(urban_rural).str.startswith("M").to_numpy()
    old = (age_group == "75+").astype(float)
    p_obese = 1 / (1 + np.exp(-(-1.4 + 0.6 * rural + 0.3 * old)))
    obesity = (rng.random(n) < p_obese).astype(float)
    obesity[rng.random(n) < 0.05] = np.nan
    smoking = (rng.random(n) < 0.15).astype(float)
    bmi = 26 + 1.5 * rural + rng.normal(0, 4, n)
    bmi[rng.random(n) < 0.04] = np.nan
    subarea_group = np.where(municipality == "491", rng.choice(SUBAREAS, n, p=[0.8, 0.15, 0.05]), None)
    frame = pd.DataFrame({
        "wave": wave, "year": year, "respondent_id": [f"{wave}-{i}" for i in range(n)],
        "weight": rng.uniform(5, 60, n), "stratum": pd.Series(stratum, dtype="string"),
        "fpc": counts[stratum].to_numpy() * 20.0, "in_region": in_region,
        "municipality": municipality, "municipality_name": [MUNICIPALITIES[m][0] for m in municipality],
        "urban_rural": pd.Series(urban_rural, dtype="string"),
        "urban_rural_group": np.where(rural, "rural", "urban"),
        "subarea_group": pd.Series(subarea_group, dtype="str"), "sex": sex, "age": 50.0,
        "age_group": pd.Series(age_group, dtype="string"), "education": education,
        "obesity": obesity, "daily_smoking": smoking, "bmi_mean": bmi,
    })
    return frame


@pytest.fixture(scope="module")
def config():
    cfg = copy.deepcopy(load_config(ROOT / "config" / "config.yaml"))
    cfg["waves"] = {"w1": {**cfg["waves"]["ath2012"]}, "w2": {**cfg["waves"]["ts2022"]}}
    cfg["report"]["language"] = "fi"
    for key in ("indicators", "variables", "areas_dir"):
        cfg[key] = str(ROOT / cfg[key])
    return cfg


@pytest.fixture(scope="module")
def indicators(config):
    every = load_indicators(config["indicators"], variables=canonical_variables(config["variables"]))
    return [i for i in every if i.id in INDICATORS]


@pytest.fixture(scope="module")
def waves():
    w1 = _wave("w1", 2012, 1)
    w2 = _wave("w2", 2022, 2)
    # w2: no respondent of Hirvensalmi's M6 class anywhere, and nobody in M5 smokes daily
    w2 = w2[w2["urban_rural"] != "M6"].reset_index(drop=True)
    w2.loc[w2["urban_rural"] == "M5", "daily_smoking"] = 0.0
    # w1: Anttola small enough to be suppressed
    anttola = np.flatnonzero((w1["subarea_group"] == "Anttola").to_numpy())
    w1.loc[anttola[12:], "subarea_group"] = "Ristiina"
    return {"w1": w1, "w2": w2}


@pytest.fixture(scope="module")
def table(waves, indicators, config, areas, variables):
    return build_models(waves, {"w1": 2012, "w2": 2022}, indicators, config, areas, variables)


def _rows(table, **where):
    out = table
    for key, value in where.items():
        out = out[out[key] == value]
    return out.set_index("level") if "level" not in where else out


def test_one_row_per_key_with_the_agreed_columns(table):
    assert list(table.columns) == MODEL_COLUMNS
    assert not table.duplicated(KEYS).any()
    assert set(table["wave"]) == {"w1", "w2", "pooled"}
    assert set(table["adjustment"]) == {"crude", "adjusted"}
    assert set(table.loc[table["adjustment"] == "crude", "adjusters"]) == {""}
    assert set(table.loc[table["adjustment"] == "adjusted", "adjusters"]) == {"age_group+sex+education"}
    assert table.loc[table["wave"] == "pooled", "year"].isna().all()
    assert set(table.loc[table["wave"] == "w2", "year"]) == {2022}
    # 3 indicators × 3 waves × 2 adjustments × (6 classes + 2 groups + 4 × 2 municipality + 3 sub-area groups)
    assert len(table) == 3 * 3 * 2 * (6 + 2 + 8 + 3)
    assert table["synthetic"].all()
    odds = table["odds_ratio"].notna()
    assert (table.loc[odds, "kind"] == "proportion").all()
    assert table.loc[table["kind"] == "mean", ["odds_ratio", "or_ci_low", "or_ci_high"]].isna().all().all()


def test_reference_rows(table):
    reference = table[table["is_reference"] & (table["status"] == "ok") & ~table["suppressed"]]
    assert (reference["difference"] == 0).all() and (reference["diff_se"] == 0).all()
    assert (reference.loc[reference["kind"] == "proportion", "odds_ratio"] == 1).all()
    assert (reference["level"] == reference["reference_level"]).all()
    urban_rural = table[table["comparison"] == "urban_rural"]
    assert set(urban_rural.loc[urban_rural["is_reference"], "level"]) == {"K1"}


def test_rows_are_the_model_api_on_the_region(table, waves):
    frame = waves["w1"]
    region = frame["in_region"]
    design = Design(weight="weight", strata="stratum", fpc="fpc", lonely_psu="adjust")
    result = fit(frame, design, "obesity ~ C(urban_rural, Treatment('K1')) + C(age_group) + C(sex) + C(education)",
                 "binomial", region)
    margins = result.predictive_margins("urban_rural").table.set_index("level")
    rows = _rows(table, indicator="obesity", wave="w1", comparison="urban_rural", adjustment="adjusted")
    for column in ("n", "estimate", "se", "ci_low", "ci_high", "difference", "diff_se"):
        np.testing.assert_allclose(rows.loc[margins.index, column].astype(float), margins[column], rtol=1e-9)
    odds = result.odds_ratios().filter(like="urban_rural", axis=0)
    np.testing.assert_allclose(rows.loc[["K2", "M4", "M5", "M6", "M7"], "odds_ratio"], odds["odds_ratio"],
                               rtol=1e-9)
    np.testing.assert_allclose(rows["term_p_value"], result.wald_test("urban_rural").p, rtol=1e-9)
    assert (rows["df"] == result.df_resid).all()
    # the interval of a difference uses the model's residual df
    from scipy import stats
    t = stats.t.ppf(0.975, result.df_resid)
    m7 = rows.loc["M7"]
    np.testing.assert_allclose(m7["diff_ci_high"] - m7["difference"], t * m7["diff_se"], rtol=1e-9)


def test_crude_municipality_rows_are_the_municipalitys_prevalence(table, waves):
    frame = waves["w2"]
    inside = frame["in_region"] & frame["obesity"].notna()
    rows = _rows(table, indicator="obesity", wave="w2", comparison="municipality", adjustment="crude")
    for code in MUNICIPALITIES:
        here = inside & (frame["municipality"] == code)
        w = frame.loc[here, "weight"]
        np.testing.assert_allclose(rows.loc[code, "estimate"], (w * frame.loc[here, "obesity"]).sum() / w.sum())
        assert rows.loc[code, "n"] == here.sum() and rows.loc[f"not {code}", "n"] == (inside & ~here).sum()
        assert rows.loc[f"not {code}", "reference_level"] == f"not {code}" and rows.loc[f"not {code}", "is_reference"]
    assert rows.loc["491", "level_label"] == "Mikkeli"
    assert rows.loc["not 491", "level_label"] == "Muu Etelä-Savo (ilman: Mikkeli)"


def test_pooled_models_keep_the_waves_strata_apart_and_add_a_wave_term(table, waves):
    pooled = pooled_frame(waves)
    rd = resolve_design(pooled, Design(weight="weight", strata="stratum", fpc="fpc", lonely_psu="adjust"))
    assert rd.n_strata == sum(w["stratum"].nunique() for w in waves.values())
    result = fit(pooled, rd, "bmi_mean ~ C(urban_rural_group, Treatment('urban')) + C(wave)", "gaussian",
                 pooled["in_region"])
    rows = _rows(table, indicator="bmi_mean", wave="pooled", comparison="urban_rural_group", adjustment="crude")
    margins = result.predictive_margins("urban_rural_group").table.set_index("level")
    np.testing.assert_allclose(rows.loc[["urban", "rural"], "estimate"], margins.loc[["urban", "rural"], "estimate"],
                               rtol=1e-9)
    np.testing.assert_allclose(rows.loc["rural", "diff_se"], margins.loc["rural", "diff_se"], rtol=1e-9)


def test_a_level_without_respondents_is_recorded(table):
    row = _rows(table, indicator="obesity", wave="w2", comparison="urban_rural", adjustment="adjusted").loc["M6"]
    assert row["status"] == "not estimable" and row["message"] == "level M6 has no respondents"
    assert row["n"] == 0 and row["suppressed"] and row["flag"] == "no respondents" and np.isnan(row["estimate"])
    hirvensalmi = _rows(table, indicator="obesity", wave="w2", comparison="municipality", adjustment="crude")
    assert hirvensalmi.loc["097", "status"] == "ok"


def test_a_perfectly_predicting_level_is_recorded_and_left_out(table):
    rows = _rows(table, indicator="daily_smoking", wave="w2", comparison="urban_rural", adjustment="adjusted")
    m5 = rows.loc["M5"]
    assert m5["status"] == "not estimable"
    assert m5["message"] == "perfect prediction: no respondent in level M5 has the outcome"
    assert np.isnan(m5[["estimate", "odds_ratio", "difference"]].astype(float)).all()
    ok = rows[rows["status"] == "ok"]
    assert set(ok.index) == {"K1", "K2", "M4", "M7"}
    assert ok["message"].str.contains("level M5 (perfect prediction) is left out of the model", regex=False).all()
    assert np.isfinite(ok["estimate"]).all() and np.isfinite(ok["term_p_value"]).all()
    assert (ok["estimate"] > 0).all() and (ok["estimate"] < 1).all()


def test_small_levels_are_suppressed_and_the_crude_partition_protected(table, config, waves):
    rows = _rows(table, indicator="obesity", wave="w1", comparison="subarea_group", adjustment="crude")
    anttola = rows.loc["Anttola"]
    assert 0 < anttola["n"] < config["disclosure"]["min_n"]
    assert anttola["suppressed"] and anttola["flag"] == "small n" and anttola["status"] == "ok"
    assert np.isnan(anttola[["estimate", "se", "ci_low", "ci_high", "difference", "odds_ratio"]].astype(float)).all()
    others = rows.drop(index="Anttola")
    complementary = others[others["flag"] == "complementary suppression"]
    assert len(complementary) == 1 and complementary["suppressed"].all()
    assert complementary.index[0] == others["n"].idxmin()
    adjusted = _rows(table, indicator="obesity", wave="w1", comparison="subarea_group", adjustment="adjusted")
    assert adjusted.loc["Anttola", "suppressed"] and adjusted["suppressed"].sum() == 1
    frame = waves["w1"]
    mikkeli = frame["in_region"] & (frame["municipality"] == "491") & frame["obesity"].notna()
    assert rows["n"].sum() == mikkeli.sum()  # crude: every respondent of Mikkeli with the indicator
    assert adjusted["n"].sum() == (mikkeli & frame["education"].notna()).sum()  # adjusted: and the adjusters


def test_failures_are_rows_not_exceptions(waves, indicators, config, areas, variables, monkeypatch, caplog):
    monkeypatch.setattr(glm, "MAX_ITERATIONS", 1)
    with caplog.at_level(logging.WARNING, logger="ath_analysis.results.comparisons"):
        table = build_models(waves, {"w1": 2012, "w2": 2022}, indicators, config, areas, variables)
    failed = table[table["status"] == "failed"]
    assert set(table.loc[table["n"] > 0, "status"]) == {"failed", "not estimable"}
    assert (failed["message"] == "the model did not converge in 1 iterations").all()
    assert failed["estimate"].isna().all() and failed["odds_ratio"].isna().all()
    assert any("model rows are not ok" in r.message for r in caplog.records)


def test_a_perfectly_predicting_adjuster_makes_the_adjusted_model_not_estimable(waves, indicators, config, areas,
                                                                                variables):
    w1 = waves["w1"].copy()
    w1.loc[w1["education"] == 3, "obesity"] = 0.0
    table = build_models({"w1": w1}, {"w1": 2012}, indicators, config, areas, variables)
    rows = table[(table["indicator"] == "obesity") & (table["comparison"] == "urban_rural")]
    adjusted = rows[rows["adjustment"] == "adjusted"]
    assert (adjusted["status"] == "not estimable").all()
    assert (adjusted["message"] == "perfect prediction: no respondent with education = 3 has the outcome").all()
    assert (rows.loc[rows["adjustment"] == "crude", "status"] == "ok").all()
    assert "pooled" not in set(table["wave"])  # one wave: nothing to pool


def test_an_unknown_reference_level_is_a_clear_error(waves, indicators, config, areas, variables):
    cfg = copy.deepcopy(config)
    cfg["compare"]["comparisons"] = {"urban_rural": {"variable": "urban_rural", "reference": "K9"}}
    with pytest.raises(DataError, match="reference level 'K9' of urban_rural has no respondents"):
        build_models(waves, {"w1": 2012, "w2": 2022}, indicators, cfg, areas, variables)


def test_the_stage_writes_parquet_and_csv(waves, config, tmp_path):
    paths = []
    every = load_indicators(config["indicators"], variables=canonical_variables(config["variables"]))
    for wave, frame in waves.items():
        paths.append(str(tmp_path / f"{wave}.parquet"))
        others = {i.id: np.nan for i in every if i.id not in frame}  # indicators these waves did not ask
        frame.assign(**others).to_parquet(paths[-1], index=False)
    given = {"waves": paths, "areas": area_files(config), "variables": config["variables"]}
    outputs = {"table": str(tmp_path / "models.parquet")}
    code = run(compare_stage, "compare", given, outputs, params(config, "compare"))
    assert code == 0
    written = pd.read_parquet(tmp_path / "models.parquet")
    assert list(written.columns) == MODEL_COLUMNS and len(written) > 0
    assert set(written["indicator"]) == {i.id for i in every}
    unasked = written[written["indicator"] == "loneliness"]
    assert (unasked["status"] == "not estimable").all()
    assert (unasked["message"] == "no respondent in the domain has a value for loneliness").all()
    assert written["is_reference"].dtype == bool and written["suppressed"].dtype == bool
