"""The cell route (ath_analysis.models.cells / cellglm) beyond the R golden cases: statsmodels as the oracle of
the point estimates, the respondent-level route on awkward designs, batching, recoded terms, collapsing, and
failures that must be reported, not raised, per response."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from ath_analysis.errors import DataError
from ath_analysis.models import ModelFitError, categorical_matrix, fit, fit_matrix, glm
from ath_analysis.models.cellglm import cell_margins, cell_wald, fit_categorical, fit_cells
from ath_analysis.models.cells import CellModelData, CellTerm
from ath_analysis.models.results import SUMMARY_COLUMNS
from ath_analysis.survey import Design
from ath_analysis.survey.design import resolve_design

DATA = pd.read_csv(Path(__file__).parent / "golden" / "models_input.csv")
DOMAIN = DATA["dom"].astype(bool)
CLUSTER = Design(weight="w", strata="stratum", psu="psu", fpc="fpc_psu")
ELEMENT = Design(weight="w", strata="stratum", fpc="fpc_rows")
VARIABLES = {"group": "G1", "agegroup": None, "sex": None, "educ": None}
FORMULA = "C(group, Treatment('G1')) + C(agegroup) + C(sex) + C(educ)"


def _same(a, b, rtol=1e-9):
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=1e-13)


def _awkward(seed: int, n: int = 900) -> pd.DataFrame:
    """Clusters in strata, a lonely PSU, zero weights, missing covariates and responses, a rare level."""
    rng = np.random.default_rng(seed)
    stratum = rng.integers(0, 6, n)
    psu = rng.integers(0, 4, n)
    psu[stratum == 5] = 0  # stratum 5 has a single PSU
    frame = pd.DataFrame({
        "stratum": stratum, "psu": psu, "w": rng.gamma(2.0, 10.0, n),
        "area": rng.choice(["A", "B", "C", "D"], n, p=[0.4, 0.3, 0.25, 0.05]),
        "age": rng.choice(["20-54", "55-74", "75+"], n), "sex": rng.integers(1, 3, n).astype(float),
        "educ": rng.choice([1.0, 2.0, 3.0, np.nan], n, p=[0.3, 0.4, 0.25, 0.05]),
    })
    frame.loc[rng.random(n) < 0.03, "w"] = 0.0
    frame["fpc"] = frame.groupby("stratum")["psu"].transform("nunique") * 3
    eta = -0.4 + 0.5 * (frame["area"] == "B") - 0.3 * (frame["age"] == "75+") + 0.2 * frame["sex"]
    frame["y"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    frame["z"] = 25 + 2 * (frame["area"] == "C") + rng.normal(0, 3, n)
    frame.loc[rng.random(n) < 0.06, "y"] = np.nan
    frame.loc[rng.random(n) < 0.04, "z"] = np.nan
    return frame


def test_point_estimates_are_statsmodels_glm_on_the_respondents():
    """The oracle of the coefficients: statsmodels' GLM on the respondent-level rows, weights as var_weights."""
    for response, family, sm_family in (("y", "binomial", sm.families.Binomial()),
                                        ("bmi", "gaussian", sm.families.Gaussian())):
        result = fit_categorical(DATA, CLUSTER, response, VARIABLES, family, DOMAIN)
        mm = categorical_matrix(DATA, response, VARIABLES, DOMAIN)
        oracle = sm.GLM(mm.y, mm.X, family=sm_family, var_weights=DATA["w"].to_numpy()[mm.rows]).fit(tol=1e-12)
        assert list(result.params.index) == list(mm.columns)
        _same(result.params, oracle.params, 1e-8)
        assert result.nobs == mm.nobs


@pytest.mark.parametrize("policy", ["remove", "adjust", "certainty", "average"])
@pytest.mark.parametrize("clustered", [True, False])
def test_cell_route_equals_respondent_route(policy, clustered):
    frame = _awkward(7)
    design = Design(weight="w", strata="stratum", psu="psu" if clustered else None, fpc="fpc" if clustered else None,
                    lonely_psu=policy)
    if not clustered:  # a stratum with a single respondent is the lonely PSU of a design without clusters
        frame.loc[0, "stratum"] = 99
    domain = frame["area"] != "D"
    variables = {"area": "A", "age": None, "sex": None, "educ": None}
    for response, family in (("y", "binomial"), ("z", "gaussian")):
        cells = fit_categorical(frame, design, response, variables, family, domain)
        rows = fit(frame, design, f"{response} ~ C(area, Treatment('A')) + C(age) + C(sex) + C(educ)", family, domain)
        _same(cells.params, rows.params)
        _same(cells.covariance, rows.covariance)
        assert (cells.design_df, cells.df_resid, cells.nobs) == (rows.design_df, rows.df_resid, rows.nobs)
        assert cells.iterations == rows.iterations
        a, b = cells.predictive_margins("area").table, rows.predictive_margins("area").table
        pd.testing.assert_frame_equal(a[["level", "n", "is_reference"]], b[["level", "n", "is_reference"]])
        _same(a[["estimate", "se", "ci_low", "ci_high", "difference", "diff_se"]],
              b[["estimate", "se", "ci_low", "ci_high", "difference", "diff_se"]])
        for term in ("area", "age", "educ"):
            assert cells.wald_test(term).ndf == rows.wald_test(term).ndf
            _same([cells.wald_test(term).F, cells.wald_test(term).p], [rows.wald_test(term).F, rows.wald_test(term).p])


