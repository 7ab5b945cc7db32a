"""MSE of the EBLUP: Prasad–Rao (REML) and Datta–Lahiri (ML), and of the synthetic estimator.

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

Areas without a direct estimate get the synthetic estimator x_i'β̂, whose MSE is taken as σ̂²_v + x_i'A x_i
(the ψ_i → ∞ limit of the formulas above: g1 → σ²_v, g2 → x'Ax, g3 → 0); under Datta–Lahiri the
bias-corrected σ̂²_v − b_ML is used for the first term, the same limit of its b term.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

MSEMethod = Literal["prasad_rao", "datta_lahiri", "auto"]
MSE_METHODS: tuple[str, ...] = ("prasad_rao", "datta_lahiri", "auto")


@dataclass(frozen=True)
class MSETerms:
    """Per-area MSE components (NaN where not defined) and the chosen total."""

    g1: np.ndarray
    g2: np.ndarray
    g3: np.ndarray
    b_ml: float  # 0 for REML fits
    mse: np.ndarray
    method: str  # the method actually used: "prasad_rao" or "datta_lahiri"


def resolve_mse_method(mse: str, method: str) -> str:
    """'auto' → Prasad–Rao for REML, Datta–Lahiri for ML."""
    if mse not in MSE_METHODS:
        raise ValueError(f"mse must be one of {', '.join(MSE_METHODS)}, got {mse!r}")
    if mse == "auto":
        return "prasad_rao" if method == "REML" else "datta_lahiri"
    return mse


def leverage(X: np.ndarray, cov_beta: np.ndarray) -> np.ndarray:
    """x_i' A x_i for every row of X (vectorized)."""
    return np.einsum("ij,jk,ik->i", X, cov_beta, X)


def mse_terms(sigma2: float, psi: np.ndarray, X: np.ndarray, sampled: np.ndarray, cov_beta: np.ndarray,
              fit_method: str, mse_method: str) -> MSETerms:
    """g1, g2, g3 and the MSE for all areas; `sampled` marks the areas in the fit (EBLUP), others synthetic.

    `psi` may be NaN for non-sampled areas; they get the synthetic MSE.
    """
    h = leverage(X, cov_beta)
    v_fit = sigma2 + psi[sampled]
    inv2 = np.sum(v_fit**-2.0)
    vbar = 2.0 / inv2
    if fit_method == "ML":
        xf = X[sampled]
        b = xf.T @ (v_fit[:, None] ** -2.0 * xf)
        b_ml = -float(np.sum(cov_beta * b.T)) / inv2
    else:
        b_ml = 0.0
    use_b = mse_method == "datta_lahiri" and fit_method == "ML"
    with np.errstate(invalid="ignore", divide="ignore"):
        v = sigma2 + psi
        one_minus_gamma = np.where(sampled, psi / v, np.nan)
        g1 = np.where(sampled, sigma2 * psi / v, np.nan)
        g2 = np.where(sampled, one_minus_gamma**2 * h, np.nan)
        g3 = np.where(sampled, psi**2 / v**3 * vbar, np.nan)
        eblup = g1 + g2 + 2.0 * g3 - (b_ml * one_minus_gamma**2 if use_b else 0.0)
    synthetic = sigma2 - (b_ml if use_b else 0.0) + h
    return MSETerms(g1=g1, g2=g2, g3=g3, b_ml=b_ml, mse=np.where(sampled, eblup, synthetic), method=mse_method)
