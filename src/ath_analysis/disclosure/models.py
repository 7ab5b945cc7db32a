"""Publication rules on the comparison table: model levels from too few respondents are not published.

A level is a cell like any other: its margin (adjusted prevalence or mean) rests on its respondents. Levels
with 0 < n < min_n are blanked. In crude models, whose margins are the levels' own prevalences and whose
levels partition the model's domain, a lone small level takes the smallest other level with it (otherwise
the published total minus the published levels recovers it). A difference from a hidden reference level
would reveal the reference, so it is blanked too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ath_analysis.disclosure.primary import FLAG_COMPLEMENTARY, FLAG_LOW_PRECISION, FLAG_NO_RESPONDENTS, FLAG_SMALL_N
from ath_analysis.disclosure.rules import PublicationRules

STATISTIC_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "difference", "diff_se", "diff_ci_low",
                     "diff_ci_high", "odds_ratio", "or_ci_low", "or_ci_high"]
CONTRAST_COLUMNS = ["difference", "diff_se", "diff_ci_low", "diff_ci_high", "odds_ratio", "or_ci_low",
                    "or_ci_high"]
FLAG_SMALL_REFERENCE = "small reference group"
MODEL_KEYS = ["indicator", "wave", "comparison", "adjustment", "reference_level"]


def disclose_model_rows(table: pd.DataFrame, rules: PublicationRules) -> pd.DataFrame:
    """Set `suppressed` and `flag` on the rows of a comparison table and blank what may not be published."""
    n = table["n"].to_numpy(float)
    empty = n == 0
    small = ~empty & (n < rules.min_n)
    table["suppressed"] = empty | small
    table["flag"] = np.select([empty, small], [FLAG_NO_RESPONDENTS, FLAG_SMALL_N], "")
    crude = table["adjustment"] == "crude"
    secret = table["suppressed"] & ~empty & crude
    lone = secret.groupby([table[k] for k in MODEL_KEYS], sort=False).transform("sum") == 1
    candidates = table[crude & ~table["suppressed"] & ~empty]
    has_lone = pd.MultiIndex.from_frame(table.loc[lone & secret, MODEL_KEYS]).unique()
    candidates = candidates[pd.MultiIndex.from_frame(candidates[MODEL_KEYS]).isin(has_lone)]
    chosen = candidates.sort_values("n", kind="stable").groupby(MODEL_KEYS, sort=False).head(1).index
    table.loc[chosen, "suppressed"] = True
    table.loc[chosen, "flag"] = FLAG_COMPLEMENTARY
    hidden_reference = table["is_reference"] & table["suppressed"]
    reference_hidden = pd.MultiIndex.from_frame(table.loc[hidden_reference, MODEL_KEYS]).unique()
    affected = pd.MultiIndex.from_frame(table[MODEL_KEYS]).isin(reference_hidden) & ~table["suppressed"]
    table.loc[affected, CONTRAST_COLUMNS] = np.nan
    table.loc[affected, "flag"] = FLAG_SMALL_REFERENCE
    hidden = table["suppressed"].to_numpy()
    table.loc[hidden, STATISTIC_COLUMNS] = np.nan
    width = (table["ci_high"] - table["ci_low"]).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = (table["se"] / table["estimate"].abs()).to_numpy(float)
    is_mean = (table["kind"] == "mean").to_numpy()
    imprecise = ~hidden & (table["flag"] == "").to_numpy() & np.where(
        is_mean, cv > rules.max_cv, width > rules.max_ci_width)
    table.loc[imprecise, "flag"] = FLAG_LOW_PRECISION
    return table
