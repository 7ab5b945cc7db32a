"""The GLM families of the survey models: names, their statsmodels objects, and the canonical-link formulas.

``"binomial"`` (and its alias ``"quasibinomial"``) is the logistic model (R's ``quasibinomial()``: the same
estimates as ``binomial()``; the design-based sandwich uses no dispersion), ``"gaussian"`` the linear model.
Both links are canonical, so the estimating function of a respondent is w_i x_i (y_i − μ_i) and the
information weight w_i V(μ_i): the cell-level fitter (`ath_analysis.models.cellglm`) uses these closed forms;
the respondent-level fitter (`ath_analysis.models.glm`) uses statsmodels' family objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import special

if TYPE_CHECKING:
    import statsmodels.api as sm

FAMILIES = ("binomial", "quasibinomial", "gaussian")


def check_family(name: str) -> str:
    """`name` if it is one of `FAMILIES`, else a ValueError listing them."""
    if name not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}, got {name!r}")
    return name


def is_binomial(name: str) -> bool:
    return check_family(name) in ("binomial", "quasibinomial")


def statsmodels_family(name: str) -> sm.families.Family:
    """The statsmodels family object of a family name (logit and identity links, their defaults)."""
    import statsmodels.api as sm  # here: statsmodels takes a second to load, and most jobs fit no model with it

    return sm.families.Binomial() if is_binomial(name) else sm.families.Gaussian()


def inverse_link(binomial: bool, eta: np.ndarray) -> np.ndarray:
    """μ = g⁻¹(η): the logistic function, or the identity."""
    return special.expit(eta) if binomial else eta


def inverse_link_derivative(binomial: bool, eta: np.ndarray) -> np.ndarray:
    """dμ/dη; for a canonical link also the variance function V(μ): μ(1 − μ), or 1."""
    if binomial:
        mu = special.expit(eta)
        return mu * (1 - mu)
    return np.ones_like(eta)
