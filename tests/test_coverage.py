"""Statistical validity on the synthetic truth: 95 % CIs cover the true region values about 95 % of the time.

Each replicate redraws the whole THL-style process from the same synthetic population — stratified sample,
non-response, propensity weighting and raking — and runs the pipeline's own geography, indicators and
estimator. Seeds are fixed, so the test is deterministic. Only Etelä-Savo's regional sample is drawn: a region's
estimate on the whole-country file is the same (strata without its respondents add nothing to its variance);
tests/test_national_coverage.py covers the national cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ath_analysis.analysis import domain_frame, wave_design
from ath_analysis.geography import GeographySettings, attach_geography
from ath_analysis.indicators.definitions import canonical_variables, compute_indicators, load_indicators
from ath_analysis.survey import estimate_domains
from ath_analysis.synth import WAVE_FORMATS, regional_respondents
from ath_analysis.synth.generate import build_wave_population
from ath_analysis.synth.truth import population_truth

from .conftest import ROOT, SEED

REPLICATES = 200
MAIN = ["srh_average_or_worse", "psychological_distress", "obesity", "daily_smoking", "alcohol_overuse",
        "loneliness", "good_quality_of_life", "activity_limitation"]
GEO = GeographySettings(region_code="10", reference_date="2025-01-01", membership="reference",
                        urban_rural_source="auto")


@pytest.fixture(scope="module")
def coverage(areas):
    fmt = WAVE_FORMATS["finsote2018"]
    indicators = [i for i in load_indicators(ROOT / "config" / "indicators.yaml",
                                             variables=canonical_variables(ROOT / "config" / "variables.yaml"))
                  if i.id in MAIN]
    population = build_wave_population(areas, fmt, SEED)
    truth = population_truth(population, areas, GEO, fmt.fieldwork_date, indicators, fmt.wave)
    true_value = truth[truth["domain"] == "region"].set_index("indicator")["value"]
    hits = []
    for replicate in range(REPLICATES):
        respondents = regional_respondents(population, areas, fmt, seed=1000 + replicate)  # Etelä-Savo's sample
        respondents = respondents.assign(municipality_code=respondents["municipality_code_at_survey"])
        frame, _ = attach_geography(respondents, areas, GEO, fmt.wave, fmt.fieldwork_date)
        # the sample is drawn without replacement from known stratum sizes: the design has an FPC, as the
        # synthetic files do (and as the pipeline uses when a wave maps one)
        design_columns = frame[["weight", "stratum", "in_region"]].assign(fpc=frame["N_h"])
        frame = pd.concat([design_columns, compute_indicators(frame, indicators)], axis=1)
        data = domain_frame(frame, {"region": ["region"]}, "10")
        table = estimate_domains(data, wave_design(data, "adjust"), MAIN, {"region": ["region"]})
        table = table.set_index("variable")
        truth_row = true_value[table.index]
        hits.append((table["ci_low"] <= truth_row) & (truth_row <= table["ci_high"]))
    return pd.DataFrame(hits).reset_index(drop=True)


def test_pooled_coverage_is_nominal(coverage):
    pooled = coverage.to_numpy().mean()
    assert 0.93 <= pooled <= 0.97, f"pooled coverage {pooled:.3f} over {coverage.size} intervals"


def test_each_main_indicator_covers(coverage):
    per_indicator = coverage.mean()
    # 200 replicates: a binomial standard error of 1.5 points, so each indicator gets a wider band
    assert per_indicator.between(0.90, 0.99).all(), per_indicator.round(3).to_dict()
    assert np.isclose(len(per_indicator), len(MAIN))
