"""Predictive margins (adjusted prevalences and means), as R ``svypredmeans(model, ~variable)``.

The margin of level g is the average prediction had every respondent of the model been in level g, their
other characteristics as observed:

    m_g = Σ_i w_i f_ig / Σ_i w_i,   f_ig = μ(x_i with variable = g; β̂)

(so the margins of all levels are standardized to the same covariate distribution: the model's weighted
population). Their covariance is R's: Σ = D' V_β D + V_mean, where D (p × G) holds ∂m_g/∂β =
Σ_i w_i μ'(η_ig) x_ig / Σ_i w_i, V_β is the design-based covariance of the coefficients and V_mean the design
covariance of the weighted means of the f_ig with β held fixed (linearized values w_i (f_ig − m_g) / Σ w).
Like R, the covariance between the two parts is not added.

Differences from the reference level r, d_g = m_g − m_r, take their variance from the whole matrix:
Var(d_g) = Σ_gg + Σ_rr − 2 Σ_gr (R: ``svycontrast(svypredmeans(...), ...)``); the margins of two levels
share respondents and coefficients, so they are far from independent.

Intervals use t quantiles with the model's residual degrees of freedom (design df − coefficients + 1, the
df R's ``regTermTest`` and ``confint`` use for the same model): the margins are functions of every
coefficient, so they get no more df than the model. Margins of a logistic model get the logit-scale interval
(as the estimate stage's default), which stays inside (0, 1); means and differences get Wald intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ath_analysis.models.families import statsmodels_family
from ath_analysis.survey.intervals import logit, wald
from ath_analysis.survey.scores import design_covariance

if TYPE_CHECKING:
    from ath_analysis.models.results import SurveyGLMResults

MARGIN_COLUMNS = ["level", "n", "is_reference", "estimate", "se", "ci_low", "ci_high", "difference", "diff_se",
                  "diff_ci_low", "diff_ci_high"]


@dataclass(frozen=True)
class Margins:
    """Predictive margins of one variable: `table` (one row per level, columns MARGIN_COLUMNS), the
    covariance matrix `cov` of the margins, and the df of the intervals."""

    variable: str
    reference: Any
    table: pd.DataFrame
    cov: pd.DataFrame
    df: int
    level: float

    def __str__(self) -> str:
        return (f"Predictive margins of {self.variable} (reference {self.reference}, {self.level:.0%} CIs on "
                f"{self.df} df)\n" + self.table.to_string(index=False, float_format=lambda x: f"{x:.4g}"))


def margin_arrays(result: SurveyGLMResults, variable: str, levels: Sequence[Any], reference: Any,
                  level: float = 0.95) -> dict[str, np.ndarray]:
    """The columns of `Margins.table` as arrays plus "cov" (G × G); no pandas, for many models in a loop."""
    mm, cells = result.model, result.cells
    term = mm.categorical.get(variable)
    fam = statsmodels_family(result.family)
    w = result.weights
    W = w.sum()
    Wc = np.bincount(result.cell_of_row, weights=w, minlength=cells.nobs)
    beta = np.nan_to_num(result.coefficients, nan=0.0)
    V = np.nan_to_num(result.covariance, nan=0.0)
    own = result.term_columns(term.term) if term is not None else np.array([], dtype=np.int64)
    own_aliased = own[result.aliased[own]]
    G = len(levels)
    estimate = np.full(G, np.nan)
    D = np.zeros((len(beta), G))
    fits = np.zeros((cells.nobs, G))  # prediction for each covariate cell with the variable set to the level
    estimable = np.ones(G, dtype=bool)
    for g, lv in enumerate(levels):
        Xg = cells.counterfactual(variable, lv)
        # a level whose own column is aliased (e.g. no respondents) has no coefficient to predict with
        if len(own_aliased) and (Xg[:, own_aliased] != 0).any():
            estimable[g] = False
            continue
        eta = Xg @ beta
        fits[:, g] = fam.link.inverse(eta)
        estimate[g] = Wc @ fits[:, g] / W
        D[:, g] = (Wc * fam.link.inverse_deriv(eta)) @ Xg / W
    centred = np.where(estimable[None, :], fits - np.nan_to_num(estimate)[None, :], 0.0)
    scores = w[:, None] * centred[result.cell_of_row] / W
    cov = D.T @ V @ D + design_covariance(result.design, scores, mm.rows)
    cov[~estimable, :] = np.nan
    cov[:, ~estimable] = np.nan
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    r = list(levels).index(reference)
    difference = estimate - estimate[r]
    diff_se = np.sqrt(np.clip(np.diag(cov) + cov[r, r] - 2 * cov[:, r], 0.0, None))
    diff_se[r] = 0.0 if estimable[r] else np.nan
    df = np.full(G, float(result.df_resid))
    interval = logit if result.is_binomial else wald
    ci_low, ci_high = interval(estimate, se, df, level)
    diff_low, diff_high = wald(difference, diff_se, df, level)
    diff_low[r] = diff_high[r] = 0.0 if estimable[r] else np.nan
    n = np.zeros(G, dtype=np.int64)
    if term is not None:
        counts = np.bincount(term.codes, minlength=len(term.levels))
        for g, lv in enumerate(levels):
            n[g] = counts[term.levels.index(lv)] if lv in term.levels else 0
    return {"level": np.array(levels, dtype=object), "n": n, "is_reference": np.arange(G) == r,
            "estimate": estimate, "se": se, "ci_low": ci_low, "ci_high": ci_high, "difference": difference,
            "diff_se": diff_se, "diff_ci_low": diff_low, "diff_ci_high": diff_high, "cov": cov}


def predictive_margins(result: SurveyGLMResults, variable: str, levels: Sequence[Any] | None = None,
                       reference: Any = None, level: float = 0.95) -> Margins:
    """Margins of every level of `variable` (default: its levels with respondents in the model)."""
    term = result.model.categorical.get(variable)
    if levels is None:
        if term is None:
            raise ValueError(f"{variable} is not a categorical term of the model: give its levels")
        counts = np.bincount(term.codes, minlength=len(term.levels))
        levels = [lv for lv, c in zip(term.levels, counts, strict=True) if c > 0]
    levels = list(levels)
    if not levels:
        raise ValueError(f"{variable} has no levels with respondents in the model")
    if reference is None:
        reference = term.reference if term is not None and term.reference in levels else levels[0]
    if reference not in levels:
        raise ValueError(f"reference level {reference!r} is not among the levels {levels}")
    arrays = margin_arrays(result, variable, levels, reference, level)
    cov = arrays.pop("cov")
    return Margins(variable, reference, pd.DataFrame(arrays)[MARGIN_COLUMNS],
                   pd.DataFrame(cov, index=levels, columns=levels), int(result.df_resid), level)
