"""Survey-weighted regression models: logistic and linear GLMs with design-based (Taylor) covariance.

>>> from ath_analysis.models import fit
>>> result = fit(frame, design, "obesity ~ C(urban_rural, Treatment('K1')) + C(age_group) + C(sex)",
...              family="binomial", domain=frame["in_region"])  # doctest: +SKIP
>>> result.summary()  # tidy coefficient table (DataFrame); print(result) for the text  # doctest: +SKIP
>>> result.wald_test("urban_rural")  # doctest: +SKIP
>>> result.predictive_margins("urban_rural").table  # doctest: +SKIP

Validated against R's survey package: ``svyglm`` (coefficients, SEs, t, p, confint), ``regTermTest`` and
``svypredmeans`` (with ``svycontrast`` for the differences); see tests/golden/make_models_golden.R.
"""

from ath_analysis.models.families import FAMILIES
from ath_analysis.models.glm import ModelFitError, aliased_columns, fit, fit_matrix, separated_levels
from ath_analysis.models.margins import MARGIN_COLUMNS, Margins, margin_arrays, predictive_margins
from ath_analysis.models.matrix import CategoricalTerm, ModelMatrix, categorical_matrix, model_matrix, treatment_term
from ath_analysis.models.results import ModelSummary, SurveyGLMResults
from ath_analysis.models.wald import WaldTest, wald_test

__all__ = [
    "FAMILIES",
    "MARGIN_COLUMNS",
    "CategoricalTerm",
    "Margins",
    "ModelFitError",
    "ModelMatrix",
    "ModelSummary",
    "SurveyGLMResults",
    "WaldTest",
    "aliased_columns",
    "categorical_matrix",
    "fit",
    "fit_matrix",
    "margin_arrays",
    "model_matrix",
    "predictive_margins",
    "separated_levels",
    "treatment_term",
    "wald_test",
]
