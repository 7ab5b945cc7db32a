"""0 % and 100 %: Clopper–Pearson limits where the design gives none, checked against R's binom.test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ath_analysis.results.estimates import BOUNDARY_METHOD, fill_boundary_intervals
from ath_analysis.survey.intervals import boundary

from .conftest import ROOT

GOLDEN = pd.read_csv(ROOT / "tests" / "golden" / "boundary_intervals.csv")


@pytest.mark.parametrize("level", sorted(GOLDEN["level"].unique()))
def test_boundary_limits_equal_binom_test(level):
    rows = GOLDEN[GOLDEN["level"] == level]
    low, high = boundary(rows["positive_share"].to_numpy(), rows["n"].to_numpy(), level)
    np.testing.assert_allclose(low, rows["ci_low"], rtol=1e-8, atol=0)
    np.testing.assert_allclose(high, rows["ci_high"], rtol=1e-8, atol=0)


def test_boundary_is_nan_inside_and_without_respondents():
    low, high = boundary(np.array([0.3, 1.0, 0.0, np.nan]), np.array([50, 0, -1, 40]), 0.95)
    assert np.isnan(low).all() and np.isnan(high).all()


def test_the_stage_fills_only_undefined_limits_at_0_and_100_percent():
    table = pd.DataFrame({
        "estimate": [1.0, 0.0, 0.4, 1.0, 1.0], "n": [58, 12, 40, 1, 30], "df": [57.0, 11, 39, 0, 29],
        "ci_low": [np.nan, np.nan, 0.3, np.nan, 0.97], "ci_high": [np.nan, np.nan, 0.5, np.nan, 1.0],
        "ci_method": "logit"})
    fill_boundary_intervals(table, 0.95)
    assert list(table["ci_method"]) == [BOUNDARY_METHOD, BOUNDARY_METHOD, "logit", "logit", "logit"]
    assert table.loc[0, "ci_low"] == pytest.approx(0.025 ** (1 / 58), rel=1e-12) and table.loc[0, "ci_high"] == 1
    assert table.loc[1, "ci_low"] == 0 and table.loc[1, "ci_high"] == pytest.approx(1 - 0.025 ** (1 / 12))
    assert table.loc[2, "ci_low"] == 0.3  # a defined interval is kept
    assert np.isnan(table.loc[3, "ci_low"])  # no design degrees of freedom: no interval
    assert table.loc[4, "ci_low"] == 0.97
