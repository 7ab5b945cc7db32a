"""The fitted survey GLM: coefficients with design-based SEs, tests, odds ratios and predictive margins.

Two fits share these accessors (`GLMCoefficients`): `SurveyGLMResults` (respondent-level model matrix,
`ath_analysis.models.fit`) and `CellGLMResults` (covariate cells, `ath_analysis.models.cellglm`).

Conventions, as statsmodels: ``conf_int(alpha=0.05)`` and the other coefficient methods take the error rate
``alpha`` of the interval (0.05 for 95 %); a value above 0.5 is taken for a confidence level given by
mistake and is an error, never a silently narrow interval. Predictive margins take the coverage ``level``
(0.95), as the survey estimators and the pipeline's config do. ``summary()`` is the tidy coefficient table
(a DataFrame, one row per coefficient); ``summary_text()`` (also ``str(result)``) the printable version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import special  # not scipy.stats: the same functions, without its second to load

from ath_analysis.models.families import is_binomial
from ath_analysis.models.matrix import ModelMatrix
from ath_analysis.survey.design import ResolvedDesign
from ath_analysis.survey.intervals import t_quantile

if TYPE_CHECKING:
    from ath_analysis.models.margins import Margins
    from ath_analysis.models.wald import WaldTest

SUMMARY_COLUMNS = ["term", "estimate", "se", "t", "p", "ci_low", "ci_high", "odds_ratio", "or_ci_low",
                   "or_ci_high", "aliased", "df"]


def check_alpha(alpha: float) -> float:
    """`alpha` if it is an error rate in (0, 0.5]; a coverage such as 0.95 given by mistake is an error."""
    alpha = float(alpha)
    if not 0 < alpha <= 0.5:
        hint = f" (did you mean alpha={1 - alpha:.3g}?)" if 0.5 < alpha < 1 else ""
        raise ValueError(f"alpha is the error rate of the interval, in (0, 0.5] (0.05 for 95 %), got "
                         f"{alpha:g}{hint}")
    return alpha


class GLMCoefficients:
    """Accessors of a fitted survey GLM, from `columns`, `coefficients`, `covariance`, `aliased`, `df_resid`,
    `family`, `terms` and `term_variables` (provided by the subclass)."""

    coefficients: np.ndarray
    covariance: np.ndarray
    aliased: np.ndarray
    design_df: int
    df_resid: int
    family: str
    iterations: int
    formula: str | None

    @property
    def columns(self) -> tuple[str, ...]:
        raise NotImplementedError

    @property
    def terms(self) -> Mapping[str, np.ndarray]:
        raise NotImplementedError

    @property
    def term_variables(self) -> Mapping[str, tuple[str, ...]]:
        raise NotImplementedError

    @property
    def response(self) -> str:
        raise NotImplementedError

    @property
    def nobs(self) -> int:
        raise NotImplementedError

    # -- statsmodels-like accessors --------------------------------------------------------------------------
    @property
    def params(self) -> pd.Series:
        return pd.Series(self.coefficients, index=list(self.columns))

    @property
    def cov(self) -> pd.DataFrame:
        columns = list(self.columns)
        return pd.DataFrame(self.covariance, index=columns, columns=columns)

    @property
    def is_binomial(self) -> bool:
        return is_binomial(self.family)

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
        return pd.Series(2 * special.stdtr(self.df_resid, -np.abs(self.tvalues.to_numpy())), index=self.params.index)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Wald intervals b ± t(df_resid)·SE with coverage 1 − alpha (R ``confint(svyglm)``); columns
        ci_low, ci_high. ``conf_int(0.95)`` is an error (alpha is the error rate, as in statsmodels)."""
        t = t_quantile(1 - check_alpha(alpha) / 2, np.array(self.df_resid))
        half = t * self.bse
        return pd.DataFrame({"ci_low": self.params - half, "ci_high": self.params + half})

    def odds_ratios(self, alpha: float = 0.05) -> pd.DataFrame:
        """exp(coefficient) with the exponentiated Wald interval (logistic models)."""
        if not self.is_binomial:
            raise ValueError("odds ratios need a binomial (logistic) model")
        ci = self.conf_int(alpha)
        return pd.DataFrame({"odds_ratio": np.exp(self.params), "ci_low": np.exp(ci["ci_low"]),
                             "ci_high": np.exp(ci["ci_high"])})

    def summary(self, alpha: float = 0.05) -> pd.DataFrame:
        """The tidy coefficient table: one row per coefficient with term, estimate, se, t, p, ci_low, ci_high
        (+ odds_ratio, or_ci_low, or_ci_high for logistic models), aliased and df (the residual df of every
        t quantile and p-value). Aliased coefficients are rows of NaN, as R's NA."""
        ci = self.conf_int(alpha)
        out = pd.DataFrame({
            "term": self.params.index, "estimate": self.params.to_numpy(), "se": self.bse.to_numpy(),
            "t": self.tvalues.to_numpy(), "p": self.pvalues.to_numpy(), "ci_low": ci["ci_low"].to_numpy(),
            "ci_high": ci["ci_high"].to_numpy(),
        })
        if self.is_binomial:
            ors = self.odds_ratios(alpha)
            out["odds_ratio"] = ors["odds_ratio"].to_numpy()
            out["or_ci_low"] = ors["ci_low"].to_numpy()
            out["or_ci_high"] = ors["ci_high"].to_numpy()
        out["aliased"] = np.asarray(self.aliased, dtype=bool)
        out["df"] = self.df_resid
        return out

    def params_frame(self, alpha: float = 0.05) -> pd.DataFrame:
        """The same as `summary` (kept for existing callers)."""
        return self.summary(alpha)

    def summary_text(self, alpha: float = 0.05) -> str:
        """The printable summary: model, respondents, df, and the coefficient table."""
        return str(ModelSummary(self, alpha))

    def __str__(self) -> str:
        return self.summary_text()

    # -- terms and tests -------------------------------------------------------------------------------------
    def term_columns(self, term: str | Sequence[str]) -> np.ndarray:
        """Column indices of a term given by its name (``"C(sex)"``) or by its only variable (``"sex"``)."""
        if not isinstance(term, str):
            return np.unique(np.concatenate([self.term_columns(t) for t in term]))
        terms = self.terms
        if term in terms:
            return terms[term]
        matches = [name for name, variables in self.term_variables.items() if variables == (term,)]
        if len(matches) == 1:
            return terms[matches[0]]
        if not matches:
            raise KeyError(f"the model has no term {term!r} (terms: {', '.join(terms)})")
        raise KeyError(f"{term!r} matches several terms ({', '.join(matches)}); give the term's name")

    def wald_test(self, term: str | Sequence[str]) -> WaldTest:
        """Joint Wald F test that a term's coefficients are zero (R ``regTermTest(model, ~term)``)."""
        from ath_analysis.models.wald import wald_test

        return wald_test(self, term)


