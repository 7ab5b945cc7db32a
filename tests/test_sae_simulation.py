"""validation/sae_simulation.py: a fast smoke test of the study's functions on one or two simulated waves.

The publication-rule variant must be what the pipeline publishes (the small_areas stage's table with
hide_below = min_n) and must use none of the answers of an area below min_n.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from ath_analysis.config import load_config
from ath_analysis.results.small_areas import DirectSettings, estimate_small_areas
from ath_analysis.synth import WAVE_FORMATS
from ath_analysis.synth.generate import REGION as SYNTHETIC_REGION
from ath_analysis.synth.generate import build_wave_population

from .conftest import ROOT

INDICATOR = "obesity"


def _load_script():
    spec = importlib.util.spec_from_file_location("sae_simulation", ROOT / "validation" / "sae_simulation.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["sae_simulation"] = module
    spec.loader.exec_module(module)
    return module


sim = _load_script()


@pytest.fixture(scope="module")
def study():
    return sim.load_study(ROOT / "config" / "config.yaml")


@pytest.fixture(scope="module")
def wave(study):
    """One simulated wave: its indicator frame, direct estimates per area, truth and covariates."""
    fmt = WAVE_FORMATS[sim.WAVE]
    indicators = sim.study_indicators(study, [INDICATOR])
    population = build_wave_population(study.places.areas, fmt, study.seed)
    truth, covariates = sim.sub_area_truth(population, study, fmt, indicators)
    frame = sim.simulate_wave(population, study, fmt, indicators, seed=sim.REPLICATE_SEED)
    direct = sim.direct_by_area(sim.direct_estimates(frame, study, [INDICATOR]), INDICATOR, covariates.index)
    return frame, direct, truth, covariates


def _published(direct, covariates, study):
    return sim.publication_rule(direct, covariates, study.settings, study.min_n, study.level)


def test_the_study_reads_its_codes_and_model_from_the_config(study, wave):
    _, direct, truth, covariates = wave
    config = load_config(ROOT / "config" / "config.yaml")
    assert study.municipality == config["geography"]["subareas"]["municipality"]
    assert study.geography.region_code == config["geography"]["region_code"]
    assert study.min_n == config["disclosure"]["min_n"]
    assert study.settings.method == config["small_areas"]["method"]
    assert len(covariates) > 20 and truth.index.equals(covariates.index)
    assert truth[INDICATOR].between(0, 1).all()
    small = (direct["n"] > 0) & (direct["n"] < study.min_n)
    assert small.sum() >= 5 and (direct["n"] >= study.min_n).sum() >= 5  # both sides of the rule are exercised


def test_published_estimates_use_none_of_the_answers_below_min_n(study, wave):
    """Perturbing the direct estimates of the areas below min_n changes their EBLUPs but nothing published."""
    _, direct, _, covariates = wave
    small = ((direct["n"] > 0) & (direct["n"] < study.min_n)).to_numpy()
    before = _published(direct, covariates, study)
    perturbed = direct.copy()
    perturbed.loc[small, "estimate"] = 1.0 - perturbed.loc[small, "estimate"].clip(0.05, 0.95)
    perturbed.loc[small, "se"] = perturbed.loc[small, "se"].fillna(0) + 0.05
    perturbed.loc[small, "deff"] = 1.3
    after = _published(perturbed, covariates, study)
    published_before, published_after = before[sim.PUBLISHED][0], after[sim.PUBLISHED][0]
    for column in ("estimate", "mse", "ci_low", "ci_high", "cv"):
        np.testing.assert_array_equal(published_after[column].to_numpy(), published_before[column].to_numpy(),
                                      err_msg=column)
    assert before[sim.PUBLISHED][1] == after[sim.PUBLISHED][1]  # σ̂²_v of the restricted fit
    eblup_before, eblup_after = before[sim.EBLUP][0], after[sim.EBLUP][0]
    moved = np.abs(eblup_after["estimate"].to_numpy() - eblup_before["estimate"].to_numpy())[small]
    assert (moved > 1e-3).all(), "the perturbation should move the unrestricted EBLUPs"
    # an area from min_n up is published from its own answers
    large = direct.index[direct["n"] >= study.min_n][0]
    changed = direct.copy()
    changed.loc[large, "estimate"] = min(0.95, float(changed.loc[large, "estimate"]) + 0.1)
    assert _published(changed, covariates, study)[sim.PUBLISHED][0].loc[large, "estimate"] != \
        published_before.loc[large, "estimate"]


def test_published_types_follow_the_rule(study, wave):
    _, direct, _, covariates = wave
    published = _published(direct, covariates, study)[sim.PUBLISHED][0]
    below = (direct["n"] < study.min_n).to_numpy()
    assert (published["type"][below] == "synthetic").all()
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = (direct["se"] / direct["estimate"]).to_numpy()
    reliable = ~below & (cv <= study.settings.max_direct_cv)
    assert (published["type"][reliable] == "direct").all()
    assert (published["type"][~below & ~reliable] == "eblup").all()
    np.testing.assert_array_equal(published["estimate"][reliable], direct["estimate"][reliable])


def test_the_variants_are_the_pipelines_tables(study, wave):
    """EBLUP, shown and published equal the small_areas stage's internal and publishable tables."""
    frame, direct, _, covariates = wave
    ours = _published(direct, covariates, study)
    settings = replace(study.settings, indicators=(INDICATOR,))

    def table(hide_below):
        out, _ = estimate_small_areas(
            {sim.WAVE: frame}, {sim.WAVE: 2018}, [INDICATOR], {(sim.WAVE, sim.AREA_SET): covariates}, settings,
            DirectSettings(study.ci_method, study.level, study.lonely_psu), study.min_n,
            study.geography.region_code, {}, True, study.municipality, hide_below)
        return out.set_index("area").loc[covariates.index]

    internal, publishable = table(None), table(study.min_n)
    pairs = [(ours[sim.EBLUP][0]["estimate"], internal["model"]),
             (ours[sim.EBLUP][0]["ci_low"], internal["model_ci_low"]),
             (ours[sim.SHOWN][0]["estimate"], internal["shown_estimate"]),
             (ours[sim.PUBLISHED][0]["estimate"], publishable["shown_estimate"]),
             (ours[sim.PUBLISHED][0]["ci_low"], publishable["shown_ci_low"]),
             (ours[sim.PUBLISHED][0]["ci_high"], publishable["shown_ci_high"])]
    for mine, pipeline in pairs:
        np.testing.assert_allclose(mine.to_numpy(float), pipeline.to_numpy(float), rtol=1e-10, atol=1e-12)
    assert (np.where(ours[sim.PUBLISHED][0]["type"] == "direct", "direct", "model") == publishable["shown"]).all()


