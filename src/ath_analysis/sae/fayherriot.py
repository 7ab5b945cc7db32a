"""`fay_herriot`: area-level small-area estimation for sub-areas too small for direct estimates."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from ath_analysis.sae._checks import SAEDataError, as_vector, index_of
from ath_analysis.sae.benchmark import benchmark_adjust, parse_benchmark
from ath_analysis.sae.model import METHODS, fit_variance
from ath_analysis.sae.mse import mse_terms, resolve_mse_method
from ath_analysis.sae.result import AREA_COLUMNS, FayHerriotResult
from ath_analysis.sae.transform import (
    ARCSINE_TRANSFORMS,
    BACK_TRANSFORMS,
    TRANSFORMS,
    arcsine,
    back_interval,
    back_mse,
    back_point,
    freeman_tukey,
)
from ath_analysis.sae.variance import SMOOTH_MODES, smooth_arcsine, smooth_raw

INTERCEPT = "(Intercept)"


def fay_herriot(  # noqa: C901
    direct: Any,
    variance: Any,
    covariates: pd.DataFrame | np.ndarray | None = None,
    *,
    method: str = "REML",
    transform: str | None = None,
    n: Any = None,
    deff: Any = None,
    population: Any = None,
    mse: str = "auto",
    benchmark: tuple[float, Any] | None = None,
    benchmark_method: str = "ratio",
    smooth: str = "auto",
    min_n: float = 30,
    back_transform: str = "naive",
    intercept: bool = True,
    area: Any = None,
    level: float = 0.95,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> FayHerriotResult:
    """Fit the Fay–Herriot model and return EBLUPs (synthetic estimates where there is no direct estimate).

    Why: most sub-areas get far too few respondents for a usable direct estimate. The EBLUP
    θ̂_i = γ_i y_i + (1 − γ_i) x_i'β̂, γ_i = σ²_v / (σ²_v + ψ_i), leans on the regression on area covariates
    exactly as much as the direct estimate is noisy, and comes with a second-order correct MSE.

    direct: one direct estimate per area (NaN: no respondents → synthetic estimate x_i'β̂). With
        ``transform="arcsine"`` or ``"freeman_tukey"``, proportions in [0, 1].
    variance: the direct estimates' sampling variances ψ_i (for the arcsine transforms: the variance of p̂,
        used only to derive each area's design effect when `deff` is not given). None is allowed with an
        arcsine transform + `deff`.
    covariates: area-level covariates (DataFrame, or an array with one row per area); None = intercept only.
        An intercept column is added unless ``intercept=False``. They must be known for every area.
    method: "REML" (default) or "ML" for σ²_v, by Fisher scoring on [0, ∞) as R's metafor; σ̂²_v = 0 is
        allowed (then every estimate is synthetic). "AREML" (Li & Lahiri 2010: maximise σ²_v · L_RE) or
        "AREML_YL" (Yoshimori & Lahiri 2014) keep σ̂²_v > 0 — see `ath_analysis.sae.model`.
    transform: None, "arcsine" or "freeman_tukey": model θ = asin(√p); "arcsine" takes y = asin(√p̂) with
        ψ_i = deff_i / (4 n_i), i.e. 1 / (4 n_eff) with n_eff = n / deff; "freeman_tukey" the double arcsine of
        p̂ with ψ_i = 1 / (4 n_eff + 2), accurate down to a few respondents (the plain form understates the
        variance for n below ~30). Both need `n`. See `ath_analysis.sae.transform` for the transforms, the
        back-transformation, MSE and CI.
    n: respondents per area; needed for the arcsine transforms and for smoothing variances.
    deff: design effects per area for the arcsine transforms (default: implied by `variance`, v·n / (p(1−p))).
    population: people per area whose mean is the target (arcsine transforms only; None = infinite).
        The target of a small area is its finite-population proportion, which differs from the model's
        smooth mean by binomial noise of variance ≈ 1 / (4 N_i) on the arcsine scale — as large as the
        between-area variance itself for villages of a few hundred people. With `population` that known
        term τ²_i = 1 / (4 N_i) is added to the area-effect variance: γ_i = (σ²_v + τ²_i) / (σ²_v + τ²_i + ψ_i),
        and the synthetic MSE includes τ²_i. σ²_v is then the between-area variance beyond it.
    mse: "prasad_rao" (g1 + g2 + 2 g3), "datta_lahiri" (adds −b_ML ∇g1 for ML fits), "li_lahiri" (adds
        −b_LL ∇g1 for AREML) or "auto" (PR for REML and AREML_YL, DL for ML, LL for AREML). See
        `ath_analysis.sae.mse` for the formulas (Rao & Molina 2015, ch. 6).
    benchmark: (target, weights) so that Σ w_i θ̂_i = target on the reported scale, with
        ``benchmark_method`` "ratio" or "difference" (see `ath_analysis.sae.benchmark`).
    smooth, min_n: which areas get a smoothed sampling variance ("auto": unusable direct variance or
        n < min_n; "all"; "none") — see `ath_analysis.sae.variance`.
    back_transform: "naive" sin²(θ̂) or "bias_corrected" E[sin²θ | data] (arcsine transforms only).
    area: area labels (default: the index of `direct` or `covariates` when they are pandas objects).
    level: interval level. tol, max_iter: Fisher scoring convergence (relative change of σ²_v).

    Raises ValueError (or `SAEDataError`, both a ValueError and an `ath_analysis.errors.DataError`) naming the
    argument for mismatched lengths, non-finite covariates, singular covariates, too few areas, and
    non-positive or missing variances that cannot be smoothed.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    mse_method = resolve_mse_method(mse, method)
    if transform not in TRANSFORMS:
        raise ValueError(f"transform must be None, 'arcsine' or 'freeman_tukey', got {transform!r}")
    if back_transform not in BACK_TRANSFORMS:
        raise ValueError(f"back_transform must be one of {', '.join(BACK_TRANSFORMS)}, got {back_transform!r}")
    if smooth not in SMOOTH_MODES:
        raise ValueError(f"smooth must be one of {', '.join(SMOOTH_MODES)}, got {smooth!r}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    if not (isinstance(min_n, int | float) and min_n >= 0):
        raise ValueError(f"min_n must be a non-negative number, got {min_n!r}")
    if deff is not None and transform not in ARCSINE_TRANSFORMS:
        raise ValueError("deff is used only with transform='arcsine' or 'freeman_tukey' (ψ = deff / (4 n)); "
                         "pass the variances instead")
    if population is not None and transform not in ARCSINE_TRANSFORMS:
        raise ValueError("population is used only with transform='arcsine' or 'freeman_tukey' (τ² = 1 / (4 N))")

    y0 = as_vector(direct, "direct")
    m = y0.shape[0]
    if m == 0:
        raise ValueError("direct is empty")
    if np.isinf(y0).any():
        raise SAEDataError(f"direct: {int(np.isinf(y0).sum())} infinite value(s)")
    labels = _labels(area, direct, covariates, m)
    var = None if variance is None else as_vector(variance, "variance", m)
    n_arr = None if n is None else as_vector(n, "n", m)
    if n_arr is not None and (n_arr < 0).any():
        raise SAEDataError("n: respondent counts must be non-negative")
    deff_arr = None if deff is None else as_vector(deff, "deff", m)
    tau2 = np.zeros(m)
    if population is not None:
        pop = as_vector(population, "population", m)
        bad_pop = ~(np.isfinite(pop) & (pop > 0))
        if bad_pop.any():
            shown = ", ".join(str(x) for x in labels[bad_pop][:8])
            raise SAEDataError(f"population: {int(bad_pop.sum())} area(s) have a missing or non-positive "
                               f"population (areas {shown})")
        tau2 = 1.0 / (4.0 * pop)
    X, names = _design_matrix(covariates, intercept, m, labels)
    sampled = np.isfinite(y0)
    if n_arr is not None and (sampled & (n_arr == 0)).any():
        raise SAEDataError("n: an area with a direct estimate has n = 0 respondents")

    # ------------------------------------------------------------------ the model scale and sampling variances
    if transform in ARCSINE_TRANSFORMS:
        if n_arr is None:
            raise ValueError(f"transform={transform!r} needs n (respondents per area): ψ = deff / (4 n)")
        outside = sampled & ((y0 < 0) | (y0 > 1))
        if outside.any():
            raise SAEDataError(f"direct: transform={transform!r} needs proportions in [0, 1]; "
                               f"{int(outside.sum())} value(s) are outside")
        if var is None and deff_arr is None:
            raise ValueError(f"transform={transform!r} needs variance or deff to know each area's design effect")
        sv = smooth_arcsine(y0, var, deff_arr, sampled, n_arr, min_n, smooth, labels, transform)
        if transform == "freeman_tukey":
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.where(sampled, freeman_tukey(y0, n_arr / sv.deff), np.nan)
        else:
            y = arcsine(y0)
    else:
        if var is None:
            raise ValueError("variance is required (the direct estimates' sampling variances)")
        if smooth == "all" and n_arr is None:
            raise ValueError("smooth='all' needs n (respondents per area) for the variance smoothing function")
        y = y0
        sv = smooth_raw(var, sampled, n_arr, min_n, smooth, labels)
    psi = sv.psi

    k, p = int(sampled.sum()), X.shape[1]
    if k <= p:
        raise SAEDataError(f"direct: {k} area(s) have a direct estimate but the model has {p} coefficient(s); "
                           "at least p + 1 are needed")
    xs = X[sampled]
    if np.linalg.matrix_rank(xs) < p:
        raise SAEDataError(f"covariates: the design matrix of the {k} areas with a direct estimate is singular "
                           f"(columns {', '.join(names)}: collinear or constant"
                           + (", or a constant column duplicating the intercept" if intercept else "") + ")")

    # ------------------------------------------------------------------------------------------- the fit
    fit = fit_variance(y[sampled], psi[sampled] + tau2[sampled], xs, method, tol=tol, max_iter=max_iter)
    sigma2, beta, cov = fit.sigma2, fit.gls.beta, fit.gls.cov_beta
    xb = X @ beta
    d = sigma2 + tau2  # the area-effect variance
    with np.errstate(invalid="ignore", divide="ignore"):
        gamma = np.where(sampled, d / (d + psi), np.nan)
        theta = np.where(sampled, gamma * y + (1.0 - gamma) * xb, xb)
        std_resid = np.where(sampled, (y - xb) / np.sqrt(d + psi), np.nan)
    terms = mse_terms(sigma2, psi, X, sampled, cov, method, mse_method, tau2)
    crit = float(special.ndtri(0.5 + level / 2.0))
    half = crit * np.sqrt(terms.mse)
    low, high = theta - half, theta + half

    extra: dict[str, np.ndarray] = {}
    if transform in ARCSINE_TRANSFORMS:
        cond_var = np.where(sampled, terms.g1, d)
        estimate = back_point(theta, cond_var, back_transform)
        synthetic = back_point(xb, d, back_transform)
        mse_out = back_mse(theta, terms.mse)
        low, high = back_interval(low, high)
        extra = {"estimate_transformed": theta, "mse_transformed": terms.mse}
    else:
        estimate, synthetic, mse_out = theta, xb, terms.mse

    bench_info = None
    parsed = parse_benchmark(benchmark, m)
    if parsed is not None:
        target, weights = parsed
        adjusted, adjustment = benchmark_adjust(estimate, target, weights, benchmark_method)
        extra["estimate_unbenchmarked"] = estimate
        if benchmark_method == "ratio":
            low, high = low * adjustment, high * adjustment
        else:
            low, high = low + adjustment, high + adjustment
        estimate = adjusted
        bench_info = {"target": target, "method": benchmark_method, "adjustment": adjustment}

    rmse = np.sqrt(mse_out)
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = rmse / estimate
        direct_se = np.where(sampled, np.sqrt(var), np.nan) if var is not None else np.full(m, np.nan)
    areas = pd.DataFrame({
        "area": labels,
        "n": n_arr if n_arr is not None else np.full(m, np.nan),
        "direct": y0,
        "direct_se": direct_se,
        "estimate": estimate,
        "mse": mse_out,
        "rmse": rmse,
        "cv": cv,
        "ci_low": low,
        "ci_high": high,
        "gamma": gamma,
        "estimate_type": np.where(sampled, "eblup", "synthetic"),
        "smoothed_variance": sv.smoothed,
        "psi": psi,
        "synthetic": synthetic,
        "g1": terms.g1,
        "g2": terms.g2,
        "g3": terms.g3,
        "std_residual": std_resid,
    }, columns=AREA_COLUMNS)
    if population is not None:
        extra["tau2"] = tau2
    for column, values in extra.items():
        areas[column] = values

    parms = p + 1
    penalty_n = k if method == "ML" else k - p
    resid_s = std_resid[sampled]
    shapiro_p = _shapiro_p(resid_s)
    return FayHerriotResult(
        areas=areas,
        sigma2_v=sigma2,
        sigma2_v_se=fit.sigma2_se,
        beta=pd.Series(beta, index=names, name="beta"),
        beta_cov=pd.DataFrame(cov, index=names, columns=names),
        loglik=fit.loglik,
        aic=-2.0 * fit.loglik + 2.0 * parms,
        bic=-2.0 * fit.loglik + parms * float(np.log(penalty_n)),
        method=method,
        mse_method=mse_method,
        transform=transform,
        back_transform=back_transform if transform else None,
        iterations=fit.iterations,
        converged=fit.converged,
        level=level,
        b_ml=terms.b_ml,
        shapiro_p=shapiro_p,
        gvf=sv.gvf,
        benchmark=bench_info,
        sigma2_v_bias=terms.bias,
        mse_floored=0 if terms.floored is None else int(np.sum(terms.floored)),
    )


def _labels(area: Any, direct: Any, covariates: Any, m: int) -> np.ndarray:
    """Area labels; refuses pandas inputs whose indexes disagree (they would be silently misaligned)."""
    idx_direct, idx_cov = index_of(direct), index_of(covariates)
    if idx_direct is not None and idx_cov is not None and len(idx_direct) == len(idx_cov) \
            and not idx_direct.equals(idx_cov):
        raise ValueError("direct and covariates have different indexes: align them (e.g. covariates.loc[direct."
                         "index]) — values are matched by position")
    if area is not None:
        labels = np.asarray(area, dtype=object).ravel()
        if labels.shape[0] != m:
            raise ValueError(f"area has {labels.shape[0]} labels but direct has {m} values")
        return labels
    for idx in (idx_direct, idx_cov):
        if idx is not None and not isinstance(idx, pd.RangeIndex):
            return np.asarray(idx, dtype=object)
    return np.arange(m, dtype=object)


def _design_matrix(covariates: Any, intercept: bool, m: int, labels: np.ndarray) -> tuple[np.ndarray, list[str]]:
    if covariates is None:
        blocks, names = np.empty((m, 0)), []
    elif isinstance(covariates, pd.DataFrame):
        non_numeric = [c for c in covariates.columns if not pd.api.types.is_numeric_dtype(covariates[c])]
        if non_numeric:
            raise ValueError(f"covariates must be numeric; column(s) {', '.join(map(str, non_numeric))} are not "
                             "(make dummy columns first)")
        blocks = covariates.to_numpy(dtype=float, na_value=np.nan)
        names = [str(c) for c in covariates.columns]
    else:
        try:
            blocks = np.asarray(covariates, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"covariates must be numeric: {exc}") from None
        if blocks.ndim == 1:
            blocks = blocks[:, None]
        if blocks.ndim != 2:
            raise ValueError(f"covariates must be 2-D (areas × covariates), got shape {blocks.shape}")
        names = [f"x{j + 1}" for j in range(blocks.shape[1])]
    if blocks.shape[0] != m:
        raise ValueError(f"covariates has {blocks.shape[0]} rows but direct has {m} values: one row per area")
    if intercept:
        blocks = np.column_stack([np.ones(m), blocks])
        names = [INTERCEPT, *names]
    if blocks.shape[1] == 0:
        raise ValueError("the model has no covariates: pass covariates or intercept=True")
    bad = ~np.isfinite(blocks).all(axis=1)
    if bad.any():
        shown = ", ".join(str(x) for x in labels[bad][:8])
        raise SAEDataError(f"covariates: {int(bad.sum())} area(s) have missing or infinite covariate values "
                           f"(areas {shown}); covariates must be known for every area")
    return blocks, names


def _shapiro_p(residuals: np.ndarray) -> float:
    """Shapiro–Wilk p of the standardized residuals (NaN outside 3–5000 areas or when they are all equal)."""
    if not 3 <= len(residuals) <= 5000 or np.ptp(residuals) == 0:
        return float("nan")
    from scipy import stats  # here, not at the top: scipy.stats takes a second to load, for this one test

    return float(stats.shapiro(residuals).pvalue)
