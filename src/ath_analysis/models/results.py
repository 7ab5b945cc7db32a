"""The fitted survey GLM: coefficients with design-based SEs, tests, odds ratios and predictive margins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from ath_analysis.models.matrix import ModelMatrix
from ath_analysis.survey.design import ResolvedDesign
from ath_analysis.survey.intervals import t_quantile

if TYPE_CHECKING:
    from ath_analysis.models.margins import Margins
    from ath_analysis.models.wald import WaldTest


@dataclass(frozen=True)
class SurveyGLMResults:
    """A survey-weighted GLM fit (see `ath_analysis.models.fit`).

    params, cov: coefficients and their design-based covariance (NaN for aliased columns, as R's NA);
        the same as arrays in `coefficients` and `covariance`.
    design_df: degrees of freedom of the model's design (R ``degf``: PSUs − strata among the model's
        respondents with a positive weight); df_resid = design_df + 1 − estimated coefficients (R's
        ``svyglm`` ``df.residual``), used for every t quantile, p-value and F test of the model.
    """

    model: ModelMatrix
    family: str
    coefficients: np.ndarray  # (p,) NaN where aliased
    covariance: np.ndarray  # (p, p)
    aliased: np.ndarray
    design_df: int
    df_resid: int
    weights: np.ndarray  # sampling weights of the model's respondents
    fitted: np.ndarray  # μ of the model's respondents
    cells: ModelMatrix  # one row per distinct covariate pattern (or the model itself)
    cell_of_row: np.ndarray  # cell of every model row
    iterations: int
    converged: bool
    design: ResolvedDesign
    formula: str | None = None

    # -- statsmodels-like accessors --------------------------------------------------------------------------
    @property
    def params(self) -> pd.Series:
        return pd.Series(self.coefficients, index=list(self.model.columns))

    @property
    def cov(self) -> pd.DataFrame:
        columns = list(self.model.columns)
        return pd.DataFrame(self.covariance, index=columns, columns=columns)

    @property
    def nobs(self) -> int:
        """Respondents in the model (its domain, less those with a missing model variable)."""
        return self.model.nobs

    @property
    def is_binomial(self) -> bool:
        return self.family in ("binomial", "quasibinomial")

    def cov_params(self) -> pd.DataFrame:
        return self.cov

    @property
    def bse(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.covariance)), index=self.params.index)

    @property
    def tvalues(self) -> pd.Series:
        return self.params / self.bse

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values from t(df_resid) (NaN when df_resid ≤ 0, as R)."""
        if self.df_resid <= 0:
            return pd.Series(np.nan, index=self.params.index)
        return pd.Series(2 * stats.t.sf(np.abs(self.tvalues.to_numpy()), self.df_resid), index=self.params.index)

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Wald intervals b ± t(df_resid)·SE (R ``confint(svyglm)``)."""
        t = t_quantile(1 - (1 - level) / 2, np.array(self.df_resid))
        half = t * self.bse
        return pd.DataFrame({"ci_low": self.params - half, "ci_high": self.params + half})

    def odds_ratios(self, level: float = 0.95) -> pd.DataFrame:
        """exp(coefficient) with the exponentiated Wald interval (logistic models)."""
        if not self.is_binomial:
            raise ValueError("odds ratios need a binomial (logistic) model")
        ci = self.conf_int(level)
        return pd.DataFrame({"odds_ratio": np.exp(self.params), "ci_low": np.exp(ci["ci_low"]),
                             "ci_high": np.exp(ci["ci_high"])})

    def params_frame(self, level: float = 0.95) -> pd.DataFrame:
        """Tidy coefficients: term, estimate, se, t, p, ci_low, ci_high (+ odds ratio and its CI), aliased."""
        ci = self.conf_int(level)
        out = pd.DataFrame({
            "term": self.params.index, "estimate": self.params.to_numpy(), "se": self.bse.to_numpy(),
            "t": self.tvalues.to_numpy(), "p": self.pvalues.to_numpy(), "ci_low": ci["ci_low"].to_numpy(),
            "ci_high": ci["ci_high"].to_numpy(),
        })
        if self.is_binomial:
            ors = self.odds_ratios(level)
            out["odds_ratio"] = ors["odds_ratio"].to_numpy()
            out["or_ci_low"] = ors["ci_low"].to_numpy()
            out["or_ci_high"] = ors["ci_high"].to_numpy()
        out["aliased"] = self.aliased
        out["df"] = self.df_resid
        return out

    def summary(self, level: float = 0.95) -> ModelSummary:
        return ModelSummary(self, level)

    # -- terms, tests and margins ----------------------------------------------------------------------------
    def term_columns(self, term: str | Sequence[str]) -> np.ndarray:
        """Column indices of a term given by its name (``"C(sex)"``) or by its only variable (``"sex"``)."""
        if not isinstance(term, str):
            return np.unique(np.concatenate([self.term_columns(t) for t in term]))
        terms = self.model.terms
        if term in terms:
            return terms[term]
        matches = [name for name, variables in self.model.term_variables.items() if variables == (term,)]
        if len(matches) == 1:
            return terms[matches[0]]
        if not matches:
            raise KeyError(f"the model has no term {term!r} (terms: {', '.join(terms)})")
        raise KeyError(f"{term!r} matches several terms ({', '.join(matches)}); give the term's name")

    def wald_test(self, term: str | Sequence[str]) -> WaldTest:
        """Joint Wald F test that a term's coefficients are zero (R ``regTermTest(model, ~term)``)."""
        from ath_analysis.models.wald import wald_test

        return wald_test(self, term)

    def predictive_margins(self, variable: str, levels: Sequence[Any] | None = None, reference: Any = None,
                           level: float = 0.95) -> Margins:
        """Adjusted prevalences (means) per level of `variable` (R ``svypredmeans``) and differences from
        `reference` (default: the term's reference level)."""
        from ath_analysis.models.margins import predictive_margins

        return predictive_margins(self, variable, levels, reference, level)


class ModelSummary:
    """Printable summary of a `SurveyGLMResults` (``print(result.summary())``)."""

    def __init__(self, result: SurveyGLMResults, level: float) -> None:
        self.result = result
        self.level = level
        self.coefficients = result.params_frame(level).set_index("term")

    def __str__(self) -> str:
        r = self.result
        kind = "logistic (quasibinomial)" if r.is_binomial else "linear (gaussian)"
        lines = [
            f"Survey-weighted {kind} model" + (f": {r.formula}" if r.formula else f" of {r.model.response}"),
            f"respondents: {r.nobs}   design df: {r.design_df}   residual df: {r.df_resid}   "
            f"IRLS iterations: {r.iterations}",
            "standard errors: design-based (Taylor linearization over strata and PSUs)",
            "",
        ]
        columns = ["estimate", "se", "t", "p", "ci_low", "ci_high"] + (["odds_ratio"] if r.is_binomial else [])
        table = self.coefficients[columns].rename(columns={
            "ci_low": f"[{(1 - self.level) / 2:.3g}", "ci_high": f"{1 - (1 - self.level) / 2:.3g}]"})
        lines.append(table.to_string(float_format=lambda x: f"{x:.4g}"))
        if r.aliased.any():
            lines.append("aliased (not estimable): " + ", ".join(np.array(r.model.columns)[r.aliased]))
        return "\n".join(lines)

    def _repr_html_(self) -> str:  # notebooks
        return f"<pre>{self}</pre>"

    def __repr__(self) -> str:
        return str(self)
