"""Benchmarking: make the weighted sub-area estimates add up to a reliable aggregate (e.g. the municipality's
direct estimate), so published sub-area figures are consistent with the published municipal figure.

With weights w_i and target T the constraint is Σ_i w_i θ̂ᵇ_i = T — pass population shares and a mean, or
population counts and a total. Two adjustments (see Rao & Molina 2015, ch. 6, on benchmarking the EBLUP):
* "ratio": θ̂ᵇ_i = θ̂_i · T / Σ_j w_j θ̂_j — keeps estimates of proportions positive;
* "difference": θ̂ᵇ_i = θ̂_i + (T − Σ_j w_j θ̂_j) — the same shift for every area.
The interval limits are scaled or shifted with the estimate. The reported MSE is that of the unbenchmarked
estimator; benchmarking adds a term of order 1/m (the squared adjustment) which is not included.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from ath_analysis.sae._checks import as_vector

BenchmarkMethod = Literal["ratio", "difference"]
BENCHMARK_METHODS: tuple[str, ...] = ("ratio", "difference")


def parse_benchmark(benchmark: object, m: int) -> tuple[float, np.ndarray] | None:
    """(target, weights) from the user's `benchmark` argument, checked."""
    if benchmark is None:
        return None
    if not isinstance(benchmark, tuple | list) or len(benchmark) != 2:
        raise ValueError("benchmark must be a (target, weights) pair, e.g. (municipal_mean, population_shares)")
    target, weights = benchmark
    try:
        target = float(target)
    except (TypeError, ValueError):
        raise ValueError(f"benchmark target must be a number, got {target!r}") from None
    if not np.isfinite(target):
        raise ValueError(f"benchmark target must be finite, got {target}")
    w = as_vector(weights, "benchmark weights", m)
    if not np.all(np.isfinite(w)) or np.any(w < 0) or not np.any(w > 0):
        raise ValueError("benchmark weights must be finite, non-negative and not all zero")
    return target, w


def benchmark_adjust(estimate: np.ndarray, target: float, weights: np.ndarray, method: str
                     ) -> tuple[np.ndarray, float]:
    """The benchmarked estimates and the adjustment (ratio factor or additive shift)."""
    if method not in BENCHMARK_METHODS:
        raise ValueError(f"benchmark_method must be one of {', '.join(BENCHMARK_METHODS)}, got {method!r}")
    total = float(np.sum(weights * estimate))
    if method == "ratio":
        if total == 0.0:
            raise ValueError("benchmark: the weighted sum of the estimates is 0; use benchmark_method='difference'")
        factor = target / total
        return estimate * factor, factor
    shift = target - total
    return estimate + shift, shift
