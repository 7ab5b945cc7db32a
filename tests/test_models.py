"""ath_analysis.models beyond the R golden cases: invariances, equivalent routes, and failures that must be loud."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from ath_analysis.models import ModelFitError, categorical_matrix, fit, fit_matrix, glm, model_matrix
from ath_analysis.models.results import SUMMARY_COLUMNS
from ath_analysis.survey import Design, estimate
from ath_analysis.survey.design import resolve_design
from ath_analysis.survey.scores import design_covariance, design_df

DATA = pd.read_csv(Path(__file__).parent / "golden" / "models_input.csv")
CLUSTER = Design(weight="w", strata="stratum", psu="psu", fpc="fpc_psu")
ELEMENT = Design(weight="w", strata="stratum", fpc="fpc_rows")
ADJUSTED = "y ~ C(group, Treatment('G1')) + C(agegroup) + C(sex) + C(educ)"
DOMAIN = DATA["dom"].astype(bool)


def _same(a, b, rtol=1e-10):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=1e-13)


def test_estimates_and_ses_do_not_depend_on_the_scale_of_the_weights():
    a = fit(DATA, CLUSTER, ADJUSTED, "binomial", DOMAIN)
    b = fit(DATA.assign(w=DATA["w"] * 123.4), CLUSTER, ADJUSTED, "binomial", DOMAIN)
    _same(a.params, b.params)
    _same(a.bse, b.bse)
    _same(a.predictive_margins("group").table["se"], b.predictive_margins("group").table["se"])


def test_fitting_covariate_cells_equals_fitting_respondents(monkeypatch):
    cells = fit(DATA, CLUSTER, ADJUSTED, "binomial", DOMAIN)
    assert cells.cells.nobs < cells.nobs / 2  # the collapsed route was taken
    monkeypatch.setattr(glm, "covariate_cells", lambda X, codes=None: (np.arange(len(X)), np.arange(len(X))))
    rows = fit(DATA, CLUSTER, ADJUSTED, "binomial", DOMAIN)
    assert rows.cells.nobs == rows.nobs
    _same(cells.params, rows.params, 1e-9)
    _same(cells.bse, rows.bse, 1e-8)
    _same(cells.predictive_margins("group").table[["estimate", "se", "diff_se"]],
          rows.predictive_margins("group").table[["estimate", "se", "diff_se"]], 1e-8)


def test_categorical_matrix_is_the_formula_model():
    rd = resolve_design(DATA, CLUSTER)
    by_formula = fit(DATA, rd, ADJUSTED, "binomial", DOMAIN)
    mm = categorical_matrix(DATA, "y", {"group": "G1", "agegroup": None, "sex": None, "educ": None}, DOMAIN)
    direct = fit_matrix(mm, rd, "binomial")
    assert mm.nobs == by_formula.nobs and (mm.rows == by_formula.model.rows).all()
    _same(direct.params, by_formula.params)
    _same(direct.covariance, by_formula.covariance)
    _same(direct.predictive_margins("group").table[["estimate", "se"]],
          by_formula.predictive_margins("group").table[["estimate", "se"]])


def test_a_missing_model_variable_drops_the_respondent_from_the_model_not_from_the_design():
    frame = DATA.copy()
    whole_psu = (frame["stratum"] == "S2") & (frame["psu"] == 1)
    frame.loc[whole_psu, "y"] = np.nan  # a whole PSU answers nothing
    result = fit(frame, CLUSTER, ADJUSTED, "binomial", DOMAIN)
    same_domain = fit(frame, CLUSTER, ADJUSTED, "binomial", DOMAIN & frame["y"].notna())
    _same(result.bse, same_domain.bse)
    assert not result.model.rows[whole_psu.to_numpy()].any()
    # dropping the rows first would lose the PSU from the design (S2 would have one PSU fewer)
    dropped = frame[frame["y"].notna()].reset_index(drop=True)
    naive = fit(dropped, CLUSTER, ADJUSTED, "binomial", dropped["dom"].astype(bool))
    _same(naive.params, result.params)
    assert not np.allclose(naive.bse, result.bse, rtol=1e-6)


def test_linear_model_estimates_are_weighted_least_squares():
    result = fit(DATA, ELEMENT, "bmi ~ C(group) + C(sex)", "gaussian")
    mm = result.model
    wls = sm.WLS(mm.y, mm.X, weights=DATA["w"].to_numpy()[mm.rows]).fit()
    _same(result.params, wls.params)


def test_crude_margins_are_the_levels_weighted_prevalences():
    result = fit(DATA, CLUSTER, "y ~ C(group, Treatment('G1'))", "binomial", DOMAIN)
    margins = result.predictive_margins("group").table.set_index("level")
    frame = DATA.assign(g=DATA["group"].where(DOMAIN))
    direct = estimate(frame, CLUSTER, "y", by="g").set_index("g")
    _same(margins["estimate"], direct.loc[margins.index, "estimate"])
    assert (margins["n"] == direct.loc[margins.index, "n"]).all()


def test_a_one_coefficient_wald_test_is_the_squared_t():
    result = fit(DATA, CLUSTER, ADJUSTED, "binomial", DOMAIN)
    test = result.wald_test("sex")
    assert test.ndf == 1 and test.ddf == result.df_resid
    _same(test.F, result.tvalues["C(sex)[T.2]"] ** 2)
    _same(test.p, result.pvalues["C(sex)[T.2]"])
    assert result.wald_test("C(sex)").F == test.F
    with pytest.raises(KeyError, match="no term"):
        result.wald_test("urban_rural")


def test_design_covariance_reuses_the_estimators_variance():
    """Linearized values of a domain mean through `design_covariance` give the estimate stage's SE and df,
    for every lonely-PSU policy (R checks the latter against svymean)."""
    frame = DATA.assign(stratum_l=DATA["stratum_l"])
    for policy in ("remove", "adjust", "certainty", "average"):
        design = Design(weight="w", strata="stratum_l", psu="psu", lonely_psu=policy)
        rd = resolve_design(frame, design)
        inside = (DOMAIN & frame["bmi"].notna()).to_numpy()
        w, y = rd.weights[inside], frame["bmi"].to_numpy()[inside]
        mean = w @ y / w.sum()
        variance = design_covariance(rd, w * (y - mean) / w.sum(), inside)[0, 0]
        expected = estimate(frame.assign(d=np.where(DOMAIN, "in", None)), design, "bmi", by="d", kind="mean")
        row = expected[expected["d"] == "in"].iloc[0]
        _same(mean, row["estimate"])
        _same(np.sqrt(variance), row["se"], 1e-9)
        assert design_df(rd, inside) == row["df"]


def test_perfect_prediction_is_an_error_naming_the_level():
    frame = DATA.assign(y=np.where(DATA["group"] == "G3", 0.0, DATA["y"]))
    with pytest.raises(ModelFitError, match="no respondent with group = G3 has the outcome") as info:
        fit(frame, CLUSTER, ADJUSTED, "binomial", DOMAIN)
    assert info.value.reason == "perfect prediction"


def test_a_level_without_respondents_is_aliased_and_has_no_margin():
    rd = resolve_design(DATA, ELEMENT)
    levels = {"group": ["G1", "G2", "G3", "G4", "G5"]}
    mm = categorical_matrix(DATA, "y", {"group": "G1", "sex": None}, levels=levels)
    result = fit_matrix(mm, rd, "binomial")
    column = "C(group, Treatment('G1'))[T.G5]"
    assert result.aliased[list(mm.columns).index(column)] and np.isnan(result.params[column])
    assert result.wald_test("group").ndf == 3
    assert result.df_resid == design_df(rd, mm.rows) + 1 - 5
    margins = result.predictive_margins("group", levels=["G1", "G2", "G5"]).table.set_index("level")
    assert np.isnan(margins.loc["G5", ["estimate", "se", "difference"]].astype(float)).all()
    assert margins.loc["G5", "n"] == 0 and np.isfinite(margins.loc["G2", "se"])
    assert result.predictive_margins("group").table["level"].tolist() == ["G1", "G2", "G3", "G4"]


def test_collinear_columns_are_aliased_as_r_does():
    frame = DATA.assign(group_copy=DATA["group"])
    result = fit(frame, ELEMENT, "y ~ C(group) + C(group_copy)", "binomial")
    assert result.aliased.sum() == 3 and np.isnan(result.params.filter(like="group_copy")).all()
    _same(result.params.iloc[:4], fit(DATA, ELEMENT, "y ~ C(group)", "binomial").params)


def test_non_convergence_is_an_error(monkeypatch):
    monkeypatch.setattr(glm, "MAX_ITERATIONS", 1)
    with pytest.raises(ModelFitError, match="did not converge") as info:
        fit(DATA, CLUSTER, ADJUSTED, "binomial", DOMAIN)
    assert info.value.reason == "did not converge"


def test_summary_and_tidy_frames():
    result = fit(DATA, CLUSTER, ADJUSTED, "binomial", DOMAIN)
    text = result.summary_text()
    assert "quasibinomial" in text and "C(group, Treatment('G1'))[T.G2]" in text and "residual df" in text
    assert str(result) == text and "[0.025" in text and "[0.05" in result.summary_text(alpha=0.1)
    frame = result.summary()
    assert list(frame.columns) == SUMMARY_COLUMNS
    pd.testing.assert_frame_equal(frame, result.params_frame())
    _same(frame["odds_ratio"], np.exp(frame["estimate"]))
    _same(np.log(frame["or_ci_high"]) - frame["estimate"], frame["estimate"] - np.log(frame["or_ci_low"]))
    margins = result.predictive_margins("group", reference="G2")
    table = margins.table.set_index("level")
    assert table.loc["G2", "is_reference"] and table.loc["G2", "difference"] == 0
    _same(table["difference"], table["estimate"] - table.loc["G2", "estimate"])
    assert ((table["ci_low"] > 0) & (table["ci_high"] < 1)).all()  # logit intervals stay inside (0, 1)
    assert "Predictive margins of group" in str(margins)
    linear = fit(DATA, CLUSTER, "bmi ~ C(group) + C(sex)", "gaussian")
    with pytest.raises(ValueError, match="binomial"):
        linear.odds_ratios()
    assert "odds_ratio" not in linear.summary()


def test_conf_int_takes_alpha_as_statsmodels_and_refuses_a_coverage():
    result = fit(DATA, CLUSTER, ADJUSTED, "binomial", DOMAIN)
    wide, narrow = result.conf_int(), result.conf_int(alpha=0.5)
    t95, t50 = stats.t.ppf(0.975, result.df_resid), stats.t.ppf(0.75, result.df_resid)
    _same(wide["ci_high"] - result.params, t95 * result.bse)
    _same(narrow["ci_high"] - result.params, t50 * result.bse)
    _same(result.conf_int(0.1)["ci_low"], result.params - stats.t.ppf(0.95, result.df_resid) * result.bse)
    for wrong in (0.95, 0.9, 1.0, 0.0, -0.05):
        with pytest.raises(ValueError, match="alpha is the error rate"):
            result.conf_int(wrong)
    with pytest.raises(ValueError, match=r"did you mean alpha=0\.05"):
        result.summary(0.95)
    with pytest.raises(ValueError, match="alpha is the error rate"):
        result.odds_ratios(alpha=0.95)


def test_margins_of_a_term_the_formula_transforms_are_rebuilt_with_the_formula():
    """A variable that enters the model other than as a plain categorical term is predicted through patsy."""
    result = fit(DATA, ELEMENT, "y ~ C(group) * C(sex)", "binomial")
    margins = result.predictive_margins("sex", levels=[1, 2]).table
    assert np.isfinite(margins["estimate"]).all() and np.isfinite(margins["se"]).all()
    assert model_matrix(DATA, "y ~ C(group) * C(sex)").nobs == result.nobs
