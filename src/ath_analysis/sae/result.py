"""The result of a Fay–Herriot fit: a tidy per-area table plus model diagnostics (statsmodels-like)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special  # not scipy.stats: the same functions, without its second to load

AREA_COLUMNS = [
    "area", "n", "direct", "direct_se", "estimate", "mse", "rmse", "cv", "ci_low", "ci_high", "gamma",
    "estimate_type", "smoothed_variance", "psi", "synthetic", "g1", "g2", "g3", "std_residual",
]


@dataclass(frozen=True, repr=False)
class FayHerriotResult:
    """Per-area estimates (`areas`, also `to_frame()`) and the fitted model.

    `areas` columns: area; n; direct, direct_se (as given, on the original scale; NaN without a direct
    estimate); estimate (EBLUP, or synthetic x'β̂ where there is no direct estimate; back-transformed and
    benchmarked when asked); mse, rmse, cv
    (rmse / estimate) on the original scale; ci_low, ci_high (the `level` interval; for the arcsine transform
    computed on the transformed scale and back-transformed); gamma (shrinkage weight σ²_v / (σ²_v + ψ), the
    weight of the direct estimate; NaN for synthetic areas); estimate_type ("eblup" / "synthetic");
    smoothed_variance (ψ came from the variance smoothing function); psi (the sampling variance used, on the
    model scale); synthetic (x'β̂ on the original scale); g1, g2, g3 (MSE terms on the model scale);
    std_residual ((y − x'β̂) / √(σ²_v + τ² + ψ)). With a transform also estimate_transformed and
    mse_transformed; with benchmarking also estimate_unbenchmarked; with `population` also tau2 (the known
    finite-population variance added to σ²_v).

    Fit: sigma2_v (and its SE from the REML/ML information); loglik, aic, bic (REML for the adjusted methods);
    b_ml (the ML bias of σ̂²_v); sigma2_v_bias (the bias subtracted in the MSE: b_ML for Datta–Lahiri, b_LL
    for Li–Lahiri, else 0); mse_floored (areas whose Li–Lahiri MSE was raised to its floor).
    """

    areas: pd.DataFrame
    sigma2_v: float
    sigma2_v_se: float
    beta: pd.Series
    beta_cov: pd.DataFrame
    loglik: float
    aic: float
    bic: float
    method: str
    mse_method: str
    transform: str | None
    back_transform: str | None
    iterations: int
    converged: bool
    level: float
    b_ml: float
    shapiro_p: float
    gvf: dict[str, float] = field(default_factory=dict)
    benchmark: dict[str, Any] | None = None
    sigma2_v_bias: float = 0.0
    mse_floored: int = 0

    @property
    def beta_se(self) -> pd.Series:
        """Standard errors of β̂: √diag((X'V̂⁻¹X)⁻¹) (conditional on σ̂²_v, as metafor's)."""
        return pd.Series(np.sqrt(np.diag(self.beta_cov.to_numpy())), index=self.beta.index, name="se")

    @property
    def std_residuals(self) -> pd.Series:
        """(y_i − x_i'β̂) / √(σ̂²_v + ψ_i) for the areas in the fit: ≈ N(0, 1) when the model holds."""
        sampled = self.areas["estimate_type"] == "eblup"
        return pd.Series(self.areas.loc[sampled, "std_residual"].to_numpy(),
                         index=self.areas.loc[sampled, "area"].to_numpy(), name="std_residual")

    @property
    def n_areas(self) -> int:
        return len(self.areas)

    @property
    def n_sampled(self) -> int:
        """Areas with a direct estimate (used to fit the model)."""
        return int((self.areas["estimate_type"] == "eblup").sum())

    @property
    def n_smoothed(self) -> int:
        return int(self.areas["smoothed_variance"].sum())

    def to_frame(self) -> pd.DataFrame:
        """The per-area table (a copy)."""
        return self.areas.copy()

    def coef_table(self) -> pd.DataFrame:
        """β̂ with SE, z, two-sided p-value and a Wald interval at the result's level."""
        se = self.beta_se
        z = self.beta / se
        crit = special.ndtri(0.5 + self.level / 2.0)
        return pd.DataFrame({"estimate": self.beta, "se": se, "z": z, "p_value": 2.0 * special.ndtr(-np.abs(z)),
                             "ci_low": self.beta - crit * se, "ci_high": self.beta + crit * se})

    def summary(self) -> pd.DataFrame:
        """The tidy coefficient table (the convention of every results object here, as the GLM results): one row
        per coefficient with term, estimate, se, z, p_value, ci_low, ci_high."""
        return self.coef_table().rename_axis("term").reset_index()

    def __str__(self) -> str:
        return self.summary_text()

    def summary_text(self) -> str:
        """A printable overview: the fit, the coefficients and the per-area estimates."""
        lines = [
            "Fay–Herriot area-level model",
            f"  method: {self.method}   MSE: {self.mse_method}   transform: {self.transform or 'none'}"
            + (f" (back-transform: {self.back_transform})" if self.transform else ""),
            f"  areas: {self.n_areas} ({self.n_sampled} with a direct estimate, "
            f"{self.n_areas - self.n_sampled} synthetic, {self.n_smoothed} with smoothed variance)",
            f"  sigma2_v: {self.sigma2_v:.6g} (se {self.sigma2_v_se:.3g})"
            + (("  [at the boundary 0: estimates are synthetic]" if "tau2" not in self.areas else
                "  [at the boundary 0: only the finite-population term τ² remains]") if self.sigma2_v == 0 else "")
            + (f"  [Li–Lahiri MSE floored in {self.mse_floored} area(s)]" if self.mse_floored else ""),
            f"  log-likelihood ({'ML' if self.method == 'ML' else 'REML'}): {self.loglik:.4f}   "
            f"AIC: {self.aic:.4f}   BIC: {self.bic:.4f}",
            f"  iterations: {self.iterations}   converged: {self.converged}   "
            f"Shapiro–Wilk p (std. residuals): {self.shapiro_p:.3g}",
        ]
        if self.benchmark:
            lines.append(f"  benchmarked ({self.benchmark['method']}) to {self.benchmark['target']:.6g}, "
                         f"adjustment {self.benchmark['adjustment']:.6g}")
        lines += ["", "Coefficients:", self.coef_table().to_string(float_format=lambda v: f"{v:.5g}"), "",
                  "Areas:",
                  self.areas[["area", "n", "direct", "direct_se", "estimate", "rmse", "cv", "ci_low", "ci_high",
                              "gamma", "estimate_type", "smoothed_variance"]].to_string(
                      index=False, float_format=lambda v: f"{v:.4g}")]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<FayHerriotResult {self.method}/{self.mse_method}: {self.n_areas} areas "
                f"({self.n_sampled} direct), sigma2_v={self.sigma2_v:.4g}, converged={self.converged}>")
