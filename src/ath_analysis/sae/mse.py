"""MSE of the EBLUP: Prasad–Rao (REML), Datta–Lahiri (ML), Li–Lahiri (AREML), and of the synthetic estimator.

Formulas from Rao & Molina (2015), Small Area Estimation, 2nd ed., ch. 6 (section 6.2), after Prasad &
Rao (1990, JASA 85) and Datta & Lahiri (2000, Statistica Sinica 10), with V_i = σ²_v + ψ_i,
γ_i = σ²_v / V_i and A = (X'V⁻¹X)⁻¹ over the m areas used in the fit:

* g1_i = γ_i ψ_i — the variance of the best predictor when σ²_v and β are known;
* g2_i = (1 − γ_i)² x_i'A x_i — the extra variance from estimating β;
* g3_i = ψ_i² V_i⁻³ V̄(σ̂²_v), V̄ = 2 / Σ_j V_j⁻² — from estimating σ²_v (the same asymptotic variance V̄
  holds for REML and ML);
* Prasad–Rao, for REML (and the moment estimator): mse_i = g1_i + g2_i + 2 g3_i, second-order
  unbiased because REML's bias in σ̂²_v is o(1/m);
* Datta–Lahiri, for ML: mse_i = g1_i + g2_i + 2 g3_i − b_ML ∇g1_i with ∇g1_i = (1 − γ_i)² and
  b_ML = −tr(A X'V⁻²X) / Σ_j V_j⁻² the O(1/m) bias of the ML σ̂²_v. For REML the
  b term vanishes, so Datta–Lahiri equals Prasad–Rao.
* Li–Lahiri, for the adjusted REML "AREML" (maximising σ²_v · L_RE): the same form with the bias of that
  estimator, mse_i = g1_i + g2_i + 2 g3_i − b_LL ∇g1_i, b_LL = 2 / (σ̂²_v Σ_j V_j⁻²) > 0 (Li & Lahiri 2010,
  J. Multivariate Anal. 101; Molina, Rao & Datta 2015, Survey Methodology 41, §5; ``emdi`` "amrl"). It is
  second-order unbiased but, unlike the others, can be ≤ 0 when σ̂²_v is small; it is then floored at
  g1_i(σ̂²_v / 2) + g2_i (never below half the predictor's own variance at the estimate, see `LL_FLOOR`).
* Yoshimori–Lahiri "AREML_YL": its σ̂²_v has bias o(1/m), so Prasad–Rao is second-order unbiased and
  strictly positive (Yoshimori & Lahiri 2014, J. Multivariate Anal. 124) — "auto" uses it.

A finite-population term (`tau2`, see `ath_analysis.sae.fayherriot`) makes the area-effect variance
D_i = σ²_v + τ²_i with τ²_i known; then V_i = D_i + ψ_i, γ_i = D_i / V_i, g1_i = D_i ψ_i / V_i, and g2, g3 and
∇g1 = (1 − γ_i)² keep the forms above (σ²_v enters V_i additively), with V̄ and the biases over these V_i.

Areas without a direct estimate get the synthetic estimator x_i'β̂, whose MSE is taken as σ̂²_v + x_i'A x_i
(the ψ_i → ∞ limit of the formulas above: g1 → σ²_v, g2 → x'Ax, g3 → 0); under Datta–Lahiri the
bias-corrected σ̂²_v − b_ML is used for the first term, the same limit of its b term (for Li–Lahiri
σ̂²_v − b_LL, floored like the EBLUP MSE at σ̂²_v / 2). With τ² the synthetic MSE adds τ²_i.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

MSEMethod = Literal["prasad_rao", "datta_lahiri", "li_lahiri", "auto"]
MSE_METHODS: tuple[str, ...] = ("prasad_rao", "datta_lahiri", "li_lahiri", "auto")
LL_FLOOR = 0.5  # Li–Lahiri MSE floor: g1 at LL_FLOOR · σ̂²_v plus g2 (the corrected estimate can be ≤ 0)


@dataclass(frozen=True)
class MSETerms:
    """Per-area MSE components (NaN where not defined) and the chosen total."""

    g1: np.ndarray
    g2: np.ndarray
    g3: np.ndarray
    b_ml: float  # 0 for REML fits
    mse: np.ndarray
    method: str  # the method actually used: "prasad_rao", "datta_lahiri" or "li_lahiri"
    bias: float = 0.0  # the O(1/m) bias of σ̂²_v subtracted in the MSE (b_ML, b_LL), 0 for Prasad–Rao
    floored: np.ndarray | None = None  # Li–Lahiri: areas whose MSE was raised to the floor


def resolve_mse_method(mse: str, method: str) -> str:
    """'auto' → Prasad–Rao for REML and AREML_YL, Datta–Lahiri for ML, Li–Lahiri for AREML."""
    if mse not in MSE_METHODS:
        raise ValueError(f"mse must be one of {', '.join(MSE_METHODS)}, got {mse!r}")
    if mse == "auto":
        return {"ML": "datta_lahiri", "AREML": "li_lahiri"}.get(method, "prasad_rao")
    if mse == "li_lahiri" and method != "AREML":
        raise ValueError(f"mse='li_lahiri' corrects the bias of method='AREML', not of {method!r}")
    if mse == "datta_lahiri" and method in ("AREML", "AREML_YL"):
        raise ValueError(f"mse='datta_lahiri' corrects the bias of ML; for method={method!r} use "
                         "'li_lahiri' (AREML) or 'prasad_rao'")
    return mse


def leverage(X: np.ndarray, cov_beta: np.ndarray) -> np.ndarray:
    """x_i' A x_i for every row of X (vectorized)."""
    return np.einsum("ij,jk,ik->i", X, cov_beta, X)


