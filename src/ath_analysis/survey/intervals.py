"""Confidence intervals with design degrees of freedom, as R `survey` computes them.

* ``wald``: estimate ± t(df)·SE (R: ``confint(svymean(...), df=degf(design))``).
* ``logit``: the Wald interval on the logit scale, back-transformed (R: ``svyciprop(method="logit")``, whose
  quasi-binomial intercept has SE(logit p) = SE(p) / (p(1−p))). It stays inside (0, 1), which suits small
  prevalences. For p = 0 or 1 it is undefined: R returns numbers from a non-converged glm; we return NaN.
* ``beta``: Korn–Graubard (R: ``svyciprop(method="beta")``): a Clopper–Pearson interval with the effective
  sample size n·/deff, rescaled by (t(n−1)/t(df))².

df ≤ 0 (e.g. a single respondent or one PSU per stratum) gives NaN limits, as in R.

* ``boundary``: where a prevalence is exactly 0 or 1 the design gives no variance and neither logit nor beta
  is defined; NCHS's standard for proportions (Parker et al. 2017) then uses the Clopper–Pearson interval
  with the number of respondents as the sample size: [0, 1 − (α/2)^(1/n)] or [(α/2)^(1/n), 1]. The estimate
  stage fills those cells with it and says so in `ci_method`, so a published 0 % or 100 % has limits.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy import special

CIMethod = Literal["logit", "beta", "wald"]
CI_METHODS: tuple[str, ...] = ("logit", "beta", "wald")


def t_quantile(p: float, df: np.ndarray) -> np.ndarray:
    """Student t quantile with NaN where df ≤ 0 or df is NaN (R's qt gives NaN there)."""
    df = np.asarray(df, dtype=np.float64)
    ok = df > 0
    out = np.full(df.shape, np.nan)
    out[ok] = special.stdtrit(df[ok], p)  # what scipy.stats.t.ppf computes, without loading scipy.stats
    return out


def wald(estimate: np.ndarray, se: np.ndarray, df: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    t = t_quantile(1 - (1 - level) / 2, df)
    return estimate - t * se, estimate + t * se


def logit(estimate: np.ndarray, se: np.ndarray, df: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    t = t_quantile(1 - (1 - level) / 2, df)
    inside = (estimate > 0) & (estimate < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(inside, estimate, 0.5)
        centre = special.logit(p)
        half = t * se / (p * (1 - p))
        low = np.where(inside, special.expit(centre - half), np.nan)
        high = np.where(inside, special.expit(centre + half), np.nan)
    return low, high


def beta(estimate: np.ndarray, se: np.ndarray, n: np.ndarray, df: np.ndarray,
         level: float) -> tuple[np.ndarray, np.ndarray]:
    """Korn–Graubard limits; `n` is the number of respondents (R: nrow of the domain's design)."""
    alpha = 1 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = estimate * (1 - estimate) / (se * se)
        n_eff = n_eff * (t_quantile(alpha / 2, n - 1) / t_quantile(alpha / 2, df)) ** 2
        ok = np.isfinite(n_eff) & (n_eff > 0)
        a_low = np.where(ok, n_eff * estimate, 1.0)
        b_low = np.where(ok, n_eff * (1 - estimate) + 1, 1.0)
        a_high = np.where(ok, n_eff * estimate + 1, 1.0)
        b_high = np.where(ok, n_eff * (1 - estimate), 1.0)
        low = special.betaincinv(a_low, b_low, alpha / 2)
        high = special.betaincinv(a_high, b_high, 1 - alpha / 2)
        # qbeta with a zero shape is a point mass (R gives 0 or 1); only reachable when p is 0 or 1 exactly
        low = np.where(a_low == 0, 0.0, low)
        high = np.where(b_high == 0, 1.0, high)
    return np.where(ok, low, np.nan), np.where(ok, high, np.nan)


def boundary(estimate: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Clopper–Pearson limits for a prevalence of exactly 0 or 1 out of `n` (R: ``binom.test(x, n)``); NaN
    elsewhere and where n < 1."""
    estimate, n = np.asarray(estimate, dtype=np.float64), np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        edge = np.where(n >= 1, ((1 - level) / 2) ** (1 / n), np.nan)
    low = np.where(estimate == 0, 0.0, np.where(estimate == 1, edge, np.nan))
    high = np.where(estimate == 1, 1.0, np.where(estimate == 0, 1 - edge, np.nan))
    ok = np.isfinite(edge)
    return np.where(ok, low, np.nan), np.where(ok, high, np.nan)


def interval(method: str, estimate: np.ndarray, se: np.ndarray, n: np.ndarray, df: np.ndarray,
             level: float) -> tuple[np.ndarray, np.ndarray]:
    if method == "wald":
        return wald(estimate, se, df, level)
    if method == "logit":
        return logit(estimate, se, df, level)
    if method == "beta":
        return beta(estimate, se, n, df, level)
    raise ValueError(f"ci must be one of {', '.join(CI_METHODS)}, got {method!r}")
