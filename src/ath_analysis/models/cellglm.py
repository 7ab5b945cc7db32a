"""Survey GLMs fitted from covariate-cell sufficient statistics (`ath_analysis.models.cells`), many at once.

The same estimator as `ath_analysis.models.fit` (R ``svyglm`` on ``subset(design, domain)``), computed from
per-(cell × unit) sums instead of per-respondent matrices, for a block of K responses that share a model
(the indicators of one comparison, for example):

* IRLS on the cells, vectorized over the responses: the steps statsmodels' IRLS takes (start μ = (ȳ + ½)/2
  for the logistic model; convergence when no coefficient changes by more than `glm.TOLERANCE`; at most
  `glm.MAX_ITERATIONS` steps), written as Newton steps so that each step refines the last;
* aliasing (R's pivoting rule, `glm.aliased_columns`), separation (a level of a term in which every or no
  respondent with a positive weight has the outcome) and the divergence check on the fitted linear predictor,
  with the messages and reasons of `ModelFitError`;
* the sandwich A⁻¹ M A⁻¹ with A = Σ_c W_c V(μ_c) x_c x_c' and M the with-replacement design covariance of
  the estimating functions, whose PSU totals are Σ_c x_c (Σwy − μ_c Σw) over the PSU's cells (see
  `ath_analysis.survey.scores` for the variance formula and the constants c_h, k_h);
* design df (PSUs − strata among the model's respondents with a positive weight) and the residual df;
* predictive margins (R ``svypredmeans``) with their linearized covariance, and Wald tests of a term.

A response whose model cannot be estimated does not stop the others: its `reason` and `message` say why
(`CellFits.result` raises the `ModelFitError` that `fit` would). The tests prove the results equal to R's
(the golden values) and to the respondent-level route.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from ath_analysis.models import glm as _glm
from ath_analysis.models.cells import CellModel, CellModelData, CellSums, ModelSums
from ath_analysis.models.families import inverse_link, inverse_link_derivative, is_binomial
from ath_analysis.models.glm import ModelFitError, aliased_columns
from ath_analysis.models.margins import MARGIN_COLUMNS, Margins
from ath_analysis.models.results import GLMCoefficients
from ath_analysis.survey.design import Design, ResolvedDesign
from ath_analysis.survey.intervals import logit, wald

EPS = np.finfo(np.float64).eps  # statsmodels clips probabilities to [eps, 1 − eps] in the IRLS weights
INVALID_RESPONSE = "invalid response"  # reason of a binomial response outside [0, 1] (`fit` raises ValueError)


# -- the batched fit -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CellFits:
    """One model fitted to K responses: arrays with a leading response axis.

    coefficients (K, p), covariance (K, p, p): NaN where aliased, and everywhere for a response whose fit
    failed; reason/message (K,): "" when the fit succeeded, else the `ModelFitError` reason ("no
    respondents", "perfect prediction", "did not converge", "singular") or "invalid response", and the
    message. design_df, df_resid (K,): as `SurveyGLMResults`.
    """

    model: CellModel
    family: str
    names: tuple[str, ...]
    coefficients: np.ndarray
    covariance: np.ndarray
    aliased: np.ndarray
    design_df: np.ndarray
    df_resid: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    reason: np.ndarray
    message: np.ndarray
    sums: ModelSums
    shift: np.ndarray
    variance_factor: np.ndarray  # (K,) the lonely-PSU "average" factor (1 for the other policies)

    @property
    def K(self) -> int:
        return len(self.names)

    @property
    def ok(self) -> np.ndarray:
        return self.reason == ""

    @property
    def is_binomial(self) -> bool:
        return is_binomial(self.family)

    def take(self, which: Sequence[int] | np.ndarray) -> CellFits:
        idx = np.asarray(which, dtype=np.int64)
        return replace(
            self, names=tuple(self.names[i] for i in idx), coefficients=self.coefficients[idx],
            covariance=self.covariance[idx], aliased=self.aliased[idx], design_df=self.design_df[idx],
            df_resid=self.df_resid[idx], iterations=self.iterations[idx], converged=self.converged[idx],
            reason=self.reason[idx], message=self.message[idx], sums=self.sums.take(idx), shift=self.shift[idx],
            variance_factor=self.variance_factor[idx])

    def result(self, k: int = 0) -> CellGLMResults:
        """The fit of response k as a `SurveyGLMResults`-like object; raises the error of a failed fit."""
        if self.reason[k] == INVALID_RESPONSE:
            raise ValueError(self.message[k])
        if self.reason[k]:
            raise ModelFitError(str(self.reason[k]), str(self.message[k]))
        return CellGLMResults(
            fits=self.take([k]), family=self.family, coefficients=self.coefficients[k],
            covariance=self.covariance[k], aliased=self.aliased[k], design_df=int(self.design_df[k]),
            df_resid=int(self.df_resid[k]), iterations=int(self.iterations[k]), converged=bool(self.converged[k]))

    def fitted_cells(self) -> np.ndarray:
        """(K, C) fitted mean of every model cell."""
        eta = np.nan_to_num(self.coefficients) @ self.model.X.T
        return inverse_link(self.is_binomial, eta)


def _fail(reason: np.ndarray, message: np.ndarray, where: Any, why: str, text: str | Sequence[str]) -> None:
    """Record a failure for the responses in `where` that have none yet (the first failure wins)."""
    new = np.asarray(where, dtype=bool) & (reason == "")
    reason[new] = why
    if isinstance(text, str):
        message[new] = text
    else:
        message[new] = np.asarray(text, dtype=object)[new]


def aliased_cells(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """(K, p) `glm.aliased_columns` of the cell matrix X (C × p) with cell weights W (K, C), batched."""
    K = W.shape[0]
    C, p = X.shape
    Xs = X[None, :, :] * np.sqrt(W)[:, :, None]
    norms = np.linalg.norm(Xs, axis=1)
    out = norms == 0
    clear = np.zeros(K, dtype=bool)
    if 0 < p <= C:
        r = np.abs(np.diagonal(np.linalg.qr(Xs, mode="r"), axis1=-2, axis2=-1))
        clear = ~out.any(axis=1) & (r > _glm.ALIAS_TOLERANCE * norms).all(axis=1)
    for k in np.flatnonzero(~clear):  # some column is (nearly) dependent: R's pivoting, column by column
        out[k] = aliased_columns(X, W[k])
    return out


def _masked(A: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """A (K, p, p) with the rows and columns of dropped coefficients replaced by the identity's."""
    both = keep[:, :, None] & keep[:, None, :]
    return np.where(both, A, 0.0) + (~keep)[:, :, None] * np.eye(A.shape[1])[None]


def _solve(A: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Batched solve; (solution, failed) with NaN for the systems that are singular."""
    try:
        return np.linalg.solve(A, b[..., None])[..., 0], np.zeros(len(A), dtype=bool)
    except np.linalg.LinAlgError:
        out = np.full(b.shape, np.nan)
        failed = np.zeros(len(A), dtype=bool)
        for k in range(len(A)):  # only after a singular system: find which
            try:
                out[k] = np.linalg.solve(A[k], b[k])
            except np.linalg.LinAlgError:
                failed[k] = True
        return out, failed


def _inverse(A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    try:
        return np.linalg.inv(A), np.zeros(len(A), dtype=bool)
    except np.linalg.LinAlgError:
        out = np.full(A.shape, np.nan)
        failed = np.zeros(len(A), dtype=bool)
        for k in range(len(A)):
            try:
                out[k] = np.linalg.inv(A[k])
            except np.linalg.LinAlgError:
                failed[k] = True
        return out, failed


def _gram(X: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(K, p, p) Σ_c weights_kc x_c x_c'."""
    return (X.T[None, :, :] * weights[:, None, :]) @ X


def _irls(X: np.ndarray, W: np.ndarray, ybar: np.ndarray, keep: np.ndarray, binomial: bool
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """IRLS on cells for K responses: (beta (K, p), iterations, converged, singular)."""
    K, p = keep.shape
    max_iterations, tolerance = _glm.MAX_ITERATIONS, _glm.TOLERANCE  # read at call time (tests change them)
    if binomial:
        mu = (ybar + 0.5) / 2
        eta = np.log(mu / (1 - mu))
    else:  # the working response is y itself: the start does not matter
        mu = eta = ybar
    beta = np.zeros((K, p))
    iterations = np.zeros(K, dtype=np.int64)
    converged = np.zeros(K, dtype=bool)
    singular = np.zeros(K, dtype=bool)
    done = np.zeros(K, dtype=bool)
    for it in range(max_iterations):
        if binomial:
            m = np.clip(mu, EPS, 1 - EPS)
            v = m * (1 - m)
        else:
            v = np.ones_like(mu)
        A = _masked(_gram(X, W * v), keep)
        if it == 0:  # statsmodels' first step: weighted least squares on the working response at the start
            z = eta + (ybar - mu) / v
            rhs = (W * v * z) @ X
        else:  # later steps: β + A⁻¹ X'W(y − μ), the same step with the current β's rounding refined
            rhs = (W * (ybar - mu)) @ X
        step, failed = _solve(A, np.where(keep, rhs, 0.0))
        new = step if it == 0 else beta + step
        active = ~done
        singular |= failed & active
        change = np.abs(new - beta)
        now = active & ~failed & (change <= tolerance).all(axis=1)  # NaN is never converged
        beta = np.where(active[:, None], new, beta)
        iterations = np.where(active, it + 1, iterations)
        converged |= now
        done |= now | failed
        if done.all():
            break
        eta = beta @ X.T
        mu = inverse_link(binomial, eta)
    return beta, iterations, converged, singular


def _separation(model: CellModel, ms: ModelSums, reason: np.ndarray, message: np.ndarray) -> None:
    """As `glm.separated_levels`: the first level (terms in order) whose respondents with a positive weight all
    have the outcome 0 or all 1; the binomial MLE does not exist."""
    quantities = ms.quantities
    for t in model.terms:
        if not len(t.levels):
            continue
        by_level = model.level_sums(ms.cells, t.variable)  # (L, q, K)
        npos = by_level[:, quantities.index("npos"), :].T
        zero = (npos > 0) & (by_level[:, quantities.index("gt0"), :].T == 0)
        one = (npos > 0) & (by_level[:, quantities.index("lt1"), :].T == 0)
        hit = zero | one
        found = hit.any(axis=1) & (reason == "")
        for k in np.flatnonzero(found):  # one message per response that has a separated level
            g = int(np.argmax(hit[k]))
            who = "no respondent" if zero[k, g] else "every respondent"
            reason[k] = "perfect prediction"
            message[k] = f"perfect prediction: {who} with {t.variable} = {t.levels[g]} has the outcome"


def _presence(model: CellModel, ms: ModelSums) -> tuple[np.ndarray, np.ndarray]:
    """(design df, lonely-PSU "average" factor) of each response's model rows."""
    rd = model.data.design
    npos, n = ms.atom("npos"), ms.atom("n")  # (K, A_m)
    unit_pos = (model.unit_matrix @ (npos > 0).T.astype(np.float64)) > 0  # (U_m, K)
    strata_pos = (model.stratum_matrix @ unit_pos.astype(np.float64)) > 0
    n_units = unit_pos.sum(axis=0) if model.data.clustered else npos.sum(axis=1)
    design_df = np.rint(n_units - strata_pos.sum(axis=0)).astype(np.int64)
    factor = np.ones(len(design_df))
    if rd.policy == "average":
        unit_n = (model.unit_matrix @ (n > 0).T.astype(np.float64)) > 0
        strata_n = (model.stratum_matrix @ unit_n.astype(np.float64)) > 0
        nstrat = strata_n.sum(axis=0)
        nlonely = (strata_n & model.stratum_lonely[:, None]).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(nstrat > nlonely, nstrat / (nstrat - nlonely), np.nan)
    return design_df, factor


def design_variance(model: CellModel, Z: np.ndarray, within: np.ndarray | None, factor: np.ndarray) -> np.ndarray:
    """(K, r, r) design covariance of linearized statistics from their per-atom totals Z (A_m, K, r).

    within: (K, r, r) Σ_i c_h z_i z_i' when respondents are their own PSUs (from per-cell sums), unused with
    PSUs, whose totals come from the atoms. As `ath_analysis.survey.scores.design_covariance`.
    """
    A_m, K, r = Z.shape
    units = (model.unit_matrix @ Z.reshape(A_m, K * r)).reshape(-1, K, r)
    if model.data.clustered:
        zt = units.transpose(1, 2, 0)  # (K, r, U)
        first = (zt * model.unit_c) @ zt.transpose(0, 2, 1)
    else:
        if within is None:
            raise ValueError("a design without PSUs needs the within-cell sums of squares")
        first = within
    strata = (model.stratum_matrix @ units.reshape(units.shape[0], K * r)).reshape(-1, K, r)
    st = strata.transpose(1, 2, 0)
    variance = (first - (st * model.stratum_k) @ st.transpose(0, 2, 1)) * factor[:, None, None]
    return (variance + variance.transpose(0, 2, 1)) / 2


def fit_cells(model: CellModel, sums: CellSums | ModelSums, family: str = "binomial", *,
              exclude: Mapping[str, np.ndarray] | None = None, check_separation: bool = True) -> CellFits:
    """Fit `model` to every response of `sums` (survey-weighted, design-based covariance).

    sums: the data's `CellSums`, or their aggregate to this model (`CellModel.aggregate`, reusable).
    exclude: term variable -> (K, L) bool: levels whose respondents leave the model of that response (e.g.
        a level whose respondents all have the outcome, reported separately). The design is never
        subset: excluded respondents count as zeros, as `fit`'s respondents outside the domain.
    """
    binomial = is_binomial(family)
    X = model.X
    K, (C, p) = sums.K, X.shape
    ms = model.aggregate(sums) if isinstance(sums, CellSums) else sums
    if exclude:
        drop = np.zeros((K, C), dtype=bool)
        for variable, levels in exclude.items():
            drop |= np.asarray(levels, dtype=bool)[:, model.term(variable).cell_level]
        ms = model.exclude(ms, drop)
    W, Y0 = ms.cell("W"), ms.cell("Y")
    with np.errstate(invalid="ignore", divide="ignore"):
        ybar = np.where(W > 0, Y0 / W + ms.shift[:, None], 0.0)
    reason = np.full(K, "", dtype=object)
    message = np.full(K, "", dtype=object)
    _fail(reason, message, ms.cell("npos").sum(axis=1) == 0, "no respondents",
          "the model has no respondents with a positive weight")
    if binomial:
        _fail(reason, message, ms.cell("bad").sum(axis=1) > 0, INVALID_RESPONSE,
              [f"a binomial response must lie in [0, 1] ({name} does not)" for name in ms.names])
        if check_separation:
            _separation(model, ms, reason, message)
    aliased = aliased_cells(X, W)
    keep = ~aliased
    coefficients = np.full((K, p), np.nan)
    covariance = np.full((K, p, p), np.nan)
    iterations = np.zeros(K, dtype=np.int64)
    converged = np.zeros(K, dtype=bool)
    design_df, factor = _presence(model, ms)
    fitting = np.flatnonzero(reason == "")
    if len(fitting):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            beta, its, conv, singular = _irls(X, W[fitting], ybar[fitting], keep[fitting], binomial)
        iterations[fitting], converged[fitting] = its, conv
        sub_reason, sub_message = reason[fitting], message[fitting]
        _fail(sub_reason, sub_message, singular, "did not converge", "the model could not be fitted (Singular matrix)")
        finite = np.isfinite(np.where(keep[fitting], beta, 0.0)).all(axis=1)
        _fail(sub_reason, sub_message, ~finite, "did not converge",
              "the model did not converge (non-finite coefficients)")
        eta = np.where(keep[fitting], beta, 0.0) @ X.T
        if binomial:
            diverged = (np.where(W[fitting] > 0, np.abs(np.nan_to_num(eta, nan=np.inf)), 0.0)
                        > _glm.SEPARATION_ETA).any(axis=1)
            _fail(sub_reason, sub_message, diverged, "perfect prediction",
                  "perfect prediction: the fitted probabilities of some respondents are 0 or 1 (separation); the "
                  "model has no finite estimate")
        _fail(sub_reason, sub_message, ~conv, "did not converge",
              f"the model did not converge in {_glm.MAX_ITERATIONS} iterations")
        good = sub_reason == ""
        if good.any():
            sel = fitting[good]
            beta_g, eta_g, keep_g = np.where(keep[sel], beta[good], 0.0), eta[good], keep[sel]
            mu = inverse_link(binomial, eta_g)
            A_inv, singular_a = _inverse(_masked(_gram(X, W[sel] * inverse_link_derivative(binomial, eta_g)),
                                                 keep_g))
            bad_a = np.zeros(len(good), dtype=bool)
            bad_a[good] = singular_a
            _fail(sub_reason, sub_message, bad_a, "singular", "the model's information matrix is singular")
            A_inv = np.where((keep_g[:, :, None] & keep_g[:, None, :]), A_inv, 0.0)
            mu0 = mu - ms.shift[sel, None]  # centred as the sums of y are
            resid = ms.atom("Y")[sel] - mu0[:, model.atom_cell] * ms.atom("W")[sel]  # (k, A_m)
            Z = model.X[model.atom_cell][:, None, :] * resid.T[:, :, None]
            within = None
            if not model.data.clustered:
                q = ms.cell("CYY")[sel] - 2 * mu0 * ms.cell("CY")[sel] + mu0 * mu0 * ms.cell("C2")[sel]
                within = _gram(X, q)
            meat = design_variance(model, Z, within, factor[sel])
            cov = A_inv @ meat @ A_inv
            cov = np.where(keep_g[:, :, None] & keep_g[:, None, :], (cov + cov.transpose(0, 2, 1)) / 2, np.nan)
            ok_now = ~singular_a
            coefficients[sel[ok_now]] = np.where(keep_g, beta_g, np.nan)[ok_now]
            covariance[sel[ok_now]] = cov[ok_now]
        reason[fitting], message[fitting] = sub_reason, sub_message
    df_resid = design_df + 1 - keep.sum(axis=1)
    return CellFits(model, family, tuple(ms.names), coefficients, covariance, aliased, design_df, df_resid,
                    iterations, converged, reason, message, ms, ms.shift, factor)


# -- tests and margins, batched --------------------------------------------------------------------------------
def _term_columns(model: CellModel, term: str) -> np.ndarray:
    if term in model.term_columns:
        return model.term_columns[term]
    return model.term(term).columns


def cell_wald(fits: CellFits, term: str) -> dict[str, np.ndarray]:
    """Wald F tests that a term's (estimable) coefficients are zero, per response (R ``regTermTest``):
    arrays F, ndf, ddf, p of length K (NaN where the fit failed or the covariance is singular)."""
    columns = _term_columns(fits.model, term)
    K = fits.K
    F = np.full(K, np.nan)
    ndf = np.zeros(K, dtype=np.int64)
    ddf = fits.df_resid.astype(np.int64)
    usable = ~fits.aliased[:, columns]
    if K and (usable == usable[0]).all():  # the usual case: the same columns estimable for every response
        patterns, which = usable[:1], np.zeros(K, dtype=np.int64)
    else:
        patterns, which = np.unique(usable, axis=0, return_inverse=True)
    for j, pattern in enumerate(patterns):  # usually one pattern: the same columns are estimable everywhere
        cols = columns[pattern]
        ks = np.flatnonzero((which.reshape(-1) == j) & fits.ok)
        ndf[which.reshape(-1) == j] = len(cols)
        if not len(cols) or not len(ks):
            continue
        beta = fits.coefficients[np.ix_(ks, cols)]
        V = fits.covariance[ks][:, cols][:, :, cols]
        x, failed = _solve(V, beta)
        F[ks] = np.where(failed, np.nan, np.einsum("kp,kp->k", beta, x) / len(cols))
    with np.errstate(invalid="ignore"):
        p = np.where((ddf > 0) & (ndf > 0), special.fdtrc(np.maximum(ndf, 1), np.maximum(ddf, 1), F), np.nan)
    return {"F": F, "ndf": ndf, "ddf": ddf, "p": p}


def _level_index(levels: Sequence[Any], level: Any) -> int:
    for k, lv in enumerate(levels):
        if lv == level or str(lv) == str(level):
            return k
    raise KeyError(f"no level {level!r} (levels: {', '.join(map(str, levels))})")


def cell_margins(fits: CellFits, variable: str, levels: Sequence[Any] | None = None, reference: Any = None,
                 level: float = 0.95) -> dict[str, np.ndarray]:
    """Predictive margins of `variable`'s levels per response, as `margins.margin_arrays`: (K, G) arrays
    level, n, is_reference, estimate, se, ci_low, ci_high, difference, diff_se, diff_ci_low, diff_ci_high,
    and cov (K, G, G). Levels default to all the term's levels, the reference to the term's."""
    if not 0.5 <= level < 1:
        raise ValueError(f"level is the coverage of the intervals, in [0.5, 1) (e.g. 0.95), got {level!r}")
    model = fits.model
    t = model.term(variable)
    levels = list(t.levels) if levels is None else list(levels)
    if reference is None:
        reference = t.reference if t.reference in levels else levels[0]
    index = [_level_index(t.levels, lv) for lv in levels]
    r = _level_index(levels, reference)
    K, G = fits.K, len(levels)
    X = model.X
    Xg = np.repeat(X[None, :, :], G, axis=0)  # (G, C, p): every cell with the variable set to the level
    Xg[:, :, t.columns] = 0.0
    for g, li in enumerate(index):
        if t.level_column[li] >= 0:
            Xg[g, :, t.level_column[li]] = 1.0
    beta = np.nan_to_num(fits.coefficients)
    Vb = np.nan_to_num(fits.covariance)
    binomial = fits.is_binomial
    eta = np.einsum("gcp,kp->kgc", Xg, beta)
    f = inverse_link(binomial, eta)
    d = inverse_link_derivative(binomial, eta)
    Wc = fits.sums.cell("W")
    with np.errstate(invalid="ignore", divide="ignore"):
        Wt = Wc.sum(axis=1)
        estimate = np.einsum("kc,kgc->kg", Wc, f) / Wt[:, None]
        D = np.einsum("kc,kgc,gcp->kpg", Wc, d, Xg) / Wt[:, None, None]
    own = t.level_column[index]
    estimable = np.where(own[None, :] >= 0, ~fits.aliased[:, np.maximum(own, 0)], True) & fits.ok[:, None]
    estimate = np.where(estimable, estimate, np.nan)
    centred = np.where(estimable[:, :, None], f - np.nan_to_num(estimate)[:, :, None], 0.0)
    Wa = fits.sums.atom("W")  # (K, A_m)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(Wt > 0, 1 / Wt, 0.0)
        Z = (Wa[:, None, :] * centred[:, :, model.atom_cell] * scale[:, None, None]).transpose(2, 0, 1)
        within = None
        if not model.data.clustered:
            within = np.einsum("kc,kgc,khc->kgh", fits.sums.cell("C2"), centred, centred) * (scale ** 2)[:, None, None]
    cov = np.einsum("kpg,kpq,kqh->kgh", D, Vb, D) + design_variance(model, Z, within, fits.variance_factor)
    nan = ~estimable
    cov = np.where(nan[:, :, None] | nan[:, None, :], np.nan, cov)
    diag = np.diagonal(cov, axis1=1, axis2=2)
    se = np.sqrt(np.clip(diag, 0.0, None))
    difference = estimate - estimate[:, [r]]
    diff_se = np.sqrt(np.clip(diag + diag[:, [r]] - 2 * cov[:, :, r], 0.0, None))
    diff_se[:, r] = np.where(estimable[:, r], 0.0, np.nan)
    df = np.broadcast_to(fits.df_resid.astype(np.float64)[:, None], (K, G))
    interval = logit if binomial else wald
    ci_low, ci_high = interval(estimate, se, df, level)
    diff_low, diff_high = wald(difference, diff_se, df, level)
    diff_low[:, r] = diff_high[:, r] = np.where(estimable[:, r], 0.0, np.nan)
    counts = model.level_sums(fits.sums.cells, variable)[:, fits.sums.quantities.index("n"), :].T  # (K, L)
    return {"level": np.array(levels, dtype=object), "n": np.rint(counts[:, index]).astype(np.int64),
            "is_reference": np.arange(G) == r, "estimate": estimate, "se": se, "ci_low": ci_low,
            "ci_high": ci_high, "difference": difference, "diff_se": diff_se, "diff_ci_low": diff_low,
            "diff_ci_high": diff_high, "cov": cov}


# -- one response as a SurveyGLMResults-like object ----------------------------------------------------------
@dataclass(frozen=True, repr=False)
class CellGLMResults(GLMCoefficients):
    """One response's fit from `CellFits.result`: the accessors of `SurveyGLMResults` (params, cov, bse,
    pvalues, conf_int(alpha), summary(), wald_test, predictive_margins) computed from the cells."""

    fits: CellFits
    family: str
    coefficients: np.ndarray
    covariance: np.ndarray
    aliased: np.ndarray
    design_df: int
    df_resid: int
    iterations: int
    converged: bool
    formula: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return self.fits.model.columns

    @property
    def terms(self) -> Mapping[str, np.ndarray]:
        return self.fits.model.term_columns

    @property
    def term_variables(self) -> Mapping[str, tuple[str, ...]]:
        return self.fits.model.term_variables

    @property
    def response(self) -> str:
        return self.fits.names[0]

    @property
    def nobs(self) -> int:
        """Respondents in the model (zero weights included, as `SurveyGLMResults.nobs`)."""
        return int(round(self.fits.sums.cell("n")[0].sum()))

    def __repr__(self) -> str:
        return f"<CellGLMResults {self.family} of {self.response}: {self.nobs} respondents>"

    def predictive_margins(self, variable: str, levels: Sequence[Any] | None = None, reference: Any = None,
                           level: float = 0.95) -> Margins:
        """As `SurveyGLMResults.predictive_margins` (default levels: those with respondents in the model)."""
        t = self.fits.model.term(variable)
        if levels is None:
            n = self.fits.sums.quantities.index("n")
            counts = self.fits.model.level_sums(self.fits.sums.cells, variable)[:, n, 0]
            levels = [lv for lv, c in zip(t.levels, counts, strict=True) if c > 0]
        levels = list(levels)
        if not levels:
            raise ValueError(f"{variable} has no levels with respondents in the model")
        if reference is None:
            reference = t.reference if t.reference in levels else levels[0]
        if reference not in levels:
            raise ValueError(f"reference level {reference!r} is not among the levels {levels}")
        arrays = cell_margins(self.fits, variable, levels, reference, level)
        cov = arrays.pop("cov")[0]
        table = pd.DataFrame({c: (arrays[c] if arrays[c].ndim == 1 else arrays[c][0]) for c in MARGIN_COLUMNS})
        return Margins(variable, reference, table[MARGIN_COLUMNS], pd.DataFrame(cov, index=levels, columns=levels),
                       int(self.df_resid), level)


def fit_categorical(frame: pd.DataFrame, design: Design | ResolvedDesign, response: str,
                    variables: Mapping[str, Any], family: str = "binomial",
                    domain: np.ndarray | pd.Series | None = None,
                    levels: Mapping[str, Sequence[Any]] | None = None, *,
                    check_separation: bool = True) -> CellGLMResults:
    """`fit` for a main-effects model of categorical `variables` (variable -> reference level or None), from
    cell sums: the same model as ``response ~ C(a, Treatment(ref)) + C(b) + …`` and the same results."""
    data = CellModelData.from_frame(frame, design, list(variables), domain, levels)
    model = data.model(variables)
    sums = data.sums(frame[response].to_numpy(dtype=np.float64, na_value=np.nan), [response])
    fits = fit_cells(model, sums, family, check_separation=check_separation)
    return fits.result(0)


