"""ath_analysis.survey against R's `survey` package (the oracle), to 1e-8 relative error.

The expected values in tests/golden/survey_golden.csv were computed by tests/golden/make_survey_golden.R
(R 4.2.2, survey 4.1.1; see survey_versions.csv) on the sample in survey_input.csv. CI has no R, so the CSVs
are committed; rerun the script after changing the data or the cases.

Where R cannot define a statistic we deliberately differ, and the expectation is adjusted here:
* a domain without respondents for a variable (y4 in M5): R's svymean returns 0 with SE 0 (colSums of an
  empty matrix); the script writes NA and we return NaN with n = 0;
* svyciprop(method="logit") when the estimate is exactly 0 or 1 (y2 in M4, the single respondent of M6):
  R reports limits from a glm that did not converge (coefficient ≈ ±25); we return NaN, as R itself does
  for method="beta" in the same cells;
* standardized estimates use the sample without its zero-weight respondent: R's postStratify residualization
  turns that respondent's post-stratum weight from 0 into 1 (to avoid 0/0) and multiplies by it, so an
  exactly-zero weight changes R's SE (w = 1e-300 gives the SE we give for w = 0; w = 0 does not);
* standardized Korn–Graubard limits are not compared (the script writes NA): on a subset of a calibrated
  design R's svyciprop uses nrow() of the whole design, counting respondents outside the domain.
Everything else — including df = 0 cells (single respondent: SE 0, NaN limits, NaN deff), certainty strata,
zero weights, the five lonely-PSU policies and the FPC forms — must agree as R computes it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ath_analysis.errors import DataError
from ath_analysis.survey import Design, Standardization, estimate, estimate_domains

GOLDEN = Path(__file__).parent / "golden"
DOMAIN_SETS = {"all": [], "municipality": ["municipality"], "sex": ["sex"],
               "municipality_sex": ["municipality", "sex"]}
RTOL = 1e-8
# exact zeros in R (e.g. the SE of a single respondent) come out as ~1e-17 here; allow that much absolutely
ATOL = 1e-12


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(GOLDEN / name, keep_default_na=True)


DATA = _read("survey_input.csv")
GOLD = _read("survey_golden.csv")
DESIGNS = _read("survey_designs.csv").fillna("").set_index("design_id")
POPULATION = _read("survey_std_population.csv").set_index("agegroup")["population"]


def _design(design_id: str) -> Design:
    spec = DESIGNS.loc[design_id]
    return Design(weight=spec["weight"], strata=spec["strata"] or None, psu=spec["psu"] or None,
                  fpc=spec["fpc"] or None, lonely_psu=spec["lonely_psu"])


def _expected_domain_value(row: pd.Series) -> str:
    if row["domain"] == "all":
        return "all"
    parts = []
    if not pd.isna(row["municipality"]):
        parts.append(str(row["municipality"]))
    if not pd.isna(row["sex"]):
        parts.append(str(int(row["sex"])))
    return " × ".join(parts)


GOLD["domain_value"] = GOLD.apply(_expected_domain_value, axis=1)
CONFIGS = sorted(GOLD.groupby(["design_id", "kind", "level", "standardized"]).groups)
CASES = [(*cfg, ci) for cfg in CONFIGS
         for ci in (("logit", "beta", "wald") if cfg[1] == "proportion" else ("wald",))
         if not (cfg[3] and ci == "beta")]


def test_golden_covers_the_required_cases():
    designs = set(GOLD["design_id"])
    assert {"strat", "clus1", "strat_clus_fpc", "strat_clus_fpcfrac", "srs", "strat_fpc"} <= designs
    for policy in ("remove", "adjust", "certainty", "average"):
        assert f"lonely_el_{policy}" in designs and f"lonely_cl_{policy}" in designs
    assert set(GOLD["kind"]) == {"proportion", "mean", "total"}
    assert GOLD["standardized"].any() and (GOLD["level"] == 0.9).any()
    assert (GOLD["n"] == 0).any(), "an empty domain"
    assert (GOLD["n"] == 1).any(), "a single-respondent domain"
    assert (GOLD["df"] == 0).any()
    assert GOLD["estimate"].isin([0.0, 1.0]).any()
    assert GOLD["ci_low_logit"].notna().sum() > 500 and GOLD["ci_low_beta"].notna().sum() > 500
    assert DATA[["y1", "y2", "y3", "y4"]].isna().any().all(), "missing values in every variable"
    assert (DATA["w"] == 0).any()


@pytest.mark.parametrize(("design_id", "kind", "level", "standardized", "ci"), CASES,
                         ids=["-".join(map(str, c)) for c in CASES])
def test_matches_r(design_id: str, kind: str, level: float, standardized: bool, ci: str):
    gold = GOLD[(GOLD["design_id"] == design_id) & (GOLD["kind"] == kind) & (GOLD["level"] == level)
                & (GOLD["standardized"] == standardized)]
    variables = list(dict.fromkeys(gold["variable"]))
    std = Standardization("agegroup", POPULATION) if standardized else None
    data = DATA[DATA["w"] > 0] if standardized else DATA  # see the module docstring
    ours = estimate_domains(data, _design(design_id), variables, DOMAIN_SETS, kind=kind, ci=ci,
                            level=level, standardize=std)
    key = ["domain", "domain_value", "variable"]
    merged = gold.merge(ours, on=key, how="outer", suffixes=("_r", ""), indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", [*key, "_merge"]]
    assert len(merged) == len(gold) == len(ours)

    np.testing.assert_array_equal(merged["n"], merged["n_r"])
    if kind == "proportion":
        np.testing.assert_array_equal(merged["n_positive"].to_numpy(dtype=float),
                                      merged["n_positive_r"].to_numpy(dtype=float))
    np.testing.assert_array_equal(merged["df"].to_numpy(dtype=float), merged["df_r"].to_numpy(dtype=float))
    for column in ("weight_sum", "estimate", "se", "deff"):
        np.testing.assert_allclose(merged[column].to_numpy(dtype=float), merged[f"{column}_r"].to_numpy(dtype=float),
                                   rtol=RTOL, atol=ATOL, equal_nan=True, err_msg=column)

    expected_low = merged[f"ci_low_{ci}"].to_numpy(dtype=float)
    expected_high = merged[f"ci_high_{ci}"].to_numpy(dtype=float)
    if ci == "logit":  # R's non-converged glm at p = 0 or 1: we give NaN (see module docstring)
        degenerate = merged["estimate_r"].isin([0.0, 1.0]).to_numpy()
        expected_low = np.where(degenerate, np.nan, expected_low)
        expected_high = np.where(degenerate, np.nan, expected_high)
    np.testing.assert_allclose(merged["ci_low"].to_numpy(dtype=float), expected_low, rtol=RTOL, atol=ATOL,
                               equal_nan=True, err_msg="ci_low")
    np.testing.assert_allclose(merged["ci_high"].to_numpy(dtype=float), expected_high, rtol=RTOL, atol=ATOL,
                               equal_nan=True, err_msg="ci_high")
    assert (ours["ci_method"] == (ci if kind == "proportion" else "wald")).all()


def test_estimate_matches_r_for_crossed_by():
    """The single-set entry point: by= two columns, crossed, gives R's municipality × sex cells."""
    gold = GOLD[(GOLD["design_id"] == "strat_clus_fpc") & (GOLD["kind"] == "proportion")
                & (GOLD["level"] == 0.95) & ~GOLD["standardized"] & (GOLD["domain"] == "municipality_sex")]
    ours = estimate(DATA, _design("strat_clus_fpc"), ["y1", "y2", "y4"], by=["municipality", "sex"], ci="beta")
    assert list(ours.columns[:3]) == ["variable", "municipality", "sex"]
    ours = ours.assign(municipality=ours["municipality"].astype(str), sex=ours["sex"].astype(int))
    gold = gold.assign(sex=gold["sex"].astype(int))
    merged = gold.merge(ours, on=["variable", "municipality", "sex"], how="inner", suffixes=("_r", ""))
    assert len(merged) == len(gold) == len(ours)
    for ours_col, r_col in (("estimate", "estimate_r"), ("se", "se_r"), ("ci_low", "ci_low_beta"),
                            ("ci_high", "ci_high_beta")):
        np.testing.assert_allclose(merged[ours_col].to_numpy(dtype=float), merged[r_col].to_numpy(dtype=float),
                                   rtol=RTOL, atol=ATOL, equal_nan=True, err_msg=ours_col)


@pytest.mark.parametrize("row", _read("survey_errors.csv").fillna("").to_dict("records"),
                         ids=lambda r: r["strata"])
def test_lonely_psu_fail_names_the_stratum_as_r(row: dict):
    stratum = re.search(r"Stratum \((.+?)\)", row["message"]).group(1)
    design = Design("w", strata=row["strata"], psu=row["psu"] or None, lonely_psu="fail")
    with pytest.raises(DataError, match=rf"'{re.escape(stratum)}'.*'{row['strata']}'.*only one PSU"):
        estimate(DATA, design, "y1")
