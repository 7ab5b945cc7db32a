"""Survey-weighted regression models: logistic and linear GLMs with design-based (Taylor) covariance.

>>> from ath_analysis.models import fit
>>> result = fit(frame, design, "obesity ~ C(urban_rural, Treatment('K1')) + C(age_group) + C(sex)",
...              family="binomial", domain=frame["in_region"])  # doctest: +SKIP
>>> result.summary()  # tidy coefficient table (DataFrame); print(result) for the text  # doctest: +SKIP
>>> result.wald_test("urban_rural")  # doctest: +SKIP
>>> result.predictive_margins("urban_rural").table  # doctest: +SKIP

Validated against R's survey package: ``svyglm`` (coefficients, SEs, t, p, confint), ``regTermTest`` and
``svypredmeans`` (with ``svycontrast`` for the differences); see tests/golden/make_models_golden.R.

With only categorical regressors the same models come from per-(covariate cell × design unit) sums, for many
responses at once (`ath_analysis.models.cells`, `ath_analysis.models.cellglm`):

>>> data = CellModelData.from_frame(frame, design, ["urban_rural", "age_group", "sex"], domain)  # doctest: +SKIP
>>> model = data.model({"urban_rural": "K1", "age_group": None, "sex": None})  # doctest: +SKIP
>>> fits = fit_cells(model, data.sums(frame[["obesity", "daily_smoking"]]), "binomial")  # doctest: +SKIP
>>> cell_margins(fits, "urban_rural")["estimate"]  # (responses × levels)  # doctest: +SKIP
>>> fits.result(0).summary()  # doctest: +SKIP

`compare_indicators` (`ath_analysis.models.comparisons`) gives the compare stage's rows that way.
"""

from ath_analysis.models.cellglm import CellFits, CellGLMResults, cell_margins, cell_wald, fit_categorical, fit_cells
from ath_analysis.models.cells import CellModel, CellModelData, CellSums, CellTerm
from ath_analysis.models.comparisons import compare_indicators
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
    "CellFits",
    "CellGLMResults",
    "CellModel",
    "CellModelData",
    "CellSums",
    "CellTerm",
    "Margins",
    "ModelFitError",
    "ModelMatrix",
    "ModelSummary",
    "SurveyGLMResults",
    "WaldTest",
    "aliased_columns",
    "categorical_matrix",
    "cell_margins",
    "cell_wald",
    "compare_indicators",
    "fit",
    "fit_categorical",
    "fit_cells",
    "fit_matrix",
    "margin_arrays",
    "model_matrix",
    "predictive_margins",
    "separated_levels",
    "treatment_term",
    "wald_test",
]
