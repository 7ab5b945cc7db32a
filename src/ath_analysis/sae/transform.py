"""The arcsine-square-root transforms for proportions (plain and Freeman–Tukey), and the way back.

Why: the sampling variance of a proportion, p(1−p)·deff/n, depends on p itself and is 0 when a small area has
no (or only) positive answers — exactly the areas where smoothing matters most. On the scale
y = asin(√p) the variance is approximately deff / (4 n) = 1 / (4 n_eff) with n_eff = n / deff, free of p, so
ψ_i is known from the sample size and a design effect alone (the form R's emdi::fh uses with
``transformation = "arcsin"`` and its ``eff_smpsize`` argument).

Freeman–Tukey double arcsine (``transform="freeman_tukey"``): with x = n_eff p̂ (the effective count),
y = ½ [asin √(x / (n_eff + 1)) + asin √((x + 1) / (n_eff + 1))] and ψ = 1 / (4 n_eff + 2) (Freeman & Tukey
1950; metafor's ``escalc(measure = "PFT")``). Why: 1 / (4 n) is only the large-n variance of asin √p̂. For
n = 3–20 and p = 0.1–0.3 the plain transform's mean squared error around asin √p is 1.2–1.8 × 1 / (4 n) (exact
binomial sums; the same excess was seen in validation/sae_simulation.py for Mikkeli's small sub-areas), so
Fay–Herriot trusted the small areas' direct estimates too much and understated their MSE. The double arcsine
stays within about 0.8–1.05 × 1 / (4 n + 2) down to n ≈ 3 (below that, and for p < 0.1, it is conservative)
and estimates the same θ = asin √p, so everything below applies unchanged.

Back to proportions:
* point estimate, ``back_transform="naive"``: p̂ = sin²(θ̂) with θ̂ clipped to [0, π/2];
  ``"bias_corrected"``: the model's conditional mean E[sin²θ] for θ ~ N(θ̂, s²), which is exactly
  (1 − cos(2θ̂)·exp(−2 s²)) / 2, with s² = g1 (the variance of θ_i given the data when σ²_v and β are known;
  σ̂²_v for synthetic areas). sin² is convex below p = 1/2 and concave above, so (Jensen) the naive
  estimator is biased away from 1/2 by about cos(2θ̂)·s²; the correction removes that. The default is naive
  (the plain, widely used back-transform, always inside the interval); in validation/sae_simulation.py the
  bias-corrected estimator had 1–2 % lower MSE for Mikkeli's sub-areas with identical intervals.
* MSE on the proportion scale: delta method, mse_p ≈ sin²(2θ̂) · mse_θ (d sin²θ / dθ = sin 2θ). It is only a
  first-order approximation and goes to 0 at p = 0 or 1; judge uncertainty by the interval.
* interval: θ̂ ± z·√mse_θ on the transformed scale, clipped to [0, π/2], then sin² of each end (sin² is
  increasing there, so the interval keeps its coverage exactly under the model).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

Transform = Literal["arcsine", "freeman_tukey"]
TRANSFORMS: tuple[str | None, ...] = (None, "arcsine", "freeman_tukey")
ARCSINE_TRANSFORMS: tuple[str, ...] = ("arcsine", "freeman_tukey")  # both model θ = asin √p
BackTransform = Literal["naive", "bias_corrected"]
BACK_TRANSFORMS: tuple[str, ...] = ("naive", "bias_corrected")
HALF_PI = np.pi / 2.0


def arcsine(p: np.ndarray) -> np.ndarray:
    """asin(√p) (NaN stays NaN)."""
    with np.errstate(invalid="ignore"):
        return np.arcsin(np.sqrt(p))


def arcsine_variance(n: np.ndarray, deff: np.ndarray) -> np.ndarray:
    """Sampling variance of asin(√p̂): 1 / (4 n_eff), n_eff = n / deff."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return deff / (4.0 * n)


def freeman_tukey(p: np.ndarray, n_eff: np.ndarray) -> np.ndarray:
    """The Freeman–Tukey double arcsine of p̂ with effective sample size n_eff (NaN stays NaN)."""
    x = p * n_eff
    with np.errstate(invalid="ignore", divide="ignore"):
        return 0.5 * (np.arcsin(np.sqrt(x / (n_eff + 1.0))) + np.arcsin(np.sqrt((x + 1.0) / (n_eff + 1.0))))


def freeman_tukey_variance(n: np.ndarray, deff: np.ndarray) -> np.ndarray:
    """Sampling variance of the double arcsine: 1 / (4 n_eff + 2) = deff / (4 n + 2 deff)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return deff / (4.0 * n + 2.0 * deff)


def back_point(theta: np.ndarray, cond_var: np.ndarray, how: str) -> np.ndarray:
    """Proportion from the transformed estimate: naive sin²(θ̂) or the bias-corrected conditional mean."""
    if how == "naive":
        return np.sin(np.clip(theta, 0.0, HALF_PI)) ** 2
    return 0.5 * (1.0 - np.cos(2.0 * theta) * np.exp(-2.0 * cond_var))


def back_mse(theta: np.ndarray, mse: np.ndarray) -> np.ndarray:
    """Delta-method MSE on the proportion scale: sin²(2θ̂) · mse_θ (θ̂ clipped to [0, π/2])."""
    return np.sin(2.0 * np.clip(theta, 0.0, HALF_PI)) ** 2 * mse


def back_interval(low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sin² of transformed-scale limits clipped to [0, π/2]."""
    return np.sin(np.clip(low, 0.0, HALF_PI)) ** 2, np.sin(np.clip(high, 0.0, HALF_PI)) ** 2