def test_a_batch_of_responses_is_each_response_alone():
    frame = _awkward(11)
    rng = np.random.default_rng(3)
    responses = pd.DataFrame({f"y{k}": np.where(rng.random(len(frame)) < 0.1, np.nan, frame["y"].sample(
        frac=1, random_state=k).to_numpy()) for k in range(5)})
    frame = pd.concat([frame, responses], axis=1)
    design = Design(weight="w", strata="stratum", psu="psu", lonely_psu="adjust")
    data = CellModelData.from_frame(frame, design, ["area", "age", "sex"])
    model = data.model({"area": "A", "age": None, "sex": None})
    together = fit_cells(model, data.sums(responses), "binomial")
    margins = cell_margins(together, "area")
    tests = cell_wald(together, "area")
    for k, name in enumerate(responses.columns):
        alone = fit_cells(model, data.sums(responses[[name]]), "binomial")
        _same(together.coefficients[k], alone.coefficients[0], 1e-12)
        _same(together.covariance[k], alone.covariance[0], 1e-12)
        one = cell_margins(alone, "area")
        _same(margins["se"][k], one["se"][0], 1e-12)
        _same(tests["F"][k], cell_wald(alone, "area")["F"][0], 1e-12)


def test_a_level_against_the_rest_is_the_recoded_variable():
    frame = _awkward(5).assign(is_b=lambda f: np.where(f["area"] == "B", "B", "rest"))
    design = Design(weight="w", strata="stratum", psu="psu", lonely_psu="adjust")
    data = CellModelData.from_frame(frame, design, ["area", "age", "sex"])
    term = CellTerm.level_vs_rest(data, "area", "B", variable="is_b", rest="rest")
    model = data.model([term, "age", "sex"])
    assert model.columns[:2] == ("Intercept", "C(is_b, Treatment('rest'))[T.B]")
    cells = fit_cells(model, data.sums(frame["y"]), "binomial").result(0)
    rows = fit(frame, design, "y ~ C(is_b, Treatment('rest')) + C(age) + C(sex)", "binomial")
    _same(cells.params, rows.params)
    _same(cells.covariance, rows.covariance)
    a = cells.predictive_margins("is_b").table.set_index("level")
    b = rows.predictive_margins("is_b").table.set_index("level").loc[list(a.index)]
    assert list(a.index) == ["rest", "B"]
    _same(a[["estimate", "se", "difference", "diff_se"]], b[["estimate", "se", "difference", "diff_se"]])


def test_collapsed_data_and_its_aggregated_sums_are_the_directly_built_ones():
    frame = _awkward(9)
    design = resolve_design(frame, Design(weight="w", strata="stratum", psu="psu", lonely_psu="adjust"))
    fine = CellModelData.from_frame(frame, design, ["area", "age", "sex", "educ"])
    sub = fine.collapse(["area", "sex"], where={"age": ["20-54", "55-74"]})
    inside = frame["age"].isin(["20-54", "55-74"]).to_numpy()
    direct = CellModelData.from_frame(frame, design, ["area", "sex"], inside)
    assert sub.n_atoms == direct.n_atoms and sorted(sub.rows) == sorted(direct.rows)
    y = frame[["y", "z"]]
    a = fit_cells(sub.model({"area": "A", "sex": None}), sub.sums_from(fine.sums(y)).take([0]), "binomial")
    b = fit_cells(direct.model({"area": "A", "sex": None}), direct.sums(y).take([0]), "binomial")
    _same(a.coefficients, b.coefficients, 1e-12)
    _same(a.covariance, b.covariance, 1e-12)
    c = fit_cells(sub.model({"area": "A"}), sub.sums(y).take([1]), "gaussian")
    d = fit(frame, design, "z ~ C(area, Treatment('A'))", "gaussian", inside)
    _same(c.coefficients[0], d.params)
    with pytest.raises(ValueError, match="collapse"):
        fine.sums_from(fine.sums(y))


