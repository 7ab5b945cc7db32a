"""Small-area estimation: the Fay–Herriot area-level model, validated against R's metafor.

>>> from ath_analysis.sae import fay_herriot
>>> fit = fay_herriot(direct, variance, covariates, method="REML")  # doctest: +SKIP
>>> fit.to_frame()  # one row per area: estimate, mse, ci_low, ci_high, gamma, estimate_type, …  # doctest: +SKIP
>>> print(fit.summary())  # doctest: +SKIP

Why: Mikkeli's ~40 postal-area sub-areas mostly get well under 30 respondents per wave; their direct estimates
are suppressed or too noisy. The EBLUP borrows strength from area covariates (age structure, education,
rurality) in proportion to how noisy each direct estimate is, with an honest (Prasad–Rao / Datta–Lahiri) MSE.

Modules: `model` (REML/ML fit), `mse` (MSE formulas), `transform` (arcsine-square-root for proportions),
`variance` (smoothing unusable sampling variances), `benchmark` (consistency with an aggregate).
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
