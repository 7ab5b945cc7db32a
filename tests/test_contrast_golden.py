"""ath_analysis.survey.contrast against R's `survey` package (the oracle), to 1e-8 relative error.

tests/golden/contrast_golden.csv was computed by tests/golden/make_contrast_golden.R (R 4.2.2, survey 4.1.1;
see contrast_versions.csv) on the sample and designs of the survey golden tests (survey_input.csv,
survey_designs.csv): for each child cell d inside a parent cell P, R's svyratio(covmat = TRUE) of the two
domain means on subset(design, P & !is.na(y)) combined by svycontrast; standardized rows combine one ratio per
age group with the standard population's shares. contrast_independent.csv holds the independent-sample
formulas evaluated in R. The tests need no R.

Where R cannot define a statistic we deliberately differ, as in test_survey_golden.py: a child cell without
respondents for y is NA in the CSV and NaN here, and so is the parent's estimate when the parent cell has none
either. Everything else must agree as R computes it, including child cells equal to their parent cell (the
single respondent of M6 in municipality × sex vs municipality: difference 0, SE 0, df 0, no interval).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ath_analysis.survey import Design, Standardization, independent_difference, parent_differences, se_from_ci

GOLDEN = Path(__file__).parent / "golden"
RTOL = 1e-8
ATOL = 1e-12


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(GOLDEN / name, keep_default_na=True)


REGIONS = _read("contrast_regions.csv")
DATA = _read("survey_input.csv").merge(REGIONS, on="municipality", how="left", validate="many_to_one")
GOLD = _read("contrast_golden.csv")
DESIGNS = _read("survey_designs.csv").fillna("").set_index("design_id")
POPULATION = _read("survey_std_population.csv").set_index("agegroup")["population"]
INDEPENDENT = _read("contrast_independent.csv")
DOMAIN_SETS = {"all": [], "region": ["region"], "municipality": ["municipality"], "sex": ["sex"],
               "municipality_sex": ["municipality", "sex"]}
PAIRS = [("municipality", "all"), ("municipality", "region"), ("sex", "all"), ("municipality_sex", "sex"),
         ("municipality_sex", "municipality")]
CONFIGS = sorted(GOLD.groupby(["design_id", "kind", "level", "standardized"]).groups)


def _design(design_id: str) -> Design:
    spec = DESIGNS.loc[design_id]
    return Design(weight=spec["weight"], strata=spec["strata"] or None, psu=spec["psu"] or None,
                  fpc=spec["fpc"] or None, lonely_psu=spec["lonely_psu"])


def test_golden_covers_the_required_cases():
    designs = set(GOLD["design_id"])
    assert {"strat_fpc", "strat_clus_fpc", "strat_clus_fpcfrac", "lonely_el_adjust", "lonely_cl_adjust"} <= designs
    for policy in ("remove", "adjust", "certainty", "average"):
        assert f"lonely_el_{policy}" in designs and f"lonely_cl_{policy}" in designs
    assert set(GOLD["kind"]) == {"proportion", "mean"}
    assert GOLD["standardized"].any() and (GOLD["level"] == 0.9).any()
    assert set(zip(GOLD["domain"], GOLD["parent"], strict=True)) == set(PAIRS)
    assert (GOLD["n"] == 0).any() and (GOLD["n"] == 1).any()
    assert (GOLD["ci_low"] > 0).sum() > 50 and (GOLD["ci_high"] < 0).sum() > 50, "differences both ways"


@pytest.mark.parametrize(("design_id", "kind", "level", "standardized"), CONFIGS,
                         ids=["-".join(map(str, c)) for c in CONFIGS])
def test_matches_r(design_id: str, kind: str, level: float, standardized: bool):
    gold = GOLD[(GOLD["design_id"] == design_id) & (GOLD["kind"] == kind) & (GOLD["level"] == level)
                & (GOLD["standardized"] == standardized)]
    variables = list(dict.fromkeys(gold["variable"]))
    std = Standardization("agegroup", POPULATION) if standardized else None
    ours = parent_differences(DATA, _design(design_id), variables, DOMAIN_SETS, PAIRS, kind=kind,  # type: ignore[arg-type]
                              level=level, standardize=std)
    key = ["domain", "domain_value", "parent", "parent_value", "variable"]
    merged = gold.merge(ours, on=key, how="outer", suffixes=("_r", ""), indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", [*key, "_merge"]]
    assert len(merged) == len(gold) == len(ours)

    for column in ("n", "n_parent"):
        np.testing.assert_array_equal(merged[column], merged[f"{column}_r"], err_msg=column)
    np.testing.assert_array_equal(merged["df"].to_numpy(dtype=float), merged["df_r"].to_numpy(dtype=float))
    for column in ("estimate_domain", "estimate_parent", "estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(merged[column].to_numpy(dtype=float), merged[f"{column}_r"].to_numpy(dtype=float),
                                   rtol=RTOL, atol=ATOL, equal_nan=True, err_msg=column)
    assert (ours["ci_method"] == "wald").all() and (ours["standardized"] == standardized).all()
    decided = merged["ci_low_r"].notna()
    expected = (merged.loc[decided, "ci_low_r"] > 0) | (merged.loc[decided, "ci_high_r"] < 0)
    np.testing.assert_array_equal(merged.loc[decided, "differs"].to_numpy(dtype=bool), expected.to_numpy())
    assert merged.loc[~decided, "differs"].isna().all()


@pytest.mark.parametrize("rule", ["satterthwaite", "min", "normal"])
def test_independent_difference_matches_r(rule: str):
    rows = INDEPENDENT[INDEPENDENT["rule"] == rule]
    for level, part in rows.groupby("level"):
        ours = independent_difference(part["e1"], part["se1"], part["e2"], part["se2"], part["df1"], part["df2"],
                                      level=level, df_rule=rule)  # type: ignore[arg-type]
        for column in ("estimate", "se", "df", "ci_low", "ci_high"):
            np.testing.assert_allclose(ours[column], part[column].to_numpy(dtype=float), rtol=RTOL, atol=ATOL,
                                       equal_nan=True, err_msg=f"{rule} {column}")
    assert rows["ci_low"].isna().any(), "an estimate without df has no interval"


def test_se_from_published_ci_matches_r():
    rows = INDEPENDENT.drop_duplicates(["e2", "se2"])
    wald = se_from_ci(rows["pub_low_wald"], rows["pub_high_wald"])
    np.testing.assert_allclose(wald, rows["se2"], rtol=1e-9, atol=1e-15)
    logit = se_from_ci(rows["pub_low_logit"], rows["pub_high_logit"], estimate=rows["e2"], method="logit")
    np.testing.assert_allclose(logit, rows["se2"], rtol=1e-9, atol=1e-15)