def test_simulation_summary_states_what_the_rule_costs(study):
    records, covariates = sim.simulate(study, [INDICATOR], replicates=2, variants=False)
    assert set(records["estimator"]) == {"direct", *sim.PUBLICATION_ESTIMATORS}
    assert len(records) == 2 * len(covariates) * 4
    summary = sim.summarize_publication(records, study.min_n).set_index(["indicator", "areas", "estimator"])
    below = f"n < {study.min_n}"
    row = summary.loc[(INDICATOR, below, sim.PUBLISHED)]
    chosen = records[records["n"] < study.min_n]
    published = chosen[chosen["estimator"] == sim.PUBLISHED].set_index(["replicate", "area"])
    eblup = chosen[chosen["estimator"] == sim.EBLUP].set_index(["replicate", "area"]).loc[published.index]
    assert row["mse_ratio_to_eblup"] == pytest.approx(published["sq_error"].mean() / eblup["sq_error"].mean())
    assert row["coverage"] == pytest.approx(published["covered"].mean())
    assert row["share_synthetic"] == 1.0 and row["area_replicates"] == len(published)
    assert summary.loc[(INDICATOR, below, sim.EBLUP), "mse_ratio_to_eblup"] == pytest.approx(1.0)
    # the pooled row of a single indicator is that indicator's
    pd.testing.assert_series_equal(summary.loc[("all", below, sim.PUBLISHED)], row, check_names=False)
    assert 0.0 <= summary["coverage"].min() and summary["coverage"].max() <= 1.0


def test_a_region_without_synthetic_population_is_one_line(tmp_path, capsys):
    text = (ROOT / "config" / "config.yaml").read_text(encoding="utf-8")
    other = "09" if SYNTHETIC_REGION != "09" else "08"
    changed, count = re.subn(r'(?m)^(\s*region_code:\s*)"\d+"', rf'\g<1>"{other}"', text)
    assert count == 1
    config = tmp_path / "config.yaml"
    config.write_text(changed, encoding="utf-8")
    assert sim.main(["--config", str(config), "--replicates", "1", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "region_code" in err and f"'{other}'" in err
    assert not (tmp_path / "out").exists()
