"""Fitting the Fay–Herriot model: σ²_v by REML, ML or an adjusted REML (always > 0), then GLS β.

Model (Rao & Molina 2015, §6.1): y_i = x_i'β + v_i + e_i, v_i ~ N(0, σ²_v), e_i ~ N(0, ψ_i), ψ_i known.
V = diag(σ²_v + ψ_i) is diagonal, so every quantity is computed from weight vectors and p × p matrices —
never an m × m matrix — in O(m p²) per iteration.

Why Fisher scoring with a boundary check: it is what R's metafor (the oracle of the golden tests) does, it
converges in a handful of steps, and the restricted likelihood often has its maximum at σ²_v = 0 for small m.
A step that would go below 0 stops at 0 when the score there is ≤ 0 (the maximum is on the boundary) and is
halved otherwise, as metafor does; at the end the fit is compared with σ²_v = 0, so a local maximum never
beats the boundary (metafor's ``ll0check``).

Adjusted REML (σ̂²_v > 0 always): REML puts σ̂²_v at 0 with positive probability when m is small or the
sampling variances are large, and then every EBLUP is the synthetic estimate with an MSE that ignores the
area effect. Both adjusted methods maximise h(σ²_v) · L_RE(σ²_v), where L_RE is the residual likelihood and
h(0) = 0, so the maximum is inside (0, ∞):

* "AREML" — Li & Lahiri (2010, J. Multivariate Anal. 101, 882–892): h(σ²) = σ². Its σ̂²_v has a positive
  bias of order 1/m, b_LL = (d log h / dσ²) / I_RE = 2 / (σ² Σ_j V_j⁻²), which its MSE estimator removes
  (`ath_analysis.sae.mse`); R: ``emdi::fh(method = "amrl")``.
* "AREML_YL" — Yoshimori & Lahiri (2014, J. Multivariate Anal. 124, 281–294):
  h(σ²) = [arctan(tr(I − B))]^{1/m}, B = diag(ψ_i / (σ² + ψ_i)), tr(I − B) = Σ_i γ_i. The adjustment's
  score is O(1/m²) when σ² > 0, so σ̂²_v stays second-order unbiased and the plain Prasad–Rao MSE remains
  second-order unbiased (and strictly positive). When REML is at 0 the YL estimate is small but positive.

Both are found by Newton steps on log σ² (so they stay positive) with a line search on the adjusted
likelihood, falling back to a bounded Brent search; the reported log-likelihood is the REML one at σ̂²_v.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import optimize

Method = Literal["REML", "ML", "AREML", "AREML_YL"]
METHODS: tuple[str, ...] = ("REML", "ML", "AREML", "AREML_YL")
ADJUSTED: tuple[str, ...] = ("AREML", "AREML_YL")
_LOG_2PI = float(np.log(2.0 * np.pi))


@dataclass(frozen=True)
class GLS:
    """GLS quantities at one σ²_v: weights w = 1/(σ²_v+ψ), β̂, (X'V⁻¹X)⁻¹ and the residuals."""

    sigma2: float
    w: np.ndarray
    beta: np.ndarray
    cov_beta: np.ndarray  # (X'V^-1 X)^-1
    resid: np.ndarray  # y - X beta


@dataclass(frozen=True)
class VarianceFit:
    """Result of the σ²_v estimation."""

    sigma2: float
    method: str
    iterations: int
    converged: bool
    loglik: float  # at sigma2; REML (also for the adjusted methods): metafor's convention (+1/2 log|X'X|)
    sigma2_se: float  # from the expected information: REML sqrt(2/tr(PP)), ML sqrt(2/sum w^2)
    gls: GLS
    boundary: bool


def gls(y: np.ndarray, psi: np.ndarray, X: np.ndarray, sigma2: float) -> GLS:
    """β̂(σ²) = (X'V⁻¹X)⁻¹X'V⁻¹y for diagonal V."""
    w = 1.0 / (sigma2 + psi)
    xtwx = X.T @ (w[:, None] * X)
    cov = np.linalg.inv(xtwx)
    cov = 0.5 * (cov + cov.T)
    beta = cov @ (X.T @ (w * y))
    return GLS(sigma2=float(sigma2), w=w, beta=beta, cov_beta=cov, resid=y - X @ beta)


def loglik(y: np.ndarray, psi: np.ndarray, X: np.ndarray, sigma2: float, method: str,
           logdet_xtx: float | None = None) -> float:
    """Profile (ML) or restricted (REML) log-likelihood at σ²_v, in metafor's form.

    ML:   -k/2 log 2π − 1/2 Σ log V_i − 1/2 r'V⁻¹r
    REML: -(k−p)/2 log 2π + 1/2 log|X'X| − 1/2 Σ log V_i − 1/2 log|X'V⁻¹X| − 1/2 r'V⁻¹r
    """
    g = gls(y, psi, X, sigma2)
    return _loglik(g, X, method, logdet_xtx)


def _loglik(g: GLS, X: np.ndarray, method: str, logdet_xtx: float | None = None) -> float:
    k, p = X.shape
    rss = float(np.sum(g.w * g.resid**2))
    sum_log_v = -float(np.sum(np.log(g.w)))
    if method == "ML":
        return -0.5 * k * _LOG_2PI - 0.5 * sum_log_v - 0.5 * rss
    if logdet_xtx is None:
        logdet_xtx = float(np.linalg.slogdet(X.T @ X)[1])
    logdet_xtwx = -float(np.linalg.slogdet(g.cov_beta)[1])
    return -0.5 * (k - p) * _LOG_2PI + 0.5 * logdet_xtx - 0.5 * sum_log_v - 0.5 * logdet_xtwx - 0.5 * rss


def _score_info(g: GLS, X: np.ndarray, method: str) -> tuple[float, float]:
    """Score and expected information for σ²_v (β profiled out).

    With P = V⁻¹ − V⁻¹X(X'V⁻¹X)⁻¹X'V⁻¹ and Py = w·r:
    REML: s = ½(‖Py‖² − tr P), I = ½ tr(PP);  ML: s = ½(‖Py‖² − Σw), I = ½ Σw².
    """
    w = g.w
    ypp_y = float(np.sum((w * g.resid) ** 2))
    if method == "ML":
        return 0.5 * (ypp_y - float(np.sum(w))), 0.5 * float(np.sum(w**2))
    a = g.cov_beta
    b2 = X.T @ (w[:, None] ** 2 * X)
    b3 = X.T @ (w[:, None] ** 3 * X)
    ab2 = a @ b2
    tr_p = float(np.sum(w)) - float(np.trace(ab2))
    tr_pp = float(np.sum(w**2)) - 2.0 * float(np.sum(a * b3.T)) + float(np.sum(ab2 * ab2.T))
    return 0.5 * (ypp_y - tr_p), 0.5 * tr_pp


def _start(y: np.ndarray, psi: np.ndarray, X: np.ndarray) -> float:
    """Hedges' (HE) moment estimator, truncated at 0 — metafor's starting value for REML and ML."""
    k, p = X.shape
    q, _ = np.linalg.qr(X)
    hat = np.sum(q**2, axis=1)
    resid = y - q @ (q.T @ y)
    return max(0.0, (float(resid @ resid) - float(np.sum(psi * (1.0 - hat)))) / (k - p))


def fit_variance(y: np.ndarray, psi: np.ndarray, X: np.ndarray, method: str = "REML", *, tol: float = 1e-10,
                 max_iter: int = 200) -> VarianceFit:
    """Estimate σ²_v ≥ 0 by Fisher scoring; converged when |Δσ²| ≤ tol · max(σ², median ψ).

    Falls back to a bounded Brent search of the (restricted) likelihood when scoring does not converge.
    "AREML" and "AREML_YL" maximise the adjusted residual likelihood instead (σ̂²_v > 0; converged when
    |Δ log σ²| ≤ tol).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if method in ADJUSTED:
        return _fit_adjusted(y, psi, X, method, tol=tol, max_iter=max_iter)
    logdet_xtx = float(np.linalg.slogdet(X.T @ X)[1])
    scale = float(np.median(psi))
    sigma2 = _start(y, psi, X)
    converged = False
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        g = gls(y, psi, X, sigma2)
        score, info = _score_info(g, X, method)
        adj = score / info
        if not np.isfinite(adj):
            break
        if sigma2 + adj < 0.0:
            if sigma2 == 0.0 or _score_info(gls(y, psi, X, 0.0), X, method)[0] <= 0.0:
                new = 0.0  # the maximum is on the boundary
            else:
                while sigma2 + adj < 0.0:
                    adj /= 2.0
                new = sigma2 + adj
        else:
            new = sigma2 + adj
        change = abs(new - sigma2)
        sigma2 = new
        if change <= tol * max(sigma2, scale):
            converged = True
            break
    if not converged:
        sigma2, converged = _brent(y, psi, X, method, logdet_xtx, scale)
    if sigma2 > 0.0:
        ll_here = loglik(y, psi, X, sigma2, method, logdet_xtx)
        ll_zero = loglik(y, psi, X, 0.0, method, logdet_xtx)
        if ll_zero > ll_here:
            sigma2 = 0.0
    g = gls(y, psi, X, sigma2)
    _, info = _score_info(g, X, method)
    return VarianceFit(sigma2=float(sigma2), method=method, iterations=iterations, converged=converged,
                       loglik=_loglik(g, X, method, logdet_xtx), sigma2_se=float(np.sqrt(1.0 / info)), gls=g,
                       boundary=sigma2 == 0.0)


def _brent(y: np.ndarray, psi: np.ndarray, X: np.ndarray, method: str, logdet_xtx: float,
           scale: float) -> tuple[float, bool]:
    """Bounded scalar maximization on [0, upper], upper = 10 × (var(y) + max ψ)."""
    upper = 10.0 * (float(np.var(y)) + float(np.max(psi)))

    def neg(s: float) -> float:
        return -loglik(y, psi, X, s, method, logdet_xtx)

    res = optimize.minimize_scalar(neg, bounds=(0.0, upper), method="bounded",
                                   options={"xatol": 1e-12 * max(scale, 1e-300), "maxiter": 2000})
    return float(res.x), bool(res.success)


def adjustment(sigma2: float, psi: np.ndarray, method: str) -> tuple[float, float, float]:
    """log h(σ²) of an adjusted likelihood and its first two derivatives in σ² (σ² > 0).

    "AREML": h = σ²; "AREML_YL": h = arctan(T)^{1/m}, T = tr(I − B) = Σ σ² / (σ² + ψ_i).
    """
    if method == "AREML":
        return float(np.log(sigma2)), 1.0 / sigma2, -1.0 / sigma2**2
    if method != "AREML_YL":
        raise ValueError(f"no likelihood adjustment for method {method!r}")
    m = psi.shape[0]
    v = sigma2 + psi
    t = float(np.sum(sigma2 / v))
    t1 = float(np.sum(psi / v**2))
    t2 = -2.0 * float(np.sum(psi / v**3))
    a = float(np.arctan(t))
    a1 = t1 / (1.0 + t * t)
    a2 = t2 / (1.0 + t * t) - 2.0 * t * t1 * t1 / (1.0 + t * t) ** 2
    return float(np.log(a)) / m, a1 / (m * a), (a2 / a - (a1 / a) ** 2) / m


def adjusted_loglik(y: np.ndarray, psi: np.ndarray, X: np.ndarray, sigma2: float, method: str,
                    logdet_xtx: float | None = None) -> float:
    """log L_RE(σ²) + log h(σ²): the function the adjusted methods maximise (−∞ at σ² = 0)."""
    if sigma2 <= 0.0:
        return -np.inf
    return loglik(y, psi, X, sigma2, "REML", logdet_xtx) + adjustment(sigma2, psi, method)[0]


def _fit_adjusted(y: np.ndarray, psi: np.ndarray, X: np.ndarray, method: str, *, tol: float,
                  max_iter: int) -> VarianceFit:
    """Maximise the adjusted residual likelihood over σ² > 0 (Newton on t = log σ², with a line search)."""
    logdet_xtx = float(np.linalg.slogdet(X.T @ X)[1])
    scale = float(np.median(psi))

    def objective(s: float) -> float:
        return adjusted_loglik(y, psi, X, s, method, logdet_xtx)

    sigma2 = _start(y, psi, X)
    if not sigma2 > 0.0:
        sigma2 = scale
    converged = False
    iterations = 0
    f0 = objective(sigma2)
    while iterations < max_iter:
        iterations += 1
        g = gls(y, psi, X, sigma2)
        score, info = _score_info(g, X, "REML")
        _, h1, h2 = adjustment(sigma2, psi, method)
        grad = sigma2 * (score + h1)  # d/dt of the objective, t = log σ²
        curvature = sigma2**2 * (info - h2) - grad  # −d²/dt² with the expected REML information
        if not curvature > 0.0:
            curvature = sigma2**2 * (info + abs(h2)) + abs(grad)
        step = float(np.clip(grad / curvature, -5.0, 5.0))
        if not np.isfinite(step):
            break
        for _ in range(60):
            new = sigma2 * float(np.exp(step))
            f1 = objective(new)
            if f1 >= f0 - 1e-13 * max(1.0, abs(f0)):
                break
            step /= 2.0
        else:
            break
        sigma2, f0 = new, f1
        if abs(step) <= tol:
            converged = True
            break
    if not converged:
        upper = 10.0 * (float(np.var(y)) + float(np.max(psi)))
        res = optimize.minimize_scalar(lambda t: -objective(float(np.exp(t))),
                                       bounds=(float(np.log(1e-12 * max(scale, 1e-300))), float(np.log(upper))),
                                       method="bounded", options={"xatol": 1e-12, "maxiter": 2000})
        sigma2, converged = float(np.exp(res.x)), bool(res.success)
    g = gls(y, psi, X, sigma2)
    _, info = _score_info(g, X, "REML")
    return VarianceFit(sigma2=float(sigma2), method=method, iterations=iterations, converged=converged,
                       loglik=_loglik(g, X, "REML", logdet_xtx), sigma2_se=float(np.sqrt(1.0 / info)), gls=g,
                       boundary=False)