def test_failures_are_per_response_with_fits_messages(monkeypatch):
    rd = resolve_design(DATA, CLUSTER)
    frame = DATA.assign(
        separated=np.where(DATA["group"] == "G3", 0.0, DATA["y"]),  # nobody in G3 has the outcome
        out_of_range=DATA["y"] * 2,
        empty=np.nan,
        zero_weight=np.where(DATA["w"] == 0, DATA["y"], np.nan),  # only the respondent with weight 0
    )
    names = ["y", "separated", "out_of_range", "empty", "zero_weight"]
    data = CellModelData.from_frame(frame, rd, list(VARIABLES), DOMAIN)
    fits = fit_cells(data.model(VARIABLES), data.sums(frame[names]), "binomial")
    assert list(fits.reason) == ["", "perfect prediction", "invalid response", "no respondents", "no respondents"]
    with pytest.raises(ModelFitError, match="no respondent with group = G3 has the outcome") as info:
        fit(frame, rd, f"separated ~ {FORMULA}", "binomial", DOMAIN)
    assert fits.message[1] == str(info.value)
    with pytest.raises(ModelFitError, match="no respondent with group = G3") as info:
        fits.result(1)
    assert info.value.reason == "perfect prediction"
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\] \(out_of_range does not\)"):
        fits.result(2)
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        fit(frame, rd, f"out_of_range ~ {FORMULA}", "binomial", DOMAIN)
    assert np.isnan(fits.coefficients[1:]).all() and np.isfinite(fits.coefficients[0]).all()
    margins = cell_margins(fits, "group")
    assert np.isnan(margins["estimate"][1:]).all() and np.isfinite(margins["estimate"][0]).all()
    assert np.isnan(cell_wald(fits, "group")["p"][1:]).all()
    monkeypatch.setattr(glm, "MAX_ITERATIONS", 1)
    stopped = fit_cells(data.model(VARIABLES), data.sums(frame[["y", "bmi"]]), "binomial")
    assert stopped.reason[0] == "did not converge"
    assert stopped.message[0] == "the model did not converge in 1 iterations"
    with pytest.raises(ModelFitError, match="did not converge in 1 iterations"):
        fit(frame, rd, f"y ~ {FORMULA}", "binomial", DOMAIN)


def test_a_fixed_level_without_respondents_is_aliased_as_in_fit_matrix():
    rd = resolve_design(DATA, ELEMENT)
    levels = {"group": ["G1", "G2", "G3", "G4", "G5"]}
    result = fit_categorical(DATA, rd, "y", {"group": "G1", "sex": None}, "binomial", levels=levels)
    rows = fit_matrix(categorical_matrix(DATA, "y", {"group": "G1", "sex": None}, levels=levels), rd, "binomial")
    assert list(result.aliased) == list(rows.aliased) and result.aliased.sum() == 1
    _same(result.params.dropna(), rows.params.dropna())
    assert result.df_resid == rows.df_resid and result.wald_test("group").ndf == 3
    margins = result.predictive_margins("group", levels=["G1", "G2", "G5"]).table.set_index("level")
    assert np.isnan(margins.loc["G5", ["estimate", "se", "difference"]].astype(float)).all()
    assert margins.loc["G5", "n"] == 0


def test_results_accessors_follow_the_shared_conventions():
    result = fit_categorical(DATA, CLUSTER, "y", VARIABLES, "binomial", DOMAIN)
    frame = result.summary()
    assert list(frame.columns) == SUMMARY_COLUMNS
    _same(frame["odds_ratio"], np.exp(frame["estimate"]))
    assert "quasibinomial" in str(result) and "respondents: " in result.summary_text()
    with pytest.raises(ValueError, match="alpha is the error rate"):
        result.conf_int(0.95)
    _same(result.conf_int(alpha=0.1)["ci_high"], fit(DATA, CLUSTER, f"y ~ {FORMULA}", "binomial",
                                                     DOMAIN).conf_int(alpha=0.1)["ci_high"])
    with pytest.raises(ValueError, match="coverage"):
        result.predictive_margins("group", level=0.05)


def test_bad_input_names_the_variable():
    with pytest.raises(DataError, match="model column 'grup' not found in the data \\(did you mean: group"):
        CellModelData.from_frame(DATA, CLUSTER, ["grup"])
    with pytest.raises(DataError, match="model variable 'group' has values outside its levels"):
        CellModelData.from_frame(DATA, CLUSTER, ["group"], levels={"group": ["G1", "G2"]})
    data = CellModelData.from_frame(DATA, CLUSTER, ["group"])
    with pytest.raises(DataError, match="response 'bmi' has 1 infinite values"):
        data.sums(DATA["bmi"].where(DATA.index != 5, np.inf))
    with pytest.raises(DataError, match="model variable 'group' has values outside its levels"):
        data.model([CellTerm("group", levels=("G1", "G2"))])
    with pytest.raises(ValueError, match="domain must be a boolean mask"):
        CellModelData.from_frame(DATA, CLUSTER, ["group"], domain=np.ones(3, dtype=bool))
    with pytest.raises(ValueError, match="the responses have 3 rows"):
        data.sums(np.zeros(3))
    with pytest.raises(ValueError, match="family must be one of"):
        fit_cells(data.model({"group": None}), data.sums(DATA["y"]), "poisson")
    with pytest.raises(KeyError, match="not a term of the model"):
        cell_margins(fit_cells(data.model({"group": None}), data.sums(DATA["y"])), "sex")
