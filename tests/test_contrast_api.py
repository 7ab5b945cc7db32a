"""ath_analysis.survey.contrast: input validation, conventions and invariances (the R oracle is in
test_contrast_golden.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ath_analysis.errors import AthError, DataError
from ath_analysis.survey import (
    DIFFERENCE_COLUMNS,
    Design,
    Standardization,
    estimate_domains,
    independent_difference,
    independent_differences,
    parent_differences,
    se_from_ci,
)


def _frame(n: int = 300, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    area = rng.choice(["a1", "a2", "b1", "b2", "b3"], n)
    frame = pd.DataFrame({
        "w": rng.uniform(5, 50, n),
        "stratum": rng.choice(["s1", "s2", "s3", "s4"], n),
        "cluster": rng.integers(0, 8, n),
        "area": area,
        "region": np.where(pd.Series(area).str.startswith("a"), "A", "B"),
        "sex": rng.choice([1.0, 2.0], n),
        "age": rng.choice(["20-54", "55-74", "75+"], n),
        "smoker": rng.integers(0, 2, n).astype(float),
        "bmi": rng.normal(26, 4, n),
    })
    frame.loc[::9, "smoker"] = np.nan
    frame.loc[::13, "bmi"] = np.nan
    return frame


DESIGN = Design("w", strata="stratum")
SETS = {"all": [], "region": ["region"], "area": ["area"], "sex": ["sex"], "area_sex": ["area", "sex"]}
POP = {"20-54": 46500, "55-74": 23000, "75+": 9000}


# ------------------------------------------------------------------------------------------ bad input
def test_child_not_nested_in_parent_names_sets_and_cell():
    with pytest.raises(DataError, match=r"domain set 'area' is not nested in 'sex': cell 'a1' has respondents in "
                                        r"'1', '2'$"):
        parent_differences(_frame(), DESIGN, "smoker", SETS, {"area": "sex"})


def test_child_cell_with_missing_parent_value_is_named():
    frame = _frame()
    frame.loc[3, "region"] = None
    area = frame.loc[3, "area"]
    with pytest.raises(DataError, match=rf"cell '{area}' has respondents with no value of 'region'"):
        parent_differences(frame, DESIGN, "smoker", SETS, {"area": "region"})


def test_missing_columns_are_data_errors():
    with pytest.raises(DataError, match="'smokr' not found"):
        parent_differences(_frame(), DESIGN, "smokr", SETS, "all")
    with pytest.raises(AthError, match="'areaa' not found"):
        parent_differences(_frame(), DESIGN, "smoker", {"all": [], "x": ["areaa"]}, "all")


@pytest.mark.parametrize(
    ("parents", "kwargs", "message"),
    [
        ("nation", {}, "parent set 'nation' is not one of the domain sets"),
        ({"area": "nation"}, {}, "parent set 'nation' is not one of"),
        ({"town": "all"}, {}, "child set 'town' is not one of"),
        ({"area": "area"}, {}, "cannot be its own parent"),
        ([("area", "all"), ("area", "all")], {}, "pair twice"),
        ("all", {"kind": "total"}, "proportions or means"),
        ("all", {"level": 1.5}, "level must be between 0 and 1"),
    ],
)
def test_bad_arguments_raise_value_error(parents, kwargs, message):
    with pytest.raises(ValueError, match=message):
        parent_differences(_frame(), DESIGN, "smoker", SETS, parents, **kwargs)


def test_parents_of_wrong_type_raise_type_error():
    with pytest.raises(TypeError, match="parents must be"):
        parent_differences(_frame(), DESIGN, "smoker", SETS, 3)


def test_independent_bad_arguments():
    with pytest.raises(ValueError, match="df_rule must be one of"):
        independent_difference(0.3, 0.02, 0.25, 0.01, df_rule="welch")
    with pytest.raises(ValueError, match="non-negative"):
        independent_difference(0.3, -0.02, 0.25, 0.01)
    with pytest.raises(ValueError, match="needs the estimate"):
        se_from_ci(0.2, 0.3, method="logit")


def test_independent_differences_names_bad_tables():
    first = pd.DataFrame({"domain": ["m"], "domain_value": ["1"], "variable": ["y"], "estimate": [0.3], "se": [0.02]})
    with pytest.raises(DataError, match="second table column 'se' not found"):
        independent_differences(first, first.drop(columns="se"))
    with pytest.raises(DataError, match=r"first table has more than one row for \{'domain': 'm'"):
        independent_differences(pd.concat([first, first]), first)


# ------------------------------------------------------------------------------------------ conventions
def test_columns_rows_and_agreement_with_estimate_domains():
    frame = _frame()
    out = parent_differences(frame, DESIGN, ["smoker", "bmi"], SETS, {"area": "region", "area_sex": "sex"},
                             kind="mean")
    assert list(out.columns) == ["domain", "domain_value", "parent", "parent_value", "variable",
                                 *DIFFERENCE_COLUMNS]
    assert list(out["domain"].unique()) == ["area", "area_sex"]
    area = out[out["domain"] == "area"]
    assert dict(zip(area["domain_value"], area["parent_value"], strict=False)) == {
        "a1": "A", "a2": "A", "b1": "B", "b2": "B", "b3": "B"}
    assert len(out) == 2 * (5 + 10)
    est = estimate_domains(frame, DESIGN, ["smoker", "bmi"], SETS, kind="mean").set_index(
        ["domain", "domain_value", "variable"])["estimate"]
    np.testing.assert_allclose(area["estimate_domain"],
                               est.loc[list(zip(area["domain"], area["domain_value"], area["variable"],
                                                strict=True))], rtol=1e-13)
    np.testing.assert_allclose(area["estimate_parent"],
                               est.loc[list(zip(["region"] * len(area), area["parent_value"], area["variable"],
                                                strict=True))], rtol=1e-13)
    np.testing.assert_allclose(out["estimate"], out["estimate_domain"] - out["estimate_parent"], rtol=1e-12)
    assert out.attrs["ci"] == "wald" and out.attrs["kind"] == "mean"


def test_parent_as_one_name_compares_every_other_set():
    out = parent_differences(_frame(), DESIGN, "smoker", SETS, "all")
    assert list(out["domain"].unique()) == ["region", "area", "sex", "area_sex"]
    assert (out["parent_value"] == "all").all()


def test_child_equal_to_parent_has_zero_difference_and_zero_se():
    frame = _frame().assign(one_region="A")
    out = parent_differences(frame, Design("w", strata="stratum", psu="cluster"), ["smoker"],
                             {"all": [], "r": ["one_region"]}, "all")
    assert out["estimate"].abs().max() < 1e-15
    assert (out["se"] == 0).all() and (out["ci_low"].abs() < 1e-15).all()
    assert not out["differs"].any()


def test_empty_child_cell_gives_nan_and_na_verdict():
    frame = _frame()
    frame.loc[frame["area"] == "b3", "smoker"] = np.nan
    out = parent_differences(frame, DESIGN, "smoker", SETS, {"area": "region"})
    row = out[out["domain_value"] == "b3"].iloc[0]
    assert row["n"] == 0 and np.isnan(row["estimate"]) and np.isnan(row["se"]) and pd.isna(row["differs"])
    assert np.isfinite(row["estimate_parent"])


def test_independent_differences_keeps_unmatched_rows():
    first = pd.DataFrame({"domain": ["m", "m"], "domain_value": ["1", "2"], "variable": ["y", "y"],
                          "estimate": [0.30, 0.20], "se": [0.02, 0.03], "df": [40.0, 35.0]})
    second = first.iloc[[0]].assign(estimate=0.25, se=0.01, df=np.inf)
    out = independent_differences(first, second)
    assert len(out) == 2
    one = out[out["domain_value"] == "1"].iloc[0]
    assert one["estimate"] == pytest.approx(0.05) and one["se"] == pytest.approx(np.sqrt(0.02**2 + 0.01**2))
    assert one["df"] == pytest.approx((0.02**2 + 0.01**2) ** 2 / (0.02**4 / 40))
    assert np.isnan(out.loc[out["domain_value"] == "2", "estimate"]).all()


def test_se_from_ci_inverts_the_interval_functions():
    from ath_analysis.survey.intervals import logit, wald

    p, se, df = np.array([0.05, 0.3, 0.7]), np.array([0.01, 0.04, 0.02]), np.array([12.0, 80.0, np.inf])
    for method, fn in (("wald", wald), ("logit", logit)):
        low, high = fn(p, se, df, 0.9)
        np.testing.assert_allclose(se_from_ci(low, high, 0.9, df, estimate=p, method=method), se, rtol=1e-12)


# ------------------------------------------------------------------------------------------ invariances
def test_psu_per_respondent_equals_no_psu():
    """Element designs use row-level cross-products, clustered ones PSU totals: two code paths must agree."""
    frame = _frame().assign(row_id=lambda f: np.arange(len(f)))
    frame.loc[7, "stratum"] = "lonely"
    frame.loc[[5, 40], "w"] = 0.0
    pairs = [("area", "region"), ("area_sex", "sex"), ("area_sex", "area"), ("region", "all")]
    for kind, variables, std in (("proportion", ["smoker"], None), ("mean", ["bmi", "smoker"], None),
                                 ("proportion", ["smoker"], Standardization("age", POP)),
                                 ("mean", ["bmi"], Standardization("age", POP))):
        for policy in ("remove", "adjust", "certainty", "average"):
            fast = parent_differences(frame, Design("w", strata="stratum", lonely_psu=policy), variables, SETS,
                                      pairs, kind=kind, standardize=std)
            slow = parent_differences(frame, Design("w", strata="stratum", psu="row_id", lonely_psu=policy),
                                      variables, SETS, pairs, kind=kind, standardize=std)
            for column in ("estimate", "se", "df", "ci_low", "ci_high"):
                np.testing.assert_allclose(slow[column], fast[column], rtol=1e-10, atol=1e-15, err_msg=column)


def test_permuting_rows_and_scaling_weights_change_nothing():
    frame = _frame()
    design = Design("w", strata="stratum", psu="cluster", lonely_psu="adjust")
    pairs = {"area": "region", "area_sex": "sex"}
    base = parent_differences(frame, design, ["smoker"], SETS, pairs)
    shuffled = parent_differences(frame.sample(frac=1, random_state=1), design, ["smoker"], SETS, pairs)
    scaled = parent_differences(frame.assign(w=frame["w"] * 37.5), design, ["smoker"], SETS, pairs)
    for other in (shuffled, scaled):
        for column in ("estimate", "se", "df", "ci_low", "ci_high"):
            np.testing.assert_allclose(other[column], base[column], rtol=1e-9, atol=1e-15, err_msg=column)
