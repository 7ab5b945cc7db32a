"""Smoothed sampling variances (a generalized variance function, GVF) for areas whose direct variance is unusable.

Why: Fay–Herriot treats ψ_i as known, but a direct variance from a handful of respondents is itself very noisy,
and it is exactly 0 when a small area's respondents all answer alike. Such areas would get γ_i = 1 (no shrinkage)
and a spurious MSE of 0. Smoothing borrows the variance from the areas that have enough respondents.

Which areas are smoothed (``smooth=``): "auto" — areas with a direct estimate whose direct variance (or design
effect) is missing, non-positive or non-finite, or whose n is below ``min_n``; "all" — every area with a
direct estimate; "none" — no area (an unusable variance is then an error). The fit uses the "reliable" areas:
a usable variance and n ≥ min_n.

* Untransformed scale: log ψ_i = a + b log n_i fitted by least squares on the reliable areas (needs 3 with at
  least two distinct n), ψ̃_i = exp(a + b log n_i) · s, with s = mean(exp(residual)) Duan's smearing factor so
  that ψ̃ estimates the mean rather than the geometric mean of ψ at that n.
* Arcsine scale: ψ_i = deff_i / (4 n_i) (Freeman–Tukey: deff_i / (4 n_i + 2 deff_i)); the smoothed areas
  use the pooled design effect
  d̄ = Σ n_j deff_j / Σ n_j over the reliable areas (deff_j given, or implied by the direct variance as
  v_j n_j / (p_j (1 − p_j))).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from ath_analysis.sae._checks import SAEDataError
from ath_analysis.sae.transform import arcsine_variance, freeman_tukey_variance

Smooth = Literal["auto", "all", "none"]
SMOOTH_MODES: tuple[str, ...] = ("auto", "all", "none")


@dataclass(frozen=True)
class SmoothedVariance:
    """ψ on the model scale, which areas were smoothed, and the GVF's parameters."""

    psi: np.ndarray
    smoothed: np.ndarray  # bool
    deff: np.ndarray | None  # arcsine: the design effect used per area
    gvf: dict[str, float]  # loglinear: intercept, slope, smearing, n_fit; arcsine: pooled_deff, n_fit


def _usable(x: np.ndarray) -> np.ndarray:
    return np.isfinite(x) & (x > 0)


def _to_smooth(sampled: np.ndarray, usable: np.ndarray, n: np.ndarray | None, min_n: float, mode: str
               ) -> np.ndarray:
    if mode == "none":
        return np.zeros_like(sampled)
    if mode == "all":
        return sampled.copy()
    small = np.zeros_like(sampled) if n is None else ~(n >= min_n)
    return sampled & (~usable | small)


def smooth_raw(variance: np.ndarray, sampled: np.ndarray, n: np.ndarray | None, min_n: float,
               mode: str, labels: np.ndarray) -> SmoothedVariance:
    """ψ for an untransformed direct estimate: the direct variance, or the log-log GVF where it is unusable."""
    usable = _usable(variance)
    smooth = _to_smooth(sampled, usable, n, min_n, mode)
    psi = np.where(sampled, variance, np.nan)
    if not smooth.any():
        _require_usable(sampled & ~usable, "variance", labels, "pass n (respondents per area) so they can be "
                        "smoothed" if n is None else "use smooth='auto' to smooth them")
        return SmoothedVariance(psi=psi, smoothed=smooth, deff=None, gvf={})
    if n is None:
        raise SAEDataError(f"variance: {int(smooth.sum())} area(s) need a smoothed variance "
                           f"({_labels(smooth, labels)}) but n (respondents per area) was not given")
    reliable = sampled & usable & (n >= min_n) & (n > 0)
    log_n = np.log(n[reliable]) if reliable.any() else np.array([])
    if reliable.sum() < 3 or np.ptp(log_n) == 0:
        raise SAEDataError(
            f"variance: cannot fit the variance smoothing function: it needs at least 3 areas with a positive "
            f"direct variance and n >= min_n ({min_n:g}) with different n, found {int(reliable.sum())}; "
            "lower min_n or supply usable variances")
    design = np.column_stack([np.ones_like(log_n), log_n])
    coef, *_ = np.linalg.lstsq(design, np.log(variance[reliable]), rcond=None)
    smearing = float(np.mean(np.exp(np.log(variance[reliable]) - design @ coef)))
    bad_n = smooth & ~(np.isfinite(n) & (n > 0))
    if bad_n.any():
        raise SAEDataError(f"n: {int(bad_n.sum())} area(s) need a smoothed variance but have no positive n "
                           f"({_labels(bad_n, labels)})")
    with np.errstate(divide="ignore", invalid="ignore"):
        fitted = np.exp(coef[0] + coef[1] * np.log(n)) * smearing
    psi = np.where(smooth, fitted, psi)
    return SmoothedVariance(psi=psi, smoothed=smooth, deff=None,
                            gvf={"intercept": float(coef[0]), "slope": float(coef[1]), "smearing": smearing,
                                 "n_fit": float(reliable.sum())})


