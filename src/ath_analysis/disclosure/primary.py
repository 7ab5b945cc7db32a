"""Primary suppression and precision flags on the tidy estimate table.

A cell from fewer respondents than `min_n` is not published: its estimate, interval, counts and df are blanked
and it is flagged (primary suppression). What further cells must be withheld so that no small group can be
recovered from the published ones is decided for all published tables together by the publication gate
(`disclosure.published`, `disclosure.linked`). A published cell whose interval is too wide is flagged, not
hidden, so the reader sees the number and reads it with care.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SUPPRESSED_COLUMNS = ["n", "n_positive", "weight_sum", "estimate", "se", "ci_low", "ci_high", "df", "deff", "cv"]
FLAG_SMALL_N = "small n"
FLAG_NO_RESPONDENTS = "no respondents"
FLAG_LOW_PRECISION = "low precision"
FLAG_COMPLEMENTARY = "complementary suppression"
def apply_disclosure(table: pd.DataFrame, min_n: int, max_ci_width: float, max_cv: float) -> pd.DataFrame:
    """Add `suppressed` and `flag`; blank every published quantity of cells below `min_n` (n = 0 too).

    Precision is judged by the CI width for proportions (in proportion units) and by the coefficient of
    variation for means, whose scale differs from indicator to indicator.
    """
    out = table.copy()
    n = out["n"].to_numpy(dtype=np.float64, na_value=np.nan)
    empty = n == 0
    small = ~empty & (n < min_n)
    width = (out["ci_high"] - out["ci_low"]).to_numpy(float)
    is_mean = (out["kind"] == "mean").to_numpy() if "kind" in out else np.zeros(len(out), bool)
    imprecise = ~small & ~empty & np.where(is_mean, out["cv"].to_numpy(float) > max_cv, width > max_ci_width)
    out["suppressed"] = small | empty
    out["flag"] = np.select([empty, small, imprecise], [FLAG_NO_RESPONDENTS, FLAG_SMALL_N, FLAG_LOW_PRECISION], "")
    hidden = out["suppressed"].to_numpy()
    for column in SUPPRESSED_COLUMNS:
        if column in out:
            out[column] = out[column].astype("float64").mask(hidden)
    return out
