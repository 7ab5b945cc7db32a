"""ath_analysis.survey: input validation, output shape and conventions, invariances (hypothesis)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ath_analysis.errors import DataError
from ath_analysis.survey import (
    STAT_COLUMNS,
    Design,
    Standardization,
    collapse_esp2013,
    estimate,
    estimate_domains,
)

ROOT = Path(__file__).resolve().parents[1]


def _frame(n: int = 120, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "w": rng.uniform(5, 50, n),
        "stratum": rng.choice(["a", "b", "c"], n),
        "cluster": rng.integers(0, 6, n),
        "area": rng.choice(["north", "south", "east"], n),
        "sex": rng.choice([1.0, 2.0], n),
        "age": rng.choice(["20-54", "55-74", "75+"], n),
        "smoker": rng.integers(0, 2, n).astype(float),
        "bmi": rng.normal(26, 4, n),
    })
    frame.loc[::9, "smoker"] = np.nan
    frame.loc[::11, "bmi"] = np.nan
    return frame


DESIGN = Design("w", strata="stratum")


# ------------------------------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    ("kwargs", "column"),
    [
        ({"variables": ["smokr"]}, "smokr"),
        ({"variables": "smoker", "by": "areaa"}, "areaa"),
        ({"variables": "smoker", "design": Design("weight")}, "weight"),
        ({"variables": "smoker", "design": Design("w", strata="stratumm")}, "stratumm"),
        ({"variables": "smoker", "design": Design("w", psu="psu")}, "psu"),
    ],
)
def test_missing_columns_are_named(kwargs, column):
    args = {"design": DESIGN, **kwargs}
    with pytest.raises(DataError, match=rf"'{column}' not found"):
        estimate(_frame(), **args)


def test_missing_column_error_suggests_the_close_name():
    with pytest.raises(DataError, match="did you mean: smoker"):
        estimate(_frame(), DESIGN, "smokr")


@pytest.mark.parametrize(("bad", "word"), [(-1.0, "negative"), (np.nan, "missing"), (np.inf, "infinite")])
def test_bad_weights_are_named(bad, word):
    frame = _frame()
    frame.loc[4, "w"] = bad
    with pytest.raises(DataError, match=rf"weight column 'w' has 1 {word}"):
        estimate(frame, DESIGN, "smoker")


def test_proportion_values_other_than_0_1_are_named():
    frame = _frame()
    frame.loc[3, "smoker"] = 2
    with pytest.raises(DataError, match=r"proportion variable 'smoker' must be 0/1/missing, found values 2"):
        estimate(frame.assign(ok=0.0), DESIGN, ["ok", "smoker"], kind="proportion")
    estimate(frame, DESIGN, "smoker", kind="mean")  # fine as a mean


def test_non_numeric_variable_is_named():
    frame = _frame().assign(smoker=lambda f: f["smoker"].map({0.0: "no", 1.0: "yes"}))
    with pytest.raises(DataError, match="variable 'smoker' is not numeric"):
        estimate(frame, DESIGN, "smoker")


def test_missing_strata_and_psu_values_are_named():
    frame = _frame()
    frame.loc[0, "stratum"] = None
    with pytest.raises(DataError, match="strata column 'stratum' has 1 missing"):
        estimate(frame, DESIGN, "smoker")
    frame = _frame().astype({"cluster": float})
    frame.loc[0, "cluster"] = np.nan
    with pytest.raises(DataError, match="psu column 'cluster' has 1 missing"):
        estimate(frame, Design("w", psu="cluster"), "smoker")


def test_lonely_psu_fail_names_the_stratum():
    frame = _frame()
    frame.loc[7, "stratum"] = "lonely"
    with pytest.raises(DataError, match=r"stratum 'lonely' of strata column 'stratum' has only one PSU"):
        estimate(frame, DESIGN, "smoker")
    for policy in ("remove", "adjust", "certainty", "average"):
        out = estimate(frame, Design("w", strata="stratum", lonely_psu=policy), "smoker")
        assert np.isfinite(out["se"]).all()


def test_fpc_errors_are_named():
    frame = _frame().assign(N=lambda f: f["stratum"].map({"a": 1000, "b": 2000, "c": 3000}))
    estimate(frame, Design("w", strata="stratum", fpc="N"), "smoker")
    frame.loc[0, "N"] = 5
    with pytest.raises(DataError, match="fpc column 'N'"):
        estimate(frame, Design("w", strata="stratum", fpc="N"), "smoker")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "median"}, "kind must be one of"),
        ({"ci": "wilson"}, "ci must be one of"),
        ({"level": 95}, "level must be between 0 and 1"),
        ({"variables": []}, "variables is empty"),
        ({"kind": "total", "standardize": Standardization("age", {"20-54": 1, "55-74": 1, "75+": 1})},
         "not totals"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, message):
    args = {"variables": "smoker", **kwargs}
    with pytest.raises(ValueError, match=message):
        estimate(_frame(), DESIGN, **args)


def test_bad_design_policy_raises_value_error():
    with pytest.raises(ValueError, match="lonely_psu must be one of"):
        Design("w", lonely_psu="drop")


def test_standardization_errors_name_the_column():
    frame = _frame()
    with pytest.raises(DataError, match=r"column 'age' has level '75\+' that is not in the standard"):
        estimate(frame, DESIGN, "smoker", standardize=Standardization("age", {"20-54": 5, "55-74": 3}))
    frame.loc[2, "age"] = None
    with pytest.raises(DataError, match="standardization column 'age' has 1 missing"):
        estimate(frame, DESIGN, "smoker", standardize=Standardization("age", {"20-54": 5, "55-74": 3, "75+": 1}))


# --------------------------------------------------------------------------------------- output shape
def test_estimate_columns_and_cells():
    frame = _frame()
    frame.loc[frame["area"] == "east", "smoker"] = np.nan  # a cell with no respondent for smoker
    out = estimate(frame, DESIGN, ["smoker", "bmi"], by=["area", "sex"], kind="mean")
    assert list(out.columns) == ["variable", "area", "sex", *STAT_COLUMNS]
    assert len(out) == 2 * 6  # every area × sex cell of the frame, for both variables
    empty = out[(out["variable"] == "smoker") & (out["area"] == "east")]
    assert (empty["n"] == 0).all() and empty["estimate"].isna().all() and empty["se"].isna().all()
    assert out.attrs["kind"] == "mean" and out.attrs["ci"] == "wald"
    whole = estimate(frame, DESIGN, ["smoker", "bmi"], kind="mean")
    assert list(whole["variable"]) == ["smoker", "bmi"] and "area" not in whole


def test_estimate_domains_conventions_and_agreement_with_estimate():
    frame = _frame()
    sets = {"region": [], "area": ["area"], "area_sex": ["area", "sex"]}
    out = estimate_domains(frame, DESIGN, ["smoker"], sets)
    assert list(out.columns[:3]) == ["domain", "domain_value", "variable"]
    assert list(out.loc[out["domain"] == "region", "domain_value"]) == ["all"]
    assert "east × 1" in set(out["domain_value"])  # float codes written without ".0"
    single = estimate(frame, DESIGN, ["smoker"], by=["area", "sex"])
    crossed = out[out["domain"] == "area_sex"].reset_index(drop=True)
    np.testing.assert_allclose(crossed["estimate"], single["estimate"], rtol=1e-14)
    np.testing.assert_allclose(crossed["se"], single["se"], rtol=1e-12)
    whole = estimate(frame, DESIGN, ["smoker"])
    np.testing.assert_allclose(out.loc[out["domain"] == "region", "se"], whole["se"], rtol=1e-12)


def test_rows_missing_a_domain_value_are_in_no_cell_of_that_set_only():
    frame = _frame()
    frame.loc[:9, "area"] = np.nan
    out = estimate_domains(frame, DESIGN, ["smoker"], {"all": [], "area": ["area"]})
    n_all = out.loc[out["domain"] == "all", "n"].item()
    assert n_all == frame["smoker"].notna().sum()
    assert out.loc[out["domain"] == "area", "n"].sum() == frame.loc[10:, "smoker"].notna().sum()


def test_psu_per_respondent_equals_no_psu():
    """Two independent code paths (element-level sums vs PSU totals) must agree."""
    frame = _frame().assign(row_id=lambda f: np.arange(len(f)))
    frame.loc[7, "stratum"] = "lonely"  # a single-PSU stratum
    frame.loc[[5, 40], "w"] = 0.0  # zero weights count as PSUs but not towards df
    sets = {"all": [], "area": ["area"], "area_sex": ["area", "sex"]}
    std = Standardization("age", {"20-54": 46500, "55-74": 23000, "75+": 9000})
    for kind, variables, standardize in (("proportion", ["smoker"], None), ("mean", ["bmi", "smoker"], None),
                                         ("total", ["bmi"], None), ("proportion", ["smoker"], std)):
        for policy in ("remove", "adjust", "average"):
            fast = estimate_domains(frame, Design("w", strata="stratum", lonely_psu=policy), variables, sets,
                                    kind=kind, standardize=standardize)
            slow = estimate_domains(frame, Design("w", strata="stratum", psu="row_id", lonely_psu=policy),
                                    variables, sets, kind=kind, standardize=standardize)
            for column in ("estimate", "se", "df", "deff", "ci_low", "ci_high"):
                np.testing.assert_allclose(slow[column], fast[column], rtol=1e-10, err_msg=column)


def test_standardization_population_as_counts_or_shares():
    frame = _frame()
    counts = estimate(frame, DESIGN, "smoker", by="area",
                      standardize=Standardization("age", {"20-54": 46500, "55-74": 23000, "75+": 9000}))
    shares = estimate(frame, DESIGN, "smoker", by="area",
                      standardize=Standardization("age", pd.Series({"20-54": 0.5, "55-74": 23 / 93,
                                                                    "75+": 9 / 93}) * 93 / 78.5))
    np.testing.assert_allclose(counts["estimate"], shares["estimate"], rtol=1e-14)
    np.testing.assert_allclose(counts["se"], shares["se"], rtol=1e-12)
    assert counts["standardized"].all()


def test_standardized_equals_age_weighted_mean_of_cell_estimates():
    """Direct standardization is Σ_a π_a ŷ_a within each domain (independent check of the estimator)."""
    frame = _frame(400, seed=8)
    pop = {"20-54": 46500.0, "55-74": 23000.0, "75+": 9000.0}
    std = estimate(frame, DESIGN, "smoker", by="area", standardize=Standardization("age", pop))
    by_age = estimate(frame, DESIGN, "smoker", by=["area", "age"])
    pi = by_age["age"].map(pop) / sum(pop.values())
    expected = (by_age["estimate"] * pi).groupby(by_age["area"]).sum()
    np.testing.assert_allclose(std.set_index("area")["estimate"], expected.loc[std["area"]], rtol=1e-12)


# ------------------------------------------------------------------------------------------- ESP2013
def _esp_table() -> pd.DataFrame:
    for path in (ROOT / "config" / "areas" / "esp2013.csv", ROOT.parent / "shared" / "reference" / "esp2013.csv"):
        if path.exists():
            return pd.read_csv(path)
    pytest.skip("ESP2013 table not available")


def test_collapse_esp2013_into_bands():
    bands = collapse_esp2013(_esp_table(), ["20-54", "55-74", "75+"])
    # hand sums of the ESP2013 5-year weights
    assert bands.to_dict() == {"20-54": 46500.0, "55-74": 23000.0, "75+": 9000.0}


def test_collapse_esp2013_small_table_and_errors():
    table = pd.DataFrame({"age_group": ["20-24", "25-29", "30+"], "age_min": [20, 25, 30],
                          "age_max": [24, 29, None], "weight": [6.0, 5.0, 9.0]})
    assert collapse_esp2013(table, [(20, 29), (30, None)]).to_dict() == {"20-29": 11.0, "30+": 9.0}
    with pytest.raises(ValueError, match="group limits"):
        collapse_esp2013(table, ["20-27"])
    with pytest.raises(ValueError, match="overlap"):
        collapse_esp2013(table, ["20-29", "25-29"])


# ----------------------------------------------------------------------------------------- invariance
@st.composite
def samples(draw):
    n = draw(st.integers(8, 40))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    strata = np.repeat(np.arange(3), [n // 3, n // 3, n - 2 * (n // 3)])  # every stratum has ≥ 2 rows
    frame = pd.DataFrame({
        "w": rng.uniform(0.5, 80, n),
        "stratum": strata,
        "cluster": rng.integers(0, 4, n),
        "g": rng.choice(["x", "y", "z"], n),
        "y": np.where(rng.random(n) < 0.15, np.nan, rng.integers(0, 2, n)),
    })
    clustered = draw(st.booleans())
    design = Design("w", strata="stratum", psu="cluster" if clustered else None, lonely_psu="adjust")
    return frame, design, rng


SETS = {"all": [], "g": ["g"]}
PROPERTIES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTIES
@given(samples())
def test_permuting_rows_changes_nothing(sample):
    frame, design, rng = sample
    base = estimate_domains(frame, design, ["y"], SETS, ci="beta")
    shuffled = estimate_domains(frame.iloc[rng.permutation(len(frame))], design, ["y"], SETS, ci="beta")
    for column in ("n", "estimate", "se", "df", "ci_low", "ci_high"):
        np.testing.assert_allclose(shuffled[column].to_numpy(float), base[column].to_numpy(float),
                                   rtol=1e-9, atol=1e-15, equal_nan=True, err_msg=column)


@PROPERTIES
@given(samples(), st.floats(1e-3, 1e3))
def test_scaling_weights_changes_no_proportion(sample, factor):
    frame, design, _ = sample
    base = estimate_domains(frame, design, ["y"], SETS)
    scaled = estimate_domains(frame.assign(w=frame["w"] * factor), design, ["y"], SETS)
    for column in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(scaled[column].to_numpy(float), base[column].to_numpy(float),
                                   rtol=1e-9, atol=1e-15, equal_nan=True, err_msg=column)


@PROPERTIES
@given(samples(), st.integers(0, 1), st.sampled_from(["x", "y", "z"]))
def test_zero_weight_respondent_changes_no_estimate(sample, y_value, g_value):
    frame, design, _ = sample
    extra = frame.iloc[[0]].assign(w=0.0, y=float(y_value), g=g_value)  # joins the first row's PSU
    base = estimate_domains(frame, design, ["y"], SETS)
    more = estimate_domains(pd.concat([frame, extra], ignore_index=True), design, ["y"], SETS)
    base = base.set_index(["domain", "domain_value"])
    more = more.set_index(["domain", "domain_value"]).loc[base.index]
    np.testing.assert_allclose(more["estimate"], base["estimate"], rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(more["weight_sum"], base["weight_sum"], rtol=1e-12)
    if design.psu is not None:  # same PSUs as before: nothing in the variance changes either (as in R)
        np.testing.assert_allclose(more["se"], base["se"], rtol=1e-9, atol=1e-15, equal_nan=True)
