"""Survey-weighted GLMs: statsmodels fits the point estimates, the survey module gives the design-based covariance.

As R's ``svyglm``: coefficients solve the weighted score equations Σ w_i x_i (y_i − μ_i) μ'_i / V(μ_i) = 0
(statsmodels ``GLM`` with the sampling weights as ``var_weights``, normalized to mean 1 as svyglm does — the
coefficients do not depend on the scale). With A = Σ w_i μ'_i² / V(μ_i) x_i x_i' and the estimating functions
u_i = w_i x_i (y_i − μ_i) μ'_i / V(μ_i), the covariance is A⁻¹ V_design(Σ u_i) A⁻¹, where V_design is the
Taylor-linearization covariance over strata and PSUs of the FULL design (`ath_analysis.survey.scores`):
respondents outside the model's domain or with a missing model variable contribute zero, exactly as
``svyglm(..., design = subset(design, domain))`` with its ``na.action``. The residual degrees of freedom are
R's: degf(model design) + 1 − number of estimated coefficients.

``family="binomial"`` is R's ``quasibinomial()`` (same estimates; the sandwich does not use a dispersion), so
the response may also be a proportion in [0, 1]; ``"gaussian"`` is the linear model.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ath_analysis.models.families import is_binomial, statsmodels_family
from ath_analysis.models.matrix import ModelMatrix, model_matrix
from ath_analysis.models.results import SurveyGLMResults
from ath_analysis.survey.design import Design, ResolvedDesign, resolve_design
from ath_analysis.survey.scores import design_covariance, design_df

# statsmodels' convergence: largest change of any coefficient between IRLS steps (R's glm uses the deviance,
# which leaves ~1e-7 relative error in the coefficients; this is tighter)
TOLERANCE = 1e-10
MAX_ITERATIONS = 100
# a fitted linear predictor beyond this (probability 3e-7 or 1 - 3e-7) means the coefficients are running
# off to infinity: some group of respondents is perfectly predicted
SEPARATION_ETA = 15.0
ALIAS_TOLERANCE = 1e-7  # as R's glm.fit: a column (almost) in the span of the earlier ones is aliased


class ModelFitError(ValueError):
    """The model has no (finite) maximum-likelihood estimate, or the fit did not converge.

    reason: "perfect prediction" | "no respondents" | "did not converge" | "singular"
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def aliased_columns(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """bool (p,): columns of sqrt(w)·X that are (numerically) linear combinations of the columns before them."""
    Xs = X * np.sqrt(w)[:, None]
    norms = np.linalg.norm(Xs, axis=0)
    aliased = norms == 0
    if 0 < Xs.shape[1] <= Xs.shape[0] and not aliased.any():
        r = np.abs(np.diag(np.linalg.qr(Xs, mode="r")))
        if (r > ALIAS_TOLERANCE * norms).all():
            return aliased
    kept: list[np.ndarray] = []
    for j in range(Xs.shape[1]):
        if aliased[j]:
            continue
        v = Xs[:, j]
        for _ in range(2):  # Gram–Schmidt twice is enough for orthogonality in floating point
            for q in kept:
                v = v - q * (q @ v)
        size = np.linalg.norm(v)
        if size <= ALIAS_TOLERANCE * norms[j]:
            aliased[j] = True
        else:
            kept.append(v / size)
    return aliased


def _describe(term_variable: str, level: Any) -> str:
    return f"{term_variable} = {level}"


def separated_levels(mm: ModelMatrix, w: np.ndarray) -> list[tuple[str, Any, float]]:
    """(variable, level, outcome) for every level of a categorical term whose respondents (with a positive
    weight) all have the outcome 0 or all 1: the binomial MLE does not exist (its coefficient is ±∞)."""
    positive = w > 0
    found = []
    for variable, term in mm.categorical.items():
        codes = term.codes[positive]
        y = mm.y[positive]
        n = np.bincount(codes, minlength=len(term.levels))
        ones = np.bincount(codes, weights=(y > 0).astype(np.float64), minlength=len(term.levels))
        zeros = np.bincount(codes, weights=(y < 1).astype(np.float64), minlength=len(term.levels))
        for k in np.flatnonzero(n > 0):
            if ones[k] == 0:
                found.append((variable, term.levels[k], 0.0))
            elif zeros[k] == 0:
                found.append((variable, term.levels[k], 1.0))
    return found


def _number_by_first_row(first: np.ndarray, inverse: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(first, kind="stable")
    relabel = np.empty_like(order)
    relabel[order] = np.arange(len(order))
    return first[order].astype(np.int64), relabel[inverse.reshape(-1)].astype(np.int64)


def covariate_cells(X: np.ndarray, codes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Rows of X grouped by identical covariates: (first row of each cell, cell of every row), cells numbered
    in order of first appearance. `codes` (one per row, equal exactly when the rows of X are) saves the search."""
    m, p = X.shape
    if m == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if codes is not None and codes.max() < 8 * m + (1 << 16):
        counts = np.bincount(codes)
        inverse = (np.cumsum(counts > 0) - 1)[codes]
        order = np.argsort(inverse, kind="stable")
        first = order[np.searchsorted(inverse[order], np.arange(int(inverse.max()) + 1))]
        return _number_by_first_row(first, inverse)
    key = X @ np.random.default_rng(20250307).uniform(1.0, 2.0, p)  # a fixed, generic projection
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    if not np.array_equal(X[first][inverse], X):  # two different rows met on the projection (never in practice)
        _, first, inverse = np.unique(X, axis=0, return_index=True, return_inverse=True)
    return _number_by_first_row(first, inverse)


def fit_matrix(mm: ModelMatrix, rd: ResolvedDesign, family: str = "binomial", *, check_separation: bool = True,
               formula: str | None = None) -> SurveyGLMResults:
    """Fit the model of `mm` with the design `rd` (resolved on the full frame `mm.rows` refers to).

    The score equations depend on the data only through the weighted sums of y and of the weights per
    distinct covariate pattern, so when the covariates are categorical statsmodels fits the (few) cells,
    with the cells' weighted means as responses and their weight totals as ``var_weights`` — the same
    equations, hence the same estimates, as the respondent-level fit. The sandwich uses every respondent.
    """
    fam = statsmodels_family(family)
    binomial = is_binomial(family)
    if len(rd.weights) != len(mm.rows):
        raise ValueError(f"the design has {len(rd.weights)} rows, the model's frame {len(mm.rows)}")
    w = rd.weights[mm.rows]
    if not (w > 0).any():
        raise ModelFitError("no respondents", "the model has no respondents with a positive weight")
    y = mm.y
    if binomial and ((y < 0) | (y > 1)).any():
        raise ValueError(f"a binomial response must lie in [0, 1] ({mm.response} does not)")
    if check_separation and binomial:
        separated = separated_levels(mm, w)
        if separated:
            variable, level, outcome = separated[0]
            who = "every respondent" if outcome == 1 else "no respondent"
            raise ModelFitError(
                "perfect prediction",
                f"perfect prediction: {who} with {_describe(variable, level)} has the outcome",
            )
    first, cell = covariate_cells(mm.X, mm.cell_codes)
    if 2 * len(first) > len(y):  # covariates (nearly) unique per respondent: nothing to gain
        first, cell = np.arange(len(y)), np.arange(len(y))
    Xc = mm.X[first]
    Wc = np.bincount(cell, weights=w, minlength=len(first))
    with np.errstate(invalid="ignore", divide="ignore"):
        yc = np.where(Wc > 0, np.bincount(cell, weights=w * y, minlength=len(first)) / Wc, 0.0)
    aliased = aliased_columns(Xc, Wc)
    keep = ~aliased
    X = Xc[:, keep]
    import statsmodels.api as sm  # loaded by statsmodels_family above

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = sm.GLM(yc, X, family=fam, var_weights=Wc / w.mean()).fit(
                method="IRLS", maxiter=MAX_ITERATIONS, tol=TOLERANCE, tol_criterion="params", wls_method="qr")
        except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
            raise ModelFitError("did not converge", f"the model could not be fitted ({exc})") from exc
    beta = np.asarray(result.params, dtype=np.float64)
    if not np.isfinite(beta).all():
        raise ModelFitError("did not converge", "the model did not converge (non-finite coefficients)")
    eta_c = X @ beta
    if binomial and np.abs(eta_c[Wc > 0]).max(initial=0.0) > SEPARATION_ETA:
        raise ModelFitError("perfect prediction", "perfect prediction: the fitted probabilities of some "
                            "respondents are 0 or 1 (separation); the model has no finite estimate")
    if not result.converged:
        raise ModelFitError("did not converge", f"the model did not converge in {MAX_ITERATIONS} iterations")
    link = fam.link
    mu_c = link.inverse(eta_c)
    dmu_c = link.inverse_deriv(eta_c)
    var_c = fam.variance(mu_c)
    A = X.T @ (X * (Wc * dmu_c * dmu_c / var_c)[:, None])
    try:
        A_inv = np.linalg.inv(A)
    except np.linalg.LinAlgError as exc:
        raise ModelFitError("singular", "the model's information matrix is singular") from exc
    # estimating functions (R: estfun) times A⁻¹: each respondent's influence on the coefficients
    influence = (mm.X[:, keep] @ A_inv) * (w * (y - mu_c[cell]) * (dmu_c / var_c)[cell])[:, None]
    cov_kept = design_covariance(rd, influence, mm.rows)
    p = mm.X.shape[1]
    params = np.full(p, np.nan)
    params[keep] = beta
    cov = np.full((p, p), np.nan)
    cov[np.ix_(keep, keep)] = cov_kept
    degf = design_df(rd, mm.rows)
    first_mask = np.zeros(len(y), dtype=bool)
    first_mask[first] = True
    return SurveyGLMResults(
        model=mm,
        family=family,
        coefficients=params,
        covariance=cov,
        aliased=aliased,
        design_df=degf,
        df_resid=degf + 1 - int(keep.sum()),
        weights=w,
        fitted=mu_c[cell],
        cells=mm.subset(first_mask) if len(first) < len(y) else mm,
        cell_of_row=cell,
        iterations=int(result.fit_history.get("iteration", 0)),
        converged=bool(result.converged),
        design=rd,
        formula=formula,
    )


def fit(
    frame: pd.DataFrame,
    design: Design | ResolvedDesign,
    formula: str,
    family: str = "binomial",
    domain: np.ndarray | pd.Series | None = None,
    *,
    check_separation: bool = True,
) -> SurveyGLMResults:
    """Fit a survey-weighted GLM, as R ``svyglm(formula, subset(design, domain), family=...)``.

    frame: the whole sample (the design is resolved on all its rows, so domain fits use the full design).
    formula: patsy syntax, e.g. ``"obesity ~ C(urban_rural, Treatment('K1')) + C(age_group) + C(sex)"``.
    family: "binomial" (= R quasibinomial, logistic) or "gaussian" (linear).
    domain: bool mask of the rows the model is for (None = all). Respondents with a missing value in a
        model variable are left out of the model, not out of the design.

    Raises `ModelFitError` when the maximum-likelihood estimate does not exist (perfect prediction: a level
    of a categorical term in which every respondent has, or no respondent has, the outcome) or the fit does
    not converge; a column that is a linear combination of the earlier ones is aliased (NaN), as in R.
    """
    rd = design if isinstance(design, ResolvedDesign) else resolve_design(frame, design)
    mm = model_matrix(frame, formula, domain)
    return fit_matrix(mm, rd, family, check_separation=check_separation, formula=formula)