@dataclass(frozen=True, repr=False)
class SurveyGLMResults(GLMCoefficients):
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

    @property
    def columns(self) -> tuple[str, ...]:
        return self.model.columns

    @property
    def terms(self) -> Mapping[str, np.ndarray]:
        return self.model.terms

    @property
    def term_variables(self) -> Mapping[str, tuple[str, ...]]:
        return self.model.term_variables

    @property
    def response(self) -> str:
        return self.model.response

    @property
    def nobs(self) -> int:
        """Respondents in the model (its domain, less those with a missing model variable)."""
        return self.model.nobs

    def __repr__(self) -> str:
        return f"<SurveyGLMResults {self.family} of {self.response}: {self.nobs} respondents>"

    def predictive_margins(self, variable: str, levels: Sequence[Any] | None = None, reference: Any = None,
                           level: float = 0.95) -> Margins:
        """Adjusted prevalences (means) per level of `variable` (R ``svypredmeans``) and differences from
        `reference` (default: the term's reference level); `level` is the coverage of the intervals."""
        from ath_analysis.models.margins import predictive_margins

        return predictive_margins(self, variable, levels, reference, level)


class ModelSummary:
    """Printable summary of a fitted model (``print(result.summary_text())`` or ``print(result)``)."""

    def __init__(self, result: GLMCoefficients, alpha: float = 0.05) -> None:
        self.result = result
        self.alpha = check_alpha(alpha)
        self.coefficients = result.summary(alpha).set_index("term")

    def __str__(self) -> str:
        r = self.result
        kind = "logistic (quasibinomial)" if r.is_binomial else "linear (gaussian)"
        lines = [
            f"Survey-weighted {kind} model" + (f": {r.formula}" if r.formula else f" of {r.response}"),
            f"respondents: {r.nobs}   design df: {r.design_df}   residual df: {r.df_resid}   "
            f"IRLS iterations: {r.iterations}",
            "standard errors: design-based (Taylor linearization over strata and PSUs)",
            "",
        ]
        columns = ["estimate", "se", "t", "p", "ci_low", "ci_high"] + (["odds_ratio"] if r.is_binomial else [])
        table = self.coefficients[columns].rename(columns={
            "ci_low": f"[{self.alpha / 2:.3g}", "ci_high": f"{1 - self.alpha / 2:.3g}]"})
        lines.append(table.to_string(float_format=lambda x: f"{x:.4g}"))
        if np.asarray(r.aliased).any():
            lines.append("aliased (not estimable): " + ", ".join(np.array(r.columns)[np.asarray(r.aliased)]))
        return "\n".join(lines)

    def _repr_html_(self) -> str:  # notebooks
        return f"<pre>{self}</pre>"

    def __repr__(self) -> str:
        return str(self)