def smooth_arcsine(p: np.ndarray, variance: np.ndarray | None, deff: np.ndarray | None, sampled: np.ndarray,
                   n: np.ndarray, min_n: float, mode: str, labels: np.ndarray,
                   transform: str = "arcsine") -> SmoothedVariance:
    """ψ = deff / (4n) on the arcsine scale, with a pooled design effect where an area's own is unusable.

    ``transform="freeman_tukey"``: ψ = deff / (4n + 2 deff), the double arcsine's variance.
    """
    variance_of = freeman_tukey_variance if transform == "freeman_tukey" else arcsine_variance
    bad_n = sampled & ~(np.isfinite(n) & (n > 0))
    if bad_n.any():
        raise SAEDataError(f"n: {int(bad_n.sum())} area(s) with a direct estimate have no positive respondent "
                           f"count ({_labels(bad_n, labels)})")
    if deff is None:
        if variance is None:
            own = np.full(p.shape, np.nan)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                own = variance * n / (p * (1.0 - p))
    else:
        own = deff.astype(float)
    usable = _usable(own)
    smooth = _to_smooth(sampled, usable, n, min_n, mode)
    if not smooth.any():
        _require_usable(sampled & ~usable, "variance" if deff is None else "deff", labels, "use smooth='auto'")
        return SmoothedVariance(psi=np.where(sampled, variance_of(n, own), np.nan), smoothed=smooth,
                                deff=np.where(sampled, own, np.nan), gvf={})
    reliable = sampled & usable & (n >= min_n)
    if not reliable.any():
        source = "deff" if deff is not None else "variance"
        raise SAEDataError(
            f"{source}: cannot pool a design effect: no area has a usable {source} and n >= min_n ({min_n:g}); "
            "lower min_n or pass deff")
    pooled = float(np.sum(n[reliable] * own[reliable]) / np.sum(n[reliable]))
    used = np.where(smooth, pooled, own)
    return SmoothedVariance(psi=np.where(sampled, variance_of(n, used), np.nan), smoothed=smooth,
                            deff=np.where(sampled, used, np.nan),
                            gvf={"pooled_deff": pooled, "n_fit": float(reliable.sum())})


def _require_usable(bad: np.ndarray, name: str, labels: np.ndarray, hint: str) -> None:
    if bad.any():
        raise SAEDataError(f"{name}: {int(bad.sum())} area(s) with a direct estimate have a missing, zero or "
                           f"negative sampling variance ({_labels(bad, labels)}); {hint}")


def _labels(mask: np.ndarray, labels: np.ndarray, limit: int = 8) -> str:
    """'areas a, b, c' for the first few areas in `mask`."""
    chosen = [str(x) for x in labels[mask][:limit]]
    return "areas " + ", ".join(chosen) + (", …" if int(mask.sum()) > limit else "")
