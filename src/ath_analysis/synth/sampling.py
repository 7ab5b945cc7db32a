"""Sampling, non-response and weighting as THL runs them.

Stratified random sample from the population register with disproportionate allocation (small strata
oversampled), unit non-response that depends on register variables (young men respond least), and
inverse-probability weights from a response-propensity model fitted on register variables only, calibrated
(raked) to population margins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

AGE_BANDS = [20, 30, 45, 65, 80, 200]  # response-model bands
CALIBRATION_AGE = [20, 35, 55, 75, 200]


@dataclass(frozen=True)
class SampleDesign:
    """How a wave's sample is drawn: strata, allocation and response level."""

    sampling_rate: float = 0.10  # in large strata
    min_stratum_sample: int = 500  # small strata get at least this many (oversampling)
    max_stratum_fraction: float = 0.6
    age75_split: bool = False  # stratify 20–74 / 75+ as Terve Suomi does
    age75_rate_factor: float = 2.0  # 75+ oversampled by this factor when split
    response_shift: float = 0.0  # logit shift of response propensity (later waves respond less)


def _band(age: np.ndarray, edges: list[int]) -> np.ndarray:
    return np.digitize(age, edges[1:-1])


def allocate(stratum_sizes: pd.Series, design: SampleDesign, rate_factor: pd.Series | None = None) -> pd.Series:
    """Sample size per stratum: proportional in large strata, a floor in small ones."""
    rate = design.sampling_rate * (rate_factor if rate_factor is not None else 1.0)
    wanted = np.maximum(np.round(stratum_sizes * rate), design.min_stratum_sample)
    cap = np.floor(stratum_sizes * design.max_stratum_fraction)
    return pd.Series(np.minimum(wanted, cap).astype(int), index=stratum_sizes.index)


def draw_sample(frame: pd.DataFrame, strata: pd.Series, design: SampleDesign, seed: int) -> pd.DataFrame:
    """Stratified simple random sample without replacement; adds `stratum`, `N_h`, `n_h`."""
    rng = np.random.default_rng(seed)
    sizes = strata.value_counts().sort_index()
    factor = None
    if design.age75_split:
        factor = pd.Series(np.where(sizes.index.str.endswith("75+"), design.age75_rate_factor, 1.0), sizes.index)
    n_h = allocate(sizes, design, factor)
    # a random key per person; the n_h smallest keys within a stratum form its sample
    codes, uniques = pd.factorize(strata.to_numpy(), sort=True)
    order = np.lexsort((rng.random(len(frame)), codes))
    starts = np.searchsorted(codes[order], np.arange(len(uniques)))
    rank = np.empty(len(frame), dtype=np.int64)
    rank[order] = np.arange(len(frame)) - starts[codes[order]]
    chosen = rank < n_h.reindex(uniques).to_numpy()[codes]
    sample = frame.loc[chosen].copy()
    sample["stratum"] = strata.to_numpy()[chosen]
    sample["N_h"] = sizes.reindex(uniques).to_numpy()[codes[chosen]]
    sample["n_h"] = n_h.reindex(uniques).to_numpy()[codes[chosen]]
    return sample


def response_propensity(sample: pd.DataFrame, design: SampleDesign) -> np.ndarray:
    """True response probability: register variables only, so the weights can correct for it."""
    age = sample["age"].to_numpy()
    band_effect = np.array([-1.0, -0.55, 0.0, 0.55, -0.15])[_band(age, AGE_BANDS)]
    male = (sample["sex"].to_numpy() == 1).astype(float)
    edu = sample["education"].to_numpy()
    big_town = sample["municipality_code"].isin(["491", "740"]).to_numpy(float)
    logit = (
        0.15
        + band_effect
        - 0.3 * male
        - 0.35 * male * (age < 30)
        + 0.35 * (edu == 3)
        - 0.25 * (edu == 1)
        - 0.1 * big_town
        + design.response_shift
    )
    return 1 / (1 + np.exp(-logit))


def _register_matrix(sample: pd.DataFrame) -> pd.DataFrame:
    band = pd.Series(_band(sample["age"].to_numpy(), AGE_BANDS), index=sample.index).astype(str)
    cells = band + "_" + sample["sex"].astype(str)
    parts = [
        pd.get_dummies(cells, prefix="agesex", drop_first=True),
        pd.get_dummies(sample["education"].astype(str), prefix="edu", drop_first=True),
        pd.get_dummies(sample["stratum"].astype(str), prefix="stratum", drop_first=True),
    ]
    return sm.add_constant(pd.concat(parts, axis=1).astype(float), has_constant="add")


def fit_response_model(sample: pd.DataFrame, responded: np.ndarray) -> np.ndarray:
    """Estimated response propensity from a logistic model on register variables (statsmodels)."""
    result = sm.GLM(responded.astype(float), _register_matrix(sample), family=sm.families.Binomial()).fit()
    return np.asarray(result.fittedvalues)


def rake(weights: np.ndarray, margins: list[tuple[np.ndarray, pd.Series]], iterations: int = 50) -> np.ndarray:
    """Iterative proportional fitting of `weights` to population totals of each margin.

    Each margin is (respondent category codes, population total per category).
    """
    w = weights.astype(float).copy()
    for _ in range(iterations):
        for codes, totals in margins:
            current = pd.Series(w).groupby(codes).sum()
            factor = (totals / current).reindex(pd.unique(codes)).fillna(1.0)
            w *= pd.Series(codes).map(factor).to_numpy()
        worst = max(abs(pd.Series(w).groupby(c).sum() / t - 1).max() for c, t in margins)
        if worst < 1e-10:
            break
    return w


def _sex_age(frame: pd.DataFrame) -> np.ndarray:
    return 10 * _band(frame["age"].to_numpy(), CALIBRATION_AGE) + frame["sex"].to_numpy().astype(int)


def weight_respondents(
    population: pd.DataFrame, population_strata: pd.Series, sample: pd.DataFrame, responded: np.ndarray
) -> pd.Series:
    """Design weight ÷ estimated propensity, raked to stratum and sex × age-group totals."""
    propensity = fit_response_model(sample, responded)
    respondents = sample.loc[responded]
    base = (respondents["N_h"] / respondents["n_h"]).to_numpy() / propensity[responded]
    margins = [
        (respondents["stratum"].astype(str).to_numpy(), population_strata.astype(str).value_counts()),
        (_sex_age(respondents), pd.Series(_sex_age(population)).value_counts()),
    ]
    return pd.Series(rake(base, margins), index=respondents.index, name="weight")
