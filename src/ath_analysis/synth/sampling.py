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


def age_band(age: np.ndarray, edges: list[int]) -> np.ndarray:
    """Index of each age's band between `edges` (first and last edge are the open ends)."""
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


def response_propensity(
    sample: pd.DataFrame, design: SampleDesign, town: np.ndarray | None = None, shift: float = 0.0
) -> np.ndarray:
    """True response probability: register variables only, so the weights can correct for it.

    `town`: 1 where people live in a big town (they respond a little less); by default Etelä-Savo's two towns.
    `shift`: a logit shift on top of the wave's (the national sample's own level).
    """
    age = sample["age"].to_numpy()
    band_effect = np.array([-1.0, -0.55, 0.0, 0.55, -0.15])[age_band(age, AGE_BANDS)]
    male = (sample["sex"].to_numpy() == 1).astype(float)
    edu = sample["education"].to_numpy()
    big_town = sample["municipality_code"].isin(["491", "740"]).to_numpy(float) if town is None else town
    logit = (
        0.15
        + band_effect
        - 0.3 * male
        - 0.35 * male * (age < 30)
        + 0.35 * (edu == 3)
        - 0.25 * (edu == 1)
        - 0.1 * big_town
        + design.response_shift
        + shift
    )
    return 1 / (1 + np.exp(-logit))


def _register_matrix(sample: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The response model's design matrix and, per person, the key of its covariate pattern."""
    band = pd.Series(age_band(sample["age"].to_numpy(), AGE_BANDS), index=sample.index).astype(str)
    cells = band + "_" + sample["sex"].astype(str)
    education = sample["education"].astype(str)
    stratum = sample["stratum"].astype(str)
    parts = [
        pd.get_dummies(cells, prefix="agesex", drop_first=True),
        pd.get_dummies(education, prefix="edu", drop_first=True),
        pd.get_dummies(stratum, prefix="stratum", drop_first=True),
    ]
    import statsmodels.api as sm  # here, not at the top: it takes seconds to load, and the truth's jobs fit no model

    matrix = sm.add_constant(pd.concat(parts, axis=1).astype(float), has_constant="add")
    return matrix, cells + "|" + education + "|" + stratum


def fit_response_model(sample: pd.DataFrame, responded: np.ndarray) -> np.ndarray:
    """Estimated response propensity from a logistic model on register variables (statsmodels).

    The regressors are all categorical, so the model is fitted to the (responded, did not) counts of each covariate
    pattern: the same maximum-likelihood fit as one row per person, in a fraction of the time.
    """
    matrix, key = _register_matrix(sample)
    pattern, _ = pd.factorize(key)
    first = np.unique(pattern, return_index=True)[1]
    trials = np.bincount(pattern)
    successes = np.bincount(pattern, weights=responded.astype(float))
    counts = np.column_stack([successes, trials - successes])
    import statsmodels.api as sm  # loaded once, by _register_matrix above

    result = sm.GLM(counts, matrix.to_numpy()[first], family=sm.families.Binomial()).fit()
    return np.asarray(result.fittedvalues)[pattern]


def rake(
    weights: np.ndarray, margins: list[tuple[np.ndarray, pd.Series]], iterations: int = 50, tolerance: float = 1e-10
) -> np.ndarray:
    """Iterative proportional fitting of `weights` to population totals of each margin.

    Each margin is (respondent category codes, population total per category); a category without a total keeps
    its weights. Stops when every margin is within `tolerance` (relative) of its totals.
    """
    w = weights.astype(float).copy()
    plans = []
    for codes, totals in margins:
        index, uniques = pd.factorize(np.asarray(codes))
        plans.append((index, totals.reindex(uniques).to_numpy(float), len(uniques)))
    for _ in range(iterations):
        for index, target, size in plans:
            current = np.bincount(index, weights=w, minlength=size)
            w *= np.where(np.isnan(target), 1.0, target / current)[index]
        worst = max(np.nanmax(np.abs(np.bincount(i, weights=w, minlength=s) / t - 1)) for i, t, s in plans)
        if worst < tolerance:
            break
    return w


def sex_age_cell(frame: pd.DataFrame) -> np.ndarray:
    """Calibration cell 10 × age group + sex (1 man, 2 woman)."""
    return 10 * age_band(frame["age"].to_numpy(), CALIBRATION_AGE) + frame["sex"].to_numpy().astype(int)


def propensity_weights(sample: pd.DataFrame, responded: np.ndarray) -> np.ndarray:
    """The respondents' design weights N_h / n_h divided by their estimated response propensity."""
    propensity = fit_response_model(sample, responded)
    respondents = sample.loc[responded]
    return (respondents["N_h"] / respondents["n_h"]).to_numpy() / propensity[responded]


def weight_respondents(
    population: pd.DataFrame, population_strata: pd.Series, sample: pd.DataFrame, responded: np.ndarray
) -> pd.Series:
    """Design weight ÷ estimated propensity, raked to stratum and sex × age-group totals."""
    respondents = sample.loc[responded]
    base = propensity_weights(sample, responded)
    margins = [
        (respondents["stratum"].astype(str).to_numpy(), population_strata.astype(str).value_counts()),
        (sex_age_cell(respondents), pd.Series(sex_age_cell(population)).value_counts()),
    ]
    return pd.Series(rake(base, margins), index=respondents.index, name="weight")
