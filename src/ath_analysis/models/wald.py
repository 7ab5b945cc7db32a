"""Wald tests of model terms, as R ``regTermTest(model, ~term)`` with its default ``method = "Wald"``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import special  # not scipy.stats: the same functions, without its second to load

if TYPE_CHECKING:
    from ath_analysis.models.results import GLMCoefficients


@dataclass(frozen=True)
class WaldTest:
    """F = β' V⁻¹ β / ndf on (ndf, ddf) degrees of freedom; ddf is the model's residual df (R's default)."""

    term: str
    F: float
    ndf: int
    ddf: int
    p: float

    def __str__(self) -> str:
        return f"Wald test for {self.term}: F = {self.F:.4g} on {self.ndf} and {self.ddf} df, p = {self.p:.4g}"


def wald_test(result: GLMCoefficients, term: str | Sequence[str]) -> WaldTest:
    """Test that every (estimable) coefficient of `term` is zero; aliased coefficients are left out, as R."""
    columns = result.term_columns(term)
    columns = columns[~result.aliased[columns]]
    name = term if isinstance(term, str) else " + ".join(term)
    ddf = int(result.df_resid)
    if len(columns) == 0:
        return WaldTest(name, np.nan, 0, ddf, np.nan)
    beta = result.coefficients[columns]
    V = result.covariance[np.ix_(columns, columns)]
    try:
        chisq = float(beta @ np.linalg.solve(V, beta))
    except np.linalg.LinAlgError:
        return WaldTest(name, np.nan, len(columns), ddf, np.nan)
    F = chisq / len(columns)
    p = float(special.fdtrc(len(columns), ddf, F)) if ddf > 0 else np.nan
    return WaldTest(name, F, len(columns), ddf, p)