def mse_terms(sigma2: float, psi: np.ndarray, X: np.ndarray, sampled: np.ndarray, cov_beta: np.ndarray,
              fit_method: str, mse_method: str, tau2: np.ndarray | None = None) -> MSETerms:
    """g1, g2, g3 and the MSE for all areas; `sampled` marks the areas in the fit (EBLUP), others synthetic.

    `psi` may be NaN for non-sampled areas; they get the synthetic MSE. `tau2`: known finite-population
    variances added to σ²_v per area (None = 0).
    """
    tau2 = np.zeros(psi.shape[0]) if tau2 is None else tau2
    h = leverage(X, cov_beta)
    d = sigma2 + tau2
    v_fit = d[sampled] + psi[sampled]
    inv2 = np.sum(v_fit**-2.0)
    vbar = 2.0 / inv2
    if fit_method == "ML":
        xf = X[sampled]
        b = xf.T @ (v_fit[:, None] ** -2.0 * xf)
        b_ml = -float(np.sum(cov_beta * b.T)) / inv2
    else:
        b_ml = 0.0
    if mse_method == "datta_lahiri" and fit_method == "ML":
        bias = b_ml
    elif mse_method == "li_lahiri":
        bias = 2.0 / (sigma2 * inv2)
    else:
        bias = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        v = d + psi
        one_minus_gamma = np.where(sampled, psi / v, np.nan)
        g1 = np.where(sampled, d * psi / v, np.nan)
        g2 = np.where(sampled, one_minus_gamma**2 * h, np.nan)
        g3 = np.where(sampled, psi**2 / v**3 * vbar, np.nan)
        eblup = g1 + g2 + 2.0 * g3 - bias * one_minus_gamma**2
    synthetic = d - bias + h
    floored = None
    if mse_method == "li_lahiri":
        low_d = LL_FLOOR * sigma2 + tau2
        with np.errstate(invalid="ignore", divide="ignore"):
            floor_eblup = low_d * psi / (low_d + psi) + g2
        floor = np.where(sampled, floor_eblup, low_d + h)
        raw = np.where(sampled, eblup, synthetic)
        floored = raw < floor
        eblup, synthetic = np.maximum(eblup, floor), np.maximum(synthetic, floor)
    return MSETerms(g1=g1, g2=g2, g3=g3, b_ml=b_ml, mse=np.where(sampled, eblup, synthetic), method=mse_method,
                    bias=bias, floored=floored)
