"""National cells on the synthetic truth: 95 % CIs for the country, maakunnat and counties cover their truth.

Each replicate redraws both samples of a whole-country wave — Etelä-Savo's regional sample from its materialised
population, every other county's national sample (2,000 + 800) from its profile — with non-response,
propensity weights and raking, then estimates with `ath_analysis.survey` on the respondents directly (the
wave's strata and FPC): by county (wellbeing_area_code), by maakunta (the county's) and for the whole country.
The truth is `synth.truth.population_truth`: Etelä-Savo's population means and the other counties'
expectations (Monte Carlo). FinSote 2018 has counties partly in the regional frame (Heinävesi's and Joroinen's),
Terve Suomi 2022 age strata in both samples. Seeds are fixed, so the test is deterministic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ath_analysis.geography import GeographySettings
from ath_analysis.indicators.definitions import canonical_variables, compute_indicators, load_indicators
from ath_analysis.survey import Design, estimate_domains
from ath_analysis.synth import WAVE_FORMATS, simulate_respondents
from ath_analysis.synth.generate import build_wave_population, national_design_table
from ath_analysis.synth.truth import NATIONAL_DOMAINS, population_truth

from .conftest import ROOT, SEED

REPLICATES = 50
MAIN = ["srh_average_or_worse", "psychological_distress", "obesity", "daily_smoking", "alcohol_overuse",
        "loneliness", "good_quality_of_life", "activity_limitation"]
GEO = GeographySettings(region_code="10", reference_date="2025-01-01", membership="reference",
                        urban_rural_source="auto")
DOMAINS = {"country": ["country"], "maakunta": ["maakunta"], "hyvinvointialue": ["hyvinvointialue"]}
DESIGN = Design(weight="weight", strata="stratum", fpc="fpc")


@pytest.fixture(scope="module", params=["finsote2018", "ts2022"])
def coverage(request, areas, counties):
    """Per replicate and cell: whether the 95 % interval covers the truth, and the interval's width."""
    fmt = WAVE_FORMATS[request.param]
    indicators = [i for i in load_indicators(ROOT / "config" / "indicators.yaml",
                                             variables=canonical_variables(ROOT / "config" / "variables.yaml"))
                  if i.id in MAIN]
    population = build_wave_population(areas, fmt, SEED)
    national = national_design_table(areas, fmt, counties, SEED)
    truth = population_truth(population, areas, GEO, fmt.fieldwork_date, indicators, fmt.wave, national)
    truth = truth[truth["domain"].isin(NATIONAL_DOMAINS)].set_index(["domain", "domain_value", "indicator"])["value"]
    maakunta = counties.set_index("code")["maakunta"]
    hits, widths = [], []
    for replicate in range(REPLICATES):
        respondents = simulate_respondents(population, areas, fmt, seed=1000 + replicate, counties=counties)
        county = respondents["wellbeing_area_code"].astype(str)
        frame = pd.concat([
            respondents[["weight", "stratum"]].assign(fpc=respondents["N_h"]),
            pd.DataFrame({"country": "FI", "maakunta": county.map(maakunta), "hyvinvointialue": county}),
            compute_indicators(respondents, indicators),
        ], axis=1)
        table = estimate_domains(frame, DESIGN, MAIN, DOMAINS).set_index(["domain", "domain_value", "variable"])
        true = truth.reindex(table.index)
        assert true.notna().all(), "a cell without its truth"
        hits.append((table["ci_low"] <= true) & (true <= table["ci_high"]))
        widths.append(table["ci_high"] - table["ci_low"])
    return pd.DataFrame(hits).reset_index(drop=True), pd.DataFrame(widths).reset_index(drop=True)


def test_every_national_cell_is_estimated(coverage, counties):
    hits, _ = coverage
    cells = hits.columns.droplevel("variable").unique()
    assert len(cells) == 1 + 18 + 22  # the country, its maakunnat and counties (Åland is not surveyed)
    assert set(hits.columns.get_level_values("variable")) == set(MAIN)


def test_pooled_national_coverage_is_nominal(coverage):
    hits, _ = coverage
    pooled = hits.to_numpy().mean()
    assert 0.93 <= pooled <= 0.97, f"pooled coverage {pooled:.3f} over {hits.size} intervals"


def test_each_level_and_indicator_covers(coverage):
    hits, _ = coverage
    by_level = hits.T.groupby(level="domain").mean().mean(axis=1)
    # the country: 8 indicators × 50 replicates = 400 intervals (binomial SE ~1.1 points); the others pool more
    assert by_level.between(0.91, 0.98).all(), by_level.round(3).to_dict()
    by_indicator = hits.T.groupby(level="variable").mean().mean(axis=1)
    assert by_indicator.between(0.92, 0.975).all(), by_indicator.round(3).to_dict()


def test_intervals_are_as_narrow_as_the_design_allows(coverage):
    """Coverage is not bought with wide intervals: a county's ~1,300 respondents give ±3–5 points."""
    _, widths = coverage
    mean_width = widths.mean().groupby(level="domain").mean()
    assert mean_width["country"] < 0.025
    assert 0.03 < mean_width["hyvinvointialue"] < 0.09
    assert np.isfinite(widths.to_numpy()).all()
