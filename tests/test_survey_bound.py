"""ath_analysis.survey.BoundDesign (Design.bind): same results as unbound calls, reuse of the one pass, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import ath_analysis.survey.linearization as linearization
from ath_analysis.errors import DataError
from ath_analysis.survey import (
    BoundDesign,
    Design,
    ResolvedDesign,
    Standardization,
    estimate,
    estimate_domains,
    parent_differences,
)
from ath_analysis.survey.design import resolve_design

SETS = {"all": [], "area": ["area"], "sex": ["sex"], "area_sex": ["area", "sex"]}
POP = {"20-54": 46500, "55-74": 23000, "75+": 9000}


def _frame(n: int = 240, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "w": rng.uniform(5, 50, n),
        "stratum": rng.choice(["a", "b", "c", "d"], n),
        "cluster": rng.integers(0, 5, n),
        "area": rng.choice(["north", "south", "east"], n),
        "sex": rng.choice([1.0, 2.0], n),
        "age": rng.choice(["20-54", "55-74", "75+"], n),
        "smoker": rng.integers(0, 2, n).astype(float),
        "bmi": rng.normal(26, 4, n),
    })
    frame.loc[::7, "smoker"] = np.nan
    frame.loc[::11, "bmi"] = np.nan
    frame.loc[[3, 50], "w"] = 0.0
    return frame


DESIGN = Design("w", strata="stratum", psu="cluster", lonely_psu="average")


@pytest.fixture
def passes(monkeypatch):
    """Counts the passes over the rows (one per variable, kind and finest level)."""
    counter = {"n": 0}
    original = linearization.AtomSummer.__call__

    def counting(self, *args):
        counter["n"] += 1
        return original(self, *args)

    monkeypatch.setattr(linearization.AtomSummer, "__call__", counting)
    return counter


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, atol=1e-15)
    assert a.attrs == b.attrs


def test_bound_calls_equal_unbound_calls():
    frame = _frame()
    bound = DESIGN.bind(frame, domains=["area", "sex"])
    assert isinstance(bound, BoundDesign) and isinstance(bound.resolved, ResolvedDesign)
    np.testing.assert_array_equal(bound.resolved.c, resolve_design(frame, DESIGN).c)
    std = Standardization("age", POP)
    for kind, variables in (("proportion", ["smoker"]), ("mean", ["bmi", "smoker"]), ("total", ["bmi"])):
        _same(estimate(bound, variables, by="area", kind=kind),
              estimate(frame, DESIGN, variables, by="area", kind=kind))
        _same(estimate_domains(bound, variables, SETS, kind=kind),
              estimate_domains(frame, DESIGN, variables, SETS, kind=kind))
        if kind != "total":
            _same(bound.estimate(variables, by=["area", "sex"], kind=kind, standardize=std),
                  estimate(frame, DESIGN, variables, by=["area", "sex"], kind=kind, standardize=std))
            _same(bound.parent_differences(variables, SETS, "all", kind=kind, standardize=std),
                  parent_differences(frame, DESIGN, variables, SETS, "all", kind=kind, standardize=std))
    _same(estimate(bound, variables=["smoker"], by="sex", ci="beta"),
          estimate(frame, DESIGN, ["smoker"], by="sex", ci="beta"))
    _same(bound.estimate_domains(["smoker"], SETS), estimate_domains(frame, DESIGN, ["smoker"], SETS))


def test_calls_over_the_bound_domains_share_one_pass(passes):
    bound = DESIGN.bind(_frame(), domains=["area", "sex"])
    estimate(bound, ["smoker", "bmi"], by="area", kind="mean")
    assert passes["n"] == 2  # one per variable
    estimate(bound, ["smoker", "bmi"], by="sex", kind="mean")
    estimate(bound, ["bmi"], by=["sex", "area"], kind="mean")
    estimate_domains(bound, ["smoker", "bmi"], SETS, kind="mean")
    parent_differences(bound, ["smoker"], SETS, {"area_sex": "area"}, kind="mean")
    assert passes["n"] == 2
    estimate(bound, ["smoker"], by="area")  # another kind: the 0/1 sums
    assert passes["n"] == 3
    bound.clear()
    estimate(bound, ["smoker"], by="area")
    assert passes["n"] == 4


def test_without_bound_domains_each_finest_level_has_its_pass(passes):
    bound = DESIGN.bind(_frame())
    estimate(bound, ["smoker"], by="area")
    estimate(bound, ["smoker"], by="area")
    assert passes["n"] == 1
    estimate(bound, ["smoker"], by="sex")
    assert passes["n"] == 2


def test_ci_defaults_and_mismatches():
    frame = _frame()
    assert estimate(frame, DESIGN, "smoker")["ci_method"].eq("logit").all()
    for kind in ("mean", "total"):
        assert estimate(frame, DESIGN, "bmi", kind=kind, ci="wald").attrs["ci"] == "wald"
        assert estimate(frame, DESIGN, "bmi", kind=kind)["ci_method"].eq("wald").all()
        for ci in ("logit", "beta"):
            with pytest.raises(ValueError, match=rf"ci='{ci}' applies to proportions only; a {kind} has a Wald"):
                estimate(frame, DESIGN, "bmi", kind=kind, ci=ci)
            with pytest.raises(ValueError, match="applies to proportions only"):
                estimate_domains(frame, DESIGN, "bmi", SETS, kind=kind, ci=ci)


def test_bad_binding_and_call_arguments():
    frame = _frame()
    with pytest.raises(DataError, match="domain column 'areaa' not found in the data"):
        DESIGN.bind(frame, domains=["areaa"])
    with pytest.raises(DataError, match="weight column 'w' has 1 negative"):
        DESIGN.bind(frame.assign(w=np.where(np.arange(len(frame)) == 4, -1.0, frame["w"])))
    with pytest.raises(DataError, match="the data has no rows"):
        DESIGN.bind(frame.iloc[:0])
    with pytest.raises(TypeError, match="frame must be a pandas DataFrame"):
        DESIGN.bind(frame.to_numpy())
    bound = DESIGN.bind(frame)
    with pytest.raises(ValueError, match="the bound design is"):
        estimate(bound, Design("w"), ["smoker"])
    with pytest.raises(TypeError, match="give the variables once"):
        estimate(bound, ["smoker"], ["bmi"])
    with pytest.raises(TypeError, match="design is required"):
        estimate(frame, variables=["smoker"])
    with pytest.raises(TypeError, match="variables is required"):
        estimate(bound)
    with pytest.raises(DataError, match="variable column 'smokr' not found"):
        bound.estimate("smokr")
    frame.loc[5, "smoker"] = 3.0  # a bad value is found when the variable is first used
    with pytest.raises(DataError, match="proportion variable 'smoker' must be 0/1/missing, found values 3"):
        DESIGN.bind(frame).estimate("smoker")
    DESIGN.bind(frame).estimate("smoker", kind="mean")  # fine as a mean


@pytest.mark.parametrize("design", [DESIGN, Design("w", strata="stratum", lonely_psu="adjust")],
                         ids=["clustered", "element"])
def test_both_passes_of_a_01_variable_agree(monkeypatch, design):
    """Few atoms: one sparse product; many: a bincount per row weight. Same sums either way."""
    frame = _frame()
    std = Standardization("age", POP)
    bound = design.bind(frame)
    product = bound.estimate_domains(["smoker"], SETS, standardize=std)
    assert all(summer.product for summer in bound._summers.values())
    monkeypatch.setattr(linearization, "PRODUCT_BYTES", 0)
    bound = design.bind(frame)
    _same(bound.estimate_domains(["smoker"], SETS, standardize=std), product)
    assert not any(summer.product for summer in bound._summers.values())


def test_blocks_of_variables_give_the_same_results(monkeypatch):
    """Variables go through the engine in blocks (bounded memory; one reused scratch block per call)."""
    frame = _frame().assign(y2=lambda f: 1.0 - f["smoker"], y3=lambda f: (f["bmi"] > 26).astype(float))
    variables = ["smoker", "y2", "y3"]
    one_block = estimate_domains(frame, DESIGN, variables, SETS)
    diffs = parent_differences(frame, DESIGN, variables, SETS, "all")
    monkeypatch.setattr(linearization, "BLOCK_ELEMENTS", 1)  # one variable per block
    _same(estimate_domains(frame, DESIGN, variables, SETS), one_block)
    _same(DESIGN.bind(frame).estimate_domains(variables, SETS), one_block)
    _same(parent_differences(frame, DESIGN, variables, SETS, "all"), diffs)
