"""Small-area estimation: the Fay–Herriot area-level model, validated against R's metafor.

>>> from ath_analysis.sae import fay_herriot
>>> fit = fay_herriot(direct, variance, covariates, method="REML")  # doctest: +SKIP
>>> fit.to_frame()  # one row per area: estimate, mse, ci_low, ci_high, gamma, estimate_type, …  # doctest: +SKIP
>>> print(fit)  # the fit, coefficients and areas; fit.summary() is the tidy coefficient table  # doctest: +SKIP

Why: Mikkeli's ~40 postal-area sub-areas mostly get well under 30 respondents per wave; their direct estimates
are suppressed or too noisy. The EBLUP borrows strength from area covariates (age structure, education,
rurality) in proportion to how noisy each direct estimate is, with an honest (Prasad–Rao / Datta–Lahiri) MSE.

Modules: `model` (REML/ML fit, and the adjusted REML of Li & Lahiri 2010 / Yoshimori & Lahiri 2014 that keeps
σ̂²_v > 0), `mse` (MSE formulas), `transform` (arcsine-square-root and Freeman–Tukey double arcsine for
proportions), `variance` (smoothing unusable sampling variances), `benchmark` (consistency with an aggregate).

For Mikkeli's sub-areas (validation/sae_simulation.py) the calibrated choice is
``fay_herriot(p, v, x, n=n, transform="freeman_tukey", method="AREML_YL", population=N)``: the double arcsine
keeps ψ right for a handful of respondents, and `population` adds the finite-population variance of small
villages' own proportions to the model.
"""

from ath_analysis.sae._checks import SAEDataError
from ath_analysis.sae.benchmark import BENCHMARK_METHODS
from ath_analysis.sae.fayherriot import INTERCEPT, fay_herriot
from ath_analysis.sae.model import METHODS
from ath_analysis.sae.mse import MSE_METHODS
from ath_analysis.sae.result import FayHerriotResult
from ath_analysis.sae.transform import BACK_TRANSFORMS, TRANSFORMS
from ath_analysis.sae.variance import SMOOTH_MODES

__all__ = [
    "BACK_TRANSFORMS",
    "BENCHMARK_METHODS",
    "INTERCEPT",
    "METHODS",
    "MSE_METHODS",
    "SMOOTH_MODES",
    "TRANSFORMS",
    "FayHerriotResult",
    "SAEDataError",
    "fay_herriot",
]
